"""The Train page under AppTest: the form, refusal of absurd settings, and a submit that makes a run."""

import json
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from jobs import folder as rundir
from jobs import queue as jobs
from jobs.folder import RunState
from model.nets import CNNConfig, ConvBlock
from model.paths import REPO
from model.presets import PRESETS
from tests import apptest
from train import run as train_run
from ui.train import curves

PAGE = "app_pages/train.py"


def submit_button(at):
    return at.button(key="train_submit")


def forged_click(at):
    """Send a click on Start where the page shows it disabled, as a hostile browser could (AppTest's own
    refusal is lifted here). Streamlit drops a click on a button it drew disabled, and the form checks
    `roles.is_teacher()` again where the job is submitted."""
    button = submit_button(at)
    button.proto.disabled = False
    button.click().run()


def test_the_form_offers_every_preset_with_its_reported_figure(runs):
    at = apptest.open_page(PAGE)
    assert at.title[0].value == "Train a model"
    assert at.selectbox(key="train_preset").options == [p.title for p in PRESETS.values()]
    assert at.selectbox(key="train_preset").value == "quick"  # the page opens on the recipe a class can watch
    assert any(c.value.startswith("Digit Lab's own recipe · A small CNN") for c in at.caption)
    at.selectbox(key="train_preset").set_value("lenet5").run()
    assert any("LeNet-5" in c.value for c in at.caption)
    assert any(PRESETS["lenet5"].reported in c.value for c in at.caption)
    # the training settings follow the preset
    assert at.selectbox(key="train_optimizer").value == "sgd" and at.number_input(key="train_lr").value == 0.05
    assert at.number_input(key="train_epochs").value == 20
    assert not submit_button(at).disabled and not at.error


@pytest.mark.parametrize("key, value, message", [
    ("train_lr", 1e6, "learning rate must be above 0"),
    ("train_lr", 0.0, "learning rate must be above 0"),
    ("train_batch", 0, "batch size must be between 1"),
    ("train_epochs", 10_000, "Epochs must be between 1 and 1,000"),
])
def test_absurd_settings_are_refused_next_to_the_field(runs, key, value, message):
    at = apptest.open_page(PAGE)
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert submit_button(at).disabled


def test_unwise_settings_are_warned_and_impossible_combinations_explained(runs):
    at = apptest.open_page(PAGE)
    at.number_input(key="train_lr").set_value(5.0).run()  # adamax at lr 5: allowed, but warned
    assert any("very high" in w.value for w in at.warning) and not submit_button(at).disabled
    at.selectbox(key="train_early").set_value("val").run()  # needs a validation split
    assert any("50k / 10k / 10k" in e.value for e in at.error) and submit_button(at).disabled
    at.selectbox(key="train_split").set_value(10_000).run()
    assert not at.error and not submit_button(at).disabled


@pytest.mark.parametrize("lang, long, high", [
    ("en", "150 epochs will take a long time.", "A learning rate of 2 is very high for adam"),
    ("zh", "150 轮训练会花很长时间。", "对 adam 来说，学习率 2 太高了"),
])
def test_unwise_settings_are_warned_about_in_the_readers_language(runs, lang, long, high):
    # the fields are set through session state: AppTest formats a Chinese picker's value outside the
    # page's run, in English, and then cannot find it among the Chinese options
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("app_pages/train.py")
    c = PRESETS["seed001-mlp"].train
    for key, value in {"train_preset": "seed001-mlp", "train_optimizer": "adam", "train_lr": 2.0,
                       "train_batch": c.batch_size, "train_epochs": 150, "train_l2": c.weight_decay,
                       "train_loss": c.loss, "train_schedule": c.schedule, "train_augment": c.augment,
                       "train_early": c.early_stopping, "train_split": 10_000 if c.val_size else 0,
                       "train_seed": c.seed, "train_device": "auto", "train_subset": 0}.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [w.value for w in at.warning]
    assert long in shown and any(w.startswith(high) for w in shown), shown
    assert not submit_button(at).disabled  # unwise, not impossible


def test_a_cnn_that_shrinks_the_image_to_nothing_is_explained(runs, monkeypatch):
    at = apptest.open_page(PAGE)
    at.segmented_control(key="train_arch").set_value("cnn").run()
    at.number_input(key="train_cnn_blocks").set_value(3).run()
    at.selectbox(key="train_cnn_kernel").set_value(7).run()
    assert not at.error  # the form's CNN keeps 'same' padding, so its deepest choice fits: 28 → 14 → 7 → 3
    assert not submit_button(at).disabled
    # a recipe whose 'valid' 7×7 convolutions do shrink it (28 → 11 → 2 → nothing) is refused with the reason
    base = PRESETS["lenet5"]
    blocks = (ConvBlock(8, kernel=7, padding="valid"),) * 3
    monkeypatch.setitem(PRESETS, "too-deep", replace(base, name="too-deep", title="Too deep", train=replace(
        base.train, preset="too-deep", model=CNNConfig(blocks=blocks, dense=(), input="standard"))))
    at = apptest.open_page(PAGE)
    at.selectbox(key="train_preset").set_value("too-deep").run()
    assert not at.exception
    assert any("block 3 shrinks the 28×28 image to nothing" in e.value for e in at.error), [e.value for e in at.error]
    assert submit_button(at).disabled


