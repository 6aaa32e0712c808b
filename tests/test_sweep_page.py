"""The Sweep page under AppTest: the article's defaults, refusal of bad widths, a start from the
button, a finished sweep's best cell, table and downloads, "train this one fully", delete; the
projected time and the study's confirmation; a student's forged clicks; the figures' empty and
in-progress states; Chinese wording."""


import pytest

from jobs import queue as jobs
from sweep import job as sweep_jobs
from sweep.config import ARTICLE, SweepConfig
from tests import apptest
from train import run as train_run
from ui.sweep import figures as sweep_figures
from ui.text.sweep import SWEEP_TEXT

PAGE = "app_pages/sweep.py"


def test_defaults_are_the_articles_and_bad_widths_get_a_sentence(sweep_root):
    at = apptest.open_page(PAGE)
    assert at.multiselect(key="sweep_ks").value == list(ARTICLE.ks)
    assert (at.number_input(key="sweep_m_from").value, at.number_input(key="sweep_m_to").value) == (10, 297)
    assert at.number_input(key="sweep_epochs").value == 2 and at.number_input(key="sweep_lr").value == 0.01
    assert any("288 models" in c.value and "on this machine: an estimate" in c.value for c in at.caption)
    assert any(i.value.startswith("No sweep yet") for i in at.info)
    at.radio(key="sweep_m_mode").set_value("list").run()
    at.text_input(key="sweep_m_text").set_value("8, lots").run()
    assert not at.exception
    assert any("whole numbers separated by commas" in e.value for e in at.error)
    assert at.button(key="sweep_start").disabled
    at.text_input(key="sweep_m_text").set_value("1:1000000000").run()  # refused from its numbers, not built
    assert not at.exception and any("whole numbers separated by commas" in e.value for e in at.error)
    at.radio(key="sweep_backend").set_value("numpy").run()
    at.text_input(key="sweep_m_text").set_value("8").run()
    at.selectbox(key="sweep_activation").set_value("relu").run()
    assert any("sigmoid layers only" in e.value for e in at.error)


def test_start_from_the_button(sweep_root):
    at = apptest.open_page(PAGE)
    at.radio(key="sweep_m_mode").set_value("list").run()
    at.text_input(key="sweep_m_text").set_value("8, 12").run()
    at.number_input(key="sweep_epochs").set_value(1).run()
    at.number_input(key="sweep_subset").set_value(500).run()
    at.radio(key="sweep_backend").set_value("numpy").run()
    at.button(key="sweep_start").click().run()
    (info,) = sweep_jobs.list_sweeps()
    assert info.config.ms == (8, 12) and info.config.backend == "numpy" and info.config.epochs == 1
    assert sweep_jobs.wait(info.folder, 300).state == "done"
    assert [r["m"] for r in sweep_jobs.rows(info.folder)] == [8, 12]


def test_a_finished_sweep_its_best_table_downloads_and_train_fully(sweep_root, mnist):
    cfg = SweepConfig(ks=(1, 2), ms=(8, 16), epochs=1, lr=1.0, l2=0.1, subset=2000, backend="numpy")
    folder = sweep_jobs.create(cfg, name="tiny")
    sweep_jobs.execute(folder, data=mnist)
    rows = sweep_jobs.rows(folder)
    best = max(rows, key=lambda r: r["val_acc"])
    at = apptest.open_page(PAGE)
    assert any(s.value.startswith(f"Best: k = {best['k']}, m = {best['m']}: {best['val_acc']:.2%} validation")
               for s in at.success)
    table = at.dataframe[0].value
    assert list(table["m"]) == [r["m"] for r in rows] and list(table["test_acc"]) == [r["test_acc"] for r in rows]
    assert at.selectbox(key="sweep_cell").value == (best["k"], best["m"])
    at.button(key="sweep_train_fully").click().run()
    (run,) = train_run.list_runs()
    assert run.name == f"seed004 k={best['k']} m={best['m']}" and run.preset == "seed004-mlp"
    assert run.config["model"]["hidden"] == [best["m"]] * best["k"] and run.config["epochs"] == 30
    jobs.stop(run.folder)

    at.multiselect(key="sweep_chosen").set_value([folder.name]).run()
    assert not at.exception and len(at.get("plotly_chart")) >= 3  # lines, heatmap, comparison
    at.button(key="sweep_delete").click().run()
    assert not folder.exists() and any(i.value.startswith("No sweep yet") for i in at.info)


