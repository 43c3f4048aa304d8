"""The pandas + scikit-learn notebook the dbt project replaces, as one script (bench baseline).

Does what the default `dbt build` does for the segmentation, the way a careful notebook would:
read the two Parquet files; drop the rows staging rejects (missing or duplicate ids, ages outside
0-120, negative income, scores outside 1-100, orders without id/customer/date/amount or with a
negative amount); customer features by groupby (recency, frequency, monetary, average order value,
tenure, category shares, online share); median imputation and standard scaling of the default
segmentation features; K-Means for k = k_min..k_max fitted and scored (silhouette) on a sample;
the final K-Means fit on everyone from the best k; the segment profile (size and feature means);
and it writes the segments and the profile to Parquet.

scikit-learn runs on one BLAS/OpenMP thread (`--threads`), the policy the package uses inside
dbt: on a shared 2-core machine, spinning OpenMP threads made K-Means many times slower.

Usage: python scripts/bench/pandas_pipeline.py CUSTOMERS.parquet ORDERS.parquet OUT_DIR
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.metrics import silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

FEATURES = ["age", "annual_income_k", "spending_score"]


def clean_customers(customers: pd.DataFrame) -> pd.DataFrame:
    keep = customers["customer_id"].notna() & ~customers["customer_id"].duplicated(keep=False)
    keep &= customers["age"].isna() | customers["age"].between(0, 120)
    keep &= customers["annual_income_k"].isna() | (customers["annual_income_k"] >= 0)
    keep &= customers["spending_score"].isna() | customers["spending_score"].between(1, 100)
    return customers[keep]


def clean_orders(orders: pd.DataFrame) -> pd.DataFrame:
    keep = orders["order_id"].notna() & ~orders["order_id"].duplicated(keep=False)
    keep &= orders["customer_id"].notna() & orders["order_date"].notna()
    keep &= orders["amount"].notna() & (orders["amount"] >= 0)
    return orders[keep]


def customer_features(customers: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    orders = orders.assign(
        amount=orders["amount"].astype("float64"),
        order_date=pd.to_datetime(orders["order_date"]),
    )
    as_of = orders["order_date"].max() + pd.Timedelta(days=1)
    behaviour = orders.groupby("customer_id").agg(
        first_order_date=("order_date", "min"),
        last_order_date=("order_date", "max"),
        frequency=("order_id", "size"),
        monetary=("amount", "sum"),
        avg_order_value=("amount", "mean"),
    )
    by_category = orders.pivot_table(
        index="customer_id", columns="category", values="amount", aggfunc="sum", fill_value=0.0
    )
    shares = by_category.div(behaviour["monetary"].replace(0, np.nan), axis=0).add_prefix("share_")
    online = orders["amount"].where(orders["channel"] == "online", 0.0)
    behaviour["online_share"] = online.groupby(orders["customer_id"]).sum() / behaviour[
        "monetary"
    ].replace(0, np.nan)
    features = customers.set_index("customer_id").join(behaviour).join(shares)
    features["is_female"] = features["gender"].map({"Female": 1, "Male": 0})
    features["recency_days"] = (as_of - features["last_order_date"]).dt.days
    started = pd.to_datetime(features["signup_date"]).fillna(features["first_order_date"])
    features["tenure_days"] = (as_of - started).dt.days
    features["frequency"] = features["frequency"].fillna(0)
    features["monetary"] = features["monetary"].fillna(0.0)
    return features.drop(columns=["first_order_date", "last_order_date"])


def segment(
    features: pd.DataFrame, seed: int, k_min: int, k_max: int, sample_size: int, n_init: int
) -> tuple[np.ndarray, pd.DataFrame]:
    """Returns (labels of everyone, the search table)."""
    X = make_pipeline(SimpleImputer(strategy="median"), StandardScaler()).fit_transform(
        features[FEATURES].astype("float64")
    )
    rng = np.random.default_rng(seed)
    sample = X[rng.choice(len(X), size=min(sample_size, len(X)), replace=False)]
    search = []
    for k in range(k_min, k_max + 1):
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(sample)
        silhouette = silhouette_score(sample, model.labels_)
        search.append({"k": k, "inertia": model.inertia_, "silhouette": silhouette})
    search_table = pd.DataFrame(search)
    best_k = int(search_table.loc[search_table["silhouette"].idxmax(), "k"])
    final = KMeans(n_clusters=best_k, n_init=n_init, random_state=seed).fit(X)
    return final.labels_, search_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=Path)
    parser.add_argument("orders", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--k-min", type=int, default=2)
    parser.add_argument("--k-max", type=int, default=10)
    parser.add_argument("--sample-size", type=int, default=10_000)
    parser.add_argument("--n-init", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (0 = all)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    customers = clean_customers(pd.read_parquet(args.customers))
    orders = clean_orders(pd.read_parquet(args.orders))
    features = customer_features(customers, orders)
    with threadpool_limits(limits=args.threads or None):
        labels, _ = segment(
            features, args.seed, args.k_min, args.k_max, args.sample_size, args.n_init
        )
    features["segment"] = labels
    numeric = features.select_dtypes("number").columns.drop("segment")
    profile = features.groupby("segment")[list(numeric)].mean()
    profile.insert(0, "customers", features.groupby("segment").size())
    args.out.mkdir(parents=True, exist_ok=True)
    features[["segment"]].reset_index().to_parquet(args.out / "segments.parquet")
    profile.reset_index().to_parquet(args.out / "segment_profile.parquet")
    print(
        f"pandas: {len(features):,} customers, {len(orders):,} orders, "
        f"k={profile.shape[0]}, {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