def test_a_valid_submit_creates_a_run_directory_and_shows_the_job(runs):
    at = apptest.open_page(PAGE)
    at.segmented_control(key="train_arch").set_value("mlp").run()
    at.number_input(key="train_mlp_k").set_value(1).run()
    at.number_input(key="train_mlp_m").set_value(32).run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.number_input(key="train_subset").set_value(2000).run()
    at.selectbox(key="train_device").set_value("cpu").run()
    at.text_input(key="train_name").input("class demo").run()
    submit_button(at).click().run()
    assert not at.exception, [e.value for e in at.exception]
    folders = [d for d in runs.iterdir() if d.is_dir()]
    assert len(folders) == 1
    config = json.loads((folders[0] / "config.json").read_text())
    assert config["name"] == "class demo" and config["model"]["hidden"] == [32] and config["subset"] == 2000
    assert config["preset"] == "custom-mlp" and config["device"] == "cpu"
    run = jobs.wait(folders[0], 90)
    assert run.state == "done", (run.status, (folders[0] / "log.txt").read_text())
    at.run()  # the history lists it with its test accuracy, and the live view shows the result
    assert any("class demo" in str(df.value) for df in at.dataframe)
    assert any("Test accuracy" in s.value for s in at.success)


def test_the_page_speaks_chinese(runs):
    at = apptest.open_page(PAGE, "zh")
    assert at.title[0].value == "训练一个模型"
    assert submit_button(at).label == "开始训练"
    assert at.selectbox(key="train_preset").options[0] == "快速 CNN：看它学习"
    captions = [c.value for c in at.caption]
    assert "原文报告：LeCun 1998：更小的 CNN LeNet-1，错误率 1.7% → 98.3%" in captions, captions
    assert any(i.value.startswith("在这台电脑上需要约") for i in at.info), [i.value for i in at.info]
    assert any(c.value.startswith("Digit Lab 自己的配方 · 一个小 CNN") for c in at.caption), captions


EVENTS = [{"kind": "start", "n_train": 1000, "epochs": 2},
          {"kind": "step", "epoch": 1, "seen": 500, "acc": 0.5, "loss": 1.5, "lr": 0.1},
          {"kind": "step", "epoch": 1, "seen": 1000, "acc": 0.8, "loss": 0.7, "lr": 0.1},
          {"kind": "epoch", "epoch": 1, "train_acc": 0.65, "test_acc": 0.85, "test_loss": 0.5},
          {"kind": "step", "epoch": 2, "seen": 1300, "acc": 0.9, "loss": 0.4, "lr": 0.05},
          {"kind": "epoch", "epoch": 2, "train_acc": 0.9, "test_acc": 0.88, "test_loss": 0.45}]  # stopped at 1.3


def test_curves_put_steps_within_epochs_and_an_early_stop_where_it_happened():
    s = curves.series(EVENTS)
    assert s["step_x"] == [0.5, 1.0, 1.3] and s["epoch_x"] == [1.0, 1.3]
    fig = curves.accuracy_figure(EVENTS, "#2563eb", reported=0.98)
    assert [tr.name for tr in fig.data] == ["train", "test"] and list(fig.data[1].y) == [0.85, 0.88]
    assert fig.data[0].line.color == "#2563eb"


def test_compared_runs_keep_their_family_colours():
    fig = curves.compare_figure([("a", "mlp", EVENTS), ("b", "cnn", EVENTS), ("c", "mlp", EVENTS)])
    shown = [tr for tr in fig.data if tr.showlegend is not False]
    assert [tr.name for tr in shown] == ["a", "b", "c"]
    assert shown[0].line.color == curves.SHADES["mlp"][0] and shown[1].line.color == curves.SHADES["cnn"][0]
    assert shown[2].line.color != shown[0].line.color  # a second MLP gets another shade of blue


def test_every_preset_has_a_chinese_description():
    from model.presets import PRESETS
    from ui.text.train import PRESET_ZH, REPORTED_ZH, TITLE_ZH
    for table in (PRESET_ZH, TITLE_ZH, REPORTED_ZH):
        assert set(table) == set(PRESETS) and all(table.values())
    # a source tutorial is 教程 (or 原文), never 种子: that word is the random seed
    assert not any("种子" in text for table in (PRESET_ZH, TITLE_ZH, REPORTED_ZH) for text in table.values())
    assert REPORTED_ZH["seed001-mlp"] == "验证集 98.00%，evaluate 99.16%（原文前后不一致）"


def test_every_configuration_shows_its_time_before_start(runs):
    at = apptest.open_page(PAGE)
    for name in ("quick", "seed001-mlp", "lenet5"):
        at.selectbox(key="train_preset").set_value(name).run()
        assert not at.exception, [e.value for e in at.exception]
        (shown,) = [i.value for i in at.info if i.value.startswith("Takes about")]
        assert "on this computer (measured here:" in shown and "training images a second" in shown, shown
    assert len(json.loads((runs / ".speed.json").read_text())) >= 3  # measured once each, kept for next time
    at.number_input(key="train_epochs").set_value(1000).run()  # lenet5 for 1,000 epochs outlasts any lesson
    assert any("longer than a lesson (10 min)" in w.value for w in at.warning), [w.value for w in at.warning]


