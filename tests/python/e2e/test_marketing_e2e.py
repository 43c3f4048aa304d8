"""End-to-end checks of the marketing layer: segment names on the Kaggle Mall file, and the
campaign targeting rules on the demo data, through a real `dbt build` on temporary DuckDB files."""

from __future__ import annotations

import csv
import hashlib
import math
import random
import statistics
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .conftest import REPO, DbtRun, run_dbt

pytestmark = pytest.mark.dbt

TRUTHY = {"true", "t", "1", "yes", "y"}


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def holdout_draw(campaign_id: str, customer_id: str, seed: int = 42) -> float:
    """The documented draw, computed independently of the SQL."""
    digest = hashlib.md5(f"{campaign_id}|{customer_id}|{seed}".encode()).hexdigest()
    return int(digest[:12], 16) / 16**12


@pytest.fixture(scope="module")
def mall_build(mall_income_score_k5: DbtRun) -> Path:
    """The shared Mall build (Income + Score, unscaled, k=5); its exports sit beside the file."""
    return mall_income_score_k5.database


@pytest.fixture(scope="module")
def demo_build(demo_build: DbtRun) -> Path:
    """The shared demo build, as its DuckDB file."""
    return demo_build.database


def classic_group(income: float, score: float) -> str:
    """Which of the five published Mall groups a segment centre belongs to (centres ~ (26, 21),
    (26, 79), (55, 50), (87, 82), (88, 17))."""
    income_level = "high" if income > 70 else "low" if income < 40 else "average"
    score_level = "high" if score > 65 else "low" if score < 35 else "average"
    return f"{income_level} income / {score_level} spending"


def test_mall_five_classic_groups_get_five_different_sensible_names(mall_build: Path):
    profiles = query(
        mall_build,
        """
        select segment_name, avg_annual_income_k, avg_spending_score,
            segment_description, marketing_action
        from segment_profiles order by segment_id""",
    )
    assert len(profiles) == 5
    by_group = {classic_group(income, score): name for name, income, score, _, _ in profiles}
    assert set(by_group) == {
        "high income / high spending",
        "high income / low spending",
        "low income / low spending",
        "low income / high spending",
        "average income / average spending",
    }
    assert len(set(by_group.values())) == 5
    expected_words = {
        "high income / high spending": ("High-Income", "High Spenders"),
        "high income / low spending": ("High-Income", "Cautious Spenders"),
        "low income / low spending": ("Low-Income", "Cautious Spenders"),
        "low income / high spending": ("Low-Income", "High Spenders"),
        "average income / average spending": ("Mainstream", "Moderate Spenders"),
    }
    for group, (income_word, spending_words) in expected_words.items():
        name = by_group[group]
        assert income_word in name and name.endswith(spending_words), (group, name)
    assert "Income" not in by_group["average income / average spending"]
    for _name, _income, _score, description, action in profiles:
        assert description.startswith("Customers who ") and description.endswith(".")
        assert action


def test_mall_names_match_customer_segments(mall_build: Path):
    mismatched = query(
        mall_build,
        """
        select count(*) from customer_segments
        inner join segment_profiles using (segment_id)
        where customer_segments.segment_name != segment_profiles.segment_name""",
    )
    assert mismatched == [(0,)]


def test_mall_order_models_build_empty_without_orders(mall_build: Path):
    for table in ("segment_recommendations", "customer_recommendations", "retention_watchlist"):
        assert query(mall_build, f"select count(*) from {table}") == [(0,)], table
    with_revenue = "select count(*) from segment_profiles where revenue is not null"
    assert query(mall_build, with_revenue) == [(0,)]


