"""SQL scaling equals numpy + scikit-learn: SimpleImputer(median), log1p on skewed features, the
outlier fence (clip to Q1 - f x IQR / Q3 + f x IQR of the transformed values), then StandardScaler,
MinMaxScaler, RobustScaler or nothing, fitted on the transformed, clipped values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import skew
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler, StandardScaler

from .conftest import DbtRun, run_dbt

pytestmark = pytest.mark.dbt

FEATURES = ["age", "annual_income_k", "spending_score", "recency_days", "monetary"]
SCALERS = {
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "robust": RobustScaler,
    "none": lambda: FunctionTransformer(),
}


def features_and_scaled(run: DbtRun) -> tuple[np.ndarray, np.ndarray]:
    columns = ", ".join(FEATURES)
    raw = run.frame(f"select {columns} from int_customer_features order by customer_id")
    scaled = run.frame(f"select {columns} from int_customer_features_scaled order by customer_id")
    return raw.to_numpy().astype(float), scaled.to_numpy()


def reference(raw: np.ndarray, method: str, transforms: str, fence: float):
    """The same preparation written with numpy and scikit-learn, independently of the SQL."""
    filled = SimpleImputer(strategy="median").fit_transform(raw)
    skewness = skew(filled, axis=0, bias=True)
    if transforms == "auto":
        logged = (skewness > 1.0) & (filled.min(axis=0) >= 0)
    else:
        logged = np.zeros(filled.shape[1], dtype=bool)
    transformed = np.where(logged, np.log1p(np.where(logged, filled, 0)), filled)
    q1, q3 = np.percentile(transformed, [25, 75], axis=0)
    fenced = (q3 > q1) & (fence > 0)
    lower = np.where(fenced, q1 - fence * (q3 - q1), -np.inf)
    upper = np.where(fenced, q3 + fence * (q3 - q1), np.inf)
    clipped = np.clip(transformed, lower, upper)
    outliers = ((transformed < lower) | (transformed > upper)).sum(axis=0)
    return SCALERS[method]().fit_transform(clipped), skewness, logged, outliers


@pytest.mark.parametrize(
    ("method", "transforms", "fence"),
    [
        ("standard", "auto", 3.0),
        ("minmax", "auto", 1.0),
        ("robust", "auto", 0.5),
        ("none", "none", 0),
    ],
)
def test_sql_scaling_matches_scikit_learn(
    tmp_path: Path, method: str, transforms: str, fence: float
):
    run = run_dbt(
        tmp_path,
        command="build",
        variables={
            "segmentation_features": FEATURES,
            "scaling": method,
            "feature_transforms": transforms,
            "outlier_fence": fence,
        },
        extra_args=["--select", "+int_customer_features_scaled", "--exclude", "test_type:data"],
    )
    raw, scaled = features_and_scaled(run)
    assert np.isnan(raw).any(), (
        "the demo should have missing values to impute (customers without orders)"
    )
    expected, skewness, logged, outliers = reference(raw, method, transforms, fence)
    np.testing.assert_allclose(scaled, expected, rtol=0, atol=1e-9)
    parameters = {
        row[0]: row[1:]
        for row in run.query(
            "select feature_name, imputed_count, transform, skewness, outlier_count"
            " from int_feature_scaling_parameters"
        )
    }
    for index, name in enumerate(FEATURES):
        imputed_count, transform, sql_skewness, outlier_count = parameters[name]
        assert imputed_count == int(np.isnan(raw[:, index]).sum())
        assert transform == ("log1p" if logged[index] else "none"), name
        assert sql_skewness == pytest.approx(skewness[index], abs=1e-9)
        assert outlier_count == outliers[index], name
    if transforms == "auto":
        assert logged.any(), "the demo's order features should be skewed enough to be logged"
    if fence == 0.5:
        assert outliers.sum() > 0, "a tight fence should clip somebody, or the clip is untested"
