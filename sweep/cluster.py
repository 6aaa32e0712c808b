"""The sweep's pieces as Ray tasks: a cluster of machines (or this one) trains the grid.

Ray is optional (requirements-ray.txt) and imported only here. What leaves this machine is each
task's arguments (the sweep config as a dict, a depth k and a list of widths) and each task's
result (one row of figures per width); the workers read MNIST from their own checkout's cache.
A piece is a pure function of its arguments (sweep.core.train_piece), so the rows equal the local
sweep's. Rows come back piece by piece, in the order the pieces finish. `runner(address)` is what
sweep.core.sweep is given: the core itself never imports Ray.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from model.paths import REPO
from sweep.config import SweepConfig
from sweep.core import Runner, Stopped, local, train_piece

POLL_S = 0.5  # how often a waiting driver checks for a stop request


def available() -> bool:
    """Is Ray installed here? (The app offers the choice only then.)"""
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def connect(address: str) -> None:
    """Join the cluster at `address`; "auto" joins the one this machine belongs to, or starts a
    local Ray when there is none. Workers import our code from the same checkout path."""
    import ray
    if ray.is_initialized():  # a caller (or a test) set Ray up already
        return
    env = {"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}}
    opts = {"runtime_env": env, "log_to_driver": False}
    if address != "auto":
        ray.init(address=address, **opts)
        return
    try:
        ray.init(address="auto", **opts)
    except (ConnectionError, RuntimeError, ValueError):  # no cluster to join: start one on this machine
        ray.init(include_dashboard=False, **opts)


def _remote_piece(cfg: dict, k: int, widths: list[int]) -> list[dict]:
    return train_piece(SweepConfig.from_dict(cfg), k, tuple(widths))


def run_on_ray(cfg: SweepConfig, todo: list[tuple[int, tuple[int, ...]]], address: str,
               should_stop: Callable[[], bool]) -> Iterator[list[dict]]:
    """Submit every piece, then yield each piece's rows as it finishes. A stop cancels the rest."""
    import ray
    connect(address)
    gpus = 1 if cfg.backend == "torch" and cfg.device != "cpu" and ray.cluster_resources().get("GPU", 0) >= 1 else 0
    task = ray.remote(_remote_piece).options(num_cpus=1, num_gpus=gpus, max_retries=1)
    pending = [task.remote(cfg.to_dict(), k, list(widths)) for k, widths in todo]
    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=POLL_S)
            if should_stop():
                raise Stopped
            for ref in done:
                yield ray.get(ref)
    finally:
        for ref in pending:  # stopped, or the driver failed: free the cluster
            ray.cancel(ref, force=True)


def runner(address: str | None) -> Runner:
    """The runner for a sweep's `ray` setting: None trains here (sweep.core.local), "auto" or an
    address sends the pieces to that Ray cluster."""
    if not address:
        return local

    def on_ray(cfg, todo, data, on_event, should_stop):  # the workers read their own MNIST; no epoch events
        return run_on_ray(cfg, todo, address, should_stop)

    on_ray.where = f"ray {address}"
    return on_ray
