"""Text that came from a user or a file, made safe to put inside Streamlit markdown.

Run names, presets, devices and error messages are read from run folders that any student can create.
Markdown would turn them into links, images, headings or LaTeX, so `md` escapes every ASCII punctuation
mark (CommonMark shows an escaped mark as itself) and joins lines. Streamlit still turns bare addresses
(http://…, www.…, a@b.c) into links after unescaping, so a word joiner (U+2060, invisible) is put
inside each such marker. Raw HTML is never enabled.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark
_AUTOLINK = re.compile(r"(://|(?i:www)\.|@)")     # what GFM's autolink literals start from
JOINER = "\u2060"


def md(text) -> str:
    """`text` as literal characters inside markdown: `md("[x](http://e)")` shows [x](http://e)."""
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + JOINER + m.group(0)[1:], " ".join(str(text).split()))
    return _PUNCTUATION.sub(r"\\\1", text)
