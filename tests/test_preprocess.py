"""Unit and property tests of model/preprocess.py on synthetic drawings and photos (files: test_image_file.py)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bench import synth
from model import preprocess as pp


def _ink(digit=2, seed=0, height=180.0, centre=(140.0, 140.0), brush=14.0, dots=(), size=280):
    rng = np.random.default_rng(seed)
    strokes = synth.digit_strokes(digit, rng, variant=0)
    return synth.render(strokes, (size, size), height, centre, brush, dots)


def _mass_centre(x):
    ys, xs = np.mgrid[: x.shape[0], : x.shape[1]]
    return float((x * ys).sum() / x.sum()), float((x * xs).sum() / x.sum())


def _long_side(x, level=0.2):
    rows, cols = np.nonzero((x > level).any(1))[0], np.nonzero((x > level).any(0))[0]
    return max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)


def _assert_mnist_like(p):
    assert not p.empty and p.reason is None
    assert p.image.shape == (28, 28) and p.image.dtype == np.float32
    assert 0.0 <= p.image.min() and p.image.max() == pytest.approx(1.0)
    cy, cx = _mass_centre(p.image)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    assert abs(_long_side(p.image) - 20) <= 1


# ---------------------------------------------------------------- encodings and polarity


@pytest.mark.parametrize("digit", [0, 1, 4, 7, 8])
def test_every_encoding_gives_the_same_28x28(digit):
    ink = _ink(digit, seed=digit)
    a = synth.encode(ink, "alpha")
    dark = synth.encode(ink, "dark-on-light")
    light = synth.encode(ink, "light-on-dark")
    opaque = np.dstack([light, np.full(ink.shape, 255, np.uint8)])  # canvas with a black background
    coloured = a.copy()
    coloured[..., :3] = (200, 30, 90)  # ink of any colour on a transparent canvas
    results = {name: pp.preprocess(x) for name, x in
               [("alpha", a), ("dark", dark), ("light", light), ("opaque", opaque), ("coloured", coloured)]}
    assert results["alpha"].polarity == "alpha" and results["coloured"].polarity == "alpha"
    assert results["dark"].polarity == "dark-on-light"
    assert results["light"].polarity == results["opaque"].polarity == "light-on-dark"
    ref = results["alpha"].image
    for name, p in results.items():
        _assert_mnist_like(p)
        assert np.abs(p.image - ref).max() < 0.15, name
        assert np.corrcoef(p.image.ravel(), ref.ravel())[0, 1] > 0.99, name


def test_a_heavy_digit_filling_a_corner_keeps_its_polarity():
    """Most of a digital picture is its ground, at exactly one value, whatever the strokes do:
    this heavy 8 cut by the canvas's top-left corner (stray-marks set, seed 5) was read inverted."""
    images, labels = synth.stray_mark_drawings(6, seed=5)
    img = images[3]
    assert labels[3] == 8 and img.shape == (280, 280, 4) and (img[..., 3] == 255).all()
    for x, polarity in ((img, "light-on-dark"), (255 - img[..., :3], "dark-on-light")):
        p = pp.preprocess(x)
        assert p.polarity == polarity
        _assert_mnist_like(p)


def test_float_images_in_either_range_match_uint8():
    dark = synth.encode(_ink(3), "dark-on-light")
    ref = pp.preprocess(dark).image
    for x in (dark.astype(np.float32) / 255, dark.astype(np.float64), dark[..., :1], dark[..., 0]):
        assert np.abs(pp.preprocess(x).image - ref).max() < 0.02


def test_to_ink_reads_polarity_and_keeps_shape():
    ink = _ink(5)
    for enc in synth.ENCODINGS:
        out, polarity = pp.to_ink(synth.encode(ink, enc))
        assert polarity == enc and out.shape == ink.shape and out.dtype == np.float32
        assert np.abs(out - ink).max() < 0.05


