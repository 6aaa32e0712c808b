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
    # number mode (ui/draw/number_mode.py): touching digits, and one digit at a time
    "number_touching": ("These digits touch: I split them where the models were surest. Check the boxes.",
                        "这些数字连在一起：已在模型最有把握的位置分开，请检查方框。"),
    "number_touching_unsure": ("These digits touch and I may have split them wrong: check the boxes, "
                               "or write the digits apart.",
                               "这些数字连在一起，可能分错了：请检查方框，或把数字分开写。"),
    "number_not_digit": ("This does not look like a digit: place {which} from the left, shown as ?",
                         "这看起来不像数字：从左数第{which}位，显示为 ?"),  # single mode's words, per piece
    "number_cuts": ("Where I split the number", "数字的分割位置"),
    "number_pick": ("Look at one digit", "查看其中一位数字"),
    "number_option": ("{i}: {d}", "第{i}位：{d}"),
}
