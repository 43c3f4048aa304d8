"""Quality metrics for candidate clusterings and the rules that pick one.

Metrics (all computed on the same reproducible sample, in the scaled feature space):

* ``inertia``: within-cluster sum of squared distances to the member mean, from the labels, for
  every algorithm (DBSCAN noise counts as one more group).
* ``silhouette``: scikit-learn's definition. For DBSCAN it is made *honest*: noise points score 0
  (and are not a cluster), so the value equals the silhouette of the clustered points times
  ``1 - noise_share``; a method cannot look good by discarding the hard points as noise.
* ``calinski_harabasz`` and ``davies_bouldin``: scikit-learn, on the clustered (non-noise) points.

**K rule** (kmeans and agglomerative, when ``n_clusters`` is ``auto``): the silhouette decides,
the elbow only breaks ties. Take the k with the highest silhouette (exact ties go to the smaller
k). The elbow of the inertia curve (knee of the convex, decreasing curve, found by kneed) is the
classical alternative, so when the elbow k's silhouette is within ``KNEE_TOLERANCE`` (0.005) of
the best, the two count as equally good and the elbow k is chosen; a k whose silhouette is better
by more than that always wins. On the Kaggle Mall file this picks k=5 for Income + Score (elbow and
silhouette agree) and k=6 for Age + Income + Score (silhouette 0.452 at k=6 against 0.444 at the
elbow k=5). GMM picks the k with the lowest BIC; DBSCAN prefers the eps at the knee of the
k-distance curve and falls back to the eligible eps with the best silhouette.

**Auto-algorithm rule** (``algorithm: auto``): each method first picks its own best candidate as
above. DBSCAN is eligible only if it finds at least 2 clusters and labels at most 20% of the points
as noise. K-Means is the default, because its centroids score new customers exactly in plain SQL;
another method replaces it only when its silhouette beats K-Means' by more than ``AUTO_MARGIN``
(0.05). Among several such challengers the highest silhouette wins.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

from customer_segmentation.knee import find_knee

KNEE_TOLERANCE = 0.005
AUTO_MARGIN = 0.05
MAX_NOISE_SHARE = 0.2
_CHUNK_BYTES = 64 * 1024 * 1024
# Threads for the silhouette's distance chunks: the cores this process may use, at most 4.
_SCORING_THREADS = min(
    4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
)


@dataclass(frozen=True)
class Choice:
    """The index of the chosen candidate, a readable reason, and the reasons for the others."""

    index: int
    reason: str
    others: dict[int, str]
    fallback: bool = False


def inertia(X: np.ndarray, labels: np.ndarray) -> float:
    """Return the within-group sum of squared distances to group means (noise -1 is a group)."""
    _, groups = np.unique(labels, return_inverse=True)
    counts = np.bincount(groups).astype(float)
    total = 0.0
    for j in range(X.shape[1]):
        sums = np.bincount(groups, weights=X[:, j])
        means = sums / counts
        total += float(np.sum((X[:, j] - means[groups]) ** 2))
    return total


def _one_hot_blocks(labelings: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple]]:
    """Return an ``(n, sum k)`` one-hot matrix of every labeling and per-labeling block metadata."""
    blocks = []
    columns = []
    offset = 0
    for labels in labelings:
        clustered = labels >= 0
        names, codes = np.unique(labels[clustered], return_inverse=True)
        k = names.size
        full = np.full(labels.size, -1, dtype=np.int64)
        full[clustered] = codes
        sizes = np.bincount(codes, minlength=k).astype(float)
        blocks.append((offset, k, full, sizes))
        onehot = np.zeros((labels.size, k), dtype=np.float32)
        onehot[np.flatnonzero(clustered), codes] = 1.0
        columns.append(onehot)
        offset += k
    return np.hstack(columns), blocks


def silhouettes(
    X: np.ndarray,
    labelings: Sequence[np.ndarray],
    progress: Callable[[int], None] | None = None,
) -> list[float | None]:
    """Return the mean silhouette of each labeling of ``X`` (``None`` if undefined).

    Label ``-1`` marks noise: noise points score 0 and belong to no cluster. The pairwise distances
    are computed once, in row chunks, and shared by all labelings, so scoring 30 candidates costs
    about as much as scoring one. Undefined means fewer than 2 or more than ``n - 1`` clusters.
    ``progress`` is called with the rows scored so far after each chunk, on the calling thread
    (the cost grows with the square of the rows: 3 s at 20,000, 28 s at 60,000 on two cores).
    """
    n = X.shape[0]
    if n < 3 or not labelings:
        return [None] * len(labelings)
    onehot, blocks = _one_hot_blocks(labelings)
    scores = [np.zeros(n) for _ in labelings]
    centred = X - X.mean(axis=0)
    transposed = np.ascontiguousarray(centred.T)
    sq = np.einsum("ij,ij->i", centred, centred)
    chunk = max(1, min(n, _CHUNK_BYTES // (8 * n)))

    def score_rows(start: int) -> None:
        stop = min(n, start + chunk)
        d2 = np.dot(centred[start:stop] * -2.0, transposed)
        d2 += sq[None, :]
        d2 += sq[start:stop, None]
        np.maximum(d2, 0.0, out=d2)
        distances = np.sqrt(d2, out=d2)
        distances[np.arange(stop - start), np.arange(start, stop)] = 0.0
        sums = (distances.astype(np.float32) @ onehot).astype(np.float64)
        rows = np.arange(stop - start)
        for score, (offset, k, codes, sizes) in zip(scores, blocks, strict=True):
            if k < 2:
                continue
            own = codes[start:stop]
            clustered = own >= 0
            block = sums[:, offset : offset + k]
            own_safe = np.where(clustered, own, 0)
            own_size = sizes[own_safe]
            with np.errstate(divide="ignore", invalid="ignore"):
                a = block[rows, own_safe] / (own_size - 1.0)
                means = block / sizes[None, :]
            means[rows, own_safe] = np.inf
            b = means.min(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                s = (b - a) / np.maximum(a, b)
            s = np.nan_to_num(s, nan=0.0, posinf=0.0, neginf=0.0)
            s[(own_size <= 1) | ~clustered] = 0.0
            score[start:stop] = s

    # Row chunks are independent (each writes its own slice), and numpy releases the GIL in these
    # large operations: two threads use both cores of a small machine (the search runs on one
    # BLAS thread). Same numbers whatever the thread count.
    starts = range(0, n, chunk)
    if len(starts) == 1:
        score_rows(0)
    else:
        with ThreadPoolExecutor(max_workers=_SCORING_THREADS) as pool:
            # map yields in order as chunks finish: progress is reported here, not on a worker
            for start, _ in zip(starts, pool.map(score_rows, starts), strict=True):
                if progress is not None:
                    progress(min(n, start + chunk))
    result: list[float | None] = []
    for score, (_, k, _, _) in zip(scores, blocks, strict=True):
        result.append(float(score.mean()) if 2 <= k <= n - 1 else None)
    return result


def separation_scores(X: np.ndarray, labels: np.ndarray) -> tuple[float | None, float | None]:
    """Return ``(calinski_harabasz, davies_bouldin)`` of non-noise points; ``None`` if undefined."""
    clustered = labels >= 0
    Xc, lc = X[clustered], labels[clustered]
    k = np.unique(lc).size
    if k < 2 or k > Xc.shape[0] - 1:
        return None, None
    return float(calinski_harabasz_score(Xc, lc)), float(davies_bouldin_score(Xc, lc))


def format_score(value: float | None) -> str:
    """Return a score with 4 decimals, or ``n/a``."""
    return _fmt(value)


def _fmt(value: float | None) -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.4f}"
    )


def _pool(n: int, eligible: Sequence[bool] | None) -> tuple[list[int], bool]:
    """Return the eligible indices, or every index with ``fallback=True`` when none is."""
    pool = [i for i in range(n) if eligible is None or eligible[i]]
    return (pool, False) if pool else (list(range(n)), True)


def choose_k_by_silhouette(
    ks: Sequence[int],
    silhouette: Sequence[float | None],
    inertias: Sequence[float],
    eligible: Sequence[bool] | None = None,
) -> Choice:
    """Apply the K rule (see module docstring) among the ``eligible`` candidates.

    The elbow is found on the whole inertia curve but only wins if it is eligible. When no
    candidate is eligible the rule runs on all of them and ``Choice.fallback`` is true.
    """
    pool, fallback = _pool(len(ks), eligible)
    scored = [(i, silhouette[i]) for i in pool if silhouette[i] is not None]
    if not scored:
        index = pool[0]
        return Choice(
            index, f"k={ks[index]}: the only usable candidate (silhouette undefined)", {}, fallback
        )
    best_index, best = max(scored, key=lambda item: (item[1], -ks[item[0]]))
    knee, _ = find_knee(ks, inertias, curve="convex", direction="decreasing")
    knee_index = next((i for i, k in enumerate(ks) if knee is not None and k == int(knee)), None)
    range_text = f"k={min(ks)}..{max(ks)}" if len(ks) > 1 else f"k={ks[0]}"
    among = "" if fallback or len(pool) == len(ks) else "eligible "
    knee_sil = silhouette[knee_index] if knee_index is not None else None
    if knee_index == best_index:
        index = best_index
        reason = (
            f"k={ks[index]}: highest silhouette ({_fmt(best)}) among {among}{range_text}, "
            "and the elbow of the inertia curve is at the same k"
        )
    elif knee_index in pool and knee_sil is not None and knee_sil >= best - KNEE_TOLERANCE:
        index = knee_index
        reason = (
            f"k={ks[index]}: elbow of the inertia curve; its silhouette {_fmt(knee_sil)} is within "
            f"{KNEE_TOLERANCE} of the best ({_fmt(best)} at k={ks[best_index]}), so the elbow wins"
        )
    else:
        index = best_index
        if knee_index is None:
            elbow = "no elbow was found in the inertia curve"
        elif knee_index not in pool:
            elbow = f"the elbow at k={ks[knee_index]} is not eligible"
        else:
            elbow = (
                f"the elbow at k={ks[knee_index]} has silhouette {_fmt(knee_sil)}, more than "
                f"{KNEE_TOLERANCE} lower"
            )
        reason = (
            f"k={ks[index]}: highest silhouette ({_fmt(best)}) among {among}{range_text}; {elbow}"
        )
    chosen = silhouette[index]
    others = {
        i: f"not selected: silhouette {_fmt(s)} vs {_fmt(chosen)} of k={ks[index]}"
        for i, s in enumerate(silhouette)
        if i != index
    }
    return Choice(index, reason, others, fallback)


def choose_k_by_bic(
    ks: Sequence[int], bics: Sequence[float], eligible: Sequence[bool] | None = None
) -> Choice:
    """Return the eligible candidate with the lowest BIC (ties: smaller k)."""
    pool, fallback = _pool(len(ks), eligible)
    index = min(pool, key=lambda i: (bics[i], ks[i]))
    among = "eligible " if not fallback and len(pool) < len(ks) else ""
    reason = (
        f"k={ks[index]}: lowest BIC ({bics[index]:.1f}) among the {among}Gaussian mixtures tried"
    )
    others = {
        i: f"not selected: BIC {bics[i]:.1f} vs {bics[index]:.1f} of k={ks[index]}"
        for i in range(len(ks))
        if i != index
    }
    return Choice(index, reason, others, fallback)


def parameters_text(parameters: Mapping[str, Any]) -> str:
    """Return ``{"eps": 0.8, "min_samples": 7}`` as ``eps=0.8, min_samples=7`` for reasons."""
    return ", ".join(
        f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in parameters.items()
    )


def dbscan_ineligibility(n_clusters: int, noise_share: float) -> str | None:
    """Return why a DBSCAN result cannot be used, or ``None`` when it is eligible."""
    if n_clusters < 2:
        return f"found {n_clusters} cluster(s), fewer than 2"
    if noise_share > MAX_NOISE_SHARE:
        return f"noise share {noise_share:.1%} > {MAX_NOISE_SHARE:.0%}"
    return None


def choose_dbscan(
    labels_text: Sequence[str],
    preferred: int,
    n_clusters: Sequence[int],
    noise_shares: Sequence[float],
    silhouette: Sequence[float | None],
    eligible: Sequence[bool] | None = None,
) -> Choice:
    """Pick the preferred (knee) eps if eligible, else the eligible one with the best silhouette.

    ``eligible`` adds a condition of the caller (the minimum segment share) to DBSCAN's own.
    """
    problems = [dbscan_ineligibility(n, s) for n, s in zip(n_clusters, noise_shares, strict=True)]
    if eligible is not None:
        problems = [
            p or (None if ok else "a segment is below the minimum share")
            for p, ok in zip(problems, eligible, strict=True)
        ]
    usable = [i for i, p in enumerate(problems) if p is None]
    if problems[preferred] is None:
        index = preferred
        reason = f"{labels_text[index]}: eps at the knee of the k-distance curve"
    elif usable:
        index = max(usable, key=lambda i: (silhouette[i] or -1.0, -i))
        reason = (
            f"{labels_text[index]}: best silhouette among eligible eps values; the knee eps "
            f"{problems[preferred]}"
        )
    else:
        index = preferred
        reason = (
            f"{labels_text[index]}: eps at the knee of the k-distance curve ({problems[index]})"
        )
    others = {}
    for i in range(len(labels_text)):
        if i != index:
            why = problems[i] or f"silhouette {_fmt(silhouette[i])}, eps not at the knee"
            others[i] = f"not selected: {why}"
    return Choice(index, reason, others, not usable)


def choose_algorithm(
    best: dict[str, tuple[float | None, int, float]],
    problems: Mapping[str, str | None] | None = None,
) -> tuple[str, str, dict[str, str]]:
    """Apply the auto-algorithm rule to each method's ``(silhouette, n_clusters, noise_share)``.

    ``problems`` says why a method's pick cannot be used (``None`` when it can); without it,
    DBSCAN's own conditions apply. Returns ``(algorithm, reason, reasons_for_the_others)``.
    """
    if problems is None:
        problems = {
            name: dbscan_ineligibility(k, noise) if name == "dbscan" else None
            for name, (_, k, noise) in best.items()
        }
    problems = dict(problems)
    for name, (sil, _, _) in best.items():
        if problems.get(name) is None and sil is None:
            problems[name] = "silhouette undefined"
    base = best.get("kmeans", (None, 0, 0.0))[0]
    baseline = base if base is not None else -1.0
    challengers = [
        name
        for name, (sil, _, _) in best.items()
        if name != "kmeans" and problems[name] is None and sil > baseline + AUTO_MARGIN
    ]
    usable = [n for n in best if problems[n] is None]
    if "kmeans" in best and not challengers and (problems["kmeans"] is None or not usable):
        chosen = "kmeans"
        reason = (
            f"kmeans kept (silhouette {_fmt(base)}): no other method beats it by more than "
            f"{AUTO_MARGIN}, and its centroids score new customers exactly in SQL"
        )
        if problems["kmeans"] is not None:
            reason = f"kmeans kept although {problems['kmeans']}: no method is eligible"
    else:
        pool = challengers or usable or list(best)
        chosen = max(pool, key=lambda n: best[n][0] if best[n][0] is not None else -1.0)
        if challengers:
            reason = (
                f"{chosen} chosen: silhouette {_fmt(best[chosen][0])} beats kmeans "
                f"({_fmt(base)}) by more than {AUTO_MARGIN}"
            )
        elif "kmeans" in best:
            reason = (
                f"{chosen} chosen (silhouette {_fmt(best[chosen][0])}): kmeans is ineligible "
                f"({problems['kmeans']})"
            )
        else:
            reason = f"{chosen} chosen: highest silhouette ({_fmt(best[chosen][0])})"
    others = {}
    for name, (sil, _, _) in best.items():
        if name == chosen:
            continue
        if problems[name] is not None:
            others[name] = f"not selected: {name} is ineligible ({problems[name]})"
        else:
            others[name] = (
                f"not selected: {name} best silhouette {_fmt(sil)} vs {_fmt(best[chosen][0])} "
                f"of {chosen} (rule: kmeans unless beaten by more than {AUTO_MARGIN})"
            )
    return chosen, reason, others