def test_mall_exports_one_csv_and_parquet_per_campaign(mall_build: Path):
    folder = mall_build.parent / "exports" / "campaigns"
    active_sql = "select campaign_id from campaigns where is_active"
    active = [row[0] for row in query(mall_build, active_sql)]
    for campaign_id in active:
        csv_file, parquet_file = folder / f"{campaign_id}.csv", folder / f"{campaign_id}.parquet"
        assert csv_file.exists() and parquet_file.exists(), campaign_id
        with csv_file.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        contacted = query(
            mall_build,
            f"""
            select count(*) from campaign_targets
            where campaign_id = '{campaign_id}' and not is_holdout""",
        )[0][0]
        assert len(rows) == contacted, campaign_id
        ranks = [int(row["priority_rank"]) for row in rows]
        assert ranks == sorted(ranks)
        with duckdb.connect() as connection:
            parquet_rows = connection.execute(
                f"select count(*) from read_parquet('{parquet_file}')"
            ).fetchone()[0]
        assert parquet_rows == contacted


def demo_opted_out_ids() -> set[str]:
    """Ids with any input row that is not an explicit opt-in, read from the seed itself."""
    with (REPO / "seeds" / "demo_customers.csv").open(newline="") as handle:
        return {
            row["customer_id"].strip()
            for row in csv.DictReader(handle)
            if (row["marketing_opt_in"] or "").strip().lower() not in TRUTHY
        }


def test_demo_never_targets_opted_out_or_rejected_customers(demo_build: Path):
    targeted_sql = "select distinct customer_id from campaign_targets"
    targeted = {row[0] for row in query(demo_build, targeted_sql)}
    assert targeted, "no campaign reached anyone on the demo data"
    assert not targeted & demo_opted_out_ids()
    rejected = {
        row[0]
        for row in query(
            demo_build, "select customer_id from customers_rejected where customer_id is not null"
        )
    }
    assert not targeted & rejected
    segmented = {row[0] for row in query(demo_build, "select customer_id from customer_segments")}
    assert targeted <= segmented


def test_demo_holdout_is_the_documented_hash_and_matches_the_seed_share(demo_build: Path):
    rows = query(demo_build, "select campaign_id, customer_id, is_holdout from campaign_targets")
    shares = dict(query(demo_build, "select campaign_id, holdout_share from campaigns"))
    by_campaign: dict[str, list[bool]] = {}
    for campaign_id, customer_id, is_holdout in rows:
        assert is_holdout == (holdout_draw(campaign_id, customer_id) < shares[campaign_id])
        by_campaign.setdefault(campaign_id, []).append(is_holdout)
    for campaign_id, flags in by_campaign.items():
        share, n = shares[campaign_id], len(flags)
        observed = sum(flags) / n
        assert abs(observed - share) <= 4 * math.sqrt(share * (1 - share) / n) + 1 / n, campaign_id


def test_demo_exclusive_campaigns_resolved_by_priority_and_capped(demo_build: Path):
    overlaps = query(
        demo_build,
        """
        select customer_id from campaign_targets
        inner join campaigns using (campaign_id)
        where campaigns.is_exclusive
        group by customer_id having count(*) > 1""",
    )
    assert overlaps == []
    over_cap = query(
        demo_build,
        """
        select campaign_id from campaign_targets inner join campaigns using (campaign_id)
        group by campaign_id having count(*) > max(campaigns.max_audience_size)""",
    )
    assert over_cap == []
    ranks = query(
        demo_build,
        """
        select campaign_id, count(*), min(priority_rank), max(priority_rank),
            count(distinct priority_rank)
        from campaign_targets group by campaign_id""",
    )
    for campaign_id, count, low, high, distinct in ranks:
        assert (low, high, distinct) == (1, count, count), campaign_id


def test_demo_marketing_marts_are_filled(demo_build: Path):
    for table in (
        "segment_recommendations",
        "customer_recommendations",
        "retention_watchlist",
        "audiences",
        "audience_memberships",
        "segment_migrations",
    ):
        assert query(demo_build, f"select count(*) from {table}")[0][0] > 0, table
    new_customers = query(
        demo_build,
        """
        select sum(customer_count) from segment_migrations where migration_type = 'new'""",
    )[0][0]
    assert new_customers == query(demo_build, "select count(*) from customer_segments")[0][0]


