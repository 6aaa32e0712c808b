"""What one stroke costs the server: its CPU time and the messages it sends, against a baseline tree.

The Draw page's server is one Python process: every student's answer is computed and sent while holding
its one GIL, so the server's CPU time per stroke is what decides how many students it can answer at once
(bench/load.py measures the waits). This script starts the app from this tree and, if given, from another
checkout (`--baseline PATH`, e.g. a `git worktree` of an older commit), and drives each with the same light
websocket students (bench/load_client.py, the captured strokes of bench/load_strokes.json), the two servers
taking turns, `--rounds` times each. Per tree it prints the server's CPU seconds per stroke (psutil, all
threads) and, beside it, its answer worker's (a process of its own, ui/models.py: it does not hold the
server's GIL), and the messages and bytes one stroke's rerun sends, by kind; then the ratio of the two.

    python -m bench.stroke_cost --baseline /tmp/base --rounds 3 --strokes 80

Loopback only; each round is `--sessions` students drawing `--strokes` strokes each, one after another.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import cpu_s, worker_cpu_s  # noqa: E402
from bench.load_client import Student  # noqa: E402
from tests.browser import streamlit_process  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
STROKES = json.loads((HERE / "bench" / "load_strokes.json").read_text())["strokes"]


@contextlib.contextmanager
def server(tree: Path):
    """`streamlit run app.py` from `tree`, with empty runs and drawings folders; yields (url, psutil.Process)."""
    with tempfile.TemporaryDirectory(prefix="digitlab-cost-") as tmp:
        env = {"PYTHONPATH": str(tree), "DIGITLAB_RUNS": f"{tmp}/runs", "DIGITLAB_DRAWINGS": f"{tmp}/drawings",
               "DIGITLAB_STANDBY": "0"}
        with streamlit_process(env=env, log_path=Path(tmp) / "log", timeout_s=90, tree=tree) as (url, proc):
            yield url, psutil.Process(proc.pid)


class Counting(Student):
    """A student who also counts what each stroke's rerun sends, by kind of message."""

    def __init__(self, url: str):
        super().__init__(url)
        self.counting = False
        self.msgs: collections.Counter = collections.Counter()
        self.bytes: collections.Counter = collections.Counter()

    def _read(self, fm, run) -> None:
        if self.counting:
            kind = fm.WhichOneof("type")
            if kind == "delta":
                kind = fm.delta.WhichOneof("type")
                if kind == "new_element":
                    kind = fm.delta.new_element.WhichOneof("type")
            self.msgs[kind] += 1
            self.bytes[kind] += fm.ByteSize()
        super()._read(fm, run)


async def one_round(url: str, proc: psutil.Process, sessions: int, strokes: int
                    ) -> tuple[float, float, Counting, int]:
    students = [Counting(url) for _ in range(sessions)]
    for s in students:
        await s.open()
        await s.stroke(STROKES[0])  # the first answer of a session warms its caches: not counted
    for s in students:
        s.counting = True
    cpu0, worker0 = cpu_s(proc), worker_cpu_s(proc)

    async def draw(i: int, s: Counting) -> int:
        n = 0
        for k in range(strokes):
            run = await s.stroke(STROKES[(i + k) % len(STROKES)])
            n += run.answered is not None and not run.errors
        return n

    answered = sum(await asyncio.gather(*(draw(i, s) for i, s in enumerate(students))))
    cpu = (cpu_s(proc) - cpu0) / (sessions * strokes)
    worker = (worker_cpu_s(proc) - worker0) / (sessions * strokes)
    for s in students:
        await s.close()
    return cpu, worker, students[0], answered


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", type=Path, help="another checkout of the app to compare with")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sessions", type=int, default=2)
    p.add_argument("--strokes", type=int, default=80)
    a = p.parse_args()
    trees = {"this tree": HERE} | ({"baseline": a.baseline.resolve()} if a.baseline else {})
    cpu = {name: [] for name in trees}
    worker = {name: [] for name in trees}
    counted: dict[str, Counting] = {}
    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(server(tree)) for name, tree in trees.items()}
        for url, proc in servers.values():  # not counted: a first session warms the caches and the answer worker
            asyncio.run(one_round(url, proc, 1, 5))
        time.sleep(10)
        for r in range(a.rounds):
            for name, (url, proc) in servers.items():  # the two servers take turns: the load moves both alike
                c, w, student, answered = asyncio.run(one_round(url, proc, a.sessions, a.strokes))
                cpu[name].append(c)
                worker[name].append(w)
                counted[name] = student
                print(f"round {r + 1}, {name}: {c * 1000:.1f} ms of server CPU a stroke, {w * 1000:.1f} ms "
                      f"in its answer worker, {answered}/{a.sessions * a.strokes} answered", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    for name, tree in trees.items():
        s = counted[name]
        n = a.strokes
        print(f"\n{name} ({tree}): median {statistics.median(cpu[name]) * 1000:.1f} ms of server CPU a stroke "
              f"(rounds: {', '.join(f'{c * 1000:.1f}' for c in cpu[name])}), and "
              f"{statistics.median(worker[name]) * 1000:.1f} ms in its answer worker (another process)")
        total_msgs, total_bytes = sum(s.msgs.values()) / n, sum(s.bytes.values()) / n
        print(f"  a stroke's rerun sends {total_msgs:.0f} messages, {total_bytes:,.0f} bytes:")
        for kind, k in s.msgs.most_common():
            print(f"    {kind:24s} {k / n:5.1f}  {s.bytes[kind] / n:8,.0f} bytes")
    if a.baseline:
        ratio = statistics.median(cpu["this tree"]) / statistics.median(cpu["baseline"])
        print(f"\nthis tree / baseline, server CPU a stroke: {ratio:.2f}")


if __name__ == "__main__":
    main()
