"""`python -m jobs --tick RUNS_DIR`: start the waiting jobs whose device is free.
`python -m jobs --run FOLDER --root RUNS_DIR`: a job's supervisor (jobs/supervisor.py), what `tick` starts."""

import argparse
import sys
from pathlib import Path

parser = argparse.ArgumentParser(prog="python -m jobs", description="start and supervise background jobs")
parser.add_argument("--tick", type=Path, metavar="RUNS_DIR", help="start waiting jobs in RUNS_DIR")
parser.add_argument("--run", type=Path, metavar="FOLDER", help="run the job in FOLDER, then tick --root")
parser.add_argument("--root", type=Path, metavar="RUNS_DIR", help="the runs directory the job is queued in")
args = parser.parse_args()
if args.run:
    from jobs import supervisor
    sys.exit(supervisor.main(args.run, args.root))
from jobs.queue import tick  # noqa: E402

started = tick(args.tick)
print("started: " + (", ".join(p.name for p in started) or "nothing"), file=sys.stderr)
