"""Kaggle CSVs: round trips, bad rows named by line and column, hostile files, and a parser property."""

import io
import pickle
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import kaggle
from model.kaggle import CSVError, read_kaggle_csv


def csv_text(labelled=True, rows=2, tweak=None, newline="\n"):
    header = (["label"] if labelled else []) + kaggle.PIXELS
    lines = [",".join(header)]
    for r in range(rows):
        vals = ([str(r % 10)] if labelled else []) + ["0"] * 784
        if tweak:
            tweak(r, vals)
        lines.append(",".join(vals))
    return newline.join(lines) + newline


def test_round_trip_and_submission(tmp_path):
    x, y = read_kaggle_csv(io.StringIO(csv_text(labelled=True, rows=3)))
    assert x.shape == (3, 28, 28) and y.tolist() == [0, 1, 2]
    x, y = read_kaggle_csv(csv_text(labelled=False, rows=2).encode())
    assert x.shape == (2, 28, 28) and y is None
    kaggle.write_submission(tmp_path / "s.csv", [7, 2])
    assert (tmp_path / "s.csv").read_text().splitlines() == ["ImageId,Label", "1,7", "2,2"]


def test_real_images_survive_a_round_trip(mnist):
    x, y = mnist.x_test[:300], mnist.y_test[:300]
    got_x, got_y = read_kaggle_csv(kaggle.kaggle_csv(x, y).encode())
    assert np.array_equal(got_x, x) and np.array_equal(got_y, y)


@pytest.mark.parametrize("tweak, msg", [
    (lambda r, v: v.__setitem__(5, "300"), r"line 2, column pixel4: 300 is outside 0–255"),
    (lambda r, v: v.__setitem__(1, "abc"), r"line 2, column pixel0: 'abc' is not a whole number"),
    (lambda r, v: v.__setitem__(3, "") if r == 1 else None, r"line 3, column pixel2: '' is not a whole number"),
    (lambda r, v: v.__setitem__(3, "1.5"), r"line 2, column pixel2: '1.5' is not a whole number"),
    (lambda r, v: v.__setitem__(3, "-1"), r"line 2, column pixel2: '-1' is not a whole number"),
    (lambda r, v: v.append("0") if r == 1 else None, r"line 3, column #786: 786 values, expected 785"),
    (lambda r, v: v.pop() if r == 0 else None, r"line 2, column pixel783: 784 values, expected 785"),
    (lambda r, v: v.__setitem__(0, "12"), r"line 2, column label: 12 is outside 0–9"),
])
def test_bad_rows_name_the_line_and_column(tweak, msg):
    with pytest.raises(CSVError, match=msg):
        read_kaggle_csv(io.StringIO(csv_text(tweak=tweak)))


def test_a_short_row_and_a_long_row_do_not_cancel_out():
    def shift(r, v):  # the same number of values in all, so only a per-line count can tell
        v.pop() if r == 0 else v.append("0")
    with pytest.raises(CSVError, match=r"line 2, column pixel783: 784 values, expected 785"):
        read_kaggle_csv(csv_text(rows=2, tweak=shift).encode())


def test_a_bad_row_deep_in_a_big_file_is_found_by_its_line():
    text = csv_text(rows=5000, tweak=lambda r, v: v.__setitem__(200, "256") if r == 4321 else None)
    with pytest.raises(CSVError, match=r"line 4323, column pixel199: 256 is outside 0–255"):
        read_kaggle_csv(text.encode())


def test_header_with_missing_or_extra_columns_is_refused():
    with pytest.raises(CSVError, match="line 1.*missing columns.*pixel783"):
        read_kaggle_csv(("label," + ",".join(kaggle.PIXELS[:783]) + "\n").encode())
    with pytest.raises(CSVError, match="extra"):
        read_kaggle_csv(("label,extra," + ",".join(kaggle.PIXELS) + "\n").encode())


def test_excel_bom_and_windows_line_ends_are_accepted():
    x, y = read_kaggle_csv(b"\xef\xbb\xbf" + csv_text(rows=3, newline="\r\n").encode())
    assert x.shape == (3, 28, 28) and y.tolist() == [0, 1, 2]


