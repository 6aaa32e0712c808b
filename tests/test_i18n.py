"""Every string in both languages: one loader, no key twice, the same placeholders, and every key the code asks for."""

import ast
import re
import string

import pytest

from model.paths import REPO
from ui import i18n
from ui.i18n import TEXT, merge

TABLE_FILES = [REPO / "ui" / "i18n.py", *sorted(p for p in (REPO / "ui" / "text").glob("*.py") if p.stem != "__init__")]
CODE_FILES = [REPO / "app.py", *sorted((REPO / "app_pages").glob("*.py")), *sorted((REPO / "ui").rglob("*.py"))]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_merge_refuses_a_key_defined_in_two_tables():
    with pytest.raises(ValueError, match="'go' is defined twice: in a and in b"):
        merge({"a": {"go": ("Go", "走")}, "b": {"go": ("Start", "开始")}})
    assert merge({"a": {"go": ("Go", "走")}, "b": {"stop": ("Stop", "停")}}) == {"go": ("Go", "走"),
                                                                             "stop": ("Stop", "停")}


def test_every_text_module_is_loaded():
    """A table in `ui/text/` that i18n does not load would leave its keys missing at run time."""
    assert len(TABLE_FILES) > 8 and {f"ui.text.{p.stem}" for p in TABLE_FILES[1:]} <= set(i18n.TABLES)


@pytest.mark.parametrize("path", TABLE_FILES, ids=lambda p: str(p.relative_to(REPO / "ui")))
def test_no_key_is_written_twice_in_one_table(path):
    """A dict literal keeps the last of two equal keys without a word: read the source to find them."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            twice = {k for k in keys if keys.count(k) > 1}
            assert not twice, f"{path.name}: {sorted(twice)}"


def test_every_key_has_both_languages_with_the_same_placeholders():
    for key, pair in TEXT.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        en, zh = pair
        assert isinstance(en, str) and en.strip() and isinstance(zh, str) and zh.strip(), key
        assert fields(en) == fields(zh), f"{key}: {fields(en)} ≠ {fields(zh)}"


def test_chinese_never_calls_a_source_tutorial_a_random_seed():
    """'Seed 003' names a tutorial: 种子 is the random seed, so the tutorials are 教程 (or 原文) in Chinese."""
    wrong = {key: zh for key, (_, zh) in TEXT.items() if re.search(r"种子\s*0\d\d|[Ss]eed\s*0\d\d", zh)}
    assert not wrong, wrong


def test_every_key_the_code_asks_for_exists():
    """t("key") with a literal key, anywhere in the app: a typo would raise KeyError on the page."""
    asked = {}
    for path in CODE_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                asked.setdefault(node.args[0].value, str(path.relative_to(REPO)))
    missing = {key: where for key, where in asked.items() if key not in TEXT}
    assert len(asked) > 100 and not missing, missing
