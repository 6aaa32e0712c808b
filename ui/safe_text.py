"""Text that came from a user or a file, made safe to put inside Streamlit markdown.

Run names, presets, devices and error messages are read from run folders that any student can create.
Markdown would turn them into links, images, headings or LaTeX, so `md` escapes every ASCII punctuation
mark (CommonMark shows an escaped mark as itself) and joins lines. Raw HTML is never enabled.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark


def md(text) -> str:
    """`text` as literal characters inside markdown: `md("[x](http://e)")` shows [x](http://e)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))