@pytest.mark.parametrize("raw, kind", [
    (csv_text(rows=2).encode("utf-16"), "utf16"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4, "binary"),
    (b"", "empty"),
])
def test_files_that_are_not_csv_text_get_a_reason(raw, kind):
    with pytest.raises(CSVError) as e:
        read_kaggle_csv(raw)
    assert e.value.kind == kind and e.value.line == 1


def test_a_200_mb_field_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.csv"
    header = (",".join(["label"] + kaggle.PIXELS) + "\n").encode()
    with open(path, "wb") as f:
        f.write(header + b"1,0,0,")
        f.seek(200 * 2**20)  # a sparse file: 200 MB of NULs would be "binary", so write digits at the end
        f.write(b"7\n")
    with open(path, "r+b") as f:
        f.seek(len(header) + 6)
        f.write(b"9" * (4 * 2**20))  # a 4 MB field of digits at the start of the line
    tracemalloc.start()
    with pytest.raises(CSVError) as e:
        read_kaggle_csv(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert e.value.kind == "too_long" and e.value.line == 2 and e.value.column == "pixel2"
    assert peak < 5 * 2**20  # bytes: the line is cut at 64 KiB, not read whole


cells = st.integers(0, 255).map(str) | st.integers(0, 255).map(lambda v: f" {v} ")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.lists(st.integers(0, 255), min_size=784, max_size=784)),
                min_size=0, max_size=5),
       st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_property_any_valid_file_reads_back_exactly(rows, newline, bom):
    header = ",".join(["label"] + kaggle.PIXELS)
    body = "".join(newline + ",".join(map(str, [lab, *px])) for lab, px in rows)
    raw = (b"\xef\xbb\xbf" if bom else b"") + (header + body + newline).encode()
    x, y = read_kaggle_csv(raw)
    assert y.tolist() == [lab for lab, _ in rows]
    assert x.reshape(len(rows), 784).tolist() == [px for _, px in rows]


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 3000), st.binary(min_size=1, max_size=8))
def test_property_any_corruption_gives_csv_error_or_a_valid_read(pos, junk):
    good = csv_text(rows=3).encode()
    pos = min(pos, len(good))
    bad = good[:pos] + junk + good[pos:]
    try:
        x, y = read_kaggle_csv(bad)
    except CSVError as e:
        assert e.line is not None and str(e)
    else:  # the junk happened to keep the file valid (e.g. a digit inside a number that stays ≤ 255)
        assert x.shape[1:] == (28, 28) and len(x) == len(y)


def test_the_predict_cli_labels_a_csv_and_refuses_a_bad_one_with_a_sentence(tmp_path, capsys, mnist):
    from model.predict import main
    good, bad, out = tmp_path / "test.csv", tmp_path / "bad.csv", tmp_path / "submission.csv"
    good.write_text(kaggle.kaggle_csv(mnist.x_test[:30]))
    assert main(["--model", "cnn", "--csv", str(good), "--out", str(out)]) == 0
    labels = [int(line.split(",")[1]) for line in out.read_text().splitlines()[1:]]
    assert (np.array(labels) == mnist.y_test[:30]).mean() > 0.9
    bad.write_bytes(csv_text(rows=2).encode("utf-16"))
    assert main(["--csv", str(bad), "--out", str(tmp_path / "s2.csv")]) == 2
    assert "UTF-16" in capsys.readouterr().err and not (tmp_path / "s2.csv").exists()


def test_a_file_of_blank_lines_is_refused_at_once_not_read_to_the_end():
    """19 MB of blank lines took 29 s of the server's CPU and ended with "no images" (issue 17, item 4)."""
    header = (",".join(kaggle.PIXELS) + "\n").encode()
    for raw, line in ((header + b"\n" * 19_000_000, 102), (b"\r\n" * 19_000_000, 101)):
        cpu = time.process_time()
        with pytest.raises(kaggle.CSVError) as e:
            kaggle.read_kaggle_csv(raw)
        assert (e.value.kind, e.value.line) == ("blank", line)
        assert time.process_time() - cpu < 1.0


def test_a_csv_error_pickles_whole_for_the_apps_worker_process():
    e = kaggle.CSVError("count", 52, "pixel2", got=3, expected=785)
    back = pickle.loads(pickle.dumps(e))
    assert (back.kind, back.line, back.column, back.details, str(back)) == (e.kind, 52, "pixel2", e.details, str(e))
