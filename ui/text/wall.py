"""The class wall's strings (ui/wall/view.py, app_pages/wall.py), in English and Chinese, merged into ui.i18n.TEXT."""

WALL_TEXT: dict[str, tuple[str, str]] = {
    "page_wall": ("Class wall", "全班作品墙"),
    "wall_title": ("The class wall", "全班作品墙"),
    "wall_intro": ("Every drawing the class saves with “Wrong? It was a …”, newest first, with what each model "
                   "read. ✓ right, ✗ wrong.",
                   "同学们用“错了？其实是……”保存的每一幅数字，最新的在前，并显示每个模型的识别结果。"
                   "✓ 正确，✗ 错误。"),
    "wall_models": ("Models on the wall", "作品墙使用的模型"),
    "wall_empty": ("No drawings yet. When a student saves one on the Draw page (“Wrong? It was a …”), it "
                   "appears here.", "还没有作品。同学在手写识别页保存（“错了？其实是……”）后，作品会出现在这里。"),
    "wall_tally_first": ("the {name} read {right} of {n} right", "{name} 认对了 {n} 个中的 {right} 个"),
    "wall_tally_next": ("the {name} {right}", "{name} 认对了 {right} 个"),
    "wall_tally_join": (", ", "，"),
    "wall_tally_end": (".", "。"),
    "wall_more": ("…and {n} older drawings, counted in the tally.", "……还有 {n} 幅更早的作品，已计入统计。"),
    "wall_hide_mode": ("Choose drawings to hide", "选择要隐藏的作品"),
    "wall_hide_help": ("A hidden drawing leaves the class's collection: it is not trained on or evaluated.",
                       "隐藏的作品会从全班作品集中删除：不再用于训练或评估。"),
    "wall_hide": ("Hide", "隐藏"),
}
