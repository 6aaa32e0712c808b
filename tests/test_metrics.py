"""Metrics on small hand-made answers whose counts are easy to check by eye."""

import numpy as np

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
