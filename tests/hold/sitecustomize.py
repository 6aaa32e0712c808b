"""Put on PYTHONPATH by tests/test_sweep_jobs.py: a sweep started by the queue pauses after each finished
cell while the file $DIGITLAB_TEST_HOLD exists, so a test sees it still running, however fast the machine."""

import os
import time

if hold := os.environ.get("DIGITLAB_TEST_HOLD"):
    from sweep import core

    real = core.sweep

    def held(cfg, on_event, *args, **kwargs):
        def event(e):
            on_event(e)
            while e["kind"] == "row" and os.path.exists(hold):
                time.sleep(0.05)
        return real(cfg, event, *args, **kwargs)

    core.sweep = held
