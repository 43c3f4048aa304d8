"""Parse and validate the clustering configuration handed over by dbt.

dbt passes model config as a plain mapping whose values may be strings (``"auto"``, ``"5"``,
``"None"``, ``""``), numbers or lists. :func:`parse_params` turns it into a frozen
:class:`SegmentationParams`; a bad value raises :class:`ValueError` naming the key, the value,
what is allowed and which var or config key to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ALGORITHMS = ("auto", "kmeans", "agglomerative", "dbscan", "gmm")
LINKAGES = ("ward", "complete", "average", "single")
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

_VAR_FOR_KEY = {
    "features": "segmentation_features",
    "algorithm": "cluster_algorithm",
    "n_clusters": "n_clusters",
    "k_min": "k_min",
    "k_max": "k_max",
    "random_seed": "random_seed",
}
_UNSET = {"", "none", "null", "~"}


@dataclass(frozen=True)
class SegmentationParams:
    """Validated clustering settings; ``None`` means "choose automatically"."""

    features: tuple[str, ...] | None = None
    algorithm: str = "auto"
    n_clusters: int | None = None
    k_min: int = 2
    k_max: int = 10
    random_seed: int = 42
    n_init: int = 10
    sample_size: int = 20000
    linkage: str = "ward"
    covariance_type: str = "full"
    dbscan_eps: float | None = None
    dbscan_min_samples: int | None = None
    tsne_sample_size: int = 2000
    linkage_sample_size: int = 2000


def _how_to_fix(key: str) -> str:
    if key in _VAR_FOR_KEY:
        return f"set var {_VAR_FOR_KEY[key]}"
    return f"set config key {key} of the clustering models"


def _fail(key: str, value: Any, allowed: str) -> ValueError:
    return ValueError(
        f"Invalid value {value!r} for {key!r}: allowed {allowed}. "
        f"Fix: {_how_to_fix(key)} to {allowed}."
    )


def _is_unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _UNSET)


def _is_auto(value: Any) -> bool:
    return _is_unset(value) or (isinstance(value, str) and value.strip().lower() == "auto")


def _as_int(key: str, value: Any, minimum: int, allowed: str) -> int:
    """Return ``value`` as an int >= ``minimum``; accepts ints, integral floats and strings."""
    if isinstance(value, bool):
        raise _fail(key, value, allowed)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _fail(key, value, allowed) from None
    if not number.is_integer() or number < minimum:
        raise _fail(key, value, allowed)
    return int(number)


def _as_float(key: str, value: Any, allowed: str) -> float:
    """Return ``value`` as a finite float > 0."""
    if isinstance(value, bool):
        raise _fail(key, value, allowed)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _fail(key, value, allowed) from None
    if not (number > 0 and number < float("inf")):
        raise _fail(key, value, allowed)
    return number


def _as_choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    allowed = "one of " + ", ".join(choices)
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise _fail(key, value, allowed)
    return value.strip().lower()


def _as_features(value: Any) -> tuple[str, ...] | None:
    """Return the feature names from a list or a comma-separated string; ``None`` when unset."""
    if _is_unset(value):
        return None
    if isinstance(value, str):
        text = value.strip().strip("[]")
        items = [part.strip().strip("'\"").strip() for part in text.split(",")]
    elif isinstance(value, list | tuple):
        items = [str(part).strip() for part in value]
    else:
        raise _fail("features", value, "a list of column names or a comma-separated string")
    names = tuple(dict.fromkeys(name for name in items if name))
    return names or None


def parse_params(config: Mapping[str, Any] | None) -> SegmentationParams:
    """Return the validated :class:`SegmentationParams` for a dbt config mapping.

    Unknown keys are ignored (dbt adds its own). Unset values (``None``, ``""``, ``"None"``) take
    the defaults.
    """
    config = dict(config or {})
    defaults = SegmentationParams()

    def get(key: str) -> Any:
        value = config.get(key)
        return None if _is_unset(value) else value

    def int_or_default(key: str, minimum: int) -> int:
        value = get(key)
        if value is None:
            return getattr(defaults, key)
        return _as_int(key, value, minimum, f"an integer >= {minimum}")

    raw_algorithm = get("algorithm")
    algorithm = (
        "auto" if raw_algorithm is None else _as_choice("algorithm", raw_algorithm, ALGORITHMS)
    )

    raw_k = config.get("n_clusters")
    n_clusters = (
        None if _is_auto(raw_k) else _as_int("n_clusters", raw_k, 2, "auto or an integer >= 2")
    )

    k_min = int_or_default("k_min", 2)
    k_max = int_or_default("k_max", 2)
    if k_max < k_min:
        raise ValueError(
            f"Invalid value {k_max!r} for 'k_max': it must be >= k_min ({k_min}). "
            f"Fix: set var k_max to an integer >= var k_min."
        )

    raw_linkage = get("linkage")
    raw_cov = get("covariance_type")
    raw_eps = config.get("dbscan_eps")
    raw_min_samples = config.get("dbscan_min_samples")

    return SegmentationParams(
        features=_as_features(config.get("features")),
        algorithm=algorithm,
        n_clusters=n_clusters,
        k_min=k_min,
        k_max=k_max,
        random_seed=int_or_default("random_seed", 0),
        n_init=int_or_default("n_init", 1),
        sample_size=int_or_default("sample_size", 2),
        linkage=defaults.linkage
        if raw_linkage is None
        else _as_choice("linkage", raw_linkage, LINKAGES),
        covariance_type=(
            defaults.covariance_type
            if raw_cov is None
            else _as_choice("covariance_type", raw_cov, COVARIANCE_TYPES)
        ),
        dbscan_eps=(
            None if _is_auto(raw_eps) else _as_float("dbscan_eps", raw_eps, "auto or a number > 0")
        ),
        dbscan_min_samples=(
            None
            if _is_auto(raw_min_samples)
            else _as_int("dbscan_min_samples", raw_min_samples, 1, "auto or an integer >= 1")
        ),
        tsne_sample_size=int_or_default("tsne_sample_size", 0),
        linkage_sample_size=int_or_default("linkage_sample_size", 2),
    )
