"""A SASRec-style transformer for next-item recommendation, trained and served on the CPU.

(Over 500 lines: the network, its two losses, the training loop and the serving class are one
recipe whose parts must agree on shapes, padding and the shared output embedding; the
configuration and result types are at the top.)

The recipe follows SASRec (Kang & McAuley 2018) with the full-softmax cross-entropy loss over all
items at every position that Klenitskiy & Vasilev (RecSys 2023, "SASRec+CE") showed beats the
original one-negative BCE loss: item embeddings shared with the output layer, learned positions
counted from the most recent item, pre-norm blocks with causal self-attention, dropout, a linear
learning-rate warm-up then a cosine decay over the training budget (epochs or wall time), and
early stopping on the validation target. The full softmax reuses one logits buffer for the
forward and backward pass, which keeps it affordable on a 12k–23k item catalogue on this 2-core
CPU (what ``benchmarks/recs_eval.py`` trains with); ``TrainingOptions.negatives`` swaps it for a
softmax against a few thousand uniformly sampled items on larger catalogues.

The served model is this network blended with item-kNN (:meth:`SequentialRecommender.with_knn`,
saved in the same file), so what is evaluated is what "for me" serves.

Torch's thread count is process-wide; :func:`train_sequential` and
:meth:`SequentialRecommender.load` set it from their ``threads`` argument (never from the
environment).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.nn import functional

from fitroom._closing import Closeable
from fitroom.errors import InputError, RecommenderModelError
from fitroom.recommend.baselines import ItemKNN, item_counts
from fitroom.recommend.hybrid import blend_scores
from fitroom.recommend.metrics import evaluate_ranking
from fitroom.recommend.sequences import InteractionSequences, RankingTask

MODEL_FORMAT = "fitroom.recommend.sasrec"
MODEL_VERSION = 2
#: Versions :meth:`SequentialRecommender.load` reads (1: the network alone, without item-kNN).
READABLE_VERSIONS = (1, 2)


@dataclass(frozen=True)
class SASRecConfig:
    """Shape of the network.

    Attributes:
        num_items: vocabulary size I (dense indices 1..I; 0 is padding).
        max_length: how many of the most recent items the model reads.
        hidden: embedding and model width.
        blocks: number of transformer blocks.
        heads: attention heads per block (must divide ``hidden``).
        dropout: dropout on embeddings, attention and feed-forward outputs.
    """

    num_items: int
    max_length: int = 50
    hidden: int = 64
    blocks: int = 2
    heads: int = 2
    dropout: float = 0.5

    def __post_init__(self) -> None:
        if self.num_items < 1 or self.max_length < 1 or self.hidden < 1 or self.blocks < 1:
            raise InputError(f"num_items, max_length, hidden and blocks must be positive: {self}")
        if self.heads < 1 or self.hidden % self.heads:
            raise InputError(f"heads ({self.heads}) must divide hidden ({self.hidden})")
        if not 0.0 <= self.dropout < 1.0:
            raise InputError(f"dropout must lie in [0, 1), got {self.dropout}")


@dataclass(frozen=True)
class TrainingOptions:
    """How to train.

    Attributes:
        max_epochs: upper bound on passes over the training users.
        batch_size: users per optimisation step.
        learning_rate: Adam step size.
        weight_decay: decoupled weight decay (AdamW).
        patience: stop after this many evaluations without a better validation NDCG@10.
        eval_every: evaluate on the validation task every this many epochs.
        max_seconds: stop training after this much wall time (the best model so far is kept).
        negatives: None for the full softmax over all items; a number for a sampled softmax
            against that many items drawn uniformly per batch (shared by the batch), which
            costs a fraction of the full one on large catalogues.
        seed: seeds torch and the batch order, so a run is repeatable on one machine.
        threads: torch CPU threads.
        warmup_steps: optimisation steps over which the learning rate rises linearly from 0.
        cosine: decay the learning rate along a half cosine to 0 at the end of training, the
            end being whichever of ``max_epochs`` and ``max_seconds`` comes first (so a run
            cut by its wall-time budget still ends on a small step size).
    """

    max_epochs: int = 200
    batch_size: int = 128
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    patience: int = 10
    eval_every: int = 1
    max_seconds: float = math.inf
    negatives: int | None = None
    seed: int = 0
    threads: int = 2
    warmup_steps: int = 100
    cosine: bool = True

    def __post_init__(self) -> None:
        if self.warmup_steps < 0:
            raise InputError(f"warmup_steps must be ≥ 0, got {self.warmup_steps}")
        if min(self.max_epochs, self.batch_size, self.patience, self.eval_every, self.threads) < 1:
            raise InputError(
                f"max_epochs, batch_size, patience, eval_every and threads must be ≥ 1: {self}"
            )
        if self.negatives is not None and self.negatives < 1:
            raise InputError(f"negatives must be None (full softmax) or ≥ 1, got {self.negatives}")
        if self.learning_rate <= 0 or self.weight_decay < 0 or self.max_seconds <= 0:
            raise InputError(f"learning_rate and max_seconds must be > 0, weight_decay ≥ 0: {self}")


@dataclass(frozen=True)
class EpochLog:
    """One epoch of training: mean loss, and the validation NDCG@10/HR@10 when evaluated."""

    epoch: int
    loss: float
    seconds: float
    valid_ndcg10: float | None = None
    valid_hr10: float | None = None


@dataclass(frozen=True)
class TrainingReport:
    """What training did: per-epoch log, the epoch kept, wall time, why it stopped."""

    epochs: tuple[EpochLog, ...]
    best_epoch: int
    best_valid_ndcg10: float | None
    seconds: float
    stopped_because: Literal["patience", "max_epochs", "max_seconds"]


@dataclass(frozen=True, eq=False)
class Recommendations:
    """Top-k items for one user.

    Attributes:
        item_ids: (k,) external item ids, best first (fewer than k when filters leave fewer).
        scores: (k,) float32 the model's scores (logits, or counts for popularity), descending.
        source: "sequential" when the model ranked (blended with item-kNN when the model
            carries it), "popularity" for the cold-start fallback.
    """

    item_ids: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    source: Literal["sequential", "popularity"]

    def __post_init__(self) -> None:
        if self.scores.dtype != np.float32 or self.scores.shape != (len(self.item_ids),):
            raise InputError(
                f"scores must be float32 of shape ({len(self.item_ids)},), "
                f"got {self.scores.dtype} {self.scores.shape}"
            )


class _Block(nn.Module):
    """Pre-norm transformer block with causal self-attention."""

    def __init__(self, hidden: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.dropout = dropout
        self.attention_norm = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.feed_forward_norm = nn.LayerNorm(hidden)
        self.feed_forward = nn.Sequential(
            nn.Linear(hidden, 4 * hidden), nn.GELU(), nn.Linear(4 * hidden, hidden)
        )
        self.residual_dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        q, k, v = (
            self.qkv(self.attention_norm(x))
            .view(batch, length, 3, self.heads, hidden // self.heads)
            .permute(2, 0, 3, 1, 4)
        )
        attended = functional.scaled_dot_product_attention(
            q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0
        )
        attended = attended.transpose(1, 2).reshape(batch, length, hidden)
        x = x + self.residual_dropout(self.attention_out(attended))
        return x + self.residual_dropout(self.feed_forward(self.feed_forward_norm(x)))


class _SASRecNet(nn.Module):
    """Item and position embeddings, causal blocks, and item logits by the tied embedding."""

    def __init__(self, config: SASRecConfig) -> None:
        super().__init__()
        self.item_embedding = nn.Embedding(config.num_items + 1, config.hidden, padding_idx=0)
        self.position_embedding = nn.Embedding(config.max_length, config.hidden)
        self.embedding_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(
            _Block(config.hidden, config.heads, config.dropout) for _ in range(config.blocks)
        )
        self.output_norm = nn.LayerNorm(config.hidden)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        # Small normal weights as in BERT/RecBole; the default embedding init (std 1) makes
        # the tied output layer start with very large logits and train slowly.
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)
        if isinstance(module, nn.Embedding) and module.padding_idx is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()

    def forward(self, items: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, L) right-padded items, (B,) lengths → (B, L, H) states (pads: don't care)."""
        steps = torch.arange(items.shape[1])
        # Positions count back from the most recent item, so "the last item" always has
        # position 0 whatever the history length.
        positions = (lengths[:, None] - 1 - steps[None, :]).clamp(min=0)
        x = self.item_embedding(items) + self.position_embedding(positions)
        x = self.embedding_dropout(x)
        for block in self.blocks:
            x = block(x)
        return self.output_norm(x)

    def logits(self, states: torch.Tensor) -> torch.Tensor:
        """(N, H) states → (N, I + 1) scores of every item (tied with the item embedding)."""
        return states @ self.item_embedding.weight.T


