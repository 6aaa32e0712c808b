"""bench/cnn_recipes.py: recipes are judged on training images held out, and MNIST test never reaches a run."""

import re

import numpy as np
import pytest

from bench import cnn_recipes
from train import engine
from train.data import MNIST


def test_a_recipe_is_the_shipped_one_with_its_changes_typed_and_checked():
    base = cnn_recipes.shipped_recipe()
    assert (base.epochs, base.schedule, base.world_styles) == (24, "onecycle", 0.15)  # model.json's own
    name, cfg = cnn_recipes.parse_recipe("long:epochs=36,world_styles=0.08,augment=false", base)
    assert (name, cfg.epochs, cfg.world_styles, cfg.augment) == ("long", 36, 0.08, False)
    assert cnn_recipes.parse_recipe("shipped", base) == ("shipped", base)
    for bad, says in (("x:epoch=3", "FIELD=VALUE"), ("x:epochs=many", "must be of type int"),
                      ("x:augment=maybe", "must be of type bool"), (":epochs=3", "a name"),
                      ("x:teacher=cnn", "teacher"), ("x:val_size=5000", "this script's"),
                      ("x:epochs=0", "between 1 and 1,000"), ("x:model=big", "FIELD=VALUE")):
        with pytest.raises(ValueError, match=says):
            cnn_recipes.parse_recipe(bad, base)


def test_the_validation_cut_is_fixed_disjoint_and_takes_the_test_slot():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (500, 28, 28), np.uint8)
    x[:, 0, 0], x[:, 0, 1] = np.arange(500) % 256, np.arange(500) // 256  # each image says which it is
    data = MNIST(x, np.arange(500, dtype=np.uint8) % 10, x[:10] * 0, np.zeros(10, np.uint8))
    cut = cnn_recipes.validation_cut(data, 100)
    ids = lambda a: set((a[:, 0, 0].astype(int) + 256 * a[:, 0, 1].astype(int)).tolist())  # noqa: E731
    assert len(cut.x_test) == 100 and len(cut.x_train) == 400
    assert ids(cut.x_test).isdisjoint(ids(cut.x_train)) and len(ids(cut.x_test) | ids(cut.x_train)) == 500
    assert np.array_equal(cut.x_test, cnn_recipes.validation_cut(data, 100).x_test)  # the same cut every run
    assert not np.array_equal(cut.x_test, x[:100])  # shuffled, not the first images


def test_a_short_comparison_runs_on_the_cut_and_never_on_mnist_test(mnist, monkeypatch, capsys):
    seen = []
    real = engine.prepare_data

    def spy(data, *args, **kwargs):
        seen.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(engine, "prepare_data", spy)
    assert cnn_recipes.main(["--recipe", "a:world_styles=0", "--recipe", "b:world_styles=0,lr=0.001",
                             "--seeds", "1", "2", "--subset", "256", "--epochs", "1", "--val", "1000",
                             "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert len(seen) == 4 and all(len(d.x_test) == 1000 for d in seen)
    test_rows = {bytes(img) for img in mnist.x_test}
    assert not any(bytes(img) in test_rows for img in seen[0].x_test[:200])
    assert "SHORT RUN" in out and out.count("validation error") == 5
    assert "b: " in out and "against a:" in out and "(paired)" in out


def test_averages_of_a_run_are_scored_beside_its_own_last_step(mnist, capsys):
    assert cnn_recipes.main(["--recipe", "a:world_styles=0", "--averages", "0.9", "0.99", "--seeds", "1", "2",
                             "--subset", "256", "--epochs", "1", "--val", "1000", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    runs = [line for line in out.splitlines() if line.startswith("  a seed")]
    assert len(runs) == 2 and all("averaged 0.9: " in r and "averaged 0.99: " in r for r in runs)
    assert "a averaged 0.9: " in out and out.count("against a: ") == 2  # each average against its own runs
    errors = [float(x) for r in runs for x in re.findall(r"(\d+\.\d+)%", r)]
    assert len(errors) == 6 and len(set(errors)) > 1  # three sets of weights, not one figure thrice


def test_bad_arguments_are_one_line_and_exit_2(capsys):
    assert cnn_recipes.main(["--recipe", "x:teacher=cnn"]) == 2
    assert cnn_recipes.main(["--recipe", "x", "--recipe", "x:epochs=2"]) == 2
    assert cnn_recipes.main(["--val", "10"]) == 2
    # settings that only a run would meet are refused before the first run trains, not as a traceback there
    assert cnn_recipes.main(["--seeds", "1", str(2**40)]) == 2
    assert cnn_recipes.main(["--epochs", "5000"]) == 2
    assert cnn_recipes.main(["--device", "tpu"]) == 2
    assert cnn_recipes.main(["--averages", "0.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 7 and "average" in err[6] and all(line.startswith("cnn_recipes: ") for line in err), err
    assert "4,294,967,295" in err[3] and "1,000" in err[4] and "tpu" in err[5]