def test_a_tiny_white_digit_on_black_is_light_on_dark():
    p = pp.preprocess(synth.encode(_ink(1, height=20, brush=3), "light-on-dark"))
    assert p.polarity == "light-on-dark" and not p.empty


# ---------------------------------------------------------------- nothing to read


@pytest.mark.parametrize("img", [
    np.zeros((280, 280, 4), np.uint8),  # the empty transparent canvas
    np.dstack([np.zeros((280, 280, 3), np.uint8), np.full((280, 280), 255, np.uint8)]),
    np.full((280, 280, 3), 255, np.uint8),
    np.zeros((280, 280), np.float32),
    np.ones((50, 70), np.float64),
])
def test_blank_images_are_empty(img):
    p = pp.preprocess(img)
    assert p.empty and p.image is None and p.box is None and p.reason == "empty"
    assert pp.split_digits(img) == []


def test_specks_only_is_empty_with_a_reason():
    ink = synth.render([], (280, 280), 1, (0, 0), 3, dots=[(30, 40), (200, 90), (120, 250)])
    for enc in synth.ENCODINGS:
        p = pp.preprocess(synth.encode(ink, enc))
        assert p.empty and p.reason == "specks only", enc


def test_blank_paper_photo_is_empty():
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:600, 0:800]
    light = 0.55 + 0.45 * xx / 800 - 0.2 * ((yy / 600 - 0.5) ** 2)
    paper = 235 * light + rng.normal(0, 4, light.shape)
    p = pp.preprocess(np.clip(np.dstack([paper, paper * 0.98, paper * 0.93]), 0, 255).astype(np.uint8))
    assert p.empty and p.reason == "empty"


# ---------------------------------------------------------------- size, position, specks


@pytest.mark.parametrize("height,centre,brush", [
    (180, (140, 140), 14),  # ordinary
    (100, (60, 220), 10),  # off-centre, bottom left
    (15, (230, 40), 3),  # tiny, 15 px tall
    (270, (140, 140), 40),  # huge and heavy
    (250, (140, 140), 3),  # huge and hair-thin
])
def test_any_size_and_place_comes_out_fitted_and_centred(height, centre, brush):
    for digit in (1, 2, 8):
        p = pp.preprocess(synth.encode(_ink(digit, height=height, centre=centre, brush=brush), "alpha"))
        _assert_mnist_like(p)
        x0, y0, x1, y1 = p.box
        assert x0 <= centre[0] <= x1 and y0 <= centre[1] <= y1


def test_stroke_width_is_brought_toward_mnist():
    def width(x):
        gx, gy = np.diff(x, axis=1)[:-1], np.diff(x, axis=0)[:, :-1]
        return 2 * x.sum() / np.sqrt(gx**2 + gy**2).sum()

    thin = pp.preprocess(synth.encode(_ink(8, height=260, brush=3), "alpha")).image
    heavy = pp.preprocess(synth.encode(_ink(8, height=200, brush=48), "alpha")).image
    assert 1.6 < width(thin) < 3.8 and 1.6 < width(heavy) < 3.8


def test_a_stray_dot_far_away_does_not_move_the_crop():
    clean = pp.preprocess(synth.encode(_ink(4, height=150, centre=(170, 160)), "dark-on-light"))
    dotted = pp.preprocess(synth.encode(_ink(4, height=150, centre=(170, 160), dots=[(20, 20)]), "dark-on-light"))
    assert dotted.box == clean.box
    assert np.abs(dotted.image - clean.image).max() < 1e-6


