"""Scores of a model on a labelled set: confusion matrix, per-class precision/recall/F1, confidence and its
calibration (how sure against how often right), and how two models' mistakes overlap. numpy in, numpy out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def confusion(labels: np.ndarray, preds: np.ndarray, k: int = 10) -> np.ndarray:
    """(k, k) int64 counts: row = true digit, column = predicted digit."""
    return np.bincount(np.asarray(labels, np.int64) * k + np.asarray(preds, np.int64), minlength=k * k).reshape(k, k)


def row_normalised(cm: np.ndarray) -> np.ndarray:
    """Each row divided by its total (the share of each true digit read as each digit); empty rows stay 0."""
    totals = cm.sum(1, keepdims=True)
    return np.divide(cm, totals, out=np.zeros(cm.shape, np.float64), where=totals > 0)


@dataclass(frozen=True)
class PerClass:
    precision: np.ndarray  # (k,) of the images called d, the share that are d (nan when none was called d)
    recall: np.ndarray     # (k,) of the images that are d, the share called d (nan when there are none)
    f1: np.ndarray         # (k,) harmonic mean of the two (nan when either is nan; 0 when both are 0)
    support: np.ndarray    # (k,) images of each true digit


def per_class(cm: np.ndarray) -> PerClass:
    tp = np.diag(cm).astype(np.float64)
    called, actual = cm.sum(0).astype(np.float64), cm.sum(1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(called > 0, tp / called, np.nan)
        recall = np.where(actual > 0, tp / actual, np.nan)
        s = precision + recall
        f1 = np.where(s > 0, 2 * precision * recall / s, np.where(np.isnan(s), np.nan, 0.0))
    return PerClass(precision, recall, f1, cm.sum(1))


def accuracy(labels: np.ndarray, preds: np.ndarray) -> float:
    return float(np.mean(np.asarray(labels) == np.asarray(preds))) if len(labels) else float("nan")


def confidence_split(probs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The top probability of each right answer, and of each wrong one: is the model sure when it is wrong?"""
    top, right = probs.max(1), probs.argmax(1) == labels
    return top[right], top[~right]


@dataclass(frozen=True)
class Reliability:
    edges: np.ndarray       # (bins + 1,) edges of the top-probability bins, 0 to 1
    confidence: np.ndarray  # (bins,) mean top probability of the answers in each bin (nan when empty)
    accuracy: np.ndarray    # (bins,) share of them that are right (nan when empty)
    count: np.ndarray       # (bins,) answers in each bin
    ece: float              # expected calibration error: the count-weighted mean |accuracy - confidence|


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> Reliability:
    """How sure against how often right: answers binned by their top probability (equal-width bins; a 1.0
    falls in the last one). A calibrated model's 90%-sure answers are right 90% of the time (Guo et al. 2017)."""
    top, right = probs.max(1), probs.argmax(1) == np.asarray(labels)
    which = np.minimum((top * bins).astype(np.int64), bins - 1)
    count = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(which, top, bins) / count
        accuracy = np.bincount(which, right, bins) / count
    gap = np.where(count > 0, np.abs(accuracy - confidence), 0.0)
    ece = float((count * gap).sum() / count.sum()) if count.sum() else float("nan")
    return Reliability(np.linspace(0, 1, bins + 1), confidence, accuracy, count, ece)


@dataclass(frozen=True)
class Overlap:
    only_a: np.ndarray  # indices that model A gets wrong and model B right
    only_b: np.ndarray
    both: np.ndarray    # both wrong (not necessarily with the same answer)


def overlap(labels: np.ndarray, preds_a: np.ndarray, preds_b: np.ndarray) -> Overlap:
    wa, wb = preds_a != labels, preds_b != labels
    return Overlap(np.flatnonzero(wa & ~wb), np.flatnonzero(wb & ~wa), np.flatnonzero(wa & wb))


def mistakes(labels: np.ndarray, preds: np.ndarray, true: int | None = None, pred: int | None = None) -> np.ndarray:
    """Indices of wrong answers, optionally only those of a true digit and/or a predicted digit.

    With both given and equal, the right answers of that digit (the confusion matrix's diagonal cell)."""
    keep = (labels != preds) if true is None or pred is None or true != pred else np.ones(len(labels), bool)
    if true is not None:
        keep &= labels == true
    if pred is not None:
        keep &= preds == pred
    return np.flatnonzero(keep)
