"""Order lines whose customer ids differ in form from the customers' (var customer_id_matching).

A CRM writes customer numbers as `0001`; the order export, saved through a spreadsheet, writes
`1`. Or the ids are emails, the CRM's as typed (`Ann@Shop.com`), the shop's in lower case. Or the
shop writes `CUST-00042` for the CRM's `42`. By
default (`exact`) every such line is an unknown customer, and the rejected-share finding counts
the ids that would match and names the var's value (for leading zeros also checked in
test_trust_health: test_order_ids_that_match_no_customer_are_shown_from_both_files); with the var
the lines find their customers and carry the CRM's form of the id, and a line that could belong
to two customers (`042` against `42` and `0042`) is rejected with its reason, never given to one.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

N_CUSTOMERS = 45
AMBIGUOUS_LINES = 8
SELECTION = [
    "--select",
    "+int_customer_features +customers_rejected +orders_rejected",
    "--indirect-selection",
    "cautious",
]


@dataclass(frozen=True)
class IdForms:
    """How one pair of exports writes its ids: the customers' form of customer n, the form the
    order lines write it in, two customers whose ids are the same compared the var's way (and a
    line written as neither), and an id no customer has in any form."""

    matching: str
    customer: Callable[[int], str]
    written: Callable[[str], str]
    twins: tuple[str, str]
    ambiguous: str
    unknown: str
    reason: str
    finding_example: str


LEADING_ZEROS = IdForms(
    "ignore_leading_zeros",
    lambda n: f"{n:04d}",
    lambda customer: customer.lstrip("0"),
    ("42", "0042"),
    "042",
    "9999",
    "customer_id matches several customers once leading zeros are dropped",
    "(customers '042' and '42', a line '0042')",
)
EMAIL_CASE = IdForms(
    "ignore_case",
    lambda n: f"Customer.{n}@Shop.com",
    str.lower,
    ("Ann@Shop.com", "ann@shop.com"),
    "ANN@SHOP.COM",
    "nobody@shop.com",
    "customer_id matches several customers once case is ignored",
    "(customers 'Ann@Shop.com' and 'ann@shop.com', a line 'ANN@SHOP.COM')",
)

PREFIXED = IdForms(
    "digits_only",
    str,
    lambda customer: f"CUST-{int(customer):05d}",
    ("42", "C-42"),
    "K42",
    "CUST-99999",
    "customer_id matches several customers once only its digits are compared",
    "(customers 'C-42' and 'K42', a line '42')",
)


def write_inputs(folder: Path, forms: IdForms, rng: random.Random) -> dict[str, int]:
    """The CRM file and the order lines, most of them writing the id in the shop's form; returns
    the number of lines each customer (CRM form) should end up with."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [forms.customer(n) for n in range(1, N_CUSTOMERS + 1)]
    ids += [twin for twin in forms.twins if twin not in ids]
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
            # Most lines write the shop's form; every fifth keeps the CRM's (an exact match), and
            # so do the twins' lines (in the shop's form one would be the other: exact first).
            exact = (n + k) % 5 == 0 or customer in forms.twins
            written = customer if exact else forms.written(customer)
            lines.append([f"O{len(lines):05d}", written, day + timedelta(days=len(lines)), 25.5])
            expected[customer] = expected.get(customer, 0) + 1
    # Enough lines alike to two customers to be over warn_rejected_share (5%): a WARN that says why.
    for written in [forms.ambiguous] * AMBIGUOUS_LINES + [forms.unknown]:
        lines.append([f"O{len(lines):05d}", written, day, 10.0])
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


