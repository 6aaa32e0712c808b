"""The Draw page's newer strings, in English and Chinese, merged into ui.i18n.TEXT (key → (en, zh))."""

DRAW_TEXT: dict[str, tuple[str, str]] = {
    "ink_undo": ("↶ Undo", "↶ 撤销"),
    "ink_redo": ("↷ Redo", "↷ 重做"),
    "ink_surface": ("Drawing area: draw with the mouse, a pen or a finger",
                    "书写区域：可用鼠标、触控笔或手指书写"),
    "projector": ("Projector", "投影模式"),
    "projector_help": ("Larger type for a projector, read from the back of the room.",
                       "放大字号，方便教室后排看清投影。"),
    "not_digit": ("This does not look like a digit", "这看起来不像数字"),
    "not_digit_guess": ("If it had to pick a digit: {d} ({p:.0%})", "如果非要选一个数字：{d}（把握 {p:.0%}）"),
    "neither_digit": ("Not a digit", "不是数字"),  # the verdict: short, its column is narrow
}
