"""`python -m jobs --tick RUNS_DIR`: start the waiting jobs whose device is free (what a job runs when it ends)."""

import argparse
import sys
from pathlib import Path

from jobs.queue import tick

parser = argparse.ArgumentParser(prog="python -m jobs", description="start waiting training jobs")
parser.add_argument("--tick", type=Path, metavar="RUNS_DIR", help="the runs directory (default: $DIGITLAB_RUNS)")
started = tick(parser.parse_args().tick)
print("started: " + (", ".join(p.name for p in started) or "nothing"), file=sys.stderr)
