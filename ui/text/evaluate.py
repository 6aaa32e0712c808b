"""The Evaluate page's strings and the Kaggle CSV messages, in English and Chinese, merged into ui.i18n.TEXT."""

EVALUATE_TEXT: dict[str, tuple[str, str]] = {
    "page_evaluate": ("Evaluate", "评估模型"),
    "eval_title": ("Where does each model go wrong?", "模型在哪里出错？"),
    "eval_intro": ("Score one or two models on thousands of images at once: which digits they mix up, how sure "
                   "they are when wrong, and which images only one of them misreads.",
                   "一次用成千上万张图片给一个或两个模型打分：它们会把哪些数字弄混，答错时有多大把握，"
                   "以及哪些图片只有其中一个模型读错。"),
    "eval_model_a": ("Model", "模型"),
    "eval_model_b": ("Compare with", "对比模型"),
    "eval_none": ("(none)", "（不对比）"),
    "eval_data": ("Images", "图片"),
    "eval_data_test": ("MNIST test set", "MNIST 测试集"),
    "eval_data_val": ("Validation split", "验证集"),
    "eval_data_kaggle": ("Kaggle train.csv", "Kaggle train.csv"),
    "eval_data_drawings": ("The class's drawings", "全班的手写数字"),
    "eval_val_note": ("10,000 training images held out by seed 0 (seed 004's 50k / 10k split). Models trained on "
                      "all 60,000 have seen them, so expect a high score there.",
                      "用随机种子 0 留出的 10,000 张训练图片（与教程 004 的 5 万 / 1 万划分相同）。"
                      "用全部 6 万张训练的模型见过它们，所以分数会偏高。"),
    "eval_seen_some": ("It trained on {seen} of these {n} drawings, so the score above is partly a memory test. "
                       "On the {unseen} it never saw: **{acc:.2%}**.",
                       "它训练时用过这 {n} 张中的 {seen} 张，所以上面的分数有一部分只是在考记忆。"
                       "在它没见过的 {unseen} 张上：**{acc:.2%}**。"),
    "eval_seen_all": ("It trained on all {n} of these drawings: the score above is a memory test, not a test of "
                      "new handwriting. Save new drawings to test it.",
                      "它训练时用过这全部 {n} 张：上面的分数只是在考记忆，不是对新笔迹的测试。"
                      "请保存新的手写数字再来测试。"),
    "eval_no_drawings": ("No drawings saved yet. On the Draw page, use “Wrong? It was a …” under the answers.",
                         "还没有保存的手写数字。请在手写识别页答案下方使用“错了？其实是……”。"),
    "eval_train_upload": ("A Kaggle digit-recognizer train.csv (label, pixel0…pixel783)",
                          "Kaggle digit-recognizer 的 train.csv（label, pixel0…pixel783）"),
    "eval_train_hint": ("Upload a labelled train.csv to score the models on it.",
                        "上传带标签的 train.csv，用它给模型打分。"),
    "eval_no_images": ("This data set has no images.", "这个数据集里没有图片。"),
    "eval_scoring": ("Scoring {n:,} images…", "正在给 {n:,} 张图片打分……"),
    "eval_acc_help": ("Share of the {n:,} images read right ({wrong:,} wrong).",
                      "{n:,} 张图片中读对的比例（错了 {wrong:,} 张）。"),
    "eval_reported": ("The article reported: {rep}", "原文报告：{rep}"),
    "eval_recorded": ("Its own MNIST test score when trained: {acc:.2%}", "训练时记录的 MNIST 测试成绩：{acc:.2%}"),
    "eval_focus": ("Look closer at", "仔细看"),
    "eval_cm_title": ("Which digits it mixes up", "它把哪些数字弄混了"),
    "eval_normalise": ("Show shares of each row", "按行显示比例"),
    "eval_normalise_help": ("Each row is one true digit: the share of its images read as each digit.",
                            "每一行是一个真实数字：它的图片被读成各个数字的比例。"),
    "eval_true": ("True digit", "真实数字"),
    "eval_predicted": ("Model says", "模型认为"),
    "eval_cm_hint": ("Rows: the true digit; columns: what the model said. Red cells are mistakes, darker for more. "
                     "Click a cell to see its images below.",
                     "行：真实数字；列：模型的回答。红色格子是错误，越深越多。点击一个格子，下面会显示这些图片。"),
    "eval_precision": ("Precision", "精确率"),
    "eval_recall": ("Recall", "召回率"),
    "eval_support": ("Images", "图片数"),
    "eval_prf_help": ("Precision: when it says 7, how often it is a 7. Recall: of the real 7s, how many it finds. "
                      "F1 combines both.",
                      "精确率：它说是 7 时，有多少真的是 7。召回率：真正的 7 中，它认出了多少。F1 综合两者。"),
    "eval_conf_title": ("How sure is it, when right and when wrong?", "答对和答错时，它有多大把握？"),
    "eval_right": ("right", "答对"),
    "eval_wrong": ("wrong", "答错"),
    "eval_conf_x": ("confidence of its answer", "对答案的把握"),
    "eval_conf_caption": ("When it is wrong it is still {p:.0%} sure (median); {share:.0%} of its mistakes are "
                          "over 90% sure.",
                          "答错时它的把握中位数仍有 {p:.0%}；{share:.0%} 的错误把握超过 90%。"),
    "eval_rel_title": ("How sure, against how often right", "有多大把握，与实际答对多少"),
    "eval_rel_x": ("how sure it was (its top probability)", "它的把握（最高的概率）"),
    "eval_rel_y": ("how often it was right", "实际答对的比例"),
    "eval_rel_bars": ("share right", "答对的比例"),
    "eval_rel_diag": ("as sure as it is right", "把握与正确率相等"),
    "eval_rel_caption": ("Each bar holds the answers given with about that confidence: its height is how many "
                         "of them were right, the number on it how many there were. A model whose bars touch the "
                         "diagonal means what it says: when it is 90% sure, it is right 9 times in 10. Here the "
                         "bars are {ece:.2%} off the diagonal on average (the expected calibration error).",
                         "每根柱子汇集了把握大致相同的回答：柱子的高度是其中答对的比例，柱上的数字是回答的个数。"
                         "柱子贴着对角线的模型说话算数：它有 90% 把握时，十次里对九次。"
                         "这里的柱子平均偏离对角线 {ece:.2%}（期望校准误差）。"),
    "eval_gallery_title": ("Its mistakes", "它的错误"),
    "eval_any": ("any", "全部"),
    "eval_all_mistakes": ("All mistakes", "全部错误"),
    "eval_gallery_count": ("{n:,} images; the {shown} it was surest about first.",
                           "共 {n:,} 张；先显示它最有把握的 {shown} 张。"),
    "eval_compare_title": ("Two models, the same images", "两个模型，同一批图片"),
    "eval_compare_hint": ("The Draw page compares the models on one drawing; this compares them on all {n:,} images.",
                          "手写识别页在一张图上比较两个模型；这里在全部 {n:,} 张图片上比较。"),
    "eval_only_wrong": ("Only {name} wrong", "只有 {name} 错"),
    "eval_both_wrong": ("Both wrong", "两个都错"),
    "eval_both_say": ("#{n}: {label} → {a} / {b}", "第 {n} 张：{label} → {a} / {b}"),
    "eval_kaggle_title": ("Kaggle: label a test.csv", "Kaggle：给 test.csv 打标签"),
    "eval_kaggle_hint": ("As seeds 000 and 002 do: upload the competition's test.csv (pixel0…pixel783), pick a model "
                         "and download submission.csv (ImageId, Label).",
                         "和教程 000、002 一样：上传比赛的 test.csv（pixel0…pixel783），选择模型，"
                         "下载 submission.csv（ImageId, Label）。"),
    "eval_kaggle_upload": ("test.csv", "test.csv"),
    "eval_kaggle_model": ("Model for the submission", "用于提交的模型"),
    "eval_kaggle_reading": ("Reading and labelling…", "正在读取并识别……"),
    "eval_kaggle_done": ("{n:,} images labelled by {name}.", "{name} 已识别 {n:,} 张图片。"),
    "eval_kaggle_download": ("Download submission.csv", "下载 submission.csv"),
    # Kaggle CSV problems: model.kaggle.CSVError kinds
    "csv_at_cell": ("Line {line}, column {column}: {reason}", "第 {line} 行，{column} 列：{reason}"),
    "csv_at_line": ("Line {line}: {reason}", "第 {line} 行：{reason}"),
    "csv_empty": ("the file is empty.", "文件是空的。"),
    "csv_utf16": ("the file is UTF-16 text. Save it as “CSV UTF-8 (comma delimited)”.",
                  "文件是 UTF-16 编码。请另存为“CSV UTF-8（逗号分隔）”。"),
    "csv_binary": ("this is not a text file. Is it really a CSV?", "这不是文本文件。它真的是 CSV 吗？"),
    "csv_header": ("the header is not the Kaggle format ({what}).", "表头不是 Kaggle 的格式（{what}）。"),
    "csv_too_long": ("the line is longer than {limit:,} bytes.", "这一行超过 {limit:,} 字节。"),
    "csv_too_many": ("more than {limit:,} rows.", "超过 {limit:,} 行。"),
    "csv_blank": ("more than {limit:,} blank lines: is it really a Kaggle CSV?",
                  "空行超过 {limit:,} 行：这真的是 Kaggle 的 CSV 文件吗？"),
    "eval_worker_failed": ("The scoring process stopped before it finished (out of memory?). Try again, or "
                           "use a smaller file.", "评分进程中途停止了（内存不足？）。请重试，或换一个小一点的文件。"),
    "csv_count": ("{got} values, expected {expected}.", "有 {got} 个值，应为 {expected} 个。"),
    "csv_not_number": ("“{cell}” is not a whole number.", "“{cell}”不是整数。"),
    "csv_range": ("{value} is outside {lo}–{hi}.", "{value} 超出了 {lo}–{hi} 的范围。"),
}
