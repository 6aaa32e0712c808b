"""The class wall's answers: each drawing scored once per model, then read from memory (no Streamlit here).

The wall redraws every couple of seconds while forty students draw; scoring every drawing again each time
would take the CPU their answers need. So an `Answers` holds one model's digit per drawing id, and
`fill` scores only the ids it has not seen, in one batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

REFRESH_S = 2.0  # seconds between the wall's redraws: "as they arrive" to a class, and cheap for the server


class Answers:
    """One model's answer for each drawing it has scored, by drawing id. Shared by every session that shows
    the wall (it is meant to grow in place: a lock keeps two sessions from scoring the same drawing twice)."""

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray]):
        self._predict = predict  # (N, 28, 28) float32 in [0, 1] → (N, 10) probabilities
        self._digit: dict[int, int] = {}
        self._lock = threading.Lock()
        self.scored = 0  # drawings scored so far: a test checks each is scored once

    def fill(self, ids: np.ndarray, images: np.ndarray) -> dict[int, int]:
        """Score the drawings among `ids` not scored yet (images: (N, 28, 28) uint8); return id → digit."""
        with self._lock:
            new = [i for i, d in enumerate(ids) if int(d) not in self._digit]
            if new:
                probs = self._predict(images[new].astype(np.float32) / 255.0)
                for i, p in zip(new, probs):
                    self._digit[int(ids[i])] = int(np.argmax(p))
                self.scored += len(new)
            return {int(d): self._digit[int(d)] for d in ids}


def tally(labels: np.ndarray, ids: np.ndarray, answers: dict[int, int]) -> int:
    """How many of the drawings this model read right (its answer is the label the student gave)."""
    return sum(answers.get(int(d)) == int(y) for d, y in zip(ids, labels))
