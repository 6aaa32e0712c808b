"""The heavy session of `python -m bench.load --with-kaggle`: one browser uploads a Kaggle-sized
train.csv to the Evaluate page and waits for the scores, while the light clients draw.

The CSV is made from MNIST's training images in Kaggle's format (42,000 rows, about 75 MB, in a
temporary folder: never committed). The upload goes through the page's real uploader (Playwright's
`set_input_files` on Debian's Chromium, tests/browser.py), so the server does exactly what it does for
a teacher: receive 75 MB, parse it, score 42,000 images with both models, draw the page.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

ROWS = 42_000  # Kaggle's train.csv


def make_train_csv(folder: Path, rows: int = ROWS) -> Path:
    """A new file each time (rows drawn at random from MNIST's 60,000): the Evaluate page keeps a file's
    answers on disk, and a file scored before would be answered from there, with nothing to measure."""
    import numpy as np

    from model.kaggle import kaggle_csv
    from train.data import load_mnist
    d = load_mnist()
    pick = np.random.default_rng().permutation(len(d.x_train))[:rows]
    path = folder / "train.csv"
    path.write_text(kaggle_csv(d.x_train[pick], d.y_train[pick]))
    return path


class KaggleSession(threading.Thread):
    """Open /evaluate, pick "Kaggle train.csv", upload `csv`; `uploaded` is set once the file is sent.
    Afterwards: `seconds` from the upload to the scores on the page, `error` if it failed."""

    def __init__(self, url: str, csv: Path, rows: int, timeout_s: float = 900):
        super().__init__(daemon=True)
        self.url, self.csv, self.rows, self.timeout_s = url, csv, rows, timeout_s
        self.finished: float | None = None  # perf_counter when the scores were on the page
        self.uploaded = threading.Event()
        self.seconds: float | None = None
        self.error = ""

    def run(self) -> None:
        from tests.browser import browser_page
        try:
            with browser_page() as page:
                ms = self.timeout_s * 1000
                page.goto(self.url + "/evaluate?lang=en")
                page.get_by_text("Which digits it mixes up").wait_for(timeout=ms)  # MNIST test, scored
                page.locator(".st-key-eval_data button", has_text="Kaggle train.csv").click(timeout=ms)
                box = page.locator(".st-key-eval_kaggle_train input[type='file']")
                box.wait_for(state="attached", timeout=ms)
                t0 = time.perf_counter()
                box.set_input_files(str(self.csv))
                self.uploaded.set()
                # scored: the comparison's caption names all the images once the page is drawn
                page.get_by_text(f"all {self.rows:,} images").wait_for(timeout=ms)
                self.finished = time.perf_counter()
                self.seconds = self.finished - t0
                if page.get_by_text("AxiosError").count():
                    self.error = "AxiosError on the page"
        except Exception as e:  # a bench reports; it does not stop the class's figures
            self.error = f"{type(e).__name__}: {str(e)[:300]}"
        finally:
            self.uploaded.set()
