"""Parse and validate the clustering configuration handed over by dbt.

dbt passes model config as a plain mapping whose values may be strings (``"auto"``, ``"5"``,
``"None"``, ``""``), numbers or lists. :func:`parse_params` turns it into a frozen
:class:`SegmentationParams`, checking every value against the one var schema in
:mod:`customer_segmentation.settings_schema` (the same schema the dbt macro ``validate_vars()``
reads): a bad value raises :class:`~customer_segmentation.settings_schema.SettingError`, a
``ValueError`` whose one-line message names the var, the value, what is allowed and an example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from customer_segmentation import settings_schema as schema

ALGORITHMS = schema.BY_NAME["cluster_algorithm"].choices
LINKAGES = schema.BY_NAME["linkage"].choices
COVARIANCE_TYPES = schema.BY_NAME["covariance_type"].choices

# config key of the clustering models -> var name in the schema (the others are the same).
VAR_FOR_KEY = {"features": "segmentation_features", "algorithm": "cluster_algorithm"}
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
    min_segment_share: float = 0.02
    max_noise_share: float = 0.2


def _is_unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _UNSET)


def parse_params(config: Mapping[str, Any] | None) -> SegmentationParams:
    """Return the validated :class:`SegmentationParams` for a dbt config mapping.

    Unknown keys are ignored (dbt adds its own). Unset values (``None``, ``""``, ``"None"``) take
    the defaults of :class:`SegmentationParams`; ``auto`` becomes ``None``.
    """
    config = dict(config or {})
    defaults = SegmentationParams()
    values: dict[str, Any] = {}
    for field_name in SegmentationParams.__dataclass_fields__:
        raw = config.get(field_name)
        if _is_unset(raw):
            values[field_name] = getattr(defaults, field_name)
            continue
        typed = schema.check(VAR_FOR_KEY.get(field_name, field_name), raw)
        if typed == "auto":
            typed = None if field_name != "algorithm" else "auto"
        if field_name == "features" and typed is not None:
            typed = tuple(typed)
        values[field_name] = typed
    schema.check_pairs(values)
    return SegmentationParams(**values)
