"""Checkpoints: a directory with `model.safetensors` (weights) and `model.json` (everything else).

Nothing is ever unpickled. `model.json` records the architecture, so `load` rebuilds the module with
`build(config)` and then fills in the weights; it also records the SHA-256 of the weights file, so a
tampered or truncated checkpoint is refused. Writes go to a temporary file and are renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from model.nets import build, config_from_dict, config_to_dict

FORMAT_VERSION = 1
REPO = Path(__file__).resolve().parent.parent
PRETRAINED = REPO / "model" / "pretrained"


def runs_dir() -> Path:
    return Path(os.environ.get("DIGITLAB_RUNS", REPO / "runs"))


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, damaged, tampered with or from an incompatible version."""


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_json(path: Path, obj) -> None:
    """Atomic JSON write: a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False))
    os.replace(tmp, path)


def save(folder: Path | str, model: torch.nn.Module, config, **meta) -> Path:
    """Write the checkpoint into `folder` (created if needed). `meta`: name, preset, metrics, history…"""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / "model.safetensors"
    tmp = folder / f".model.safetensors.{os.getpid()}.tmp"
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(tmp))
    digest = _sha256(tmp)
    os.replace(tmp, weights)
    info = {"format_version": FORMAT_VERSION, "name": meta.pop("name", folder.name),
            "architecture": config_to_dict(config), "sha256": digest,
            "versions": {"torch": torch.__version__, "python": platform.python_version()},
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **meta}
    write_json(folder / "model.json", info)
    return folder


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
    """(model in eval mode on the CPU, its model.json). Raises CheckpointError with a clear reason."""
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
    return model.eval(), info


@dataclass(frozen=True)
class ModelEntry:
    name: str        # what pickers show
    path: Path
    kind: str        # mlp | cnn
    source: str      # shipped | run
    test_acc: float | None
    preset: str | None


def list_models(runs: Path | None = None) -> list[ModelEntry]:
    """The shipped models first, then every finished (or stopped) run with a usable checkpoint, newest first."""
    found = []
    dirs = [(d, "shipped") for d in sorted(PRETRAINED.glob("*/"))]
    run_dirs = sorted((runs or runs_dir()).glob("*/"), key=lambda p: p.stat().st_mtime, reverse=True)
    dirs += [(d, "run") for d in run_dirs]
    for d, source in dirs:
        if not (d / "model.safetensors").exists():
            continue
        try:
            info = read_info(d)
        except CheckpointError:
            continue
        status = d / "status.json"
        if status.exists():
            try:
                if json.loads(status.read_text()).get("state") not in ("done", "stopped"):
                    continue
            except (json.JSONDecodeError, OSError):
                continue
        arch = info.get("architecture", {})
        found.append(ModelEntry(name=info.get("name", d.name), path=d, kind=arch.get("kind", "?"),
                                source=source, test_acc=(info.get("metrics") or {}).get("test_acc"),
                                preset=info.get("preset")))
    return found


def resolve(name_or_dir: str) -> Path:
    """A model's directory from a path, a shipped name ('mlp', 'cnn') or a run's name or id."""
    p = Path(name_or_dir)
    if (p / "model.json").exists():
        return p
    for entry in list_models():
        if name_or_dir in (entry.name, entry.path.name):
            return entry.path
    known = ", ".join(e.name for e in list_models()) or "none"
    raise CheckpointError(f"no model called {name_or_dir!r}; known: {known}")
