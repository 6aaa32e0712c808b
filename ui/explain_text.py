"""Strings of the Explain panel, the class's drawings ("Wrong? It was a …") and the Explore additions, in
English and Chinese, merged into ui.i18n.TEXT."""

EXPLAIN_TEXT: dict[str, tuple[str, str]] = {
    "coll_damaged": ("The class's drawings file cannot be read ({why}). Nothing was changed: move "
                     "data/class_drawings/drawings.npz away (or import a good copy) to start again.",
                     "无法读取全班手写数字的文件（{why}）。没有做任何改动：请把 data/class_drawings/drawings.npz "
                     "移走（或导入一份完好的副本）后重新开始。"),
}