def _last_states(
    net: _SASRecNet, items: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> torch.Tensor:
    """(B, H) state after each user's most recent item (rows with length 0 get garbage)."""
    items_t = torch.from_numpy(items)
    lengths_t = torch.from_numpy(np.maximum(lengths, 1))
    states = net(items_t, lengths_t)
    return states[torch.arange(len(lengths)), lengths_t - 1]


def _score_histories(
    net: _SASRecNet, histories: InteractionSequences, max_length: int
) -> npt.NDArray[np.float32]:
    """(U, I + 1) float32 logits after each history, computed in groups of similar length.

    Padding a whole batch to its longest history would make the many short histories cost as
    much as the longest one; sorting by length and padding each group of 256 to its own longest
    keeps the work proportional to the real items.
    """
    items, lengths = histories.padded(max_length)
    scores = np.empty((len(histories), net.item_embedding.num_embeddings), dtype=np.float32)
    order = np.argsort(lengths, kind="stable")
    with torch.inference_mode():
        for start in range(0, len(order), 256):
            group = order[start : start + 256]
            width = max(int(lengths[group].max()), 1)
            states = _last_states(net, np.ascontiguousarray(items[group, :width]), lengths[group])
            scores[group] = net.logits(states).numpy()
    return scores


class _NetScorer:
    """The network as a :class:`Scorer` for evaluation (eval mode, no gradients)."""

    def __init__(self, net: _SASRecNet, max_length: int) -> None:
        self.net = net
        self.max_length = max_length

    def score(self, histories: InteractionSequences) -> npt.NDArray[np.float32]:
        was_training = self.net.training
        self.net.eval()
        try:
            return _score_histories(self.net, histories, self.max_length)
        finally:
            self.net.train(was_training)


def _training_batches(
    train: InteractionSequences,
    max_length: int,
    batch_size: int,
    rng: np.random.Generator,
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Shuffled batches (inputs (B, L), lengths (B,), next-item targets (B, L), 0 = none).

    Users are shuffled, then sorted by length inside chunks of 32 batches, so a batch is padded
    only to its own longest history; the batch order is shuffled again.
    """
    users = np.flatnonzero(train.lengths >= 2)
    users = users[rng.permutation(len(users))]
    chunk = batch_size * 32
    batches: list[npt.NDArray[np.int64]] = []
    for start in range(0, len(users), chunk):
        part = users[start : start + chunk]
        part = part[np.argsort(train.lengths[part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    for index in rng.permutation(len(batches)):
        batch = batches[index]
        # Each user's last max_length + 1 items: inputs are all but the last, targets all but
        # the first, so every position learns to predict the item that followed it.
        lengths = np.minimum(train.lengths[batch], max_length + 1) - 1
        width = int(lengths.max())
        inputs = np.zeros((len(batch), width), dtype=np.int64)
        targets = np.zeros((len(batch), width), dtype=np.int64)
        for row, user in enumerate(batch):
            seq = train.sequence(int(user))[-(lengths[row] + 1) :]
            inputs[row, : lengths[row]] = seq[:-1]
            targets[row, : lengths[row]] = seq[1:]
        yield torch.from_numpy(inputs), torch.from_numpy(lengths), torch.from_numpy(targets)


def _sampled_softmax_loss(
    net: _SASRecNet, states: torch.Tensor, targets: torch.Tensor, negatives: int, num_items: int
) -> torch.Tensor:
    """Cross-entropy of each target against ``negatives`` uniformly drawn items (N, H → scalar).

    Uniform sampling needs no log-Q correction (every item has the same probability), and a
    drawn item that happens to be a row's own target is masked for that row.
    """
    drawn = torch.randint(1, num_items + 1, (negatives,))
    weight = net.item_embedding.weight
    positive = (states * weight[targets]).sum(dim=1, keepdim=True)
    negative = states @ weight[drawn].T
    negative = negative.masked_fill(drawn[None, :] == targets[:, None], float("-inf"))
    logits = torch.cat([positive, negative], dim=1)
    return functional.cross_entropy(logits, torch.zeros(len(targets), dtype=torch.long))


class _FullSoftmaxCrossEntropy(torch.autograd.Function):
    """Mean cross-entropy of each state's target against every item, logits = states @ weightᵀ.

    The same value and gradients as ``cross_entropy(states @ weight.T, targets)``, but the
    (N, I + 1) logits buffer is turned into the softmax in place and reused for the backward
    pass, instead of autograd keeping logits, log-softmax and their gradients apart: about a
    quarter less time per step on a 12k-item catalogue on this CPU.
    """

    @staticmethod
    def forward(
        ctx: Any, states: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor
    ) -> torch.Tensor:
        probabilities = states @ weight.T
        probabilities.sub_(probabilities.max(dim=1, keepdim=True).values).exp_()
        probabilities.div_(probabilities.sum(dim=1, keepdim=True))
        rows = torch.arange(len(targets))
        loss = -probabilities[rows, targets].clamp_min(1e-30).log().mean()
        ctx.save_for_backward(states, weight, probabilities, targets)
        return loss

    @staticmethod
    def backward(ctx: Any, grad_loss: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, None]:
        states, weight, probabilities, targets = ctx.saved_tensors
        # d loss / d logits = (softmax - one-hot) / N, built in the saved buffer.
        gradient = probabilities
        gradient[torch.arange(len(targets)), targets] -= 1.0
        gradient.mul_(grad_loss / len(targets))
        return gradient @ weight, gradient.T @ states, None


def _full_softmax_loss(
    net: _SASRecNet, states: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """Cross-entropy of each target against all items (N, H → scalar)."""
    loss: torch.Tensor = _FullSoftmaxCrossEntropy.apply(states, net.item_embedding.weight, targets)
    return loss


def _learning_rate_factor(step: int, progress: float, options: TrainingOptions) -> float:
    """Multiplier of the peak learning rate: linear warm-up, then a half cosine to 0.

    ``progress`` is the share of the training budget used, in [0, 1].

    >>> options = TrainingOptions(warmup_steps=10)
    >>> _learning_rate_factor(4, 0.0, options), _learning_rate_factor(10, 0.5, options)
    (0.5, 0.5)
    """
    warm = min(1.0, (step + 1) / options.warmup_steps) if options.warmup_steps else 1.0
    if not options.cosine:
        return warm
    return warm * 0.5 * (1.0 + math.cos(math.pi * min(1.0, max(0.0, progress))))


def train_sequential(
    train: InteractionSequences,
    valid: RankingTask | None,
    config: SASRecConfig | None = None,
    options: TrainingOptions | None = None,
    on_epoch: Callable[[EpochLog], None] | None = None,
) -> tuple[SequentialRecommender, TrainingReport]:
    """Train a SASRec+CE model on ``train`` and keep the epoch with the best validation NDCG@10.

    Args:
        train: training sequences; every position predicts the next item (full softmax).
        valid: held-out next items for early stopping, or None to train ``max_epochs`` epochs
            (or until ``max_seconds``) and keep the last.
        config: network shape; ``num_items`` must equal ``train.num_items`` (default: SASRec
            defaults for this vocabulary).
        options: training options (defaults: :class:`TrainingOptions`).
        on_epoch: called after each epoch with its log (progress output).

    Returns:
        The recommender (cold-start popularity counted on ``train``; the network alone, see
        :meth:`SequentialRecommender.with_knn` for the blend) and the training report.
    """
    config = config or SASRecConfig(num_items=train.num_items)
    options = options or TrainingOptions()
    if config.num_items != train.num_items:
        raise InputError(
            f"config.num_items is {config.num_items} but the training data has "
            f"{train.num_items} items; build the config from the data"
        )
    if not np.any(train.lengths >= 2):
        raise InputError("training needs at least one user with 2 or more items")
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    net = _SASRecNet(config)
    optimiser = torch.optim.AdamW(
        net.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay
    )
    started = time.perf_counter()
    logs: list[EpochLog] = []
    best_state = {k: v.clone() for k, v in net.state_dict().items()}
    best_score: float | None = None
    best_epoch = 0
    evaluations_since_best = 0
    stopped: Literal["patience", "max_epochs", "max_seconds"] = "max_epochs"
    step = 0
    for epoch in range(1, options.max_epochs + 1):
        epoch_start = time.perf_counter()
        net.train()
        total, count = 0.0, 0
        for inputs, lengths, targets in _training_batches(
            train, config.max_length, options.batch_size, rng
        ):
            progress = max(
                (epoch - 1) / options.max_epochs,
                (time.perf_counter() - started) / options.max_seconds,
            )
            factor = _learning_rate_factor(step, progress, options)
            for group in optimiser.param_groups:
                group["lr"] = options.learning_rate * factor
            step += 1
            real = targets > 0
            states = net(inputs, lengths)[real]
            if options.negatives is None:
                loss = _full_softmax_loss(net, states, targets[real])
            else:
                loss = _sampled_softmax_loss(
                    net, states, targets[real], options.negatives, config.num_items
                )
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(states)
            count += len(states)
        log = EpochLog(epoch, total / count, time.perf_counter() - epoch_start)
        if valid is not None and epoch % options.eval_every == 0:
            metrics = evaluate_ranking(_NetScorer(net, config.max_length), valid, ks=(10,))
            log = EpochLog(epoch, log.loss, log.seconds, metrics.ndcg[10], metrics.hit_rate[10])
            if best_score is None or metrics.ndcg[10] > best_score:
                best_score, best_epoch, evaluations_since_best = metrics.ndcg[10], epoch, 0
                best_state = {k: v.clone() for k, v in net.state_dict().items()}
            else:
                evaluations_since_best += 1
        elif valid is None:
            best_epoch = epoch
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        logs.append(log)
        if on_epoch is not None:
            on_epoch(log)
        if evaluations_since_best >= options.patience:
            stopped = "patience"
            break
        if time.perf_counter() - started >= options.max_seconds:
            stopped = "max_seconds"
            break
    net.load_state_dict(best_state)
    net.eval()
    report = TrainingReport(
        epochs=tuple(logs),
        best_epoch=best_epoch,
        best_valid_ndcg10=best_score,
        seconds=time.perf_counter() - started,
        stopped_because=stopped,
    )
    recommender = SequentialRecommender(
        net=net,
        config=config,
        item_ids=train.item_ids,
        popularity=item_counts(train),
        threads=options.threads,
    )
    return recommender, report


def _load_knn(stored: dict[str, Any] | None, size: int) -> ItemKNN | None:
    """The item-kNN part of a saved model (None when it has none); bad arrays raise."""
    if stored is None:
        return None
    import scipy.sparse as sp

    similarity = sp.csr_matrix(
        (
            stored["data"].numpy().astype(np.float32),
            stored["indices"].numpy().astype(np.int64),
            stored["indptr"].numpy().astype(np.int64),
        ),
        shape=(size, size),
    )
    similarity.check_format(full_check=True)
    return ItemKNN(similarity, recency=float(stored["recency"]))


class SequentialRecommender(Closeable):
    """A trained SASRec model with its item id map, optionally blended with item-kNN.

    Build one with :func:`train_sequential` or :meth:`load`; :meth:`with_knn` attaches the
    item-kNN part and its blend weight (:func:`~fitroom.recommend.hybrid.blend_scores`), and
    :meth:`save` writes all of it to one file, so the model that was evaluated is the model
    that is served. ``score`` and ``top_k`` use the blend when there is one; ``top_k`` falls back
    to popularity (counted on the training data) when the user has no history the model knows.

    Attributes:
        knn: the item-kNN part, or None for the network alone.
        knn_weight: weight of the max-scaled kNN scores against the standardised network scores.
    """

    def __init__(
        self,
        *,
        net: nn.Module,
        config: SASRecConfig,
        item_ids: tuple[str, ...],
        popularity: npt.NDArray[np.float32],
        threads: int = 2,
        knn: ItemKNN | None = None,
        knn_weight: float = 0.0,
    ) -> None:
        if len(item_ids) != config.num_items or popularity.shape != (config.num_items + 1,):
            raise InputError(
                f"{len(item_ids)} item ids and {popularity.shape} counts do not match "
                f"num_items={config.num_items} (+1 for padding)"
            )
        if not isinstance(net, _SASRecNet):
            raise InputError("net must be the network built by train_sequential or load")
        if knn is not None and knn.similarity.shape[0] != config.num_items + 1:
            raise InputError(
                f"the item-kNN similarity is {knn.similarity.shape}, the model has "
                f"{config.num_items} items (+1 for padding)"
            )
        if not knn_weight >= 0.0 or (knn is None and knn_weight):
            raise InputError(f"knn_weight must be ≥ 0 and needs a knn part, got {knn_weight}")
        torch.set_num_threads(threads)
        self._net = net.eval()
        self._threads = threads
        self.config = config
        self.item_ids = item_ids
        self.popularity = popularity.astype(np.float32)
        self.knn = knn
        self.knn_weight = float(knn_weight)
        self._index = {item: n + 1 for n, item in enumerate(item_ids)}
        self._closed = False

    def with_knn(self, knn: ItemKNN | None, knn_weight: float) -> SequentialRecommender:
        """The same network blended with ``knn`` at ``knn_weight`` (None, 0: the network alone).

        The network is shared, not copied.
        """
        self._check_open()
        return SequentialRecommender(
            net=self._net,
            config=self.config,
            item_ids=self.item_ids,
            popularity=self.popularity,
            threads=self._threads,
            knn=knn,
            knn_weight=knn_weight if knn is not None else 0.0,
        )

    @property
    def num_items(self) -> int:
        """Vocabulary size I."""
        return self.config.num_items

    def score(self, histories: InteractionSequences) -> npt.NDArray[np.float32]:
        """(U, I + 1) float32 next-item scores for a batch of users (the :class:`Scorer` API).

        The blend with item-kNN when the model has one, else the network's logits.
        ``histories`` must use this model's vocabulary (same ``item_ids``).
        """
        self._check_open()
        if histories.item_ids != self.item_ids:
            raise InputError("histories use another item vocabulary than the model was trained on")
        scores = _score_histories(self._net, histories, self.config.max_length)
        if self.knn is None:
            return scores
        return blend_scores(scores, self.knn.score(histories), self.knn_weight)

    def top_k(
        self,
        history: Iterable[str],
        k: int = 10,
        *,
        exclude: Iterable[str] = (),
        allowed: Collection[str] | None = None,
        exclude_history: bool = True,
    ) -> Recommendations:
        """The ``k`` best next items for one user.

        Args:
            history: the user's item ids, oldest first; ids the model does not know are skipped.
            k: how many items to return (fewer when the filters leave fewer).
            exclude: item ids never to recommend (e.g. already bought).
            allowed: when given, only these item ids may be recommended (e.g. in stock, size
                available); unknown ids are ignored.
            exclude_history: also leave out the items already in ``history``.

        Returns:
            The items best first; ``source`` says whether the model or the popularity fallback
            (no known history) ranked them.
        """
        self._check_open()
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        history = list(history)
        known = [self._index[i] for i in history if i in self._index]
        if known:
            items = np.asarray(known[-self.config.max_length :], dtype=np.int64)[None, :]
            with torch.inference_mode():
                state = _last_states(self._net, items, np.array([items.shape[1]]))
                scores = self._net.logits(state)[0].numpy().copy()
            if self.knn is not None:
                knn_scores = self.knn.score_history(np.asarray(known, dtype=np.int64))
                scores = blend_scores(scores[None, :], knn_scores[None, :], self.knn_weight)[0]
            source: Literal["sequential", "popularity"] = "sequential"
        else:
            scores = self.popularity.copy()
            source = "popularity"
        scores[0] = -np.inf
        if allowed is not None:
            keep = [self._index[i] for i in allowed if i in self._index]
            mask = np.ones(len(scores), dtype=bool)
            mask[keep] = False
            scores[mask] = -np.inf
        banned = [self._index[i] for i in exclude if i in self._index]
        if exclude_history:
            banned.extend(known)
        scores[banned] = -np.inf
        candidates = np.flatnonzero(np.isfinite(scores))
        k = min(k, len(candidates))
        if k == 0:
            return Recommendations((), np.zeros(0, np.float32), source)
        top = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        top = top[np.lexsort((top, -scores[top]))]
        return Recommendations(
            tuple(self.item_ids[i - 1] for i in top), scores[top].astype(np.float32), source
        )

    def save(self, path: str | Path) -> None:
        """Write the model (weights, config, item ids, popularity, item-kNN part and blend
        weight) as one torch file."""
        self._check_open()
        knn: dict[str, Any] | None = None
        if self.knn is not None:
            similarity = self.knn.similarity.tocsr()
            knn = {
                "indptr": torch.from_numpy(similarity.indptr.astype(np.int64)),
                "indices": torch.from_numpy(similarity.indices.astype(np.int32)),
                "data": torch.from_numpy(similarity.data.astype(np.float32)),
                "recency": self.knn.recency,
            }
        payload = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "config": asdict(self.config),
            "item_ids": list(self.item_ids),
            "popularity": torch.from_numpy(self.popularity),
            "state_dict": self._net.state_dict(),
            "knn": knn,
            "knn_weight": self.knn_weight,
        }
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path, threads: int = 2) -> SequentialRecommender:
        """Read a model written by :meth:`save`.

        Raises:
            RecommenderModelError: the file is missing, corrupt, not a fitroom recommender
                model, or of another format version.
        """
        try:
            payload = torch.load(
                io.BytesIO(Path(path).read_bytes()), map_location="cpu", weights_only=True
            )
        except Exception as exc:  # torch raises many types (pickle, zip, runtime) for bad files
            raise RecommenderModelError(
                f"{path} is not a readable recommender model ({exc.__class__.__name__}); "
                "train one with 'fitroom recs train'"
            ) from exc
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise RecommenderModelError(
                f"{path} is not a fitroom recommender model; train one with 'fitroom recs train'"
            )
        if payload.get("version") not in READABLE_VERSIONS:
            raise RecommenderModelError(
                f"{path} has model format version {payload.get('version')}, this fitroom reads "
                f"version {MODEL_VERSION}; retrain it with 'fitroom recs train'"
            )
        try:
            config = SASRecConfig(**payload["config"])
            net = _SASRecNet(config)
            net.load_state_dict(payload["state_dict"])
            item_ids = tuple(str(i) for i in payload["item_ids"])
            popularity = payload["popularity"].numpy().astype(np.float32)
            knn = _load_knn(payload.get("knn"), config.num_items + 1)
            return cls(
                net=net,
                config=config,
                item_ids=item_ids,
                popularity=popularity,
                threads=threads,
                knn=knn,
                knn_weight=float(payload.get("knn_weight", 0.0)) if knn is not None else 0.0,
            )
        except (
            KeyError,
            TypeError,
            ValueError,
            IndexError,
            RuntimeError,
            AttributeError,
            InputError,
        ) as exc:
            raise RecommenderModelError(
                f"{path} is a damaged recommender model ({exc}); retrain it with "
                "'fitroom recs train'"
            ) from exc

    def close(self) -> None:
        """Drop the network; ``score`` and ``top_k`` raise afterwards."""
        self._closed = True
        self._index = {}

    def _check_open(self) -> None:
        if self._closed:
            raise RecommenderModelError("this recommender was closed; load the model again")


__all__ = [
    "EpochLog",
    "Recommendations",
    "SASRecConfig",
    "SequentialRecommender",
    "TrainingOptions",
    "TrainingReport",
    "train_sequential",
]
