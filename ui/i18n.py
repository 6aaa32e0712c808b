"""Every string the app shows, in English and Chinese. Pages call `t("key", **values)`, never literals.

The strings live in tables of key → (English, 中文): the common ones here, each page's in `ui/text/<page>.py`.
`merge` is the one loader: it refuses a key that two tables define (a silent overwrite would show one page
another page's words). `tests/test_i18n.py` checks the rest: no key twice within a table, both languages for
every key with the same placeholders, and every key the code asks for exists.
The language lives in `st.session_state["lang"]`, owned by the sidebar switch in app.py.
"""

from __future__ import annotations

import streamlit as st

from ui.text.draw import DRAW_TEXT
from ui.text.evaluate import EVALUATE_TEXT
from ui.text.explain import EXPLAIN_TEXT
from ui.text.jobs import JOB_TEXT
from ui.text.roles import ROLES_TEXT
from ui.text.sweep import SWEEP_TEXT
from ui.text.train import TRAIN_TEXT
from ui.text.wall import WALL_TEXT

LANGS = {"en": "English", "zh": "中文"}
# selectboxes whose choices are translated: app.py re-sets them when the language changes, because the
# browser keeps showing a dropdown's old text until its value is set again
TRANSLATED_DROPDOWNS = ("train_loss", "train_schedule", "train_split", "train_early", "train_device",
                        "eval_model_b", "eval_true", "eval_pred")

COMMON: dict[str, tuple[str, str]] = {  # key: (English, 中文)
    "language": ("Language", "语言"),
    "device": ("Device", "设备"),
    "threads": ("{n} threads", "{n} 个线程"),
    "page_draw": ("Draw", "手写识别"),
    "page_train": ("Train", "训练"),
    "draw_title": ("Draw a digit", "写一个数字"),
    "draw_hint": ("Draw one digit (0–9) in the box. The models answer when you lift the mouse or finger.",
                  "在方框里写一个数字（0–9），松开鼠标或手指后模型就会回答。"),
    "tab_single": ("One digit", "单个数字"),
    "tab_number": ("A number", "多位数"),
    "tab_upload": ("Upload a photo", "上传照片"),
    "brush": ("Brush width", "笔刷粗细"),
    "clear": ("Clear", "清空"),
    "undo_hint": ("Undo and redo are in the canvas toolbar.", "撤销和重做在画布的工具栏里。"),
    "model_sees": ("What the model sees", "模型看到的图像"),
    "model_sees_help": ("Your drawing, cropped, scaled to 20 px and centred in 28×28 pixels, like MNIST.",
                        "你的笔迹被裁剪、缩放到 20 像素，并在 28×28 像素中居中，和 MNIST 一样。"),
    "crop_box": ("The part that was read", "被识别的区域"),
    "show_crop": ("Show crop box", "显示裁剪框"),
    "empty": ("Nothing to read yet: draw a digit.", "还没有可识别的内容：请写一个数字。"),
    "specks": ("Only a few specks here: draw a whole digit.", "这里只有几个小点：请写一个完整的数字。"),
    "pick_model": ("{slot} model", "{slot} 模型"),
    "shipped": ("shipped", "内置"),
    "run": ("trained here", "本地训练"),
    "confidence": ("{p:.0%} sure", "把握 {p:.0%}"),
    "unsure": ("This model is not sure", "这个模型没有把握"),  # about the model: a weak one is unsure of a clear 7
    "both_say": ("Both say {d}", "两个模型都认为是 {d}"),
    "disagree": ("They disagree: {a} says {da}, {b} says {db}", "意见不一：{a} 认为是 {da}，{b} 认为是 {db}"),
    "digit": ("digit", "数字"),
    "number_hint": ("Write a number such as 2026 across the box, digits side by side.",
                    "在方框里从左到右写一个多位数，例如 2026。"),
    "number_reads": ("{name} reads", "{name} 读出"),
    "per_digit": ("Each digit, with how sure the model is", "每一位数字及模型的把握"),
    "upload_hint": ("A photo or scan of one digit written on paper (PNG or JPEG).",
                    "上传一张纸上手写数字的照片或扫描件（PNG 或 JPEG）。"),
    "upload_label": ("Choose an image", "选择图片"),
    "img_unreadable": ("This file is not a readable PNG or JPEG image, or it is damaged. Try another photo.",
                       "这个文件不是可读取的 PNG 或 JPEG 图片，或者已经损坏。请换一张照片。"),
    "img_too_large": ("This image is too large ({w} × {h} pixels). Please use one under {limit:,} pixels.",
                      "图片太大（{w} × {h} 像素）。请使用小于 {limit:,} 像素的图片。"),
    "img_missing": ("The file could not be found.", "找不到这个文件。"),
    "your_image": ("Your image", "你的图片"),
    "no_models": ("No model could be loaded: {err}. Run the setup command from README again.",
                  "无法加载模型：{err}。请重新运行 README 中的安装命令。"),
    "model_error": ("{name} could not be loaded: {err}", "无法加载 {name}：{err}"),
    "test_acc": ("MNIST test accuracy {acc:.2%}", "MNIST 测试准确率 {acc:.2%}"),
    "page_explore": ("Explore", "浏览数据"),
    "explore_title": ("Explore MNIST", "浏览 MNIST"),
    "explore_balance": ("How many images of each digit", "每个数字有多少张图片"),
    "explore_train": ("training set (60,000)", "训练集（60,000）"),
    "explore_test": ("test set (10,000)", "测试集（10,000）"),
    "explore_samples": ("Random training images, with their labels", "随机的训练图片及其标签"),
    "explore_shuffle": ("Show others", "换一批"),
    "explore_predictions": ("A model on the test set", "模型在测试集上的表现"),
    "explore_model": ("Model", "模型"),
    "explore_only_wrong": ("Only its mistakes", "只看错误"),
    "explore_score": ("{acc:.2%} right: {wrong} of {n:,} test images wrong. Blue bars: right; red: wrong; "
                      "the dark mark shows the true digit.",
                      "正确率 {acc:.2%}：{n:,} 张测试图片中错了 {wrong} 张。蓝色表示答对，红色表示答错；"
                      "深色标记是真正的数字。"),
    "explore_tile": ("#{n}: {label} → {pred} ({p:.0%})", "第 {n} 张：{label} → {pred}（{p:.0%}）"),
}


def merge(tables: dict[str, dict[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """One table of every string from {where: table}; a key defined in two tables is refused, naming both."""
    merged: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for name, table in tables.items():
        for key, pair in table.items():
            if key in merged:
                raise ValueError(f"translation key {key!r} is defined twice: in {where[key]} and in {name}")
            merged[key], where[key] = pair, name
    return merged


TABLES = {"ui.i18n": COMMON, "ui.text.draw": DRAW_TEXT, "ui.text.train": TRAIN_TEXT,
          "ui.text.evaluate": EVALUATE_TEXT, "ui.text.explain": EXPLAIN_TEXT, "ui.text.sweep": SWEEP_TEXT,
          "ui.text.jobs": JOB_TEXT, "ui.text.roles": ROLES_TEXT, "ui.text.wall": WALL_TEXT}
TEXT = merge(TABLES)


def lang() -> str:
    return st.session_state.get("lang", "en")


def t(key: str, **values) -> str:
    en, zh = TEXT[key]
    text = zh if lang() == "zh" else en
    return text.format(**values) if values else text
