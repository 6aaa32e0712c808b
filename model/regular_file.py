"""Opening a file we were given by name, only if it is a regular file.

`open()` on a FIFO waits for a writer that may never come (`python -m model.predict fifo` hung), and a
device such as /dev/zero never ends. So the path is opened without blocking and checked with fstat on
the open descriptor (not stat then open: the name could be swapped in between) before anything is read.
"""

from __future__ import annotations

import errno
import os
import stat

# O_NONBLOCK makes open() of a FIFO return at once; Windows has neither FIFOs nor the flag
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """A folder, a pipe, a socket or a device where a file was expected."""


def open_regular(path):
    """A binary file object for `path`; NotRegularFile (an OSError) for anything but a regular file."""
    fd = os.open(path, _FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file: a folder, a pipe or a device", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