@pytest.mark.parametrize("brush", [3, 10, 25, 40])
@pytest.mark.parametrize("marks", ["dot", "two dots", "tick"])
def test_stray_marks_at_any_brush_do_not_move_the_crop(brush, marks):
    """A tap, a pen put down twice, a short tick, a third of the digit's height or more away."""
    height, centre = 140, (195, 190)
    dots = {"dot": [(22, 22)], "two dots": [(22, 22), (22 + 0.6 * brush, 22 + 0.6 * brush)], "tick": []}[marks]
    rng = np.random.default_rng(0)
    digit = synth.digit_strokes(4, rng, variant=0)
    tick = [np.array([[-1.2, -1.1], [-1.05, -1.05]])] if marks == "tick" else []  # unit-height coordinates
    clean_ink = synth.render(digit, (280, 280), height, centre, brush)
    marked_ink = synth.render(digit + tick, (280, 280), height, centre, brush, dots)
    clean, marked = pp.preprocess(synth.encode(clean_ink, "alpha")), pp.preprocess(synth.encode(marked_ink, "alpha"))
    marks_only = (marked_ink > 0) & ~(clean_ink > 0)
    ys, xs = np.nonzero(marks_only)
    x0, y0, _, _ = clean.box
    assert max(x0 - xs.max(), y0 - ys.max()) >= height / 3  # the marks are clearly apart
    assert marked.box == clean.box
    assert np.abs(marked.image - clean.image).max() < 1e-6


@pytest.mark.parametrize("brush", [4, 14, 30])
def test_a_dot_that_ends_a_stroke_is_kept(brush):
    """A 7 whose pen bounced at the end of its stroke, and a 9 with its tail drawn apart."""
    rng = np.random.default_rng(0)
    seven = synth.digit_strokes(7, rng, variant=0, jitter=0)  # ends at (-0.1, 0.5) in unit coordinates
    end = seven[0][-1] + (0, 0.5 * brush / 150 + 0.06)  # just below the end, not touching it
    ink = synth.render(seven, (280, 280), 150, (140, 130), brush, dots=[tuple(end * 150 + (140, 130))])
    p = pp.preprocess(synth.encode(ink, "alpha"))
    rows = np.nonzero((ink > 0.5).any(1))[0]
    assert p.box[3] >= rows[-1]  # the crop reaches the dot
    nine = synth.digit_strokes(9, rng, variant=0, jitter=0)
    loop, tail = nine[0][:-9], nine[0][-7:] + (0, 0.08)  # the tail drawn as its own stroke, a gap above it
    ink = synth.render([loop, tail], (280, 280), 150, (140, 130), brush)
    p = pp.preprocess(synth.encode(ink, "alpha"))
    rows = np.nonzero((ink > 0.5).any(1))[0]
    assert p.box[3] >= rows[-1]


def test_canvas_drawings_all_read():
    images, _ = synth.canvas_drawings(60, seed=11)
    for img in images:
        _assert_mnist_like(pp.preprocess(img))


# ---------------------------------------------------------------- photos


def test_photo_with_a_strong_lighting_gradient_is_read_and_centred():
    rng = np.random.default_rng(2)
    h, w = 900, 1200
    ink = synth.render(synth.digit_strokes(7, rng, variant=0), (w, h), 500, (700, 450), 18, ss=1)
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.25 + 0.75 * (xx / w) ** 1.5  # from dim on the left to bright on the right
    grey = (230 * (1 - 0.8 * ink)) * light + rng.normal(0, 3, ink.shape)
    p = pp.preprocess(np.clip(np.dstack([grey] * 3), 0, 255).astype(np.uint8))
    assert p.polarity == "dark-on-light"
    _assert_mnist_like(p)
    x0, y0, x1, y1 = p.box
    assert 400 < x0 < 700 < x1 < 950 and 150 < y0 < 450 < y1 < 750


def test_synthetic_paper_photos_are_read():
    images, _ = synth.paper_photos(8, seed=3)
    for img in images:
        _assert_mnist_like(pp.preprocess(img))


# ---------------------------------------------------------------- several digits


def test_split_digits_reads_2026_left_to_right():
    ink = synth.draw_number("2026", np.random.default_rng(0))
    for enc in synth.ENCODINGS:
        parts = pp.split_digits(synth.encode(ink, enc))
        assert len(parts) == 4, enc
        xs = [p.box[0] for p in parts]
        assert xs == sorted(xs) and len(set(xs)) == 4
        for p in parts:
            _assert_mnist_like(p)


