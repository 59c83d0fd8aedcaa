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
    assert "NDCG@10 by kNN weight" in out.err and "item-kNN blend weight" in out.out
    with SequentialRecommender.load(model, threads=1) as loaded:
        assert loaded.top_k(["8", "3"], k=1).item_ids == ("4",)
        # The file carries the blend it was evaluated with (or the network alone at weight 0).
        assert (loaded.knn is None) == (loaded.knn_weight == 0.0)


def test_no_holdout_blends_at_the_given_weight(
    planted: InteractionSequences, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_events(planted.rows(0, 200), tmp_path / "events.txt")
    model = tmp_path / "recs.pt"
    options = ["--epochs", "3", "--hidden", "16", "--batch-size", "32", "--no-holdout"]
    code = main(["--threads", "1", "recs", "train", str(events), "--out", str(model), *options])
    assert code == 0
    with SequentialRecommender.load(model, threads=1) as loaded:
        assert loaded.knn is None and loaded.knn_weight == 0.0
    options += ["--knn-weight", "3"]
    assert (
        main(["--threads", "1", "recs", "train", str(events), "--out", str(model), *options]) == 0
    )
    assert "item-kNN blend weight 3" in capsys.readouterr().out
    with SequentialRecommender.load(model, threads=1) as loaded:
        assert loaded.knn is not None and loaded.knn_weight == 3.0
        assert loaded.knn.recency == 0.5


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
