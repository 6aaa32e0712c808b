"""`python -m train.standby --root RUNS`: a training process warmed before the teacher presses Start.

It lowers its priority as a job would (jobs/background.py), imports torch and the engine, takes one
optimiser step on a tiny net (the first step imports torch._dynamo: about 2 s) and reads MNIST once
(the disk cache is warm after), then offers itself (jobs/standby.py). The supervisor of the next run
hands it the run; it runs `python -m train`'s own `main` on the same arguments, with its output in the
run's log.txt, records the exit code and exits: one job per standby, so no state leaks from a run to
the next. Untaken for IDLE_S, it exits.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from jobs import background, standby


def warm() -> None:
    import torch

    from train.data import load_mnist
    from train.engine import train  # noqa: F401 - imported now, not when the run starts
    net = torch.nn.Linear(4, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net(torch.zeros(1, 4)).sum().backward()
    opt.step()  # the first step of any optimiser imports torch._dynamo
    load_mnist(download=False)


def run(job: dict) -> int:
    """The handed run, as `python -m train ARGV` would run it, its output appended to the run's log."""
    from train.__main__ import main
    folder = Path(job["folder"])
    with open(folder / "log.txt", "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - the process's own stdout from now on
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    try:
        code = main([str(a) for a in job.get("argv", [])])
    except SystemExit as e:  # argparse's exit 2 for bad arguments
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - recorded like a crash of a cold job: its traceback in the log
        traceback.print_exc()
        code = 1
    standby.record_exit(folder, code)
    return code


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.standby", description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, required=True, help="the runs directory whose next run it takes")
    a = p.parse_args(argv)
    env = standby.env_key()  # what a job it serves is started with, before this process changes it
    background.apply()
    os.environ[background.NICE] = "0"  # applied once here: the run's own apply() must not lower it again
    warm()
    standby.offer(a.root, "train", env)
    job = standby.wait_for_job(a.root)
    return run(job) if job else 0


if __name__ == "__main__":
    raise SystemExit(main())