def test_demo_retention_watchlist_follows_the_documented_rule(demo_build: Path):
    """The usual interval of a segment, recomputed here from the order lines: per repeat buyer the
    days from first to last purchase day over the distinct purchase days less one, the segment's
    median of that; a customer of a watched segment is on the list exactly when silent for more
    than twice (retention_overdue_factor) their segment's usual interval."""
    lines = query(
        demo_build,
        """
        select customer_id, order_date from staging.stg_orders
        where not coalesce(is_return, false) and amount > 0""",
    )
    days: dict[str, set] = {}
    for customer_id, order_date in lines:
        days.setdefault(customer_id, set()).add(order_date)
    intervals = {
        customer_id: (max(seen) - min(seen)).days / (len(seen) - 1)
        for customer_id, seen in days.items()
        if len(seen) >= 2
    }
    members = query(
        demo_build,
        """
        select customer_segments.customer_id, customer_segments.segment_id,
            coalesce(customer_segments.is_noise, false), customer_features.recency_days,
            customer_features.frequency
        from customer_segments inner join customer_features using (customer_id)""",
    )
    by_segment: dict[int, list[float]] = {}
    for customer_id, segment_id, _, _, _ in members:
        if customer_id in intervals:
            by_segment.setdefault(segment_id, []).append(intervals[customer_id])
    usual = {segment_id: statistics.median(values) for segment_id, values in by_segment.items()}

    watched = query(
        demo_build,
        "select customer_id, segment_id, usual_interval_days, recency_days"
        " from retention_watchlist",
    )
    assert watched
    for _, segment_id, usual_interval, _ in watched:
        assert usual_interval == pytest.approx(usual[segment_id], abs=1e-9)
    expected = {
        customer_id
        for customer_id, segment_id, is_noise, recency, frequency in members
        if segment_id in {row[1] for row in watched}
        and not is_noise
        and frequency > 0
        and recency > 2 * usual[segment_id]
    }
    assert {row[0] for row in watched} == expected


def test_a_watched_customer_whose_repeat_row_unsubscribed_is_not_contactable(
    demo_build: Path, tmp_path: Path
):
    """retention_watchlist.is_contactable was the customer's own opt-in: a repeat row of the
    customer that says no (kept out of staging, blocking contact in customers_rejected) left
    them contactable on the list a win-back campaign is sent from, green. It reads consent as the
    campaign lists do now. The demo's customers file with one such row added for two watched,
    contactable customers: both stay on the list (their kept row is unchanged), not contactable."""
    watched = query(
        demo_build,
        "select customer_id from retention_watchlist where is_contactable"
        " order by watch_rank limit 2",
    )
    assert len(watched) == 2
    chosen = {customer for (customer,) in watched}
    with (REPO / "seeds" / "demo_customers.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    opt_in = header.index("marketing_opt_in")
    repeats = []
    for row in body:
        if row[0] in chosen:
            again = list(row)
            again[opt_in] = "false"
            repeats.append(again)
    customers = tmp_path / "customers.csv"
    with customers.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *body, *repeats])
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(customers),
            "orders_path": str(REPO / "seeds" / "demo_orders.csv"),
        },
        extra_args=["--select", "+retention_watchlist", "+customers_rejected"],
    )
    blocked = {
        customer
        for (customer,) in run.query(
            "select customer_id from customers_rejected where blocks_contact"
        )
    }
    assert chosen <= blocked
    flags = dict(run.query("select customer_id, is_contactable from retention_watchlist"))
    assert {flags[customer] for customer in chosen} == {False}
    # Every other watched customer keeps the flag the campaign lists give them.
    lists = dict(run.query("select customer_id, may_email from int_segment_members_contactable"))
    assert all(flag == lists.get(customer, False) for customer, flag in flags.items())


