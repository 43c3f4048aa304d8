"""Health tests speak in dbt's own terms: a useless run fails and stops, a doubtful one warns.

Fixtures are generated here, shaped like a real customers export (Kaggle-style headers, CRLF):
three clear groups, plus rejected rows (no id, an age of 400, text in the income column).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)"
SELECT = [
    "--select",
    "+campaign_export_files customers_rejected customer_segments feature_scaling "
    "segmentation_candidates",
    "--indirect-selection",
    "cautious",
]


def customers_csv(path: Path, good: int, bad: int, seed: int = 3) -> Path:
    rng = random.Random(seed)
    centres = [(25, 20, 80), (45, 85, 20), (60, 55, 50)]
    lines = [HEADER]
    for i in range(good):
        age, income, score = centres[i % 3]
        lines.append(
            f"{i + 1:04d},{rng.choice(['Male', 'Female'])},{age + rng.randint(-4, 4)},"
            f"{income + rng.randint(-6, 6)},{score + rng.randint(-6, 6)}"
        )
    for j in range(bad):
        kind = j % 3
        if kind == 0:
            lines.append(",Female,30,40,50")  # the id column is empty
        elif kind == 1:
            lines.append(f"{9000 + j},Male,400,40,50")  # an impossible age
        else:
            lines.append(f"{9000 + j},Male,30,see notes,50")  # text where income belongs
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def summary(output: str) -> dict[str, int]:
    found = re.search(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", output)
    assert found, output[-3000:]
    return dict(zip(["PASS", "WARN", "ERROR", "SKIP"], map(int, found.groups()), strict=True))


def test_75_percent_rejected_fails_names_the_reasons_and_builds_nothing_downstream(tmp_path: Path):
    csv = customers_csv(tmp_path / "customers.csv", good=50, bad=150)
    run = run_dbt(tmp_path, "build", {"customers_path": str(csv)}, SELECT, check=False)
    assert run.result.returncode != 0
    counts = summary(run.output)
    assert counts["ERROR"] >= 1 and counts["SKIP"] > 10
    assert re.search(r"FAIL \d+ customer_rows_rejected_over_max_share", run.output)
    # the reasons, with counts, are in the console next to the failure
    findings = [
        line
        for line in run.output.splitlines()
        if "health customer_rows_rejected_over_max_rejected_share" in line
    ]
    assert len(findings) == 3, run.output[-3000:]
    assert (
        "75.0% of customer rows rejected (150 of 200; limit max_rejected_share = 0.5)"
        in findings[0]
    )
    assert "(50 rows)" in findings[0]
    # segments, campaign lists and exports of this run are not produced; the quarantine is
    tables = {row[0] for row in run.query("select table_name from information_schema.tables")}
    assert {"customers_rejected", "stg_customers"} <= tables, tables
    assert not tables & {
        "int_customer_features",
        "customer_segments",
        "campaign_targets",
        "campaign_export",
    }
    assert not (tmp_path / "exports" / "manifest.json").exists()


def test_8_percent_rejected_builds_with_one_warn(tmp_path: Path):
    csv = customers_csv(tmp_path / "customers.csv", good=276, bad=24)
    run = run_dbt(tmp_path, "build", {"customers_path": str(csv), "n_clusters": 3}, SELECT)
    counts = summary(run.output)
    # Two WARNs: the rejected share, and this Kaggle-style file has no consent column.
    assert counts["WARN"] == 2 and counts["ERROR"] == 0, run.output[-3000:]
    assert re.search(r"WARN \d+ customer_rows_rejected_over_warn_share", run.output)
    assert re.search(r"WARN 1 consent_column_missing", run.output)
    assert "health consent_column_missing: the input has no consent column: all 276 customers" in (
        " ".join(run.output.split())
    )
    for quiet in [
        "segment_smaller_than_min_share",
        "feature_dropped",
        "single_segment",
        "noise_over_max_share",
    ]:
        assert re.search(rf"PASS {quiet} ", run.output), quiet  # ran, and found nothing
    assert (
        "8.0% of customer rows rejected (24 of 300; limit warn_rejected_share = 0.05)" in run.output
    )
    assert run.scalar("select count(distinct segment_id) from customer_segments") == 3


def test_noise_and_a_dropped_feature_are_warnings_that_name_them(tmp_path: Path):
    rng = random.Random(5)
    lines = [HEADER + ",Loyalty Points"]
    centres = [(25, 20, 80), (45, 85, 20), (60, 55, 50)]
    for i in range(300):
        if i < 210:
            age, income, score = centres[i % 3]
            row = (
                age + rng.randint(-2, 2),
                income + rng.randint(-3, 3),
                score + rng.randint(-3, 3),
            )
        else:  # scattered customers that belong to no group
            row = (rng.randint(18, 70), rng.randint(15, 140), rng.randint(1, 99))
        gender = rng.choice(["Male", "Female"])
        lines.append(f"{i + 1:04d},{gender},{row[0]},{row[1]},{row[2]},5")
    csv = tmp_path / "customers.csv"
    csv.write_text("\r\n".join(lines) + "\r\n")
    variables = {
        "customers_path": str(csv),
        "cluster_algorithm": "dbscan",
        "dbscan_eps": 0.3,
        "dbscan_min_samples": 8,
        "segmentation_features": ["age", "annual_income_k", "spending_score", "loyalty_points"],
    }
    run = run_dbt(tmp_path, "build", variables, SELECT)
    assert summary(run.output)["ERROR"] == 0
    assert re.search(r"WARN \d+ noise_over_max_share", run.output), run.output[-3000:]
    assert re.search(r"WARN 1 feature_dropped", run.output)
    assert "health feature_dropped: feature loyalty_points was requested" in run.output
    noise = run.scalar("select avg(is_noise::int) from customer_segments")
    assert noise > 0.2
    assert f"{100 * noise:.1f}%" in run.output


def test_no_valid_customers_fails_and_a_header_only_file_stops_before_building(tmp_path: Path):
    """Every row rejected: the error test fails and nothing downstream is built. A file with a
    header and no rows is caught earlier still, when the input is read."""
    csv = customers_csv(tmp_path / "customers.csv", good=0, bad=6)
    run = run_dbt(
        tmp_path / "all_rejected",
        "build",
        {"customers_path": str(csv)},
        ["--select", "+int_customer_features", "--indirect-selection", "cautious"],
        check=False,
    )
    assert run.result.returncode != 0
    assert re.search(r"FAIL 1 no_valid_customers", run.output), run.output[-3000:]
    assert "health no_valid_customers: no valid customers: 6 customer rows read" in run.output
    assert re.search(r"SKIP relation \S*int_customer_features", run.output)

    header_only = customers_csv(tmp_path / "header_only.csv", good=0, bad=0)
    run = run_dbt(
        tmp_path / "header_only",
        "build",
        {"customers_path": str(header_only)},
        ["--select", "+int_customer_features"],
        check=False,
    )
    assert run.result.returncode != 0
    assert "has a header line and no data rows" in run.output
    assert "Traceback" not in run.output


def test_the_rejected_share_warning_gives_the_fix_for_its_reason(tmp_path: Path):
    """Guest lines (no customer id) and lines repeated in every column are no mapping error: the
    WARN says what they are and what to do, instead of blaming the column mapping."""
    lines = ["order_id,customer_id,order_date,amount"]
    for number in range(200):
        customer = "" if number % 5 == 0 else f"C{number % 40}"  # 40 guest lines
        lines.append(f"O{number},{customer},2024-03-{1 + number % 28:02d},{10 + number % 7}.50")
    lines += lines[1:21:2]  # ten lines again, equal in every column: 2 guests, 8 customers
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path,
        "build",
        {"orders_path": str(orders)},
        ["--select", "+stg_orders", "order_rows_rejected_over_warn_share"],
    )
    text = " ".join(run.output.split())
    assert re.search(r"WARN \d+ order_rows_rejected_over_warn_share", text), text[-3000:]
    assert (
        "reason 1: missing customer_id (40 rows). Lines without a customer id (guest orders)"
        in (text)
    )
    assert "reason 2: duplicate line (every value equals an earlier line; the first is kept) " in (
        text
    )
    assert "keep the column that tells such lines apart (a line or item number" in text
    assert "a wrong column mapping" not in text


def test_tenure_dropped_on_customers_only_input_names_the_reference_date(tmp_path: Path):
    """Customers only, with signup dates: tenure is counted to the day after the last purchase,
    which this input lacks, so tenure_days is null for everyone and dropped. The WARN said
    "constant or all-null after cleaning"; it now names var as_of_date."""
    rng = random.Random(8)
    lines = [HEADER + ",Signup Date"]
    for i in range(150):
        age, income, score = [(25, 20, 80), (45, 85, 20), (60, 55, 50)][i % 3]
        lines.append(
            f"{i + 1:04d},Female,{age + rng.randint(-4, 4)},{income + rng.randint(-6, 6)},"
            f"{score},2023-{1 + i % 12:02d}-{1 + i % 28:02d}"
        )
    csv = tmp_path / "customers.csv"
    csv.write_text("\n".join(lines) + "\n")
    features = ["age", "annual_income_k", "tenure_days"]
    run = run_dbt(
        tmp_path,
        "build",
        {"customers_path": str(csv), "n_clusters": 3, "segmentation_features": features},
        SELECT,
    )
    text = " ".join(run.output.split())
    assert re.search(r"WARN 1 feature_dropped", text), text[-3000:]
    assert (
        "health feature_dropped: feature tenure_days was requested but not clustered on: it is "
        "constant or all-null after cleaning. Fix: tenure is counted from signup_date to a "
        "reference date" in text
    )
    assert "set var as_of_date" in text


def test_a_column_of_words_under_a_number_header_names_the_unmapping_fix(tmp_path: Path):
    """Kaggle's customer segmentation set writes Spending_Score as Low / Average / High: every row
    was rejected with "spending_score is not a number" and the fix blamed the column mapping in
    general; it now says to leave that column unmapped, by name."""
    lines = ["ID,Gender,Age,Spending_Score"]
    for i in range(60):
        lines.append(f"{462809 + i},Male,{22 + i % 40},{['Low', 'Average', 'High'][i % 3]}")
    csv = tmp_path / "train.csv"
    csv.write_text("\n".join(lines) + "\n")
    run = run_dbt(tmp_path, "build", {"customers_path": str(csv)}, SELECT, check=False)
    assert run.result.returncode != 0
    text = " ".join(run.output.split())
    assert "reason 1: spending_score is not a number (60 rows). Values that are no numbers" in text
    assert "leave it unmapped, var customer_columns: {spending_score: null}" in text


def test_no_default_feature_with_data_names_only_columns_that_vary(tmp_path: Path):
    """A HubSpot-like contacts file: an empty Age column, revenue and head count as extra
    columns. The stop listed every numeric column, the all-null age and the all-zero behaviour
    features included; it now names the columns whose values vary."""
    lines = ["Record ID,Age,Annual Revenue,Number of Employees"]
    for i in range(40):
        lines.append(f"{1000 + i},,{50_000 + 1_000 * i},{5 + i % 9}")
    csv = tmp_path / "contacts.csv"
    csv.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path,
        "build",
        {"customers_path": str(csv), "customer_columns": {"customer_id": "Record ID"}},
        SELECT,
        check=False,
    )
    assert run.result.returncode != 0
    text = " ".join(run.output.split())
    assert (
        "none of the default features has data: each is missing, or the same for all 40"
        " customers, so it separates no one. Numeric columns whose values vary: "
        "annual_revenue, number_of_employees. Fix:" in text
    ), text[-3000:]


def test_an_input_where_nothing_varies_says_so(tmp_path: Path):
    """Every order line a return (or one purchase of one amount each): the stop named no
    column and gave no cause; it says that nothing in the input tells customers apart, and where
    to look."""
    lines = ["order_id,customer_id,order_date,amount"]
    lines += [f"O{i},C{i},2024-03-{1 + i % 28:02d},-25.00" for i in range(40)]
    csv = tmp_path / "orders.csv"
    csv.write_text("\n".join(lines) + "\n")
    run = run_dbt(tmp_path, "build", {"orders_path": str(csv)}, SELECT, check=False)
    assert run.result.returncode != 0
    text = " ".join(run.output.split())
    assert "Numeric columns whose values vary: none (nothing in this input tells customers" in text


def test_order_ids_that_match_no_customer_are_shown_from_both_files(tmp_path: Path):
    """Two exports from two systems: the CRM writes ids with leading zeros (`0001`), the shop
    without (`1`, as a spreadsheet saves them). Every order line was 'not a valid customer' and
    the finding pointed at the column mapping; now it counts the ids, shows both spellings and
    names the var that matches them (test_customer_id_matching)."""
    csv = customers_csv(tmp_path / "customers.csv", good=60, bad=3)
    rng = random.Random(4)
    lines = ["order_id,customer_id,order_date,amount"]
    for number in range(120):
        customer = 1 + number % 60
        # Most lines carry the id without its zeros; a few match, and one is a rejected customer.
        written = f"{customer:04d}" if number % 10 == 0 else str(customer)
        lines.append(f"O{number:04d},{written},2024-0{1 + number % 9}-15,{rng.randint(5, 90)}.50")
    lines.append("O9999,9001,2024-03-15,10.00")  # 9001 is the customer with an age of 400
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        "build",
        {"customers_path": str(csv), "orders_path": str(orders)},
        ["--select", "+stg_orders", "--indirect-selection", "cautious"],
        check=False,
    )
    assert re.search(r"FAIL \d+ order_rows_rejected_over_max_share", run.output)
    finding = next(
        line
        for line in run.output.splitlines()
        if "health order_rows_rejected_over_max_rejected_share" in line
    )
    # Customers 1, 11, ..., 51 are written with their zeros on both their lines (every tenth
    # line): the other 54 ids match no customer row; 9001 is a rejected customer.
    assert (
        "reason 1: customer_id is not a valid customer (unknown or rejected) (109 rows)" in finding
    )
    assert "54 ids in no customer row (orders: '10', '12', '13'; customers: '0001', '0002'," in (
        finding
    )
    # ... and all 54 are CRM ids without their zeros: the finding says so and names the var.
    assert (
        "1 ids of rejected customers. 54 of the ids in no customer row match a kept customer's id "
        "once leading zeros are dropped. Fix: set var customer_id_matching: ignore_leading_zeros."
        in finding
    )
