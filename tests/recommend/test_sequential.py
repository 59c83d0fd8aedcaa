"""The SASRec model: learns a planted transition, serves top-k with filters, saves and loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from fitroom.errors import InputError, RecommenderModelError
from fitroom.recommend.baselines import ItemKNN
from fitroom.recommend.sequences import InteractionSequences, hold_out_last
from fitroom.recommend.sequential import (
    SASRecConfig,
    SequentialRecommender,
    TrainingOptions,
    train_sequential,
)

CONFIG = dict(max_length=10, hidden=16, blocks=1, heads=2, dropout=0.1)
OPTIONS = dict(batch_size=32, learning_rate=1e-2, threads=1, seed=3)


@pytest.fixture(scope="module")
def trained(planted: InteractionSequences) -> SequentialRecommender:
    train, valid = hold_out_last(planted)
    model, report = train_sequential(
        train,
        valid,
        SASRecConfig(num_items=planted.num_items, **CONFIG),  # type: ignore[arg-type]
        TrainingOptions(max_epochs=8, patience=3, **OPTIONS),  # type: ignore[arg-type]
    )
    assert report.best_valid_ndcg10 is not None
    assert report.epochs[0].loss > report.epochs[report.best_epoch - 1].loss
    return model


def test_learns_that_a_is_followed_by_b(trained: SequentialRecommender) -> None:
    for history, partner in ((["9", "17", "1"], "2"), (["12", "3"], "4"), (["1"], "2")):
        recs = trained.top_k(history, k=3)
        assert recs.source == "sequential"
        assert recs.item_ids[0] == partner, (history, recs.item_ids)


def test_top_k_is_sorted_and_respects_filters(trained: SequentialRecommender) -> None:
    recs = trained.top_k(["9", "1"], k=5)
    assert len(recs.item_ids) == 5
    assert np.all(np.diff(recs.scores) <= 0)
    assert not {"9", "1"} & set(recs.item_ids)  # history excluded by default
    kept = trained.top_k(["9", "1"], k=5, exclude_history=False)
    assert len(kept.item_ids) == 5
    assert "2" not in trained.top_k(["9", "1"], k=5, exclude=["2"]).item_ids
    allowed = trained.top_k(["9", "1"], k=5, allowed={"5", "6", "nope"})
    assert set(allowed.item_ids) == {"5", "6"}


def test_cold_start_falls_back_to_popularity(trained: SequentialRecommender) -> None:
    for history in ([], ["never-seen"]):
        recs = trained.top_k(history, k=4)
        assert recs.source == "popularity"
        # The planted items occur in every other user: the most popular in training.
        assert set(recs.item_ids) == {"1", "2", "3", "4"}


def test_score_matches_top_k(trained: SequentialRecommender, planted: InteractionSequences) -> None:
    history = InteractionSequences.from_mapping({"x": ["7", "3"]}, item_ids=planted.item_ids)
    scores = trained.score(history)
    assert scores.shape == (1, planted.num_items + 1) and scores.dtype == np.float32
    recs = trained.top_k(["7", "3"], k=1)
    assert recs.scores[0] == pytest.approx(np.delete(scores[0], [0, 3, 7]).max(), rel=1e-5)


def test_save_load_round_trip(trained: SequentialRecommender, tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    trained.save(path)
    assert path.stat().st_size < 200_000
    with SequentialRecommender.load(path, threads=1) as loaded:
        assert loaded.config == trained.config
        assert loaded.item_ids == trained.item_ids
        a, b = trained.top_k(["5", "1"], k=10), loaded.top_k(["5", "1"], k=10)
        assert a.item_ids == b.item_ids
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-6)


@pytest.mark.parametrize("kind", ["garbage", "empty", "other_torch", "wrong_version", "missing"])
def test_bad_model_file_is_a_typed_error(
    kind: str, trained: SequentialRecommender, tmp_path: Path
) -> None:
    path = tmp_path / "bad.pt"
    if kind == "garbage":
        path.write_bytes(b"\x00not a model" * 50)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "other_torch":
        torch.save({"weights": torch.zeros(3)}, path)
    elif kind == "wrong_version":
        trained.save(path)
        payload = torch.load(path, weights_only=True)
        payload["version"] = 99
        torch.save(payload, path)
    with pytest.raises(RecommenderModelError):
        SequentialRecommender.load(path)


def test_truncated_model_file_is_a_typed_error(
    trained: SequentialRecommender, tmp_path: Path
) -> None:
    path = tmp_path / "model.pt"
    trained.save(path)
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(RecommenderModelError):
        SequentialRecommender.load(path)


def test_damaged_weights_are_a_typed_error(trained: SequentialRecommender, tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    trained.save(path)
    payload = torch.load(path, weights_only=True)
    payload["config"]["hidden"] = 32  # weights no longer fit the declared shape
    torch.save(payload, path)
    with pytest.raises(RecommenderModelError, match="damaged"):
        SequentialRecommender.load(path)


def test_same_seed_same_model(planted: InteractionSequences) -> None:
    config = SASRecConfig(num_items=planted.num_items, **CONFIG)  # type: ignore[arg-type]
    options = TrainingOptions(max_epochs=2, **OPTIONS)  # type: ignore[arg-type]
    first, _ = train_sequential(planted, None, config, options)
    second, _ = train_sequential(planted, None, config, options)
    a, b = first.top_k(["1"], k=5), second.top_k(["1"], k=5)
    assert a.item_ids == b.item_ids
    np.testing.assert_array_equal(a.scores, b.scores)


def test_invalid_settings_raise(planted: InteractionSequences) -> None:
    with pytest.raises(InputError, match="heads"):
        SASRecConfig(num_items=10, hidden=10, heads=3)
    with pytest.raises(InputError, match="negatives"):
        TrainingOptions(negatives=0)
    with pytest.raises(InputError, match="num_items"):
        train_sequential(planted, None, SASRecConfig(num_items=5))


def test_sampled_softmax_also_learns_the_pattern(planted: InteractionSequences) -> None:
    config = SASRecConfig(num_items=planted.num_items, **CONFIG)  # type: ignore[arg-type]
    options = TrainingOptions(max_epochs=8, negatives=8, **OPTIONS)  # type: ignore[arg-type]
    model, report = train_sequential(planted, None, config, options)
    assert report.stopped_because == "max_epochs" and report.best_epoch == 8
    assert model.top_k(["9", "1"], k=1).item_ids == ("2",)


def test_closed_model_refuses_to_serve(trained: SequentialRecommender, tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    trained.save(path)
    with SequentialRecommender.load(path, threads=1) as model:
        assert model.top_k(["1"], k=1).item_ids == ("2",)
    with pytest.raises(RecommenderModelError, match="closed"):
        model.top_k(["1"], k=1)


def test_blended_model_serves_what_it_scores_and_saves_its_knn_part(
    trained: SequentialRecommender, planted: InteractionSequences, tmp_path: Path
) -> None:
    knn = ItemKNN.fit(planted, neighbours=10, recency=0.5)
    blended = trained.with_knn(knn, 2.0)
    history = InteractionSequences.from_mapping({"x": ["7", "3"]}, item_ids=planted.item_ids)
    scores = blended.score(history)
    # Not the network's scores any more: the kNN evidence moved them.
    assert not np.allclose(scores, trained.score(history))
    recs = blended.top_k(["7", "3"], k=3)
    assert recs.item_ids[0] == "4"
    expected = np.delete(scores[0], [0, 3, 7])
    np.testing.assert_allclose(recs.scores, np.sort(expected)[::-1][:3], rtol=1e-5)
    path = tmp_path / "blend.pt"
    blended.save(path)
    with SequentialRecommender.load(path, threads=1) as loaded:
        assert loaded.knn is not None and loaded.knn_weight == 2.0
        assert loaded.knn.recency == 0.5
        assert (loaded.knn.similarity != knn.similarity).nnz == 0
        np.testing.assert_allclose(loaded.score(history), scores, rtol=1e-5)
        assert loaded.top_k(["7", "3"], k=3).item_ids == recs.item_ids
    with pytest.raises(InputError, match="item-kNN similarity"):
        trained.with_knn(ItemKNN(knn.similarity[:5, :5]), 1.0)


def test_version_1_files_without_knn_still_load(
    trained: SequentialRecommender, tmp_path: Path
) -> None:
    path = tmp_path / "v1.pt"
    trained.save(path)
    payload = torch.load(path, weights_only=True)
    payload["version"] = 1
    del payload["knn"], payload["knn_weight"]
    torch.save(payload, path)
    with SequentialRecommender.load(path, threads=1) as loaded:
        assert loaded.knn is None
        assert loaded.top_k(["1"], k=1).item_ids == ("2",)


def test_damaged_knn_part_is_a_typed_error(
    trained: SequentialRecommender, planted: InteractionSequences, tmp_path: Path
) -> None:
    path = tmp_path / "model.pt"
    trained.with_knn(ItemKNN.fit(planted), 1.0).save(path)
    payload = torch.load(path, weights_only=True)
    payload["knn"]["indices"] = payload["knn"]["indices"] + 1000
    torch.save(payload, path)
    with pytest.raises(RecommenderModelError, match="damaged"):
        SequentialRecommender.load(path)


def test_full_softmax_loss_has_the_cross_entropy_value_and_gradients() -> None:
    from torch.nn import functional

    from fitroom.recommend.sequential import _FullSoftmaxCrossEntropy

    generator = torch.Generator().manual_seed(0)
    states = torch.randn(37, 8, generator=generator)
    weight = torch.randn(51, 8, generator=generator)
    targets = torch.randint(1, 51, (37,), generator=generator)
    fused_states, fused_weight = states.clone().requires_grad_(), weight.clone().requires_grad_()
    fused = _FullSoftmaxCrossEntropy.apply(fused_states, fused_weight, targets)
    (2.0 * fused).backward()
    plain_states, plain_weight = states.clone().requires_grad_(), weight.clone().requires_grad_()
    plain = functional.cross_entropy(plain_states @ plain_weight.T, targets)
    (2.0 * plain).backward()
    assert fused.item() == pytest.approx(plain.item(), rel=1e-5)
    torch.testing.assert_close(fused_states.grad, plain_states.grad, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(fused_weight.grad, plain_weight.grad, rtol=1e-4, atol=1e-6)
