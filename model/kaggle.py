"""Kaggle digit-recognizer CSVs (seeds 000 and 002): read train.csv / test.csv, write submission.csv.

Used by the predict CLI and the Evaluate page, so it lives in model/ (which never imports train/) and
needs only numpy.

Reading is bounded and fast. Lines are read with a length cap (a 200 MB line costs 64 KiB, not GBs),
in blocks of rows that numpy's C parser (`np.fromstring`) turns into integers at once: 28,000 rows take
well under a second. The fast path only runs on blocks made of digits, commas and spaces whose every
line has the right number of commas; any other block is read again row by row, slowly, to name the
first bad line, column and reason. pandas is not used: the GPU box runs model/ with torch and numpy only.

Every failure is a CSVError with `kind` (a stable key the app translates), `line`, `column` and `details`;
it pickles whole, so the app can read in a worker process (ui/evaluate/heavy.py). A file is refused as early as
its first wrong thing: no header, a wrong header, more than MAX_BLANK blank lines, a bad row.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np

from model.regular_file import open_regular

PIXELS = [f"pixel{i}" for i in range(784)]
MAX_LINE = 64 * 1024        # bytes; a Kaggle row is at most 785 × 4 = 3,140
MAX_ROWS = 100_000          # Kaggle's train.csv has 42,000 rows, test.csv 28,000
MAX_BLANK = 100             # blank lines; Kaggle's files have none (19 MB of them took 29 s to find no rows)
BLOCK = 2048                # rows parsed per numpy call
_DIGITS = re.compile(rb"\s*[0-9]+\s*")
_ALLOWED = b"0123456789, \t\r\n"

MESSAGES = {  # kind -> English text; the app shows its own translations of the same kinds
    "empty": "the file is empty",
    "utf16": "the file is UTF-16 text; save it as CSV UTF-8 (comma delimited)",
    "binary": "the file is not text (it has NUL bytes): is it really a CSV?",
    "header": "the header is not the Kaggle format ({what})",
    "too_long": "the line is longer than {limit:,} bytes",
    "too_many": "more than {limit:,} rows",
    "blank": "more than {limit:,} blank lines: is it really a Kaggle CSV?",
    "count": "{got} values, expected {expected}",
    "not_number": "{cell!r} is not a whole number",
    "range": "{value} is outside {lo}–{hi}",
}


class CSVError(ValueError):
    """A CSV that is not in the Kaggle format; the message names the line, the column and the reason."""

    def __init__(self, kind: str, line: int | None = None, column: str | None = None, **details):
        self.kind, self.line, self.column, self.details = kind, line, column, details
        where = ", ".join(p for p in (f"line {line}" if line else "", f"column {column}" if column else "") if p)
        reason = MESSAGES[kind].format(**details)
        super().__init__(f"{where}: {reason}" if where else reason)

    def __reduce__(self):  # pickled as its parts, so it comes back whole from the app's worker process
        return _csv_error, (self.kind, self.line, self.column, self.details)


def _csv_error(kind, line, column, details) -> CSVError:
    return CSVError(kind, line, column, **details)


def _binary(src) -> io.BufferedIOBase:
    """A binary stream from a path, bytes, a binary file (an upload) or a text stream (tests)."""
    if isinstance(src, (str, Path)):
        return open_regular(src)  # a FIFO or a device would hang the reader
    if isinstance(src, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(src))
    if isinstance(src, io.TextIOBase):
        return io.BytesIO(src.read().encode("utf-8"))
    return src


def _lines(f, columns: list[str]):
    """(line number, bytes) of each non-blank line, each at most MAX_LINE bytes, BOM removed.

    `columns` is filled in by the caller once the header is known, so an over-long line names its column."""
    start = f.tell()
    sniff = f.read(8192)  # text files have no NUL bytes; images and spreadsheets do, early on
    if sniff[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CSVError("utf16", 1)
    if b"\0" in sniff:
        raise CSVError("binary", 1)
    f.seek(start)
    if f.read(3) != b"\xef\xbb\xbf":  # Excel's "CSV UTF-8" starts with a BOM; anything else is kept
        f.seek(start)
    lineno = blank = 0
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line:
            return
        lineno += 1
        if b"\0" in line:
            raise CSVError("binary", lineno)
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            commas = line.count(b",")
            column = (columns[commas] if commas < len(columns) else f"#{commas + 1}") if columns else None
            raise CSVError("too_long", lineno, column, limit=MAX_LINE)
        if line.strip():
            yield lineno, line
        elif (blank := blank + 1) > MAX_BLANK:
            raise CSVError("blank", lineno, limit=MAX_BLANK)


def _header(line: bytes, labelled: bool | None) -> list[str]:
    header = [h.strip() for h in line.decode("utf-8", "replace").split(",")]
    if labelled is None:
        labelled = header[:1] == ["label"]
    expected = (["label"] if labelled else []) + PIXELS
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        what = "; ".join(p for p in (f"missing columns {missing[:5]}" if missing else "",
                                     f"extra columns {extra[:5]}" if extra else "") if p) or "columns out of order"
        raise CSVError("header", 1, what=what)
    return expected


def _slow(block: list[tuple[int, bytes]], expected: list[str]) -> np.ndarray:
    """Row by row, to find and name the first bad cell. Returns the block if nothing is wrong."""
    out = np.empty((len(block), len(expected)), np.int64)
    for r, (lineno, line) in enumerate(block):
        cells = line.split(b",")
        if len(cells) != len(expected):  # the column is the first one missing, or the first one too many
            column = expected[len(cells)] if len(cells) < len(expected) else f"#{len(expected) + 1}"
            raise CSVError("count", lineno, column, got=len(cells), expected=len(expected))
        for c, (col, cell) in enumerate(zip(expected, cells)):
            if not _DIGITS.fullmatch(cell):
                raise CSVError("not_number", lineno, col, cell=cell.strip().decode("utf-8", "replace")[:20])
            out[r, c] = int(cell)
    _check_range(out, block, expected)
    return out


def _check_range(values: np.ndarray, block, expected: list[str]) -> None:
    hi = np.full(len(expected), 255)
    if expected[0] == "label":
        hi[0] = 9
    bad = np.argwhere(values > hi)  # values are ≥ 0: the parser saw digits only
    if len(bad):
        r, c = bad[0]
        raise CSVError("range", block[r][0], expected[c], value=int(values[r, c]), lo=0, hi=int(hi[c]))


def _parse(block: list[tuple[int, bytes]], expected: list[str]) -> np.ndarray:
    """(rows, columns) int64 for a block of lines: numpy's C parser when the block is clean."""
    commas = len(expected) - 1
    joined = b",".join(line for _, line in block)
    if joined.translate(None, _ALLOWED) or any(line.count(b",") != commas for _, line in block):
        return _slow(block, expected)
    try:
        flat = np.fromstring(joined, dtype=np.int64, sep=",")
    except ValueError:  # e.g. an empty cell: let the slow path say where
        return _slow(block, expected)
    if flat.size != len(block) * len(expected):
        return _slow(block, expected)
    values = flat.reshape(len(block), len(expected))
    _check_range(values, block, expected)
    return values


