"""Prediction: 28×28 inputs → class probabilities, and the `python -m model.predict` CLI.

    python -m model.predict [--model NAME_OR_DIR]... [--json] IMAGE...
    python -m model.predict --model NAME --csv test.csv --out submission.csv

Images go through the app's own preprocessing (model/preprocess.py). With no --model, both shipped
models answer. An unreadable or empty image gets an error line; the other files still run. Only regular
files are read: a FIFO, a device or a folder is refused at once (model/regular_file.py), never waited on.
--json lines carry the shared judge's verdict (model/judge.py): `"not_digit": true` for a mark that does
not look like a digit (`digit` is still the most likely class; null with no judge installed). The
Kaggle CSV is unchanged: always a label.
"""

from __future__ import annotations

import argparse
import json
import stat
import sys
from pathlib import Path

import torch

from model import judge, store
from model.image_file import ImageError, load_image
from model.infer import labels_uint8, probabilities  # noqa: F401 - probabilities: re-exported for callers
from model.kaggle import CSVError, read_kaggle_csv, write_submission
from model.preprocess import preprocess

DEFAULT_MODELS = ("mlp", "cnn")


def load(name_or_dir: str) -> tuple[torch.nn.Module, dict]:
    return store.load(store.resolve(name_or_dir))


def output_path(out: Path) -> Path:
    """Where --out really writes: a symlink is followed to its target; a folder, a device, a pipe or a
    missing parent folder is refused (ValueError) before anything is computed or written."""
    if out.is_symlink():
        out = out.resolve()
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give a file name, such as {out / 'submission.csv'}")
    if out.exists() and not stat.S_ISREG(out.stat().st_mode):
        raise ValueError(f"--out {out} is not a regular file (a device or a pipe); give a file name")
    if not out.parent.is_dir():
        raise ValueError(f"--out {out}: the folder {out.parent} does not exist")
    return out


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m model.predict", description=__doc__.splitlines()[0])
    p.add_argument("images", nargs="*", type=Path, help="PNG or JPEG files of any size")
    p.add_argument("--model", action="append", help="model name or checkpoint directory (repeatable; "
                   "default: the shipped mlp and cnn)")
    p.add_argument("--json", action="store_true", help="one JSON object per line, per image and model")
    p.add_argument("--csv", type=Path, help="a Kaggle test.csv (pixel0…pixel783) to label")
    p.add_argument("--out", type=Path, default=Path("submission.csv"), help="where --csv writes (ImageId,Label)")
    a = p.parse_args(argv)
    if not a.images and not a.csv:
        p.error("give image files, or --csv test.csv")
    return a


def main(argv=None) -> int:
    a = parse_args(argv)
    try:
        models = [(name, load(name)[0]) for name in (a.model or DEFAULT_MODELS)]
    except store.CheckpointError as e:
        print(f"python -m model.predict: error: {e}", file=sys.stderr)
        return 2
    if a.csv:
        try:
            out = output_path(a.out)
        except ValueError as e:
            print(f"python -m model.predict: error: {e}", file=sys.stderr)
            return 2
        try:
            x, _ = read_kaggle_csv(a.csv)
        except (CSVError, OSError) as e:
            print(f"python -m model.predict: error: {a.csv}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
            return 2
        name, model = models[0]
        labels = labels_uint8(model, x)
        try:
            write_submission(out, labels)
        except OSError as e:
            out.with_name(out.name + ".part").unlink(missing_ok=True)
            print(f"python -m model.predict: error: cannot write {out}: {e.strerror or e}", file=sys.stderr)
            return 2
        print(f"{len(labels)} predictions by {name} written to {out}")
        return 0
    failures = 0
    for path in a.images:
        try:
            pre = preprocess(load_image(path))
            if pre.empty:
                raise ImageError(f"nothing to read ({pre.reason})")
        except (ImageError, OSError) as e:
            failures += 1
            msg = {"file": str(path), "error": str(e)}
            print(json.dumps(msg) if a.json else f"{path}: error: {e}", file=sys.stdout if a.json else sys.stderr)
            continue
        flags = judge.not_digit(pre.image) if a.json else None
        not_digit = None if flags is None else bool(flags[0])
        for name, model in models:
            probs = probabilities(model, pre.image)[0]
            digit = int(probs.argmax())
            if a.json:
                print(json.dumps({"file": str(path), "model": name, "digit": digit, "not_digit": not_digit,
                                  "probabilities": [round(float(p), 6) for p in probs]}))
            else:
                print(f"{path}: {name} says {digit} ({100 * probs[digit]:.1f}%)")
    return 1 if failures == len(a.images) else 0


if __name__ == "__main__":
    raise SystemExit(main())
