"""`dbt build` on the committed demo seeds: quarantine, features, segments against planted truth."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from .conftest import REPO, DbtRun, run_dbt

pytestmark = pytest.mark.dbt

SEEDS = REPO / "seeds"
TRUTH = REPO / "tests" / "data" / "demo_truth.csv"

# The generator's personas overlap on purpose (real customers do). K-Means on age, income and
# score recovers them with ARI ~0.7-0.9 in the generator's own tests; 0.6 leaves room for the
# pipeline choosing a neighbouring K while still failing if segments stop tracking personas.
MIN_ADJUSTED_RAND = 0.6


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_rows_in_equal_rows_kept_plus_rows_rejected(demo_build: DbtRun):
    rows_in = len(read_csv(SEEDS / "demo_customers.csv"))
    kept = demo_build.scalar("select count(*) from stg_customers")
    rejected = demo_build.scalar("select count(*) from customers_rejected")
    assert kept + rejected == rows_in
    assert rejected > 0, "the demo ships dirty rows; none reached the quarantine"
    orders_in = len(read_csv(SEEDS / "demo_orders.csv"))
    assert (
        demo_build.scalar("select count(*) from stg_orders")
        + demo_build.scalar("select count(*) from orders_rejected")
        == orders_in
    )


def test_the_demo_build_loads_the_demo_seeds(demo_build: DbtRun):
    """Without input vars the demo seeds are the inputs (builds on files leave them out)."""
    tables = demo_build.query("select table_name from information_schema.tables")
    assert {"demo_customers", "demo_orders"} <= {row[0] for row in tables}
    rows_read = demo_build.scalar("select count(*) from base_customers")
    assert rows_read == demo_build.scalar("select count(*) from demo_customers")


def test_every_dbt_unit_test_runs_and_passes_in_the_demo_build(demo_build: DbtRun):
    """The other end-to-end builds leave dbt's unit tests out (run_dbt); this build must run them
    all, as a user's `dbt build` does."""
    defined = {
        f"{test['model']}::{test['name']}"
        for path in sorted((REPO / "models").rglob("*.yml"))
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])
    }
    assert len(defined) >= 8, defined
    passed = set(re.findall(r"\d+ of \d+ PASS (\S+::\S+)", demo_build.output))
    assert passed == defined


def test_the_console_reports_rows_read_as_each_input_is_staged(demo_build: DbtRun):
    """Progress while the build runs (not only the summary at the end), counted from the files."""
    customers_in = len(read_csv(SEEDS / "demo_customers.csv"))
    orders_in = len(read_csv(SEEDS / "demo_orders.csv"))
    customers_out = demo_build.scalar("select count(*) from customers_rejected")
    orders_out = demo_build.scalar("select count(*) from orders_rejected")
    assert (
        f"base_customers: {customers_in:,} customers read, {customers_out:,} rejected "
        "(customers_rejected says why)" in demo_build.output
    )
    assert (
        f"base_orders: {orders_in:,} order lines read, {orders_out:,} rejected "
        "(orders_rejected says why)" in demo_build.output
    )


def test_the_console_says_where_the_charts_went_and_how_many_were_drawn(demo_build: DbtRun):
    rendered = dict(demo_build.query("select status, count(*) from chart_renders group by status"))
    line = re.search(
        r"chart_renders: (\d+) files \(.*?\) written to (\S+) in [\d.]+ s: (.*)", demo_build.output
    )
    assert line, demo_build.output[-3000:]
    assert int(line.group(1)) == sum(rendered.values())
    assert line.group(2).endswith("assets") and f"{rendered['drawn']} drawn" in line.group(3)
    assert "FAILED" not in line.group(3) and "failed" not in rendered


def test_the_console_says_where_the_campaign_files_went(demo_build: DbtRun):
    files, contacts = demo_build.query(
        "select count(*), sum(row_count) filter (kind = 'contacts' and campaign_id is not null "
        "and file_format = 'csv') from campaign_export_files"
    )[0]
    line = re.search(
        r"campaign_export_files: (\d+) files written to (\S+) .*?: ([\d,]+) contacts",
        demo_build.output,
    )
    assert line, demo_build.output[-3000:]
    assert int(line.group(1)) == files and line.group(3).replace(",", "") == str(contacts)
    assert line.group(2).endswith("exports")


def test_every_bad_input_row_is_quarantined_with_a_reason(demo_build: DbtRun):
    """Find the bad rows independently, in Python, and check each one is in customers_rejected."""
    seen: set[str] = set()
    expected_bad: dict[int, str] = {}
    for row_number, row in enumerate(read_csv(SEEDS / "demo_customers.csv"), start=1):
        customer_id = (row["customer_id"] or "").strip()

        def number(value: str) -> float | None:
            try:
                return float(value)
            except ValueError:
                return None

        age, income, score = (
            number(row[c].strip()) if row[c].strip() else None
            for c in ("age", "annual_income_k", "spending_score")
        )
        problems = []
        if not customer_id:
            problems.append("missing customer_id")
        elif customer_id in seen:
            problems.append("duplicate")
        seen.add(customer_id)
        for column, value in (("age", age), ("annual_income_k", income), ("spending_score", score)):
            if row[column].strip() and value is None:
                problems.append(f"{column} is not a number")
        if age is not None and not 0 <= age <= 120:
            problems.append("age outside 0-120")
        if income is not None and income < 0:
            problems.append("negative annual_income_k")
        if score is not None and not 1 <= score <= 100:
            problems.append("spending_score outside 1-100")
        if problems:
            expected_bad[row_number] = problems[0]
    assert expected_bad, "expected the demo seed to contain dirty rows"
    rejected = dict(
        demo_build.query("select source_row_number, rejection_reason from customers_rejected")
    )
    assert set(rejected) == set(expected_bad)
    for row_number, first_problem in expected_bad.items():
        assert first_problem in rejected[row_number]
    raw = demo_build.scalar("select count(*) from customers_rejected where raw_record is null")
    assert raw == 0


