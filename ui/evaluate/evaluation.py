"""The Evaluate page's data: the data sets a model can be scored on, and its cached answers on each.

Answers are cached per (checkpoint path, weights mtime, data set identity): a retrained run at the same
path is scored again, and switching pages or models back and forth costs nothing. Reading a CSV and
scoring run in the low-priority worker process (ui/evaluate/heavy.py), so they cannot starve the students' answers.
The answers are also kept on disk (Streamlit's `persist="disk"`, which never removes a file: two per
uploaded CSV, one per model); `bound_disk_cache` keeps that folder under DISK_CACHE_BYTES, oldest out."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from classroom import drawings as collection
from model import presets, store
from model.kaggle import CSVError
from ui import models
from ui.evaluate import heavy
from ui.i18n import t

DATASETS = ("test", "val", "kaggle", "drawings")
VAL_SIZE, VAL_SEED = 10_000, 0  # seed 004's 50k / 10k split of the training images
DISK_CACHE_BYTES = 64 << 20  # a Kaggle train.csv's answers are 1.7 MB per model: about 35 of them
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataSet:
    key: str             # identity for the cache: a name, or a content hash
    images: np.ndarray   # (N, 28, 28) uint8
    labels: np.ndarray   # (N,) uint8
    ids: np.ndarray | None = None  # (N,) int64 for the class's drawings: which ones a model trained on


def mnist_test() -> DataSet:
    d = models.mnist()
    return DataSet("mnist-test", d.x_test, d.y_test)


def validation() -> DataSet:
    from train.data import split
    d = models.mnist()
    idx = split(len(d.x_train), VAL_SIZE, VAL_SEED).val
    return DataSet(f"mnist-val-{VAL_SIZE}-{VAL_SEED}", d.x_train[idx], d.y_train[idx])


@st.cache_data(show_spinner=False, max_entries=4)
def _read_csv(raw: bytes, labelled: bool | None) -> tuple[np.ndarray, np.ndarray | None]:
    return heavy.run(heavy.read_kaggle, raw, labelled)


def read_csv(raw: bytes, labelled: bool | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """A Kaggle CSV's images and labels, parsed once per file content, in the worker. Raises CSVError,
    heavy.WorkerError."""
    return _read_csv(raw, labelled)


def kaggle_train(raw: bytes) -> DataSet:
    x, y = read_csv(raw, labelled=True)
    return DataSet("kaggle-" + hashlib.sha256(raw).hexdigest()[:16], x, y)


def class_drawings() -> DataSet:
    """Raises CollectionError when the collection file is damaged."""
    c = collection.load()
    return DataSet(f"drawings-{hashlib.sha256(c.ids.tobytes() + c.labels.tobytes()).hexdigest()[:16]}",
                   c.images, c.labels, c.ids)


def trained_on(entry: store.ModelEntry, ds: DataSet) -> np.ndarray | None:
    """(N,) bool: which images of `ds` the model trained on, for the class's drawings (its checkpoint lists
    their ids); None for other data sets. A checkpoint that lists none, or lists them wrongly, saw none."""
    if ds.ids is None:
        return None
    try:
        ids = store.read_info(entry.path).get("data_split", {}).get("class_drawing_ids", [])
        seen = np.asarray(ids, np.int64).ravel()
    except (store.CheckpointError, OSError, AttributeError, TypeError, ValueError, OverflowError):
        seen = np.zeros(0, np.int64)
    return np.isin(ds.ids, seen)


def csv_message(e: CSVError) -> str:
    """A translated sentence naming the line, the column and the reason."""
    reason = t(f"csv_{e.kind}", **e.details)
    if e.line and e.column:
        return t("csv_at_cell", line=e.line, column=e.column, reason=reason)
    return t("csv_at_line", line=e.line, reason=reason) if e.line else reason


def _mtime(entry: store.ModelEntry) -> float:
    return (entry.path / "model.safetensors").stat().st_mtime


# persisted on disk: 10,000 images through a CNN take about 10 s on two busy cores, so a teacher who opens
# the page once before class makes it instant for everyone, even after a restart. The weights' mtime in the
# key means a retrained checkpoint is scored again.
@st.cache_data(show_spinner=False, max_entries=24, persist="disk")
def _probs(path: str, mtime: float, data_key: str, _images: np.ndarray) -> np.ndarray:
    return heavy.run(heavy.probabilities, path, _images)


def probs(entry: store.ModelEntry, ds: DataSet) -> np.ndarray:
    """(N, 10) probabilities of `entry` on `ds`, computed once per checkpoint and data set (in the worker).
    Raises heavy.WorkerError."""
    p = _probs(str(entry.path), _mtime(entry), ds.key, ds.images)
    bound_disk_cache()
    return p


def bound_disk_cache(limit: int | None = None) -> None:
    """Remove the oldest files of Streamlit's disk cache until the rest fit in `limit` bytes."""
    from streamlit.runtime.caching.storage.local_disk_cache_storage import get_cache_folder_path
    limit = DISK_CACHE_BYTES if limit is None else limit
    files = []
    for f in Path(get_cache_folder_path()).glob("*.memo"):
        try:
            st_ = f.stat()
        except OSError:  # another session removed it just now
            continue
        files.append((st_.st_mtime, st_.st_size, f))
    total = sum(size for _, size, _ in files)
    for _, size, f in sorted(files, key=lambda x: x[0]):
        if total <= limit:
            break
        try:
            f.unlink(missing_ok=True)
        except OSError as e:
            log.warning("cannot remove %s from the disk cache: %s", f.name, e)
            continue
        total -= size


@st.cache_data(show_spinner=False, max_entries=4)
def _labels(path: str, mtime: float, data_key: str, _images: np.ndarray) -> np.ndarray:
    return heavy.run(heavy.labels, path, _images)


def submission_labels(entry: store.ModelEntry, raw: bytes) -> np.ndarray:
    """The digits `entry` reads in a Kaggle test.csv (the predict CLI's own code path). Raises CSVError."""
    x, _ = read_csv(raw, labelled=False)
    return _labels(str(entry.path), _mtime(entry), hashlib.sha256(raw).hexdigest(), x)


def reported(entry: store.ModelEntry) -> str | None:
    """What the preset's source reported, as text ('99.12% test'), when the model came from a preset."""
    try:
        return presets.get(entry.preset).reported or None if entry.preset else None
    except (KeyError, ValueError):
        return None
