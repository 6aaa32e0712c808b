"""Strings of the Explain panel, the class's drawings ("Wrong? It was a …") and the Explore additions, in
English and Chinese, merged into ui.i18n.TEXT. Explanations are one plain sentence a 14-year-old can follow."""

EXPLAIN_TEXT: dict[str, tuple[str, str]] = {
    "explain_title": ("Why? Look inside the models", "为什么？看看模型内部"),
    "explain_saliency": ("Red pixels pushed {name} towards {d}, blue pixels pulled it away from {d}; the stronger "
                         "the colour, the bigger the push.",
                         "红色像素把 {name} 推向 {d}，蓝色像素把它拉离 {d}；颜色越深，作用越大。"),
    "explain_maps_1": ("The CNN's first layer slides {n} small pattern detectors over your drawing; each tile shows "
                       "where one of them found its pattern (an edge, a curve, a line end): dark means found. "
                       "First {shown} shown.",
                       "CNN 的第一层用 {n} 个小小的“图案探测器”扫过你的笔迹；每个小图显示一个探测器在哪里找到了"
                       "它的图案（边缘、弯道、线头）：越深表示找到得越明显。这里显示前 {shown} 个。"),
    "explain_maps_2": ("The next layer's {n} detectors combine those patterns into bigger shapes, on a smaller "
                       "grid. First {shown} shown.",
                       "下一层的 {n} 个探测器把这些图案组合成更大的形状，网格也变小了。这里显示前 {shown} 个。"),
    "explain_units": ("These are the {n} first-layer units of the MLP that did most to make it answer {d}. Each "
                      "picture is what one unit looks for: ink on red pixels makes it fire, ink on blue pixels "
                      "holds it back.",
                      "这是 MLP 第一层中最能让它回答 {d} 的 {n} 个单元。每张图是一个单元在找的东西："
                      "红色位置有笔迹会让它兴奋，蓝色位置有笔迹会抑制它。"),
    "coll_wrong": ("Wrong? It was a …", "错了？其实是……"),
    "coll_wrong_help": ("One click saves this drawing with the digit you meant, in the class's collection. "
                        "The class can then test the models on it, and train with it.",
                        "点一下就会把这幅笔迹和你想写的数字一起存进全班的收藏。之后全班可以用它测试模型，"
                        "也可以用它来训练。"),
    "coll_saved": ("Saved as a {d}. Drawings saved by the class: {n}.", "已保存为 {d}。全班已保存的笔迹：{n} 幅。"),
    "coll_count": ("Drawings saved by the class: {n}.", "全班已保存的笔迹：{n} 幅。"),
    "coll_damaged": ("The class's drawings file cannot be read ({why}). Nothing was changed: move that file out "
                     "of the drawings folder (data/class_drawings/), or import a good copy, to start again.",
                     "无法读取全班手写数字的文件（{why}）。没有做任何改动：请把这个文件移出笔迹文件夹"
                     "（data/class_drawings/），或导入一份完好的副本，然后重新开始。"),
    "coll_full": ("The class's collection is full ({limit:,} drawings): the teacher can delete some on the "
                  "Explore page.",
                  "全班的收藏已满（{limit:,} 幅）：老师可以在“浏览数据”页删除一些。"),
    "coll_rate": ("You saved {n} drawings in the last minute: wait a moment, then save again.",
                  "你在一分钟内已经保存了 {n} 幅笔迹：请稍等一会儿再保存。"),
    "coll_disk": ("The drawings could not be written to the disk ({why}). Nothing saved before was lost: free some "
                  "space on the teacher's computer, then try again.",
                  "笔迹无法写入磁盘（{why}）。之前保存的都没有丢失：请在老师的电脑上腾出一些空间后再试。"),
    "coll_nickname": ("Nickname (optional)", "昵称（可不填）"),
    "coll_nickname_hint": ("Nickname (optional)", "昵称（可不填）"),
    "coll_too_big": ("This drawing is too large to keep (at most {limit:,} pixels a side).",
                     "这幅图太大，无法保存（每边最多 {limit:,} 像素）。"),
    "coll_label": ("Only the digits 0–9 can be labels.", "标签只能是数字 0–9。"),
    "coll_image": ("There is no drawing to save.", "没有可保存的笔迹。"),
    "coll_busy": ("Many saves at once: please click again in a moment.", "同时保存的人太多：请稍后再点一次。"),
    "coll_title": ("The class's drawings", "全班的手写数字"),
    "coll_intro": ("Drawings saved from the Draw page: {n:,} (at most {cap:,}). Evaluate can score any model on "
                   "them, and the Train page can mix them into training.",
                   "从手写识别页保存了 {n:,} 幅笔迹（最多 {cap:,} 幅）。“评估模型”页可以用它们给模型打分，"
                   "训练页可以把它们加入训练。"),
    "coll_show_digit": ("Show only", "只看"),
    "coll_pick": ("Select", "选择"),
    "coll_delete": ("Delete {n} drawings", "删除 {n} 幅笔迹"),
    "coll_deleted": ("{n} drawings deleted.", "删除了 {n} 幅笔迹。"),
    "coll_newest": ("The newest {shown} of {n} are shown.", "这里显示 {n} 幅中最新的 {shown} 幅。"),
    "coll_teacher_only": ("Only the teacher can delete, export or import the class's drawings.",
                          "只有老师可以删除、导出或导入全班的笔迹。"),
    "coll_scope": ("Choose drawings to delete", "选择要删除的笔迹"),
    "coll_scope_picked": ("Ticked", "勾选的"),
    "coll_scope_shown": ("All shown by the filter", "筛选出的全部"),
    "coll_scope_time": ("By time", "按时间"),
    "coll_scope_nickname": ("By nickname", "按昵称"),
    "coll_scope_session": ("By session", "按会话"),
    "coll_time": ("Saved between", "保存时间在"),
    "coll_no_nicknames": ("No drawing has a nickname.", "没有带昵称的笔迹。"),
    "coll_nickname_option": ("{name} ({n} drawings)", "{name}（{n} 幅）"),
    "coll_session_browser": ("A browser, {start}–{end}: {n} drawings ({names})",
                             "一个浏览器，{start}–{end}：{n} 幅（{names}）"),
    "coll_session_import": ("Imported file {sha}: {n} drawings", "导入的文件 {sha}：{n} 幅"),
    "coll_session_none": ("Saved before sessions were kept: {n} drawings", "记录会话之前保存的：{n} 幅"),
    "coll_delete_confirm": ("Delete {n} drawings for good? This cannot be undone (export a copy first if unsure).",
                            "要永久删除 {n} 幅笔迹吗？删除后无法恢复（不确定的话请先导出一份）。"),
    "coll_delete_yes": ("Delete", "删除"),
    "coll_delete_no": ("Cancel", "取消"),
    "coll_export": ("Export all as one file (.npz)", "全部导出为一个文件（.npz）"),
    "coll_import": ("Import drawings from an exported file (.npz)", "从导出的文件（.npz）导入笔迹"),
    "coll_imported": ("{n} new drawings imported.", "导入了 {n} 幅新笔迹。"),
    "explore_means": ("The average image of each digit", "每个数字的平均图像"),
    "explore_means_help": ("Every training image of a digit, laid on top of each other: dark where most people put "
                           "ink.", "把同一数字的所有训练图片叠在一起：大多数人落笔的地方颜色最深。"),
    "explore_spread": ("How dark the pixels are", "像素有多深"),
    "explore_spread_help": ("Most of the 784 pixels are blank (0); the ink is mostly at full strength (255), with a "
                            "few grey pixels at the edges of the strokes.",
                            "784 个像素中大部分是空白（0）；笔迹大多是最深的 255，只有笔画边缘有少量灰色像素。"),
    "explore_intensity": ("pixel value (0 = blank, 255 = ink)", "像素值（0 = 空白，255 = 笔迹）"),
    "explore_share": ("share of pixels", "像素比例"),
    "explore_log": ("log scale", "对数坐标"),
    "train_drawings": ("Include the class's drawings", "加入全班的手写数字"),
    "train_drawings_help": ("Each of the class's {n} saved drawings is added this many times to the training images "
                            "(0: not used). A higher weight makes the model learn your class's handwriting faster.",
                            "全班保存的 {n} 幅笔迹每幅都会以这个次数加入训练图片（0 表示不用）。"
                            "次数越大，模型越快学会你们班的笔迹。"),
}
