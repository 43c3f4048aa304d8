"""Order lines whose customer ids lost their leading zeros (var customer_id_matching).

A CRM writes customer numbers as `0001`; the order export, saved through a spreadsheet, writes
`1`. By default (`exact`) every such line is an unknown customer, and the rejected-share finding
says the ids match once leading zeros are dropped and names the var (checked in
test_trust_health: test_order_ids_that_match_no_customer_are_shown_from_both_files); with
`customer_id_matching: ignore_leading_zeros` the lines find their customers and carry the CRM's
form of the id, and a line that could belong to two customers (`042` against `42` and `0042`) is
rejected with its reason, never given to one of them.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

N_CUSTOMERS = 45
SELECTION = [
    "--select",
    "+int_customer_features +customers_rejected +orders_rejected",
    "--indirect-selection",
    "cautious",
]


def write_inputs(folder: Path, rng: random.Random) -> dict[str, int]:
    """A CRM file with 4-digit zero-padded ids plus customers `42` and `0042` (two customers
    whose ids are the same without zeros), and order lines that write most ids without their
    zeros. Returns the order lines each customer id (CRM form) should end up with."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"{n:04d}" for n in range(1, N_CUSTOMERS + 1)] + ["42"]
    with (folder / "crm.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "age", "annual_income_k", "spending_score"])
        for customer in ids:
            writer.writerow(
                [customer, rng.randint(18, 70), rng.randint(15, 140), rng.randint(1, 99)]
            )
    expected: dict[str, int] = {}
    lines = []
    day = date(2024, 1, 1)
    for n, customer in enumerate(ids):
        for k in range(1 + n % 4):
            # Most lines drop the zeros; every fifth keeps the CRM's form (an exact match), and so
            # do the lines of `0042` (written `42` they would be customer `42`'s: exact first).
            exact = (n + k) % 5 == 0 or customer in ("42", "0042")
            written = customer if exact else customer.lstrip("0")
            lines.append([f"O{len(lines):05d}", written, day + timedelta(days=len(lines)), 25.5])
            expected[customer] = expected.get(customer, 0) + 1
    # `042`: `42` and `0042` alike without zeros; `9999`: no customer's, with or without zeros.
    lines.append([f"O{len(lines):05d}", "042", day, 10.0])
    lines.append([f"O{len(lines):05d}", "9999", day, 10.0])
    with (folder / "orders.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "order_date", "amount"])
        writer.writerows(lines)
    return expected


def inputs(folder: Path) -> dict[str, str]:
    return {
        "customers_path": str(folder / "crm.csv"),
        "orders_path": str(folder / "orders.csv"),
        "as_of_date": "2024-12-31",
    }


def test_ids_without_their_zeros_find_their_customers_with_the_var(tmp_path: Path):
    expected = write_inputs(tmp_path, random.Random(3))
    with (tmp_path / "orders.csv").open() as handle:
        lines = list(csv.DictReader(handle))
    run = run_dbt(
        tmp_path / "run",
        variables={**inputs(tmp_path), "customer_id_matching": "ignore_leading_zeros"},
        extra_args=SELECTION,
    )
    kept = dict(run.query("select customer_id, count(*) from stg_orders group by customer_id"))
    assert kept == expected  # every line under the CRM's form of its id, none lost or moved
    assert run.query(
        "select customer_id, rejection_reason from base_orders where rejection_reason is not null"
        " order by customer_id"
    ) == [
        ("042", "customer_id matches several customers once leading zeros are dropped"),
        ("9999", "customer_id is not a valid customer (unknown or rejected)"),
    ]
    features = dict(run.query("select customer_id, frequency from int_customer_features"))
    assert features["0001"] == expected["0001"] and features["0042"] == expected["0042"]
    # The console says what the var did: lines matched as written, and only without zeros.
    exact_lines = sum(1 for line in lines if line["customer_id"] in expected)
    moved = sum(expected.values()) - exact_lines
    assert (
        "customer ids matched to the customers' also without leading zeros (var "
        f"customer_id_matching; first 100,000 lines: {exact_lines} as written, {moved} only "
        "without leading zeros)" in run.output
    )
