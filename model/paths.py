"""Where things are: the repository root and the shipped models. The one copy of these paths."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRETRAINED = REPO / "model" / "pretrained"  # the shipped checkpoints, one folder each
