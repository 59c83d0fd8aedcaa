"""``fitroom recs train``: train the sequential recommender on shopper event sequences.

``fitroom recs train EVENTS --out MODEL [--epochs N] [--max-minutes M] [--no-holdout]`` reads
EVENTS (one shopper per line, ``user item item ...``, oldest first), trains the SASRec model and
writes MODEL, one torch file with everything the server's "for me" uses: the network's weights
and config, item ids, popularity for cold start, and the recency-weighted item-kNN part with the
weight it is blended at (:mod:`fitroom.recommend.hybrid`).

By default each shopper's last item is held out to choose the number of epochs (early stopping
on NDCG@10; the model keeps the best epoch) and the kNN blend weight (best NDCG@10 on the same
held-out items); ``--no-holdout`` trains on everything for ``--epochs`` epochs instead and blends
at ``--knn-weight`` (default 0: the network alone). Offline evaluation against published
figures is ``benchmarks/recs_eval.py``, not this command.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

#: Held-out users ranked after each epoch for early stopping (a sample keeps epochs cheap).
VALID_USERS = 10_000


def register(sub: Any) -> None:
    """Register the ``recs`` subcommand group (``recs train``)."""
    recs: argparse.ArgumentParser = sub.add_parser(
        "recs", help="personal recommendations: train the sequential model"
    )
    recs_sub = recs.add_subparsers(dest="recs_command", required=True)
    train: argparse.ArgumentParser = recs_sub.add_parser(
        "train",
        help="train the sequential recommender on event sequences",
        description="Train a SASRec-style model on EVENTS (one line per shopper: "
        "'user item item ...', oldest first) and write it to MODEL.",
    )
    train.add_argument("events", help="event sequences file, 'user item item ...' per line")
    train.add_argument("--out", required=True, help="where to write the model file")
    train.add_argument("--epochs", type=int, default=200, help="maximum epochs (default 200)")
    train.add_argument(
        "--max-minutes", type=float, default=30.0, help="wall-time limit (default 30)"
    )
    train.add_argument("--patience", type=int, default=10, help="early-stopping patience")
    train.add_argument("--hidden", type=int, default=64, help="model width (default 64)")
    train.add_argument("--dropout", type=float, default=0.5, help="dropout (default 0.5)")
    train.add_argument("--batch-size", type=int, default=128, help="users per step")
    train.add_argument("--learning-rate", type=float, default=1e-3, help="Adam step size")
    train.add_argument(
        "--negatives",
        type=int,
        default=None,
        help="sampled-softmax negatives per batch (default: full softmax over all items)",
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument(
        "--knn-weight",
        type=float,
        default=None,
        help="blend weight of item-kNN (default: chosen on the held-out items; 0 with "
        "--no-holdout)",
    )
    train.add_argument(
        "--no-holdout",
        action="store_true",
        help="train on every item for --epochs epochs, without a held-out last item",
    )
    train.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    train.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    """Train and save; prints one progress line per epoch to stderr and a summary to stdout."""
    from fitroom.cli.paths import output_file
    from fitroom.recommend.baselines import ItemKNN
    from fitroom.recommend.hybrid import KNN_NEIGHBOURS, KNN_RECENCY, choose_knn_weight
    from fitroom.recommend.sequences import hold_out_last, load_sequences
    from fitroom.recommend.sequential import (
        EpochLog,
        SASRecConfig,
        TrainingOptions,
        train_sequential,
    )

    output_file(args.out, "--out")
    sequences = load_sequences(args.events)
    if args.no_holdout:
        train, valid = sequences, None
    else:
        train, held_out = hold_out_last(sequences)
        valid = held_out.sample(VALID_USERS, seed=args.seed)
    config = SASRecConfig(num_items=train.num_items, hidden=args.hidden, dropout=args.dropout)
    options = TrainingOptions(
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        patience=args.patience,
        max_seconds=args.max_minutes * 60.0,
        negatives=args.negatives,
        seed=args.seed,
        threads=getattr(args, "threads", 2),
    )

    def progress(log: EpochLog) -> None:
        if args.quiet:
            return
        line = f"epoch {log.epoch}: loss {log.loss:.4f} ({log.seconds:.1f} s)"
        if log.valid_ndcg10 is not None:
            line += f", held-out NDCG@10 {log.valid_ndcg10:.4f} HR@10 {log.valid_hr10:.4f}"
        print(line, file=sys.stderr, flush=True)

    with train_sequential(train, valid, config, options, on_epoch=progress)[0] as network:
        knn = ItemKNN.fit(train, neighbours=KNN_NEIGHBOURS, recency=KNN_RECENCY)
        weight = args.knn_weight
        if weight is None and valid is not None:
            weight, ndcg = choose_knn_weight(network, knn, valid)
            if not args.quiet:
                tried = ", ".join(f"{w:g}: {v:.4f}" for w, v in ndcg.items())
                print(f"held-out NDCG@10 by kNN weight: {tried}", file=sys.stderr, flush=True)
        weight = weight or 0.0
        with network.with_knn(knn if weight > 0 else None, weight) as model:
            model.save(args.out)
    print(
        f"trained on {len(sequences)} shoppers, {sequences.num_items} items; "
        f"item-kNN blend weight {weight:g}; model written to {args.out}"
    )
    return 0


__all__ = ["VALID_USERS", "register", "run_train"]