def test_split_digits_counts_synthetic_numbers():
    images, labels = synth.number_drawings(20, seed=5)
    right = sum(len(pp.split_digits(img)) == len(text) for img, text in zip(images, labels, strict=True))
    assert right >= 18


def test_split_digits_separates_two_touching_zeros():
    rng = np.random.default_rng(4)
    strokes = [s + (-0.28, 0) for s in synth.digit_strokes(0, rng, variant=0, jitter=0)]
    strokes += [s + (0.28, 0) for s in synth.digit_strokes(0, rng, variant=0, jitter=0)]
    parts = pp.split_digits(synth.encode(synth.render(strokes, (400, 240), 200, (200, 120), 12), "alpha"))
    assert len(parts) == 2 and parts[0].box[2] <= parts[1].box[0] + 12


# ---------------------------------------------------------------- shapes and properties


@pytest.mark.parametrize("shape", [(5,), (4, 4, 2), (4, 4, 5), (2, 3, 4, 3), (0, 5), (5, 0, 3)])
def test_wrong_shapes_raise_value_error(shape):
    with pytest.raises(ValueError):
        pp.preprocess(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("img", [np.zeros((1, 1), np.uint8), np.full((1, 1, 3), 255, np.uint8),
                                 np.zeros((3000, 20), np.uint8), np.eye(300, dtype=np.uint8) * 255])
def test_odd_sizes_do_not_raise(img):
    p = pp.preprocess(img)
    assert p.empty or p.image.shape == (28, 28)
    pp.split_digits(img)


_shapes = st.tuples(st.integers(1, 300), st.integers(1, 300), st.sampled_from([0, 1, 3, 4])).map(
    lambda t: t[:2] if t[2] == 0 else t)


@st.composite
def _images(draw):
    shape = draw(_shapes)
    kind = draw(st.sampled_from(["noise", "blocks", "float01", "float255"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if kind == "noise":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "blocks":  # a few rectangles: structured input that exercises the components
        img = np.full(shape, draw(st.sampled_from([0, 255])), np.uint8)
        for _ in range(draw(st.integers(0, 6))):
            y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
            img[y : y + rng.integers(1, 60), x : x + rng.integers(1, 60)] = rng.integers(0, 256)
        return img
    img = rng.random(shape) ** draw(st.sampled_from([1, 8]))
    return img.astype(np.float32) * (255 if kind == "float255" else 1)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_images())
def test_any_valid_array_gives_empty_or_a_28x28(img):
    p = pp.preprocess(img)
    if p.empty:
        assert p.image is None and p.reason in ("empty", "specks only")
    else:
        assert p.image.shape == (28, 28) and p.image.dtype == np.float32
        assert np.isfinite(p.image).all() and p.image.min() >= 0 and p.image.max() <= 1
        x0, y0, x1, y1 = p.box
        assert 0 <= x0 < x1 <= img.shape[1] and 0 <= y0 < y1 <= img.shape[0]
    for part in pp.split_digits(img):
        assert part.image.shape == (28, 28) and part.image.max() <= 1


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(4))))
def test_arbitrary_rgba_bytes_never_raise(img):
    p = pp.preprocess(img)
    assert p.empty or p.image.shape == (28, 28)


# ---------------------------------------------------------------- connected components