@pytest.mark.parametrize(
    "forms", [LEADING_ZEROS, EMAIL_CASE, PREFIXED], ids=lambda forms: forms.matching
)
def test_ids_in_the_shops_form_find_their_customers_with_the_var(tmp_path: Path, forms: IdForms):
    expected = write_inputs(tmp_path, forms, random.Random(3))
    with (tmp_path / "orders.csv").open() as handle:
        lines = list(csv.DictReader(handle))
    run = run_dbt(
        tmp_path / "run",
        variables={**inputs(tmp_path), "customer_id_matching": forms.matching},
        extra_args=SELECTION,
    )
    kept = dict(run.query("select customer_id, count(*) from stg_orders group by customer_id"))
    assert kept == expected  # every line under the CRM's form of its id, none lost or moved
    assert run.query(
        "select customer_id, rejection_reason from base_orders where rejection_reason is not null"
        " order by source_row_number"
    ) == [(forms.ambiguous, forms.reason)] * AMBIGUOUS_LINES + [
        (forms.unknown, "customer_id is not a valid customer (unknown or rejected)")
    ]
    message = " ".join(run.output.split())
    assert f"reason 1: {forms.reason} ({AMBIGUOUS_LINES} rows). Lines whose customer id" in message
    assert "is the id of several customers and of none as the line writes it" in message
    assert forms.finding_example in message  # the finding's illustration is of this way
    first = forms.customer(1)
    features = dict(run.query("select customer_id, frequency from int_customer_features"))
    assert (
        features[first] == expected[first] and features[forms.twins[1]] == expected[forms.twins[1]]
    )
    # The console says what the var did: lines matched as written, and only the var's way.
    exact_lines = sum(1 for line in lines if line["customer_id"] in expected)
    how = {
        "ignore_leading_zeros": "without leading zeros",
        "ignore_case": "in another case",
        "digits_only": "by their digits",
    }
    assert (
        f"customer ids matched to the customers' also {how[forms.matching]} (var "
        f"customer_id_matching; first 100,000 lines: {exact_lines} as written, "
        f"{sum(expected.values()) - exact_lines} only {how[forms.matching]})" in run.output
    )


def digit_key(customer_id: str) -> str | None:
    """The digits_only key, as the SQL computes it (None for an id without digits)."""
    digits = "".join(character for character in customer_id if character.isdigit())
    return (digits.lstrip("0") or "0") if digits else None


@pytest.mark.parametrize(
    ("forms", "key", "words"),
    [
        (EMAIL_CASE, str.lower, "once case is ignored"),
        (PREFIXED, digit_key, "once only its digits are compared"),
    ],
    ids=["ignore_case", "digits_only"],
)
def test_by_default_ids_in_another_form_are_counted_and_the_var_named(
    tmp_path: Path, forms: IdForms, key: Callable[[str], str | None], words: str
):
    write_inputs(tmp_path, forms, random.Random(3))
    with (tmp_path / "crm.csv").open() as handle:
        customers = {row["customer_id"] for row in csv.DictReader(handle)}
    with (tmp_path / "orders.csv").open() as handle:
        unknown = {row["customer_id"] for row in csv.DictReader(handle)} - customers
    keys = {key(customer) for customer in customers} - {None}
    matching = {customer for customer in unknown if key(customer) in keys}
    assert forms.ambiguous in matching and forms.unknown in unknown - matching  # the fixture
    run = run_dbt(
        tmp_path / "run",
        variables=inputs(tmp_path),
        extra_args=["--select", "+stg_orders", "--indirect-selection", "cautious"],
        check=False,
    )
    assert run.result.returncode != 0  # most lines are unknown customers: over the max share
    message = " ".join(run.output.split())
    assert f"{len(unknown)} ids in no customer row" in message
    assert (
        f"{len(matching)} of the ids in no customer row match a kept customer's id {words}. "
        f"Fix: set var customer_id_matching: {forms.matching}." in message
    )


