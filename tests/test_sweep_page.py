"""The Sweep page under AppTest: the article's defaults, refusal of bad widths, a start from the
button, a finished sweep's best cell, table and downloads, "train this one fully", delete."""


from jobs import queue as jobs
from sweep import job as sweep_jobs
from sweep.core import ARTICLE, SweepConfig
from tests import apptest
from train import run as train_run


def open_page(lang="en"):
    return apptest.open_page("app_pages/sweep.py", lang)


def test_defaults_are_the_articles_and_bad_widths_get_a_sentence(sweep_root):
    at = open_page()
    assert at.multiselect(key="sweep_ks").value == list(ARTICLE.ks)
    assert (at.number_input(key="sweep_m_from").value, at.number_input(key="sweep_m_to").value) == (10, 297)
    assert at.number_input(key="sweep_epochs").value == 2 and at.number_input(key="sweep_lr").value == 0.01
    assert any("288 models" in c.value for c in at.caption)
    assert any(i.value.startswith("No sweep yet") for i in at.info)
    at.radio(key="sweep_m_mode").set_value("list").run()
    at.text_input(key="sweep_m_text").set_value("8, lots").run()
    assert not at.exception
    assert any("whole numbers separated by commas" in e.value for e in at.error)
    assert at.button(key="sweep_start").disabled
    at.radio(key="sweep_backend").set_value("numpy").run()
    at.text_input(key="sweep_m_text").set_value("8").run()
    at.selectbox(key="sweep_activation").set_value("relu").run()
    assert any("sigmoid layers only" in e.value for e in at.error)


def test_start_from_the_button(sweep_root):
    at = open_page()
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
    at = open_page()
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
