"""Starting a worker process from a page: "spawn" (the same on Linux, macOS and Windows; forking a threaded
server with torch loaded can deadlock), with `__main__` empty while the process starts.

Streamlit makes the page script the `__main__` module, and "spawn" runs `__main__` again in the child as
`__mp_main__`: the whole app, in bare mode (its imports, its side effects, a few hundred MB). The child
reads `__main__` only while it is being started, so an empty module stands in for that moment.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import types

CONTEXT = multiprocessing.get_context("spawn")


@contextlib.contextmanager
def bare_main():
    """Start the process (Process.start, or a ProcessPoolExecutor's first submit) inside this block."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