def _flood_fill(grid):
    """Reference 8-connected labelling: a breadth-first fill from each unlabelled ink cell."""
    labels = np.full(grid.shape, -1)
    n = 0
    for start in zip(*np.nonzero(grid), strict=True):
        if labels[start] >= 0:
            continue
        labels[start], todo = n, [start]
        while todo:
            y, x = todo.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    q = (y + dy, x + dx)
                    if 0 <= q[0] < grid.shape[0] and 0 <= q[1] < grid.shape[1] and grid[q] and labels[q] < 0:
                        labels[q] = n
                        todo.append(q)
        n += 1
    return labels, n


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 200), st.integers(1, 200), st.floats(0.05, 0.7), st.integers(0, 2**32 - 1))
def test_components_match_a_flood_fill(h, w, density, seed):
    """label() against a flood fill on the same block-reduced grid: the same partition of cells,
    and each component's area and box."""
    from model.components import label
    from model.raster import block_reduce

    mask = np.random.default_rng(seed).random((h, w)) < density
    parts = label(mask)
    grid = block_reduce(mask, parts.f, np.any, False)
    ref, n = _flood_fill(grid)
    assert parts.labels.shape == grid.shape and len(parts.area) == n
    assert ((parts.labels >= 0) == grid).all()
    pairs = {(int(a), int(b)) for a, b in zip(parts.labels[grid], ref[grid], strict=True)}
    assert len(pairs) == n  # a one-to-one map between the two labellings
    for c in range(n):
        ys, xs = np.nonzero(parts.labels == c)
        assert parts.area[c] == len(ys)
        assert parts.bbox[c].tolist() == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


@settings(max_examples=60, deadline=None)
@given(st.integers(20, 300), st.integers(20, 300), st.floats(0.02, 0.5), st.integers(0, 2**32 - 1))
def test_a_crop_at_cell_edges_labels_as_the_whole_mask_does(h, w, density, seed):
    """label(crop, f) of a crop cut at multiples of the whole mask's f has the whole's cells and components
    there (Layout.piece labels each piece's ink this way), when no ink lies outside the crop."""
    from model.components import label

    rng = np.random.default_rng(seed)
    mask = rng.random((h, w)) < density
    f = label(mask).f
    y0, x0 = int(rng.integers(0, h)) // f * f, int(rng.integers(0, w)) // f * f
    y1, x1 = min(y0 + f * int(rng.integers(1, 40)), h), min(x0 + f * int(rng.integers(1, 40)), w)
    inside = np.zeros_like(mask)
    inside[y0:y1, x0:x1] = mask[y0:y1, x0:x1]
    whole, crop = label(inside), label(inside[y0:y1, x0:x1], f)
    cells = whole.labels[y0 // f:-(-y1 // f), x0 // f:-(-x1 // f)]
    assert crop.f == whole.f and crop.labels.shape == cells.shape
    assert ((crop.labels >= 0) == (cells >= 0)).all()
    pairs = {(int(a), int(b)) for a, b in zip(crop.labels[cells >= 0], cells[cells >= 0], strict=True)}
    assert len(pairs) == len(whole.area) == len(crop.area)  # one to one
    assert sorted(crop.area.tolist()) == sorted(whole.area.tolist())


def test_slivers_of_a_piece_are_those_of_labelling_the_whole_mask():
    """Layout._slivers labels only the box of a piece's ink: the same slivers as labelling the whole work mask."""
    from model.components import label

    rng = np.random.default_rng(5)
    for shape in ((240, 560), (640, 1500), (129, 300)):
        img = np.zeros((*shape, 4), np.uint8)
        img[..., 3] = (rng.random(shape) < 0.02) * 255  # specks of every size around a few strokes
        for _ in range(4):
            y, x = int(rng.integers(0, shape[0] - 40)), int(rng.integers(0, shape[1] - 40))
            img[y:y + 40, x:x + 6, 3] = 255
        lay = pp.layout(img)
        h, w = lay.mask.shape
        for y0, x0 in rng.integers(0, (h // 2, w // 2), size=(5, 2)):
            ink = np.zeros_like(lay.mask)
            ink[y0:y0 + h // 2, x0:x0 + w // 3] = lay.mask[y0:y0 + h // 2, x0:x0 + w // 3]
            if not ink.any():
                continue
            bits = label(ink)
            whole = pp._cells(bits, bits.area < pp.SLIVER * bits.area.max(), ink.shape)
            assert np.array_equal(lay._slivers(ink), whole)