def read_kaggle_csv(src, labelled: bool | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """train.csv (label, pixel0…pixel783) or test.csv (pixel0…pixel783) → ((N,28,28) uint8, labels or None).

    `src`: a path, bytes, or a file object. `labelled=None` decides from the header.
    """
    f = _binary(src)
    columns: list[str] = []
    try:
        lines = _lines(f, columns)
        first = next(lines, None)
        if first is None:
            raise CSVError("empty", 1)
        expected = _header(first[1], labelled)
        columns.extend(expected)
        blocks, block, n = [], [], 0
        for item in lines:
            block.append(item)
            n += 1
            if n > MAX_ROWS:
                raise CSVError("too_many", item[0], limit=MAX_ROWS)
            if len(block) == BLOCK:
                blocks.append(_parse(block, expected).astype(np.uint8))
                block = []
        if block:
            blocks.append(_parse(block, expected).astype(np.uint8))
    finally:
        if isinstance(src, (str, Path)):
            f.close()
    values = np.concatenate(blocks) if blocks else np.zeros((0, len(expected)), np.uint8)
    if expected[0] == "label":
        return values[:, 1:].reshape(-1, 28, 28).copy(), values[:, 0].copy()
    return values.reshape(-1, 28, 28), None


def submission_csv(labels) -> str:
    """Kaggle's submission.csv text: ImageId (from 1), Label."""
    return "ImageId,Label\n" + "".join(f"{i},{int(label)}\n" for i, label in enumerate(labels, start=1))


def write_submission(path: Path | str, labels) -> None:
    """Write submission.csv atomically (a temporary file renamed into place)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(submission_csv(labels))
    os.replace(tmp, path)


def kaggle_csv(images: np.ndarray, labels=None) -> str:
    """The inverse of read_kaggle_csv: (N,28,28) uint8 (+ labels) → train.csv or test.csv text."""
    flat = np.asarray(images, np.uint8).reshape(len(images), 784)
    header = (["label"] if labels is not None else []) + PIXELS
    rows = flat if labels is None else np.column_stack([np.asarray(labels, np.uint8), flat])
    buf = io.StringIO()
    buf.write(",".join(header) + "\n")
    np.savetxt(buf, rows, fmt="%d", delimiter=",")
    return buf.getvalue()
