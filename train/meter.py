"""The meter of a training run: what the step events say, and when one is due.

It sums loss and hits on the device between events (one device sync per event, not per step) and keeps
the two clocks the time left needs: seconds per training step, and seconds per scored image. The time
left is the steps still to run at the first, plus the images still to score (validation and test after
each epoch to come, the final test) at the second; until both have been measured it is None
("estimating…"), never a guess.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

MIN_EVENTS_PER_EPOCH = 20  # a short epoch still draws a line, not a dot
EVENT_EVERY_S = 0.5        # and a long one moves at least this often


@dataclass
class Meter:
    total_steps: int
    steps_per_epoch: int
    clock: Callable[[], float] = time.perf_counter  # a test gives its own
    t0: float = field(init=False)
    scoring_s: float = 0.0     # seconds spent scoring (val, test, held-out), kept apart from training
    scored: int = 0            # images scored in those seconds
    first_step_s: float | None = None  # training seconds when step 1 ended: its warm-up is not a rate
    last_event_step: int = 0
    last_event_t: float = field(init=False)

    def __post_init__(self):
        self.t0 = self.last_event_t = self.clock()
        self.every_steps = max(1, self.steps_per_epoch // MIN_EVENTS_PER_EPOCH)
        self.window_loss = self.window_hits = None  # device tensors, summed since the last event
        self.window_n = 0

    def train_s(self) -> float:
        return self.clock() - self.t0 - self.scoring_s

    def add(self, step: int, loss: torch.Tensor, hits: torch.Tensor, n: int) -> None:
        """One optimiser step's mean loss and number of right answers, over `n` images."""
        if step == 1:
            self.first_step_s = self.train_s()
        total = loss * n
        self.window_loss = total if self.window_loss is None else self.window_loss + total
        self.window_hits = hits if self.window_hits is None else self.window_hits + hits
        self.window_n += n

    def due(self, step: int) -> bool:
        """The first step (a point on the chart at once), every few steps, and at least every EVENT_EVERY_S."""
        return (step == 1 or step - self.last_event_step >= self.every_steps
                or self.clock() - self.last_event_t >= EVENT_EVERY_S)

    def take(self, step: int) -> tuple[float, int, int]:
        """(mean loss, right answers, images) since the last event; a new window starts."""
        loss, hits, n = float(self.window_loss) / self.window_n, int(self.window_hits), self.window_n
        self.window_loss = self.window_hits = None
        self.window_n, self.last_event_step, self.last_event_t = 0, step, self.clock()
        return loss, hits, n

    def timed_scoring(self, images: int, seconds: float) -> None:
        self.scoring_s += seconds
        self.scored += images

    def eta_s(self, step: int, images_to_score: int) -> float | None:
        """Seconds left: training steps and scoring both, or None while either rate is unknown."""
        if self.first_step_s is None or step < 2 or (images_to_score and not self.scored):
            return None
        per_step = (self.train_s() - self.first_step_s) / (step - 1)
        per_image = self.scoring_s / self.scored if self.scored else 0.0
        return max(self.total_steps - step, 0) * per_step + images_to_score * per_image