def test_the_whole_study_waits_behind_a_confirmation_with_its_time(sweep_root):
    at = apptest.open_page(PAGE)
    at.button(key="sweep_study").click().run()
    assert not at.exception and not sweep_jobs.list_sweeps()  # nothing started yet
    (box,) = [w for w in at.warning if "2,325 models" in w.value]
    assert "On this machine" in box.value and "about" in box.value and "estimate" in box.value
    at.button(key="sweep_study_no").click().run()
    assert not any("2,325 models" in w.value for w in at.warning) and not sweep_jobs.list_sweeps()


def forged_click(at, key: str) -> None:
    """A click on `key` from a session that is not the teacher's: the button is drawn for a teacher, then
    the session loses the role and the click arrives (AppTest itself refuses to click a disabled button)."""
    at.session_state["role_teacher"] = True
    at.run()
    assert not at.button(key=key).disabled, key
    at.session_state["role_teacher"] = False
    at.button(key=key).click().run()
    assert not at.exception


def test_a_students_forged_clicks_start_stop_and_delete_nothing(sweep_root, mnist, monkeypatch):
    """With a teacher key set and not shown, the session is a student's: the controls are disabled, and a
    click sent anyway does nothing, since the role is checked where each action happens."""
    monkeypatch.setenv("DIGITLAB_TEACHER_KEY", "s3cret-key")
    cfg = SweepConfig(ks=(1,), ms=(8,), epochs=1, lr=1.0, l2=0.1, subset=500, backend="numpy")
    folder = sweep_jobs.create(cfg, name="done one")
    sweep_jobs.execute(folder, data=mnist)
    at = apptest.open_page(PAGE)
    assert any("Only the teacher" in i.value for i in at.info)
    for key in ("sweep_start", "sweep_study", "sweep_train_fully"):
        assert at.button(key=key).disabled, key
    forged_click(at, "sweep_start")
    forged_click(at, "sweep_study")
    assert not any("2,325 models" in w.value for w in at.warning)
    forged_click(at, "sweep_train_fully")
    at.multiselect(key="sweep_chosen").set_value([folder.name]).run()
    assert at.button(key="sweep_delete").disabled
    forged_click(at, "sweep_delete")
    assert [s.folder for s in sweep_jobs.list_sweeps()] == [folder] and folder.exists() and not train_run.list_runs()


def test_an_empty_or_waiting_chart_draws_no_axes():
    for fig in (sweep_figures.lines_figure({}, "title", "accuracy"),
                sweep_figures.heatmap_figure({}, [1], [8, 16], "title")):
        assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False and not fig.data


def test_done_of_cells_agrees_with_the_points_plotted():
    """Four cells at their first epoch, none finished: "0 of 4 done, 4 training", four hollow points."""
    events = [{"kind": "start", "cells": 4}, {"kind": "epoch", "k": 1, "widths": [8, 16, 32, 64], "epoch": 1,
                                               "val": [0.5, 0.6, 0.7, 0.8], "seconds": 2.0}]
    p = sweep_figures.progress(events, epochs=2)
    assert (p["done"], p["training"], p["cells"]) == (0, 4, 4)
    fig = sweep_figures.lines_figure(sweep_figures.cell_scores(events), "t", "acc", done=sweep_figures.finished(events))
    assert list(fig.data[0].marker.symbol) == ["circle-open"] * 4
    events.append({"kind": "row", "k": 1, "m": 8, "val_acc": 0.55, "test_acc": 0.5})
    fig = sweep_figures.lines_figure(sweep_figures.cell_scores(events), "t", "acc", done=sweep_figures.finished(events))
    assert list(fig.data[0].marker.symbol) == ["circle"] + ["circle-open"] * 3
    assert sweep_figures.progress(events, epochs=2)["done"] == 1


@pytest.mark.parametrize("key", sorted(SWEEP_TEXT))
def test_the_source_tutorial_is_never_the_random_seed_in_chinese(key):
    en, zh = SWEEP_TEXT[key]
    assert "种子" not in zh, (key, zh)  # 种子 is the random seed; seed 004 is the tutorial: 教程 004 / 原文