def test_gender_spellings_are_normalised(demo_build: DbtRun):
    values = {row[0] for row in demo_build.query("select distinct gender from stg_customers")}
    assert values <= {"Male", "Female", "Other", None}
    raw = {r["gender"] for r in read_csv(SEEDS / "demo_customers.csv")}
    assert len(raw) > len(values - {None}), "the seed should carry messy spellings to normalise"


def test_segments_recover_the_planted_personas(demo_build: DbtRun):
    truth = {r["customer_id"]: r["planted_segment"] for r in read_csv(TRUTH)}
    assigned = dict(demo_build.query("select customer_id, segment_id from customer_segments"))
    common = sorted(set(truth) & set(assigned))
    assert len(common) >= 0.95 * len(assigned)
    ari = adjusted_rand_score([truth[c] for c in common], [assigned[c] for c in common])
    print(f"demo: adjusted Rand index against the planted personas = {ari:.3f}")
    assert ari > MIN_ADJUSTED_RAND


def test_behaviour_features_are_built_from_orders(demo_build: DbtRun):
    columns = {row[0] for row in demo_build.query("describe int_customer_features")}
    assert {
        "recency_days",
        "frequency",
        "monetary",
        "avg_order_value",
        "tenure_days",
        "online_share",
    } <= columns
    assert any(c.startswith("share_") for c in columns)
    # monetary reconciles with the purchase lines (returns never count), customer by customer
    mismatches = demo_build.scalar("""
        select count(*) from int_customer_features as features
        left join (
            select customer_id, sum(amount) as total from stg_orders
            where not is_return and amount > 0 group by 1
        ) as orders
            using (customer_id)
        where abs(features.monetary - coalesce(orders.total, 0)) > 1e-6
    """)
    assert mismatches == 0


def test_public_tables_exist_with_their_key_columns(demo_build: DbtRun):
    contract = {
        "customer_segments": {"customer_id", "segment_id", "segment_name"},
        "segment_profiles": {
            "segment_id",
            "segment_name",
            "segment_description",
            "customer_count",
            "customer_share",
        },
        "segmentation_candidates": {
            "algorithm",
            "n_clusters",
            "inertia",
            "silhouette",
            "calinski_harabasz",
            "davies_bouldin",
            "bic",
            "is_selected",
        },
        "segment_centroids": {"segment_id", "feature_name", "centroid_scaled", "centroid_value"},
        "feature_scaling": {"feature_name", "method", "center", "scale"},
        "customers_rejected": {"rejection_reason", "raw_record"},
    }
    for table, key_columns in contract.items():
        columns = {row[0] for row in demo_build.query(f"describe {table}")}
        assert key_columns <= columns, f"{table} lacks {key_columns - columns}"
    features = [
        r[0]
        for r in demo_build.query("select feature_name from feature_scaling order by feature_order")
    ]
    profile_columns = {row[0] for row in demo_build.query("describe segment_profiles")}
    assert {f"avg_{f}" for f in features} <= profile_columns


def test_segment_median_percentile_is_the_mid_rank_among_all_segmented_customers(
    demo_build: DbtRun,
):
    # Recomputed in numpy from the customers and their segments: the share of segmented customers
    # whose value is below the segment's median, ties counted half, over the non-null values.
    import numpy as np

    stats = demo_build.frame(
        "select segment_id, feature_name, segment_median, segment_median_percentile "
        "from int_segment_feature_stats"
    )
    values = demo_build.frame(
        "select assignments.segment_id, features.* from segment_assignments as assignments "
        "inner join int_customer_features as features using (customer_id)"
    )
    checked = 0
    for segment_id, feature, median, percentile in stats.iter_rows():
        column = values[feature].cast(float).drop_nulls().to_numpy()
        if median is None or np.isnan(median):
            assert percentile is None, (segment_id, feature)
            continue
        expected = ((column < median).sum() + 0.5 * (column == median).sum()) / column.size
        assert percentile == pytest.approx(expected, abs=1e-12), (segment_id, feature)
        checked += 1
    assert checked >= 3 * stats["segment_id"].n_unique()  # several features per segment


def test_a_failed_chart_is_a_warn_naming_the_chart_and_why(demo_build: DbtRun, tmp_path: Path):
    """The demo's charts all draw (chart_failed passes in its build); on a copy of its warehouse
    where one chart failed, `dbt test` warns naming that chart and the reason from its note."""
    assert re.search(r"PASS chart_failed", " ".join(demo_build.output.split()))
    # (and the demo has a consent column: no consent_column_missing WARN)
    assert re.search(r"PASS consent_column_missing", " ".join(demo_build.output.split()))
    (tmp_path / "run").mkdir()
    shutil.copy(demo_build.database, tmp_path / "run" / "warehouse.duckdb")
    with duckdb.connect(str(tmp_path / "run" / "warehouse.duckdb")) as connection:
        connection.execute(
            "update main.chart_renders set status = 'failed',"
            " note = 'Duplicate field name Total spend' where chart_name = 'correlations'"
        )
    run = run_dbt(tmp_path / "run", "test", extra_args=["--select", "chart_failed"])
    text = " ".join(run.output.split())
    assert re.search(r"WARN 1 chart_failed", text), text[-3000:]
    assert (
        "health chart_failed: chart correlations failed: Duplicate field name Total spend." in text
    )
