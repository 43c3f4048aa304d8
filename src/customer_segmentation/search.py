"""The candidate search: every family's candidates on one sample, their indices, one choice.

Order of the decision (README, "Method"):

1. each candidate whose smallest segment (DBSCAN noise aside) holds less than
   ``min_segment_share`` of the sample is *not eligible*;
2. each family picks among its eligible candidates by its own rule (silhouette with the elbow
   as tie-break, lowest BIC, DBSCAN's knee eps), unless a var fixes the candidate;
3. ``algorithm: auto`` compares the families' picks (K-Means unless beaten by a margin).

When no candidate of a family is eligible, the family's rule runs on all of them, the reason says
so and a warning is issued.
"""

from __future__ import annotations

import json
import time
import warnings
from typing import Any

import numpy as np
import polars as pl

from customer_segmentation import algorithms as alg
from customer_segmentation import model_selection as ms
from customer_segmentation import overrides
from customer_segmentation.console import PROGRESS_EVERY, Log, Progress, percent
from customer_segmentation.estimators import REGISTRY, Estimator
from customer_segmentation.params import SegmentationParams
from customer_segmentation.sampling import sample_indices
from customer_segmentation.settings_schema import ALGORITHMS

CANDIDATES_SCHEMA: dict[str, pl.DataType] = {
    "algorithm": pl.Utf8(),
    "n_clusters": pl.Int64(),
    "parameters": pl.Utf8(),
    "inertia": pl.Float64(),
    "silhouette": pl.Float64(),
    "calinski_harabasz": pl.Float64(),
    "davies_bouldin": pl.Float64(),
    "bic": pl.Float64(),
    "aic": pl.Float64(),
    "noise_share": pl.Float64(),
    "is_selected": pl.Boolean(),
    "selection_reason": pl.Utf8(),
    "sample_size": pl.Int64(),
    "features": pl.Utf8(),
}


def encode_parameters(parameters: dict[str, Any]) -> str:
    """Return the JSON text stored in the ``parameters`` column (keys sorted)."""
    return json.dumps(parameters, sort_keys=True)


def decode_parameters(text: str | None) -> dict[str, Any]:
    """Return the parameters of a candidate from its JSON text (``{}`` when empty)."""
    return json.loads(text) if text else {}


def k_range(params: SegmentationParams, limit: int, n_distinct: int, n_rows: int) -> list[int]:
    """Return the k values to try, capped at ``limit`` with a warning."""
    wanted = set(range(params.k_min, params.k_max + 1))
    if params.n_clusters is not None:
        wanted.add(params.n_clusters)
    ks = sorted({min(k, limit) for k in wanted})
    if max(wanted) > limit:
        warnings.warn(
            f"k capped at {limit} (requested up to {max(wanted)}): the sample has only "
            f"{n_distinct} distinct points in {n_rows} rows.",
            stacklevel=3,
        )
    return ks


def smallest_share(labels: np.ndarray) -> float | None:
    """Return the smallest segment's share of all rows (noise aside); ``None`` without segments."""
    clustered = labels[labels >= 0]
    if clustered.size == 0:
        return None
    return float(np.unique(clustered, return_counts=True)[1].min() / labels.size)


def _row(labelled: alg.Labelled, Xs: np.ndarray, silhouette: float | None) -> dict[str, Any]:
    labels = labelled.labels
    ch, db = ms.separation_scores(Xs, labels)
    return {
        "algorithm": labelled.algorithm,
        "n_clusters": int(np.unique(labels[labels >= 0]).size),
        "parameters": labelled.parameters,
        "inertia": ms.inertia(Xs, labels),
        "silhouette": silhouette,
        "calinski_harabasz": ch,
        "davies_bouldin": db,
        "bic": labelled.bic,
        "aic": labelled.aic,
        "noise_share": float(np.mean(labels < 0)),
        "requested_k": labelled.requested_k,
        "smallest_share": smallest_share(labels),
        "labels": labels,
    }


def _share_problem(row: dict[str, Any], minimum: float) -> str | None:
    share = row["smallest_share"]
    if share is None or share >= minimum:
        return None
    return f"smallest segment {percent(share)} < min_segment_share {percent(minimum)}"


def _describe(row: dict[str, Any]) -> str:
    if row["requested_k"] is not None:
        label = f"k={row['requested_k']}"
    else:
        label = ms.parameters_text(row["parameters"])
    smallest = row["smallest_share"]
    parts = [
        f"{row['algorithm']} {label}: {row['n_clusters']} "
        + ("segment" if row["n_clusters"] == 1 else "segments"),
        f"silhouette {ms.format_score(row['silhouette'])}",
        f"smallest segment {'n/a' if smallest is None else percent(smallest)}",
    ]
    if row["bic"] is not None:
        parts.append(f"BIC {row['bic']:.1f}")
    if row["noise_share"]:
        parts.append(f"noise {percent(row['noise_share'])}")
    return ", ".join(parts)


