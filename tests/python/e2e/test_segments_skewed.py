"""A skewed customer base, generated here, built end to end on RFM features: log-normal spend, a
majority of one-time buyers, a handful of whales and one extreme outlier (issue 9)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from .conftest import DbtRun, run_dbt, shared_build

pytestmark = pytest.mark.dbt

RFM = ["recency_days", "frequency", "monetary"]
RFM_NAMES = {
    "Champions",
    "Loyal",
    "Potential Loyalists",
    "New",
    "At Risk",
    "Can't Lose",
    "Hibernating",
    "Lost",
}
OUTLIER_ID = "S-OUTLIER"
CATEGORIES = ["home", "fashion", "beauty", "sports"]


def write_skewed_inputs(folder: Path, customers: int = 1500, seed: int = 7) -> tuple[Path, Path]:
    """Customers and order lines in the demo's input format."""
    rng = np.random.default_rng(seed)
    end = dt.date(2025, 6, 30)
    customer_rows, order_rows = [], []

    def add_orders(customer_id: str, count: int, spend_mu: float, last_days_ago: int) -> None:
        for _ in range(count):
            days_ago = last_days_ago + int(rng.integers(0, 540))
            order_rows.append(
                [
                    f"O{len(order_rows) + 1:07d}",
                    customer_id,
                    (end - dt.timedelta(days=min(days_ago, 720))).isoformat(),
                    f"{rng.lognormal(spend_mu, 0.8):.2f}",
                    CATEGORIES[int(rng.integers(0, len(CATEGORIES)))],
                    "online" if rng.random() < 0.6 else "store",
                ]
            )

    for number in range(1, customers + 1):
        customer_id = f"S{number:05d}"
        customer_rows.append(
            [
                customer_id,
                "Female" if rng.random() < 0.5 else "Male",
                int(rng.integers(18, 80)),
                int(rng.integers(15, 140)),
                int(rng.integers(1, 101)),
                "2023-01-15",
                f"{customer_id.lower()}@example.com",
                "true",
            ]
        )
        draw = rng.random()
        if number <= 8:  # whales: many, large, recent orders
            add_orders(customer_id, int(rng.integers(40, 60)), 6.5, int(rng.integers(0, 20)))
        elif draw < 0.6:  # one-time buyers, mostly long ago
            add_orders(customer_id, 1, 3.5, int(rng.integers(0, 700)))
        elif draw < 0.9:
            add_orders(customer_id, int(rng.integers(2, 6)), 3.8, int(rng.integers(0, 300)))
        else:
            add_orders(customer_id, int(rng.integers(6, 16)), 4.0, int(rng.integers(0, 90)))
    customer_rows.append(
        [OUTLIER_ID, "Male", 45, 80, 50, "2023-01-15", "outlier@example.com", "true"]
    )
    order_rows.append(["O9999999", OUTLIER_ID, "2025-03-01", "666666.00", "home", "online"])

    customers_csv, orders_csv = folder / "customers.csv", folder / "orders.csv"
    with customers_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "customer_id",
                "gender",
                "age",
                "annual_income_k",
                "spending_score",
                "signup_date",
                "email",
                "marketing_opt_in",
            ]
        )
        writer.writerows(customer_rows)
    with orders_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "order_date", "amount", "category", "channel"])
        writer.writerows(order_rows)
    return customers_csv, orders_csv


@shared_build
def skewed_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    folder = tmp_path_factory.mktemp("skewed")
    customers_csv, orders_csv = write_skewed_inputs(folder)
    return run_dbt(
        folder,
        variables={
            "customers_path": str(customers_csv),
            "orders_path": str(orders_csv),
            "segmentation_features": RFM,
            "cluster_algorithm": "kmeans",
            "k_max": 6,
            "n_init": 3,
        },
        extra_args=[
            "--select",
            "+segment_profiles",
            "+customer_segments_scored",
            "--exclude",
            "test_type:data",
        ],
    )


def test_skewed_features_are_logged_and_the_outlier_fenced(skewed_build: DbtRun):
    scaling = {
        row[0]: row[1:]
        for row in skewed_build.query(
            "select feature_name, transform, skewness, outlier_count from feature_scaling"
        )
    }
    for feature in ("frequency", "monetary"):
        transform, skewness, _ = scaling[feature]
        assert transform == "log1p" and skewness > 1.0, (feature, scaling[feature])
    assert scaling["monetary"][2] >= 1


def test_the_outlier_is_flagged_and_not_a_segment_of_its_own(skewed_build: DbtRun):
    flagged, segment_size, scored_flag = skewed_build.query(
        f"""
        select customer_segments.is_outlier, profiles.customer_count, scored.is_outlier
        from customer_segments
        inner join segment_profiles as profiles using (segment_id)
        inner join customer_segments_scored as scored using (customer_id)
        where customer_id = '{OUTLIER_ID}'"""
    )[0]
    assert flagged and scored_flag
    customers = skewed_build.scalar("select count(*) from customer_segments")
    assert segment_size >= 0.02 * customers
    smallest = skewed_build.scalar("select min(customer_count) from segment_profiles")
    assert smallest >= 0.02 * customers, "no segment of a handful of whales or outliers"


