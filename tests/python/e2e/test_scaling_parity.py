"""SQL scaling equals scikit-learn's SimpleImputer(median) + StandardScaler or MinMaxScaler."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

from .conftest import DbtRun, run_dbt

pytestmark = pytest.mark.dbt

FEATURES = ["age", "annual_income_k", "spending_score", "recency_days", "monetary"]
SCALERS = {
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "none": lambda: FunctionTransformer(),
}


def features_and_scaled(run: DbtRun) -> tuple[np.ndarray, np.ndarray]:
    columns = ", ".join(FEATURES)
    raw = run.frame(f"select {columns} from int_customer_features order by customer_id")
    scaled = run.frame(f"select {columns} from int_customer_features_scaled order by customer_id")
    return raw.to_numpy().astype(float), scaled.to_numpy()


@pytest.mark.parametrize("method", ["standard", "minmax", "none"])
def test_sql_scaling_matches_scikit_learn(tmp_path: Path, method: str):
    run = run_dbt(
        tmp_path,
        command="build",
        variables={
            "segmentation_features": FEATURES,
            "scaling": method,
        },
        extra_args=["--select", "+int_customer_features_scaled", "--exclude", "test_type:data"],
    )
    raw, scaled = features_and_scaled(run)
    assert np.isnan(raw).any(), (
        "the demo should have missing values to impute (customers without orders)"
    )
    expected = make_pipeline(SimpleImputer(strategy="median"), SCALERS[method]()).fit_transform(raw)
    np.testing.assert_allclose(scaled, expected, rtol=0, atol=1e-9)
    imputed = dict(
        run.query("select feature_name, imputed_count from int_feature_scaling_parameters")
    )
    for index, name in enumerate(FEATURES):
        assert imputed[name] == int(np.isnan(raw[:, index]).sum())
