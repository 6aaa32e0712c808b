"""Run the tests as ./test.sh and test.bat do, in two pytest runs. Linux, macOS, Windows.

    python scripts/run_tests.py [pytest arguments]      (after scripts/setup.py --dev; both runs get the arguments)

First the tests marked `alone` (they time themselves or load the machine) with nothing beside them, then all the
others on parallel workers (pytest-xdist, a test file to a worker): most tests wait on a server, a browser or a
training process rather than compute. A `-m` expression given is combined with each run's; a `-n` given replaces
the workers' number. The exit status is the first failing run's; pytest's 5 (no test ran) only when neither ran one.

The workers share the cores: each process they start (torch, and numpy's OpenBLAS) gets the cores divided by the
workers' number as its thread count, unless OMP_NUM_THREADS is set. Two workers with two threads each on two cores
made a training three times slower than with one thread each (BENCHMARKS.md, "Test suite").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
WORKERS = "2"  # one per core of the two-core machines the suite is timed on (BENCHMARKS.md, "Test suite")
NO_TESTS = 5


def split_marker(args: list[str]) -> tuple[list[str], str | None]:
    """(args without their `-m EXPR`, EXPR or None); pytest itself keeps only the last -m."""
    rest, expr, i = [], None, 0
    while i < len(args):
        a = args[i]
        if a == "-m" and i + 1 < len(args):
            expr, i = args[i + 1], i + 2
            continue
        if a.startswith("-m") and len(a) > 2:
            expr = a[2:]
        else:
            rest.append(a)
        i += 1
    return rest, expr


def both(expr: str | None, mine: str) -> str:
    return mine if expr is None else f"({expr}) and {mine}"


def runs(args: list[str]) -> list[list[str]]:
    """The two pytest command lines for `args`."""
    rest, expr = split_marker(args)
    pytest = [str(PYTHON), "-m", "pytest"]
    return [[*pytest, *rest, "-m", both(expr, "alone"), "-n", "0"],
            [*pytest, "-n", WORKERS, "--dist", "loadfile", *rest, "-m", both(expr, "not alone")]]


def workers(args: list[str]) -> int:
    """The parallel run's worker count: the last `-n N` given, else WORKERS; "auto" and "logical" mean one a core."""
    n = WORKERS
    for a, b in zip(args, args[1:]):
        if a == "-n":
            n = b
    return max(1, os.cpu_count() or 1) if n in ("auto", "logical") else max(1, int(n))


def parallel_env(args: list[str], environ: dict[str, str], cpus: int) -> dict[str, str]:
    """The parallel run's environment: OMP_NUM_THREADS is the cores shared among the workers, unless already set."""
    return {"OMP_NUM_THREADS": str(max(1, cpus // workers(args))), **environ}


def status(codes: list[int]) -> int:
    failed = [c for c in codes if c not in (0, NO_TESTS)]
    if failed:
        return failed[0]
    return NO_TESTS if all(c == NO_TESTS for c in codes) else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    codes = []
    envs = [dict(os.environ), parallel_env(args, dict(os.environ), os.cpu_count() or 1)]
    for cmd, env in zip(runs(args), envs, strict=True):
        codes.append(subprocess.run(cmd, cwd=REPO, env=env).returncode)
        if codes[-1] not in (0, NO_TESTS) and {"-x", "--exitfirst"} & set(args):
            break  # -x: stop at the first failure
    return status(codes)


if __name__ == "__main__":
    raise SystemExit(main())