def test_a_customers_file_with_a_row_per_order_keeps_repeat_buyers_contactable(tmp_path: Path):
    """Olist's customers file has one row per order: keyed by the person, each repeat buyer comes
    again, equal in every value but the per-order id. Those repeats are rejected as duplicates (the
    first row is kept) but no longer keep the buyer out of every campaign, nor does a repeat whose
    consent and email are blank; a repeat that disagrees on email or consent still does."""
    rng = random.Random(11)
    header = ["order_customer_id", "CustomerID", "Age", "Annual Income (k$)"]
    header += ["Spending Score (1-100)", "Email", "Marketing Opt In"]
    rows, repeats = [], {"agree": [], "blank": [], "other_email": [], "opted_out": []}
    for number in range(240):
        centre = [(25, 20, 80), (45, 85, 20), (60, 55, 50)][number % 3]
        person = f"P{number:04d}"
        row = [f"o{number}", person, centre[0] + rng.randint(-3, 3), centre[1] + rng.randint(-4, 4)]
        row += [centre[2] + rng.randint(-5, 5), f"{person.lower()}@example.com", "yes"]
        rows.append(row)
    for number, kind in zip(
        range(0, 60, 2),
        ["agree"] * 15 + ["blank"] * 5 + ["other_email"] * 5 + ["opted_out"] * 5,
        strict=True,
    ):
        again = list(rows[number])
        again[0] = f"o{number}-2"
        if kind == "other_email":
            again[5] = "someone.else@example.com"
        if kind == "opted_out":
            again[6] = "no"
        if kind == "blank":  # Shopify writes consent and email on an order's first line only
            again[5] = again[6] = ""
        rows.append(again)
        repeats[kind].append(again[1])
    path = tmp_path / "customers.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path), "n_clusters": 3},
        extra_args=[
            "--select",
            "+int_segment_members_contactable +customers_rejected",
            "customer_rows_rejected_over_warn_share",
        ],
    )
    text = " ".join(run.output.split())
    assert (
        "reason 1: duplicate customer_id (the first row with this id is kept) (30 rows). The "
        in (text)
    )
    assert "a customers file with a row per order repeats each repeat buyer" in text
    blocks = dict(run.query("select customer_id, blocks_contact from customers_rejected"))
    assert len(blocks) == 30
    assert {blocks[person] for person in repeats["agree"] + repeats["blank"]} == {False}
    assert {blocks[person] for person in repeats["other_email"] + repeats["opted_out"]} == {True}
    contactable = {
        row[0] for row in run.query("select customer_id from int_segment_members_contactable")
    }
    assert set(repeats["agree"] + repeats["blank"]) <= contactable
    assert not contactable & set(repeats["other_email"] + repeats["opted_out"])
    assert len(contactable) == 240 - 10


def test_one_person_under_two_ids_is_contacted_once_and_never_after_opting_out(tmp_path: Path):
    """A CRM holding one person under two ids (a web account W... and a store account C..., the
    email in another case): the record that opted out did not stop the other, and a person with two
    opted-in records was in every list twice. The unsubscribe holds for the email, and each email
    is one contact (the record of higher priority)."""
    rng = random.Random(5)
    lines = ["CustomerID,Age,Annual Income (k$),Spending Score (1-100),Email,Marketing Opt In"]
    for number in range(150):
        centre = [(25, 20, 80), (45, 85, 20), (60, 55, 50)][number % 3]
        values = [centre[0] + rng.randint(-3, 3), centre[1] + rng.randint(-4, 4)]
        values += [centre[2] + rng.randint(-5, 5)]
        lines.append(f"C{number:04d},{','.join(map(str, values))},p{number}@example.com,yes")
    # Twins of the first 20 people: 0-9 opted out under the web id, 10-19 opted in twice.
    for number in range(20):
        consent = "no" if number < 10 else "yes"
        lines.append(f"W{number:04d},40,50,50, P{number}@Example.com ,{consent}")
    path = tmp_path / "crm.csv"
    path.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path), "n_clusters": 3},
        extra_args=["--select", "+int_segment_members_contactable"],
    )
    emails = run.query(
        "select email, count(*) from int_segment_members_contactable group by 1 order by 1"
    )
    assert all(count == 1 for _, count in emails)
    contacted = {email for email, _ in emails}
    assert not contacted & {f"p{number}@example.com" for number in range(10)}
    assert {f"p{number}@example.com" for number in range(10, 150)} <= contacted
    assert run.scalar("select count(*) from int_segment_members_contactable") == 140
