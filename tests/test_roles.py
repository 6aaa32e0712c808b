"""The teacher holds the controls (ui/roles.py, scripts/start.py): the key, the teacher link, and a student's
session that cannot start, stop or delete a run, even with a forged widget event (AppTest sends the click a
disabled button would never send)."""

import importlib.util
import sys

import pytest
from streamlit.testing.v1 import AppTest

from model.paths import REPO
from tests.apptest import open_page
from train import run as train_run

KEY = "s3cret-key-for-tests"
spec = importlib.util.spec_from_file_location("start", REPO / "scripts" / "start.py")
start = importlib.util.module_from_spec(spec)
spec.loader.exec_module(start)


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("DIGITLAB_TEACHER_KEY", KEY)


def texts(at) -> str:
    return " ".join(str(e.value) for kind in ("error", "caption", "markdown", "warning", "info")
                    for e in getattr(at, kind))


def small_run(at) -> None:
    """A run that trains in seconds, should the test's click start one."""
    at.number_input(key="train_epochs").set_value(1)
    at.number_input(key="train_subset").set_value(3000)
    at.run()


def test_check_key_matches_only_the_key(keyed, monkeypatch):
    from ui import roles
    assert roles.check_key(KEY)
    for wrong in (None, "", KEY[:-1], KEY + "x", KEY.upper(), " " + KEY):
        assert not roles.check_key(wrong), wrong
    monkeypatch.delenv("DIGITLAB_TEACHER_KEY")
    assert not roles.check_key("") and not roles.check_key(KEY)  # no key: nothing matches


def forge(button):
    """Click as a hand-made websocket message would, whatever the page drew (AppTest refuses a disabled one)."""
    button.proto.disabled = False
    return button.click()


def test_a_students_forged_start_changes_nothing(runs, keyed):
    at = open_page("app_pages/train.py")
    assert at.button(key="train_submit").disabled  # what a student sees
    small_run(at)
    forge(at.button(key="train_submit")).run()
    assert train_run.list_runs(runs) == []  # Streamlit drops a value for a widget it drew disabled


def test_the_actions_check_the_role_even_when_a_button_is_not_disabled(runs, keyed, tiny_cfg, monkeypatch):
    """Where the action happens: a page that forgot `disabled=` (or a race) still refuses a student."""
    from ui import roles
    monkeypatch.setattr(roles, "locked", lambda: False)
    at = open_page("app_pages/train.py")
    small_run(at)
    at.button(key="train_submit").click().run()
    assert train_run.list_runs(runs) == [] and "Only the teacher can do this" in texts(at)

    folder = train_run.submit(tiny_cfg(epochs=50), name="the teacher's", root=runs)
    at.run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith(f"train_card_{folder.name}_"))).click()
    at.run()
    assert not (folder / "STOP").exists() and train_run.list_runs(runs)[0].state != "stopped"
    assert "Only the teacher can do this" in texts(at)


def test_the_teacher_link_claims_and_leaves_the_address_bar(runs, keyed):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["teacher"] = KEY
    at.run()
    assert "teacher" not in at.query_params  # the projected address bar no longer holds the key
    assert KEY not in texts(at) and "You hold the teacher's controls" in texts(at)
    at.switch_page("app_pages/train.py").run()
    small_run(at)
    assert not at.button(key="train_submit").disabled
    at.button(key="train_submit").click().run()
    assert len(train_run.list_runs(runs)) == 1 and not at.exception


def test_a_wrong_link_or_typed_key_leaves_a_student(runs, keyed):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["teacher"] = "guess"
    at.run()
    assert "teacher" not in at.query_params and "not the teacher key" in texts(at)
    field = at.text_input(key="role_key_input")
    field.input("guess").run()
    assert "not the teacher key" in texts(at) and at.text_input(key="role_key_input").value == ""
    at.text_input(key="role_key_input").input(KEY).run()
    assert "You hold the teacher's controls" in texts(at) and "not the teacher key" not in texts(at)


def test_no_key_on_this_computer_only_is_the_teacher(runs, monkeypatch):
    monkeypatch.delenv("DIGITLAB_TEACHER_KEY", raising=False)
    at = open_page("app_pages/train.py")
    assert not at.button(key="train_submit").disabled and "You hold the teacher's controls" in texts(at)


def test_the_sidebar_speaks_chinese_to_a_student(runs, keyed):
    at = open_page("app_pages/train.py", lang="zh")
    assert "学生视图" in texts(at) and at.button(key="train_submit").disabled


def test_the_launcher_makes_a_key_for_the_class_and_prints_the_teacher_link(monkeypatch):
    lan, rest = start.split_args(["--lan", "--server.port", "8600"])
    assert lan and rest == ["--server.port", "8600"] and start.given_port(rest) == 8600
    key = start.teacher_key(True, {})
    assert len(key) >= 20 and key != start.teacher_key(True, {})  # random, one per start
    assert start.teacher_key(True, {"DIGITLAB_TEACHER_KEY": " mine "}) == "mine"
    assert start.teacher_key(False, {}) is None  # this computer only, no key: its one user is the teacher
    cmd = start.command(True, 8600, rest)
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", "app.py"]
    assert cmd[5:] == ["--server.address", "0.0.0.0", "--server.port", "8600"]
    assert start.command(False, 8502, [])[5:] == ["--server.address", "127.0.0.1", "--server.port", "8502"]
    lines = "\n".join(start.links(True, 8600, key))
    assert f"/?teacher={key}" in lines and "Students open:  http://" in lines and ":8600" in lines
    assert "teacher=" not in "\n".join(start.links(False, 8600, None))
    with pytest.raises(SystemExit, match="port number"):
        start.given_port(["--server.port", "80a"])


def test_which_servers_count_as_this_computer_only(monkeypatch):
    from streamlit import config

    from ui import roles
    real = config.get_option

    def options(values):
        monkeypatch.setattr(roles.st, "get_option", lambda k: values[k] if k in values else real(k))
        monkeypatch.setattr(config, "is_manually_set", lambda k: k in values)
    for address, local in [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
                           ("0.0.0.0", False), ("", False), ("192.168.1.20", False), ("school-pc", False)]:
        options({"server.address": address})
        assert roles.local_only() is local, address
    # a server behind an address given to students (a proxy, a hostname) is not this computer only
    options({"server.address": "127.0.0.1", "browser.serverAddress": "lab.school", "server.port": 8600})
    assert not roles.local_only() and roles.join_url().startswith("http://lab.school:8600/?lang=")
