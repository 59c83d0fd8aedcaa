"""``fitroom recs train`` on a tiny events file: writes a model that loads and recommends."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitroom.cli import main
from fitroom.recommend.sequences import InteractionSequences
from fitroom.recommend.sequential import SequentialRecommender


def write_events(seqs: InteractionSequences, path: Path) -> Path:
    lines = []
    for user in range(len(seqs)):
        items = " ".join(seqs.item_ids[i - 1] for i in seqs.sequence(user))
        lines.append(f"{seqs.user_ids[user]} {items}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_writes_a_working_model(
    planted: InteractionSequences, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_events(planted.rows(0, 200), tmp_path / "events.txt")
    model = tmp_path / "recs.pt"
    options = ["--epochs", "6", "--hidden", "16", "--dropout", "0.1", "--batch-size", "32"]
    options += ["--learning-rate", "0.01"]
    code = main(["--threads", "1", "recs", "train", str(events), "--out", str(model), *options])
    assert code == 0
    out = capsys.readouterr()
    assert "model written to" in out.out
    assert "epoch 1:" in out.err and "held-out NDCG@10" in out.err
    with SequentialRecommender.load(model, threads=1) as loaded:
        assert loaded.top_k(["8", "3"], k=1).item_ids == ("4",)


def test_bad_events_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.txt"
    events.write_text("a 1 2\na 3 4\n", encoding="utf-8")
    assert main(["recs", "train", str(events), "--out", str(tmp_path / "m.pt")]) == 2
    assert "appears twice" in capsys.readouterr().err
    assert not (tmp_path / "m.pt").exists()


def test_train_requires_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["recs", "train", "events.txt"])
    assert "--out" in capsys.readouterr().err
