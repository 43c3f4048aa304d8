"""Knee (elbow) detection on a curve, with a fallback when kneed finds none."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from kneed import KneeLocator


def _chord_knee(x: np.ndarray, y: np.ndarray) -> float | None:
    """Return the x whose normalised point lies farthest from the chord joining the endpoints.

    ``None`` when the curve is flat or a straight line (no bend at all).
    """
    span_x = x[-1] - x[0]
    span_y = y.max() - y.min()
    if span_x == 0 or span_y == 0:
        return None
    xn = (x - x[0]) / span_x
    yn = (y - y.min()) / span_y
    start, end = np.array([xn[0], yn[0]]), np.array([xn[-1], yn[-1]])
    direction = (end - start) / np.linalg.norm(end - start)
    offsets = np.column_stack([xn, yn]) - start
    distance = np.abs(offsets[:, 0] * direction[1] - offsets[:, 1] * direction[0])
    if distance.max() < 1e-9:
        return None
    return float(x[int(np.argmax(distance))])


def find_knee(
    x: Sequence[float],
    y: Sequence[float],
    curve: str = "convex",
    direction: str = "decreasing",
) -> tuple[float | None, str]:
    """Return ``(knee_x, method)`` for the curve ``y(x)``.

    ``method`` is ``"kneed"`` when :class:`kneed.KneeLocator` finds a knee, ``"chord"`` when the
    fallback (the point farthest from the straight line between the endpoints, the same idea on
    the raw curve) is used, and ``"none"`` when the curve has fewer than three points or no bend
    (``knee_x`` is then ``None``).
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.size < 3:
        return None, "none"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        knee = KneeLocator(xs, ys, curve=curve, direction=direction).knee
    if knee is not None:
        return float(knee), "kneed"
    fallback = _chord_knee(xs, ys)
    return (fallback, "chord") if fallback is not None else (None, "none")
