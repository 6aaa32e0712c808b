"""Metrics on small hand-made answers whose counts are easy to check by eye."""

import numpy as np
import pytest

from model import metrics

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
PREDS = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1])


def test_confusion_rows_are_truth_and_columns_predictions():
    cm = metrics.confusion(LABELS, PREDS, k=3)
    assert cm.tolist() == [[2, 1, 0], [0, 2, 0], [1, 1, 2]]
    assert np.allclose(metrics.row_normalised(cm)[2], [0.25, 0.25, 0.5])
    assert metrics.row_normalised(np.zeros((3, 3), int)).sum() == 0  # no division by zero


def test_precision_recall_f1_per_class():
    pc = metrics.per_class(metrics.confusion(LABELS, PREDS, k=3))
    assert np.allclose(pc.precision, [2 / 3, 2 / 4, 2 / 2])
    assert np.allclose(pc.recall, [2 / 3, 2 / 2, 2 / 4])
    assert np.allclose(pc.f1[1], 2 * 0.5 * 1 / 1.5) and pc.support.tolist() == [3, 2, 4]
    empty = metrics.per_class(metrics.confusion(np.array([0]), np.array([0]), k=2))
    assert np.isnan(empty.recall[1]) and np.isnan(empty.precision[1])


def test_confidence_of_right_and_wrong_answers():
    probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7]])
    right, wrong = metrics.confidence_split(probs, np.array([0, 0, 1]))
    assert np.allclose(right, [0.9, 0.7]) and np.allclose(wrong, [0.6])


def test_overlap_of_two_models_mistakes_and_gallery_filters():
    a = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1])
    b = np.array([0, 1, 0, 1, 1, 0, 2, 0, 2])
    o = metrics.overlap(LABELS, a, b)
    assert o.only_a.tolist() == [2, 8] and o.only_b.tolist() == [1, 5] and o.both.tolist() == [7]
    assert metrics.mistakes(LABELS, PREDS).tolist() == [2, 7, 8]
    assert metrics.mistakes(LABELS, PREDS, true=2).tolist() == [7, 8]
    assert metrics.mistakes(LABELS, PREDS, true=2, pred=1).tolist() == [8]
    assert metrics.mistakes(LABELS, PREDS, pred=1).tolist() == [2, 8]
    assert metrics.mistakes(LABELS, PREDS, true=1, pred=1).tolist() == [3, 4]  # the diagonal: right answers
    assert metrics.accuracy(LABELS, PREDS) == 6 / 9


def test_reliability_bins_answers_by_how_sure_and_counts_how_often_right():
    # four answers 95% sure (three right), two 55% sure (one right), one exactly 100% sure (right)
    p = np.full((7, 10), 0.0)
    p[:4, 0], p[:4, 1] = 0.95, 0.05
    p[4:6, 2], p[4:6, 3] = 0.55, 0.45
    p[6, 4] = 1.0
    labels = np.array([0, 0, 0, 1, 2, 3, 4])
    rel = metrics.reliability(p, labels)
    assert rel.edges.tolist() == pytest.approx(np.linspace(0, 1, 11).tolist())
    assert rel.count.tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 0, 5]  # 1.0 falls in the last bin
    assert rel.accuracy[5] == 0.5 and rel.accuracy[9] == pytest.approx(4 / 5)
    assert rel.confidence[9] == pytest.approx((4 * 0.95 + 1.0) / 5) and np.isnan(rel.accuracy[0])
    assert rel.ece == pytest.approx(2 / 7 * 0.05 + 5 / 7 * abs(0.8 - 0.96))


def test_a_calibrated_model_has_a_small_calibration_error_and_an_overconfident_one_a_large_one():
    rng = np.random.default_rng(0)
    sure = rng.uniform(0.1, 1.0, 20_000)
    right = rng.random(20_000) < sure  # right exactly as often as it is sure
    p = np.zeros((20_000, 10))
    p[:, 0] = sure
    p[:, 1:] = ((1 - sure) / 9)[:, None]
    labels = np.where(right, 0, 5)  # the answer is always 0: right when the label is 0
    assert metrics.reliability(p, labels).ece < 0.02  # sampling noise: about 1/sqrt(2000) per bin
    labels_over = np.where(rng.random(20_000) < sure - 0.3, 0, 5)  # 30 points less often right than sure
    assert metrics.reliability(p, labels_over).ece > 0.2
