"""Text that came from a user or a file, made safe to put inside Streamlit markdown.

Run names, presets, devices and error messages are read from run folders that any student can create.
Markdown would turn them into links, images, headings or LaTeX, so `md` escapes every ASCII punctuation
mark (CommonMark shows an escaped mark as itself) and joins lines. Streamlit still turns bare addresses
(http://…, www.…, a@b.c) into links after unescaping, so a word joiner (U+2060, invisible) is put
inside each such marker. Raw HTML is never enabled around `md` text.

`html_text` is for a name inside the app's own HTML (a model's name over its answer, in the same element
as the big digit): HTML-escaped, on one line, so that the element is one HTML block, which Markdown
leaves alone (no links, emphasis, :color[] or LaTeX inside it).

Before either, `plain` drops control and format characters (Unicode categories Cc and Cf): the bidi
overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) would otherwise reorder the
text around a name (a run named U+202E… showed "65.71%" as "%17.56" in a picker), and zero-width
characters would make two names look the same. `plain` is for text shown as text (picker options, table
cells, legends); `md` for text inside markdown, and it calls `plain` first.
"""

from __future__ import annotations

import html
import re
import unicodedata

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark
_AUTOLINK = re.compile(r"(://|(?i:www)\.|@)")     # what GFM's autolink literals start from
JOINER = "\u2060"


def plain(text) -> str:
    """`text` on one line, without control or format characters: nothing in it can reorder what follows."""
    text = "".join(" " if c in "\t\n\r" else c for c in str(text)
                   if c in "\t\n\r" or unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(text.split())


def md(text) -> str:
    """`text` as literal characters inside markdown: `md("[x](http://e)")` shows [x](http://e)."""
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + JOINER + m.group(0)[1:], plain(text))
    return _PUNCTUATION.sub(r"\\\1", text)


def html_text(text) -> str:
    """`text` as literal characters inside the app's own one-line HTML: `html_text("<b>")` shows <b>."""
    return html.escape(plain(text), quote=True)
