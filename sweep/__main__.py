"""`python -m sweep`: seed 004's sweep from a terminal, or the app's sweep job (--out FOLDER).

    python -m sweep --k 1,2 --m 10:300:10 --epochs 2 [--out RUN] [--backend numpy] [--ray auto]
    python -m sweep --study --ray auto          # the whole study: k 1-3, m 10-784, 30 epochs
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from jobs import background
from model import store
from model.batched_mlp import ACTIVATIONS
from sweep import job as sweep_jobs
from sweep.config import ARTICLE, BACKENDS, PROTOCOLS, STUDY, SweepConfig, parse_ks, parse_ms
from sweep.core import pieces
from train.engine import TrainingError, resolve_device


def places(cfg: SweepConfig, out: Path | None, a: argparse.Namespace) -> list[str]:
    """What is wrong with the device and the files asked for, found before any work starts."""
    problems = []
    if cfg.backend == "torch" and (not a.ray or a.ray == "auto"):  # a cluster's workers have their own devices
        try:
            resolve_device(cfg.device)
        except TrainingError as e:
            problems.append(str(e))
    if out is not None and out.exists() and not out.is_dir():
        problems.append(f"--out {out} is a file; name a new folder")
    elif out is not None and out.exists() and any(out.iterdir()):
        problems.append(f"--out {out} is not empty; choose a new folder")
    if a.json:
        target, folder = Path(a.json), Path(a.json).parent
        if target.is_dir():
            problems.append(f"--json {target} is a folder; name a file")
        elif not folder.is_dir():
            problems.append(f"--json: there is no folder {folder}")
        elif not os.access(folder, os.W_OK):
            problems.append(f"--json: the folder {folder} is not writable")
    return problems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m sweep", description="Seed 004's k × m sweep")
    p.add_argument("--study", action="store_true", help="the whole study: k 1,2,3, m 10:784, 30 epochs")
    p.add_argument("--k", help="hidden layers, comma-separated (1-3); default 1")
    p.add_argument("--m", help="units per layer: 10,30,100 or start:stop[:step]; default 10:297 (the article's)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--batch", type=int)
    p.add_argument("--l2", type=float)
    p.add_argument("--activation", choices=list(ACTIVATIONS))
    p.add_argument("--protocol", choices=PROTOCOLS)
    p.add_argument("--backend", choices=BACKENDS)
    p.add_argument("--device")
    p.add_argument("--seed", type=int)
    p.add_argument("--subset", type=int, help="train on the first N training images only")
    p.add_argument("--max-units", type=int, help="hidden units per piece (one batched model)")
    p.add_argument("--ray", metavar="auto|ADDRESS", help="send the pieces to a Ray cluster (auto: join or start one)")
    p.add_argument("--out", help="a sweep folder to write (the app's jobs pass one that holds config.json)")
    p.add_argument("--json", help="also write the rows to this file")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    background.apply()  # a sweep started by the app yields the CPU to the students' answers, as a training job does
    out = Path(a.out) if a.out else None
    if out and (out / "config.json").exists() and not (out / "metrics.jsonl").exists():
        status = sweep_jobs.execute(out)  # a folder prepared by sweep_jobs.start: run it as configured
        return 0 if status["state"] in ("done", "stopped") else 1
    base = STUDY if a.study else ARTICLE
    try:  # every size is checked before anything is built from it (sweep/config.py)
        changes = {name: value for name, value in (
            ("ks", parse_ks(a.k) if a.k else None), ("ms", parse_ms(a.m) if a.m else None),
            ("epochs", a.epochs), ("lr", a.lr), ("batch_size", a.batch), ("l2", a.l2), ("activation", a.activation),
            ("protocol", a.protocol), ("backend", a.backend), ("device", a.device), ("seed", a.seed),
            ("subset", a.subset), ("max_units", a.max_units)) if value is not None}
        cfg = SweepConfig.from_dict({**base.to_dict(), **changes})
    except ValueError as e:
        cfg, problems = None, [str(e)]
    else:
        problems = cfg.problems() or places(cfg, out, a)
    if problems:
        print(f"python -m sweep: error: {'; '.join(problems)}", file=sys.stderr)
        return 2
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="sweep-"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"python -m sweep: error: cannot make the folder {out}: {e.strerror}", file=sys.stderr)
        return 2
    store.write_json(out / "config.json", {"sweep": cfg.to_dict(), "name": out.name, "ray": a.ray})
    if not a.quiet:
        print(f"{len(cfg.ks) * len(cfg.ms)} cells in {len(pieces(cfg))} pieces → {out}")
    status = sweep_jobs.execute(out)
    rows = sweep_jobs.rows(out)
    if not a.quiet:
        key = "val" if cfg.protocol == "seed004" else "test"
        for r in rows:
            print(f"k={r['k']} m={r['m']:4d}: {key} {r[key + '_acc']:.2%}")
        if (best := status.get("best")):
            print(f"best: k={best['k']}, m={best['m']} at {best[key + '_acc']:.2%} {key} accuracy "
                  f"(test {best['test_acc']:.2%}); {len(rows)} cells in {status.get('seconds', 0):.1f} s "
                  f"({status['state']})")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0 if status["state"] in ("done", "stopped") else 1


if __name__ == "__main__":
    raise SystemExit(main())