def test_the_first_try_is_told_why_it_will_not_learn(runs):
    at = apptest.open_page(PAGE)
    at.selectbox(key="train_preset").set_value("seed004-mlp").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.number_input(key="train_subset").set_value(2000).run()
    shown = [w.value for w in at.warning]
    assert any(w.startswith("Too small to learn anything: only 200 learning steps") for w in shown), shown
    assert any("sees only 2,000 images in all" in w for w in shown), shown
    assert any(w.startswith("The article trained 30 epochs on 50,000 images; this run does 1 on 2,000") and
               "93.17%" in w for w in shown), shown
    assert not submit_button(at).disabled  # told, not refused


def test_a_cnn_too_big_for_memory_cannot_be_started_and_says_why(runs):
    """Issue 17: 256 filters, 3 blocks, 7×7, dense 4096, batch 60,000 left Start enabled, then died in the job."""
    at = apptest.open_page(PAGE)
    measured = set(json.loads((runs / ".speed.json").read_text()))
    # all at once, as a teacher's last change would leave them (each step alone would be measured)
    for key, value in {"train_arch": "cnn", "train_cnn_blocks": 3, "train_cnn_filters": 256, "train_cnn_kernel": 7,
                       "train_cnn_dense": 4096, "train_batch": 60_000}.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (err,) = [e.value for e in at.error]
    assert err.startswith("This run needs about") and "60,000 images at a time" in err and "free" in err, err
    assert submit_button(at).disabled
    forged_click(at)  # even a forged click queues nothing
    assert not [d for d in runs.iterdir() if d.is_dir()]
    assert set(json.loads((runs / ".speed.json").read_text())) == measured  # never measured, nor tried


def test_a_student_cannot_start_a_run_even_with_a_forged_click(runs, monkeypatch):
    monkeypatch.setenv("DIGITLAB_TEACHER_KEY", "k" * 24)  # a key is set and this session never showed it
    (runs / ".speed.json").unlink(missing_ok=True)
    at = apptest.open_page(PAGE)
    assert submit_button(at).disabled
    assert any(i.value.startswith("Only the teacher can start training") for i in at.info)
    assert any("once the teacher's screen has measured this model" in c.value for c in at.caption)
    assert not (runs / ".speed.json").exists()  # a student's form measures nothing
    forged_click(at)  # as a hostile page would send it
    assert not at.exception
    assert not [d for d in runs.iterdir() if d.is_dir()]


EVIL = ('<a href="http://evil.example" style="position:fixed;inset:0;z-index:9999">log in</a>'
        '<form action="http://evil.example"><input type="password"></form> [click](http://evil.example) '
        '![img](http://evil.example/x.png) **bold** $x^2$ :red[red]')


def all_text(at) -> list[str]:
    return [e.value for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success)]


def test_a_run_name_full_of_markup_shows_as_text(runs):
    """Every session watches every active run: a name must never become a link, a form or a heading."""
    from ui.safe_text import md
    waiting = train_run.submit(PRESETS["seed001-mlp"].train, name=EVIL, start=False)  # queued: shown to everyone
    failed = train_run.submit(PRESETS["seed001-mlp"].train, name=EVIL, start=False)
    rundir.write_status(failed, RunState.FAILED, error=EVIL)
    at = apptest.open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    texts = all_text(at)
    assert any(md(EVIL) in x for x in texts), texts  # the name, every character escaped
    for x in texts:
        assert "<a " not in x.replace("\\<a ", "") and "](http" not in x.replace("\\](http", "")
    for el in at.markdown:  # only the page's own constant style sheet may carry raw HTML
        assert not el.proto.allow_html or "evil" not in el.value, el.value
    assert md(EVIL) not in str([at.dataframe[0].value.to_dict()])  # the table shows the name itself…
    assert EVIL in at.dataframe[0].value.iloc[:, 0].tolist()  # …as plain cell text
    jobs.cancel(waiting)


def test_a_right_to_left_override_in_a_run_name_leaves_the_history_table_in_order(runs):
    train_run.submit(PRESETS["seed001-mlp"].train, name="evil\u202e 65.71%", start=False)
    at = apptest.open_page(PAGE)
    cells = [str(v) for v in at.dataframe[0].value.to_numpy().ravel()]
    assert "evil 65.71%" in cells and not any("\u202e" in c for c in cells), cells


def test_escaping_leaves_no_markup_alive():
    from ui.safe_text import md
    out = md(EVIL)
    # each markup character is escaped, so markdown renders it as itself
    for ch in "<>[]()!*$:":
        assert f"\\{ch}" in out and ch not in out.replace(f"\\{ch}", "")
    # and a bare address is no link either (Streamlit links http://… after unescaping): an invisible joiner
    assert "evil.example" in out.replace("\\", "") and "://" not in out.replace("\\", "")
