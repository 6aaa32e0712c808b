"""Checkpoints: a directory with `model.safetensors` (weights) and `model.json` (everything else).

Nothing is ever unpickled. `model.json` records the architecture, so `load` rebuilds the module with
`build(config)` and then fills in the weights; it also records the SHA-256 of the weights file, so a
tampered or truncated checkpoint is refused. Writes go to temporary files that are renamed into place
only once both are complete, so a full disk or a crash leaves the previous checkpoint as it was.

This module knows checkpoints, not runs: `list_models` takes the folders to look in (the shipped ones by
default); train/catalog.py adds the finished training runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import numbers
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from model.nets import build, config_from_dict, config_to_dict, ready_to_answer
from model.paths import JUDGE, PIECE, PRETRAINED, READER

FORMAT_VERSION = 1
log = logging.getLogger(__name__)


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, damaged, tampered with or from an incompatible version."""


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def write_json(path: Path, obj) -> None:
    """Atomic JSON write: a reader sees the old file or the new one, never half of one. On a failure
    (a full disk: OSError ENOSPC) the temporary file is removed and the error raised."""
    path = Path(path)
    tmp = _tmp(path)
    try:
        tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False))
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def save(folder: Path | str, model: torch.nn.Module, config, **meta) -> Path:
    """Write the checkpoint into `folder` (created if needed). `meta`: name, preset, metrics, history…

    Both files are written in full beside the old ones and only then renamed over them; if writing fails
    (OSError, e.g. ENOSPC) the temporary files are removed and a previous checkpoint stays intact."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights, info_path = folder / "model.safetensors", folder / "model.json"
    tmp_w, tmp_i = _tmp(weights), _tmp(info_path)
    try:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(tmp_w))
        info = {"format_version": FORMAT_VERSION, "name": meta.pop("name", folder.name),
                "architecture": config_to_dict(config), "sha256": _sha256(tmp_w),
                "versions": {"torch": torch.__version__, "python": platform.python_version()},
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **meta}
        tmp_i.write_text(json.dumps(info, indent=1, ensure_ascii=False))
        os.replace(tmp_w, weights)
        os.replace(tmp_i, info_path)
    except BaseException:
        _remove(tmp_w)
        _remove(tmp_i)
        raise
    return folder


def copy(src: Path | str, dst: Path | str) -> Path:
    """Copy a checkpoint (model.json and model.safetensors, nothing else) into `dst`, verified first and
    written the same all-or-nothing way as `save`. How a finished run becomes a shipped model."""
    src, dst = Path(src), Path(dst)
    load(src)  # refuse to ship a damaged checkpoint
    dst.mkdir(parents=True, exist_ok=True)
    names = ("model.safetensors", "model.json")
    tmps = [_tmp(dst / n) for n in names]
    try:
        for n, tmp in zip(names, tmps, strict=True):
            tmp.write_bytes((src / n).read_bytes())
        for n, tmp in zip(names, tmps, strict=True):
            os.replace(tmp, dst / n)
    except BaseException:
        for tmp in tmps:
            _remove(tmp)
        raise
    return dst


def read_info(folder: Path | str) -> dict:
    path = Path(folder) / "model.json"
    if not path.exists():
        raise CheckpointError(f"{folder}: no model.json, so this is not a Digit Lab checkpoint")
    try:
        info = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path}: unreadable ({e})") from None
    if not isinstance(info, dict) or info.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: format version {info.get('format_version') if isinstance(info, dict) else '?'}"
                              f" is not {FORMAT_VERSION}; retrain or update Digit Lab")
    return info


def load(folder: Path | str) -> tuple[torch.nn.Module, dict]:
    """(model in eval mode on the CPU, channels_last (nets.ready_to_answer), its model.json). Raises
    CheckpointError with a clear reason."""
    folder = Path(folder)
    info = read_info(folder)
    weights = folder / "model.safetensors"
    if not weights.exists():
        raise CheckpointError(f"{folder}: model.safetensors is missing")
    if _sha256(weights) != info.get("sha256"):
        raise CheckpointError(f"{folder}: model.safetensors does not match its recorded checksum "
                              "(truncated, corrupted or replaced)")
    try:
        model = build(config_from_dict(info["architecture"]))
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{folder}: architecture in model.json cannot be built ({e})") from None
    try:
        model.load_state_dict(load_file(str(weights)), strict=True)
    except Exception as e:  # noqa: BLE001 - safetensors and torch raise several types for bad files
        raise CheckpointError(f"{folder}: weights do not fit the architecture ({str(e).splitlines()[0]})") from None
    return ready_to_answer(model), info


@dataclass(frozen=True)
class ModelEntry:
    name: str        # what pickers show
    path: Path
    kind: str        # mlp | cnn
    source: str      # shipped | run
    test_acc: float | None
    preset: str | None


def entry(folder: Path, source: str) -> ModelEntry:
    """A checkpoint folder as pickers show it. CheckpointError, naming the field, when model.json is not
    what `save` writes (a null architecture, metrics that are a list, a test_acc that is a string…)."""
    folder = Path(folder)
    if not (folder / "model.safetensors").exists():
        raise CheckpointError(f"{folder}: model.safetensors is missing")
    info = read_info(folder)
    arch, metrics = info.get("architecture"), info.get("metrics")
    name, preset = info.get("name", folder.name), info.get("preset")
    acc = metrics.get("test_acc") if isinstance(metrics, dict) else None
    problem = _shape_problem(arch, metrics, acc, name, preset)
    if problem:
        raise CheckpointError(f"{folder / 'model.json'}: {problem}")
    return ModelEntry(name=name, path=folder, kind=arch["kind"], source=source,
                      test_acc=None if acc is None else float(acc), preset=preset)


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _shape_problem(arch, metrics, acc, name, preset) -> str | None:
    """What is wrong with the fields pickers read from model.json, or None."""
    if not isinstance(arch, dict) or arch.get("kind") not in ("mlp", "cnn"):
        return "architecture is not an object with kind 'mlp' or 'cnn'"
    if metrics is not None and not isinstance(metrics, dict):
        return "metrics is not an object"
    if acc is not None and not _is_number(acc):
        return "metrics.test_acc is not a number"
    if not isinstance(name, str):
        return "name is not a string"
    if preset is not None and not isinstance(preset, str):
        return "preset is not a string"
    return None


def entries(folders: Iterable[Path], source: str) -> list[ModelEntry]:
    """The usable checkpoints among `folders`, in order; each broken one is skipped with a logged note."""
    found = []
    for d in folders:
        try:
            found.append(entry(d, source))
        except CheckpointError as e:  # its message names the folder
            log.warning("skipped: %s", e)
        except OSError as e:
            log.warning("skipped %s: %s", d, e)
    return found


def list_models(extra: Iterable[ModelEntry] = ()) -> list[ModelEntry]:
    """The shipped models first, then `extra` (train/catalog.py passes the finished runs)."""
    shipped = [d for d in sorted(PRETRAINED.glob("*/")) if d not in (JUDGE, PIECE, READER)]  # no digit models
    return entries(shipped, "shipped") + list(extra)


def resolve(name_or_dir: str, known: list[ModelEntry] | None = None) -> Path:
    """A model's directory from a checkpoint path, or the name or folder name of one of `known` (default:
    the shipped models, 'mlp' and 'cnn')."""
    p = Path(name_or_dir)
    if (p / "model.json").exists():
        return p
    known = list_models() if known is None else known
    for e in known:
        if name_or_dir in (e.name, e.path.name):
            return e.path
    raise CheckpointError(f"no model called {name_or_dir!r}; known: {', '.join(e.name for e in known) or 'none'}"
                          " (or give a checkpoint folder, such as runs/<run>)")
