"""Learning from a teacher (TrainConfig.teacher, `python -m train --teacher NAME`): the loss that matches a
shipped model's answers, the runs that use it, and the names that are refused."""

import dataclasses

import pytest
import torch

from model.presets import get, train_config_from_dict, train_config_to_dict, validate_train
from train import engine
from train.__main__ import config_from_args, main, parse_args
from train.engine import TrainingError, distil_loss
from train.run import teacher


def test_the_distillation_loss_is_zero_only_when_the_answers_agree():
    a = torch.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 1.0]])
    assert float(distil_loss(a, a)) == pytest.approx(0, abs=1e-6)
    assert float(distil_loss(a, a + 5)) == pytest.approx(0, abs=1e-6)  # logits are known up to a constant
    assert float(distil_loss(a, a.flip(1))) > 0.1
    # a second guess counts: the same first choice, another runner-up, is still a difference
    assert float(distil_loss(a[:1], torch.tensor([[2.0, -1.0, 0.0]]))) > 0.01


class Threes(torch.nn.Module):
    """A teacher that answers 3, 90% sure, whatever it is shown."""

    def forward(self, x):
        return torch.tensor([0.0] * 3 + [5.0] + [0.0] * 6).expand(len(x), 10)


def test_a_student_learns_the_teachers_answers(mnist):
    """The same forty steps (seed, batches, augmentation) taught by the labels alone, then by the labels and a
    teacher who says 3 to everything: the taught student gives 3 far more weight on the test set."""
    cfg = dataclasses.replace(get("seed001-mlp").train, subset=512, batch_size=64, max_steps=40, epochs=5,
                              device="cpu")
    x = engine.to_input(torch.from_numpy(mnist.x_test[:2000].copy()))

    def weight_of_three(t):
        model = engine.train(cfg if t is None else dataclasses.replace(cfg, teacher="threes"), data=mnist,
                             teacher=t).model
        with torch.inference_mode():
            return float(model(x).softmax(1)[:, 3].mean())

    alone, taught = weight_of_three(None), weight_of_three(Threes())
    assert alone < 0.2 and taught > alone + 0.15, (alone, taught)


def test_the_shipped_cnn_teaches_an_mlp(mnist):
    cfg = dataclasses.replace(get("mlp").train, subset=256, batch_size=64, max_steps=4, epochs=1, device="cpu",
                              teacher="cnn")
    result = engine.train(cfg, data=mnist, teacher=teacher("cnn"))
    assert result.metrics["steps"] == 4 and 0 <= result.metrics["test_acc"] <= 1


def test_the_teacher_is_a_shipped_name_with_cross_entropy():
    cfg = get("mlp").train
    for bad in ("../cnn", "CNN", "a b", "x" * 60):
        with pytest.raises(ValueError, match="teacher"):
            validate_train(dataclasses.replace(cfg, teacher=bad))
    with pytest.raises(ValueError, match="cross-entropy"):
        validate_train(dataclasses.replace(cfg, teacher="cnn", loss="mse"))
    with pytest.raises(ValueError, match="teacher"):
        validate_train(dataclasses.replace(cfg, teacher=3))
    d = train_config_to_dict(dataclasses.replace(cfg, teacher="cnn"))
    assert train_config_from_dict(d).teacher == "cnn"
    del d["teacher"]  # a config.json from before the field: no teacher
    assert train_config_from_dict(d).teacher == ""


def test_the_cli_takes_a_teacher_and_refuses_one_it_cannot_load(tmp_path, capsys):
    assert config_from_args(parse_args(["--preset", "mlp", "--teacher", "cnn"])).teacher == "cnn"
    assert config_from_args(parse_args(["--preset", "mlp"])).teacher == ""
    assert main(["--preset", "mlp", "--teacher", "nothing-here", "--dry-run", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "teacher 'nothing-here' cannot be loaded" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()  # refused before a run folder was made
    with pytest.raises(TrainingError, match="cannot be loaded"):
        teacher("gone")
    assert teacher("") is None
