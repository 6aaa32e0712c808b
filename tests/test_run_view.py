"""The live run card's words and the curves it draws, from events alone (no browser, no AppTest)."""

from types import SimpleNamespace

from ui.train import curves, run_view

ONE_EPOCH = [{"kind": "start", "n_train": 1000, "epochs": 1},
             *({"kind": "step", "epoch": 1, "seen": 50 * i, "acc": 0.5 + 0.02 * i, "loss": 2.0 - 0.08 * i,
                "lr": 0.1} for i in range(1, 21)),
             {"kind": "epoch", "epoch": 1, "train_acc": 0.8, "test_acc": 0.85, "test_loss": 0.5}]


def test_the_time_left_says_estimating_counts_down_then_finishing():
    assert run_view.time_left([{"kind": "step", "eta_s": None, "time": 100.0}]) == "estimating the time left…"
    assert run_view.time_left([{"kind": "step", "eta_s": 30.0}]) == "estimating the time left…"  # an old run
    ev = [{"kind": "step", "eta_s": 30.0, "time": 100.0}]
    assert run_view.time_left(ev, now=100.2) == "30 s left"
    assert run_view.time_left(ev, now=110.0) == "20 s left"  # scoring sends no events: the estimate counts down
    assert run_view.time_left(ev, now=131.0) == "finishing: scoring and saving…"  # never "0 s left" for 16 s
    after_scoring = ev + [{"kind": "epoch", "eta_s": 12.0, "time": 125.0}]
    assert run_view.time_left(after_scoring, now=126.0) == "11 s left"


def test_the_card_shows_the_held_out_drawings_before_and_after():
    run = SimpleNamespace(config={"model": {"kind": "cnn"}},
                          metrics={"drawings_held_out": 4, "drawings_acc_before": 0.25, "drawings_acc_after": 0.75})
    assert run_view.heldout_text(run) == ("On the 4 class drawings it did not train on: 25% for the shipped CNN "
                                          "it would replace, 75% for this model.")
    run.metrics = {"drawings_held_out": 0, "drawings_acc_before": None, "drawings_acc_after": None}
    assert run_view.heldout_text(run) is None
    run.metrics = {"drawings_held_out": 2, "drawings_acc_before": None, "drawings_acc_after": 0.5}
    assert "— for the shipped CNN" in run_view.heldout_text(run)  # no shipped model to compare with


def test_a_one_epoch_run_is_a_line_in_the_comparison_not_a_dot():
    for metric, within in (("test_acc", "acc"), ("test_loss", "loss")):
        fig = curves.compare_figure([("short", "mlp", ONE_EPOCH)], metric)
        line = next(tr for tr in fig.data if tr.showlegend is not False)
        assert line.name == "short" and line.mode == "lines" and len(line.x) == 20
        assert list(line.y) == [e[within] for e in ONE_EPOCH if e["kind"] == "step"]
    live = curves.accuracy_figure(ONE_EPOCH, "#2563eb")
    assert live.data[0].mode == "lines" and len(live.data[0].x) == 20
