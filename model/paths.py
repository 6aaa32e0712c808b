"""Where things are: the repository root and the shipped models. The one copy of these paths."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRETRAINED = REPO / "model" / "pretrained"  # the shipped checkpoints, one folder each
JUDGE = PRETRAINED / "judge"  # the shared not-a-digit judge (model/judge.py): not a model a picker lists
PIECE = PRETRAINED / "piece"  # the scorer of "one whole digit" (model/piece.py), for cutting numbers: nor this
READER = PRETRAINED / "reader"  # the whole-number reader (model/reader.py), for choosing among the cuts: nor this