def test_tiers_and_names_agree_with_the_medians(skewed_build: DbtRun):
    rows = skewed_build.query(
        """
        select names.segment_name, tiers.feature_name, tiers.tier,
            tiers.segment_median, tiers.base_median
        from int_segment_feature_tiers as tiers
        inner join segment_profiles as names using (segment_id)
        where tiers.is_clustered"""
    )
    assert rows
    for name, feature, tier, median, base_median in rows:
        if tier == "high":
            assert median >= base_median, (name, feature, median, base_median)
        if tier == "low":
            assert median <= base_median, (name, feature, median, base_median)
        if feature == "monetary" and median < base_median:
            assert tier != "high" and "High-Value" not in name, (name, median, base_median)
    profiles = skewed_build.query(
        "select pct_monetary, tier_monetary, index_monetary, z_monetary from segment_profiles"
    )
    for pct, tier, index, z in profiles:
        assert index is not None and z is not None
        expected = "high" if pct >= 0.69 else "low" if pct <= 0.31 else "average"
        assert tier == expected, (pct, tier)


def test_names_are_rfm_unique_and_short_and_descriptions_quote_numbers(skewed_build: DbtRun):
    profiles = skewed_build.query(
        "select segment_name, segment_description from segment_profiles order by segment_id"
    )
    names = [name for name, _ in profiles]
    assert len(names) == len(set(names))
    for name, description in profiles:
        assert len(name) <= 40, name
        assert name.removesuffix(" II").removesuffix(" III") in RFM_NAMES, name
        assert any(character.isdigit() for character in description.split("(")[0]), description


def test_segments_share_an_action_only_when_their_traits_do(skewed_build: DbtRun):
    rows = skewed_build.query(
        """
        select profiles.marketing_action,
            string_agg(tiers.feature_name || '=' || tiers.tier, ',' order by tiers.feature_name)
        from segment_profiles as profiles
        inner join int_segment_feature_tiers as tiers using (segment_id)
        where tiers.is_clustered
        group by profiles.segment_id, profiles.marketing_action"""
    )
    traits_by_action: dict[str, set[str]] = {}
    for action, traits in rows:
        traits_by_action.setdefault(action, set()).add(traits)
    assert all(len(traits) == 1 for traits in traits_by_action.values()), traits_by_action


def test_sql_scoring_equals_python_for_every_customer(skewed_build: DbtRun):
    mismatches = skewed_build.scalar(
        """
        select count(*) from customer_segments
        left join customer_segments_scored as scored using (customer_id)
        where scored.segment_id is distinct from customer_segments.segment_id
            or scored.is_outlier is distinct from customer_segments.is_outlier
            or scored.outlier_features is distinct from customer_segments.outlier_features"""
    )
    assert mismatches == 0


def test_one_absurd_income_is_clipped_not_a_segment(tmp_path: Path):
    """The marketing-campaign case: one income of 666,666 among ordinary incomes."""
    rng = np.random.default_rng(3)
    rows = [
        [
            f"M{number:04d}",
            "Female",
            int(rng.integers(18, 70)),
            int(rng.normal(60, 20)) + 15,
            int(rng.integers(1, 101)),
            "2024-01-01",
            f"m{number}@example.com",
            "true",
        ]
        for number in range(1, 301)
    ]
    rows.append(["M-ABSURD", "Male", 40, 666666, 50, "2024-01-01", "absurd@example.com", "true"])
    customers_csv = tmp_path / "customers.csv"
    with customers_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "customer_id",
                "gender",
                "age",
                "annual_income_k",
                "spending_score",
                "signup_date",
                "email",
                "marketing_opt_in",
            ]
        )
        writer.writerows(rows)
    run = run_dbt(
        tmp_path,
        variables={"customers_path": str(customers_csv), "k_max": 6, "n_init": 3},
        extra_args=["--select", "+customer_segments", "--exclude", "test_type:data"],
    )
    is_outlier, outlier_features, segment_size = run.query(
        """
        select is_outlier, outlier_features,
            count(*) over (partition by segment_id) as segment_size
        from customer_segments
        qualify customer_id = 'M-ABSURD'"""
    )[0]
    assert is_outlier and outlier_features == "annual_income_k"
    transform, clip_upper = run.query(
        "select transform, clip_upper from int_feature_scaling_parameters"
        " where feature_name = 'annual_income_k'"
    )[0]
    assert transform == "log1p" and clip_upper < np.log1p(1000)
    assert segment_size >= 0.02 * 301
    assert (
        run.scalar(
            "select min(c) from (select count(*) c from customer_segments group by segment_id)"
        )
        > 1
    )