def test_without_customers_the_var_makes_one_customer_of_ids_that_differ_that_way(
    tmp_path: Path,
):
    """An orders-only file keyed by email, written in mixed case by two systems: 30 people were
    85 customers, each with part of the spend, and the var that says how ids compare did nothing
    without a customers file. Under ignore_case they are one customer each."""
    rng = random.Random(10)
    people = [f"person{i}@shop.example" for i in range(30)]
    spend: dict[str, float] = {}
    spellings: dict[str, set[str]] = {}
    lines = ["Order ID,Email,Order Date,Amount"]
    for order in range(150):
        person = people[order % 30]
        written = rng.choice([person, person.upper(), person.capitalize()])
        amount = round(rng.uniform(5, 90), 2)
        lines.append(f"O{order},{written},2024-02-{1 + order % 28:02d},{amount}")
        spend[person] = spend.get(person, 0) + amount
        spellings.setdefault(person, set()).add(written)
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    variables = {"orders_path": str(orders), "order_columns": {"customer_id": "Email"}}
    selection = ["--select", "base_orders", "stg_orders"]
    as_written = run_dbt(tmp_path / "exact", "run", variables, selection)
    assert as_written.scalar("select count(distinct customer_id) from stg_orders") > 30
    run = run_dbt(
        tmp_path / "ignore_case",
        "run",
        {**variables, "customer_id_matching": "ignore_case"},
        selection,
    )
    assert "on an orders input without customers: the lines' ids that differ only" in run.output
    summed = run.query("select customer_id, sum(amount) from stg_orders group by 1")
    assert {customer.lower(): total for customer, total in summed} == pytest.approx(spend)
    # Each is named by one of its own spellings, the first in sort order.
    named = dict(run.query("select lower(customer_id), customer_id from stg_orders group by all"))
    assert named == {person: min(forms) for person, forms in spellings.items()}


def test_digits_only_leaves_emails_as_written(tmp_path: Path):
    """digits_only on an orders-only file: `ann1984@gmail.com` and `bob1984@yahoo.com` became one
    customer `1984` (the README says an email matches only as written). Emails keep their own
    ids; `CUST-0042` and `42` are one customer, as documented."""
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order ID,Customer ID,Order Date,Amount\n"
        "O1,ann1984@gmail.com,2024-02-01,10\nO2,bob1984@yahoo.com,2024-02-02,20\n"
        "O3,CUST-0042,2024-02-03,30\nO4,42,2024-02-04,40\n"
    )
    run = run_dbt(
        tmp_path / "run",
        "run",
        {"orders_path": str(orders), "customer_id_matching": "digits_only"},
        ["--select", "base_orders", "stg_orders"],
    )
    summed = dict(run.query("select customer_id, sum(amount) from stg_orders group by 1"))
    assert summed == {"ann1984@gmail.com": 10, "bob1984@yahoo.com": 20, "42": 70}


def test_shopify_orders_keyed_by_email_find_customers_keyed_by_id(tmp_path: Path):
    """Shopify's customers export is keyed by `Customer ID` (and has `Email`), its orders export
    by `Email`: every order line matched no customer, 100% rejected. The lines find their
    customer by the customers' email now (any case), and take the customer's id; a line whose
    email no customer has is still an unknown customer."""
    customers = tmp_path / "customers_export.csv"
    customers.write_text(
        "Customer ID,First Name,Email,Accepts Email Marketing\n"
        + "".join(f"{7000 + i},N{i},n{i}@example.com,yes\n" for i in range(10))
    )
    lines = ["Name,Email,Created at,Lineitem quantity,Lineitem price"]
    for order in range(30):
        email = f"n{order % 10}@example.com"
        lines.append(
            f"#{1000 + order},{email.upper() if order % 3 else email},"
            f"2024-03-{1 + order % 28:02d} 10:00:00 +0100,1,{10 + order}"
        )
    lines.append("#2000,stranger@example.com,2024-03-29 10:00:00 +0100,1,5")
    orders = tmp_path / "orders_export.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        "run",
        {"customers_path": str(customers), "orders_path": str(orders)},
        ["--select", "base_customers", "base_orders", "stg_orders"],
    )
    assert "the orders name their customers by email (Email), the customers input by an id" in (
        " ".join(run.output.split())
    )
    spend = dict(run.query("select customer_id, sum(amount) from stg_orders group by 1"))
    assert spend == {
        str(7000 + i): sum(10 + order for order in range(30) if order % 10 == i) for i in range(10)
    }
    assert run.query(
        "select customer_id, rejection_reason from base_orders where rejection_reason is not null"
    ) == [("stranger@example.com", "customer_id is not a valid customer (unknown or rejected)")]