class Search:
    """One run of the search on the (sampled) matrix ``X``; :meth:`run` returns the candidates."""

    def __init__(
        self,
        X: np.ndarray,
        features: list[str],
        params: SegmentationParams,
        min_share: float,
        dropped: list[str],
        log: Log,
        base_size: int | None = None,
        progress_every: float = PROGRESS_EVERY,
    ) -> None:
        self.X = X
        # Customers in the whole base (X may already be the SQL sample); only for the log line.
        self.base_size = X.shape[0] if base_size is None else base_size
        self.features = features
        self.params = params
        self.min_share = min_share
        self.dropped = dropped
        self.log = log
        # Seconds between two progress lines of the silhouette scoring (console.Progress).
        self.progress_every = progress_every
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def run(self) -> pl.DataFrame:
        params = self.params
        Xs = self.X[sample_indices(self.X.shape[0], params.sample_size, params.random_seed)]
        self.log(
            f"sample of {Xs.shape[0]:,} of {self.base_size:,} customers (sample_size "
            f"{params.sample_size:,}, seed {params.random_seed}); features: "
            f"{', '.join(self.features)}"
            + (f"; dropped as constant or empty: {', '.join(self.dropped)}" if self.dropped else "")
        )
        n_distinct = int(np.unique(Xs, axis=0).shape[0])
        limit = min(n_distinct, Xs.shape[0] - 1)
        if limit < 2:
            return self._single_segment(Xs, n_distinct)
        ks = k_range(params, limit, n_distinct, Xs.shape[0])
        wanted = ALGORITHMS if params.algorithm == "auto" else (params.algorithm,)
        self.log(
            f"trying {', '.join(wanted)} with k={ks[0]}..{ks[-1]}; candidates with a segment "
            f"below min_segment_share {percent(self.min_share)} are not eligible"
        )
        runs: dict[str, list[alg.Labelled]] = {}
        preferred: dict[str, int] = {}
        for name in wanted:
            self.log(f"fitting {name} candidates on the sample")
            started = time.monotonic()
            runs[name], preferred[name] = REGISTRY[name].candidates(Xs, ks, params)
            seconds = time.monotonic() - started
            self.log(f"  {len(runs[name])} {name} candidates fitted in {seconds:.1f} s")
        flat = [lab for name in wanted for lab in runs[name]]
        self.log(
            f"scoring {len(flat)} candidates by silhouette on {Xs.shape[0]:,} customers "
            "(every pair of customers: grows with the square of sample_size)"
        )
        scoring = Progress(self.log, "silhouette", Xs.shape[0], self.progress_every)
        scores = iter(ms.silhouettes(Xs, [lab.labels for lab in flat], scoring))
        rows = {name: [_row(lab, Xs, next(scores)) for lab in runs[name]] for name in wanted}
        self.rows = rows
        for name in wanted:
            for row in rows[name]:
                self.log("  " + _describe(row))
        choices = {
            name: self._choose_within(REGISTRY[name], rows[name], preferred[name], Xs)
            for name in wanted
        }
        chosen, algorithm_reason, other_algorithms = self._choose_algorithm(rows, choices)
        out = self._table(wanted, rows, choices, chosen, algorithm_reason, other_algorithms, Xs)
        selected = out.filter(pl.col("is_selected")).row(0, named=True)
        self.log(
            f"chose {selected['algorithm']} with {selected['n_clusters']} segments, silhouette "
            f"{ms.format_score(selected['silhouette'])}: {selected['selection_reason']}"
        )
        return out

    def _choose_within(
        self, family: Estimator, rows: list[dict[str, Any]], preferred: int, Xs: np.ndarray
    ) -> ms.Choice:
        forced = overrides.forced_choice(family, rows, self.params, preferred)
        if forced is not None:
            problem = _share_problem(rows[forced.index], self.min_share)
            if problem is None:
                return forced
            warnings.warn(
                f"{family.name}: {problem}, kept because a var fixes the candidate.", stacklevel=2
            )
            return ms.Choice(forced.index, f"{forced.reason} ({problem})", forced.others)
        problems = [_share_problem(row, self.min_share) for row in rows]
        choice = family.choose(rows, preferred, [p is None for p in problems])
        others = {
            i: f"not eligible: {problems[i]}" if problems[i] else why
            for i, why in choice.others.items()
        }
        if not (choice.fallback and any(problems)):
            return ms.Choice(choice.index, choice.reason, others)
        rescue = self._set_small_segments_aside(family, rows, preferred, Xs)
        if rescue is not None:
            choice = rescue
        labels = rows[choice.index]["labels"]
        small = float(np.mean((labels >= 0) & (self._usable(labels) < 0)))
        reason = (
            f"no {family.name} candidate is eligible (each has a segment below "
            f"min_segment_share {percent(self.min_share)}); best available: {choice.reason}"
            f"; {percent(small)} of customers are in segments below the minimum"
        )
        warnings.warn(
            f"{family.name}: no candidate of the searched range is eligible under "
            f"min_segment_share {percent(self.min_share)}; using the best available "
            f"({problems[choice.index]}). Check the features for outliers (var outlier_fence, "
            "feature_transforms), widen k_min..k_max or lower min_segment_share.",
            stacklevel=2,
        )
        others = {
            i: f"not eligible: {problems[i]}" if problems[i] else "not selected"
            for i in range(len(rows))
            if i != choice.index
        }
        return ms.Choice(choice.index, reason, others, True)

    def _usable(self, labels: np.ndarray) -> np.ndarray:
        """Return ``labels`` with segments below the minimum share (and noise) set to -1."""
        names, counts = np.unique(labels[labels >= 0], return_counts=True)
        small = names[counts < self.min_share * labels.size]
        return np.where(np.isin(labels, small) | (labels < 0), -1, labels)

    def _set_small_segments_aside(
        self, family: Estimator, rows: list[dict[str, Any]], preferred: int, Xs: np.ndarray
    ) -> ms.Choice | None:
        """Return the family's pick when segments below the minimum share are set aside like
        noise (they score 0 in the silhouette), or ``None`` when no candidate then has two
        usable segments."""
        usable = [self._usable(row["labels"]) for row in rows]
        scoring = Progress(
            self.log, "silhouette, small segments aside", Xs.shape[0], self.progress_every
        )
        scores = ms.silhouettes(Xs, usable, scoring)
        counts = [np.unique(labels[labels >= 0]).size for labels in usable]
        eligible = [s is not None and c >= 2 for s, c in zip(scores, counts, strict=True)]
        if not any(eligible):
            return None
        aside = [row | {"silhouette": score} for row, score in zip(rows, scores, strict=True)]
        choice = family.choose(aside, preferred, eligible)
        return ms.Choice(
            choice.index,
            f"{choice.reason} (silhouette with the small segments set aside like noise)",
            choice.others,
        )

    def _choose_algorithm(
        self, rows: dict[str, list[dict[str, Any]]], choices: dict[str, ms.Choice]
    ) -> tuple[str, str, dict[str, str]]:
        forced = overrides.forced_algorithm(self.params)
        if forced is not None:
            return forced[0], forced[1], {}
        compared = {
            name: rows[name][choices[name].index]
            for name in rows
            if REGISTRY[name].takes_k or self.params.n_clusters is None
        }
        problems = {
            name: REGISTRY[name].ineligibility(row)
            or (_share_problem(row, self.min_share) if choices[name].fallback else None)
            for name, row in compared.items()
        }
        chosen, reason, others = ms.choose_algorithm(
            {n: (r["silhouette"], r["n_clusters"], r["noise_share"]) for n, r in compared.items()},
            problems,
        )
        for name in rows:
            if name not in compared:
                others[name] = f"not selected: {name} cannot honour var n_clusters"
        return chosen, reason, others

    def _table(self, wanted, rows, choices, chosen, algorithm_reason, other_algorithms, Xs):
        dropped = (
            f" Dropped constant or empty feature(s): {', '.join(self.dropped)}."
            if self.dropped
            else ""
        )
        out = []
        for name in wanted:
            choice = choices[name]
            for i, row in enumerate(rows[name]):
                selected = name == chosen and i == choice.index
                if selected:
                    reason = (
                        f"Selected {name} with {row['n_clusters']} clusters "
                        f"({ms.parameters_text(row['parameters'])}). Number of clusters: "
                        f"{choice.reason}. Algorithm: {algorithm_reason}.{dropped}"
                    )
                elif i == choice.index:
                    reason = other_algorithms.get(name, f"not selected: {name} was not chosen")
                else:
                    reason = choice.others.get(i, "not selected")
                out.append(
                    {k: v for k, v in row.items() if k in CANDIDATES_SCHEMA}
                    | {
                        "parameters": encode_parameters(row["parameters"]),
                        "is_selected": selected,
                        "selection_reason": reason,
                        "sample_size": Xs.shape[0],
                        "features": ",".join(self.features),
                    }
                )
        return pl.DataFrame(out, schema=CANDIDATES_SCHEMA)

    def _single_segment(self, Xs: np.ndarray, n_distinct: int) -> pl.DataFrame:
        reason = (
            f"Only {n_distinct} distinct point(s) in {Xs.shape[0]} rows: every customer is put "
            "in one segment (no clustering is possible)."
        )
        row = {name: None for name in CANDIDATES_SCHEMA} | {
            "algorithm": "kmeans",
            "n_clusters": 1,
            "parameters": encode_parameters({"n_init": self.params.n_init}),
            "inertia": ms.inertia(Xs, np.zeros(Xs.shape[0], dtype=np.int64)),
            "noise_share": 0.0,
            "is_selected": True,
            "selection_reason": reason,
            "sample_size": Xs.shape[0],
            "features": ",".join(self.features),
        }
        warnings.warn(reason, stacklevel=3)
        self.log(f"chose one segment for everyone: {reason}")
        return pl.DataFrame([row], schema=CANDIDATES_SCHEMA)
