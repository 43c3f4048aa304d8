"""Two shapes from an audit with real-shaped files (macros/inputs/column_mapping.sql,
macros/features/derived_features.sql, macros/features/online_channel.sql).

1. A CRM customers file headed `ID,Customer,Gender,Age,...` where `Customer` holds full names:
   before, `Customer` was taken as the customer id (namesakes rejected as duplicates, in a green
   build) and the real `ID` carried as a numeric feature. A bare `Customer` is the id only when
   no other header is and its values look like ids; an id carried as an extra column (`Household
   ID`) is never a feature.
2. A shop export whose channel column says Web / E-Commerce / App / Store: before, online_share
   counted `online` only, so it was 0 for everyone.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from .conftest import DbtRun, run_dbt, shared_build

pytestmark = pytest.mark.dbt

FIRST = ["Paul", "Mary", "John", "Linda", "James", "Susan", "Robert", "Karen", "David", "Nancy"]
LAST = ["Young", "Smith", "Brown", "Lee", "Walker", "Hall", "Allen", "King", "Wright", "Scott"]
CHANNELS = [
    "Web",
    "E-Commerce",
    "webshop",
    "App",
    "Mobile",
    "Internet",
    "Online",
    "Store",
    "In-Store",
    "Phone",
    # Marketplaces (Amazon's sales-channel, eBay) and Shopify's app sources: online.
    "Amazon.com",
    "Amazon.co.uk",
    "eBay",
    "iphone",
    "android",
]
ONLINE = {"web", "e-commerce", "webshop", "app", "mobile", "internet", "online"}
ONLINE |= {"amazon.com", "amazon.co.uk", "ebay", "iphone", "android"}


def full_names(count: int, rng: random.Random) -> list[str]:
    """Names as a CRM holds them: 100 combinations for `count` people, so namesakes occur."""
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(count)]


def write_crm_customers(path: Path, rng: random.Random) -> pd.DataFrame:
    header = [
        "ID",
        "Customer",
        "Gender",
        "Age",
        "Annual Income (k$)",
        "Spending Score (1-100)",
        "Household ID",
    ]
    rows = [
        [
            str(1001 + index),
            name,
            rng.choice(["Male", "Female"]),
            str(rng.randrange(18, 70)),
            str(rng.randrange(15, 140)),
            str(rng.randrange(1, 100)),
            str(5000 + index // 2),
        ]
        for index, name in enumerate(full_names(200, rng))
    ]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return pd.DataFrame(rows, columns=header)


def write_shop_orders(path: Path, ids: list[str], rng: random.Random) -> pd.DataFrame:
    rows = []
    for customer in ids:
        for _ in range(rng.randrange(1, 5)):
            day = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 300))
            rows.append(
                [
                    f"#{1000 + len(rows)}",
                    customer,
                    day.isoformat(),
                    f"{rng.uniform(5, 300):.2f}",
                    rng.choice(CHANNELS),
                ]
            )
    header = ["Order ID", "Customer ID", "Order Date", "Amount", "Channel"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return pd.DataFrame(rows, columns=header)


@shared_build
def crm_build(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("crm_names")
    rng = random.Random(4711)
    customers = write_crm_customers(folder / "customers.csv", rng)
    orders = write_shop_orders(folder / "orders.csv", list(customers["ID"]), rng)
    variables = {
        "customers_path": str(folder / "customers.csv"),
        "orders_path": str(folder / "orders.csv"),
    }
    run = run_dbt(
        folder / "run",
        variables=variables,
        extra_args=["--select", "+customer_features +input_summary"],
        lean=True,
    )
    return run, customers, orders, variables


def test_an_id_column_wins_over_a_customer_column_of_names(crm_build):
    run, customers, _, _ = crm_build
    assert "customer_id <- ID," in run.output
    assert "customer_id <- Customer," not in run.output
    # Namesakes are different people: all 200 kept, none rejected as a duplicate id.
    assert customers["Customer"].duplicated().sum() > 10
    assert run.scalar("select count(*) from customers_rejected") == 0
    assert {r[0] for r in run.query("select customer_id from customer_features")} == set(
        customers["ID"]
    )
    # Every order line finds its customer by the id.
    assert run.scalar("select count(*) from orders_rejected") == 0


def test_an_id_carried_as_an_extra_column_is_no_feature(crm_build, tmp_path: Path):
    run, _, _, variables = crm_build
    assert "household_id" in {
        r[0] for r in run.query("select column_name from (describe stg_customers)")
    }
    feature_columns = {
        r[0] for r in run.query("select column_name from (describe customer_features)")
    }
    assert "household_id" not in feature_columns and "id" not in feature_columns
    # Asked for by name, it stops naming the fix (on a copy: the shared build is read-only).
    workdir = tmp_path / "copy"
    workdir.mkdir()
    shutil.copy(run.database, workdir / "warehouse.duckdb")
    stopped = run_dbt(
        workdir,
        "compile",
        variables={**variables, "segmentation_features": ["age", "household_id"]},
        extra_args=["--select", "int_feature_scaling_parameters"],
        check=False,
    )
    assert stopped.result.returncode != 0
    assert "'household_id', which is an identifier" in stopped.output
    assert "Fix: drop it from var segmentation_features" in stopped.output


def test_online_share_counts_the_common_online_spellings(crm_build):
    run, _, orders, _ = crm_build
    orders = orders.assign(amount=orders["Amount"].astype(float))
    orders["online"] = orders["Channel"].str.lower().isin(ONLINE) * orders["amount"]
    sums = orders.groupby("Customer ID")[["online", "amount"]].sum()
    expected = (sums["online"] / sums["amount"]).to_dict()
    actual = dict(run.query("select customer_id, online_share from customer_features"))
    assert actual.keys() == expected.keys()
    for customer, share in expected.items():
        assert actual[customer] == pytest.approx(share, abs=1e-9), customer
    assert sum(1 for share in actual.values() if share > 0) > len(actual) // 2


# ------------------------------------------------ mapping decisions, without a build


def test_bare_customer_headers_are_mapped_by_their_values(tmp_path: Path):
    """One run-operation, three files: the mapping each gets."""
    rng = random.Random(5)
    names = full_names(40, rng)
    (tmp_path / "id_and_names.csv").write_text(
        "ID,Customer,Age\n" + "".join(f"{i},{n},{20 + i}\n" for i, n in enumerate(names))
    )
    (tmp_path / "customer_codes.csv").write_text(
        "Customer,Age\n" + "".join(f"C{i:04d},{20 + i}\n" for i in range(40))
    )
    (tmp_path / "named_id_and_names.csv").write_text(
        "CustomerID,Customer,Age\n" + "".join(f"K{i},{n},{20 + i}\n" for i, n in enumerate(names))
    )
    # A German export's bare `Kunde` (after Excel's `sep=;` line) and a bare `Client`, both ids.
    (tmp_path / "kunde_codes.csv").write_text(
        "sep=;\nKunde;Alter\n" + "".join(f"{10001 + i};{20 + i}\n" for i in range(40))
    )
    (tmp_path / "client_codes.csv").write_text(
        "Client,Age\n" + "".join(f"CL-{i},{20 + i}\n" for i in range(40))
    )
    # The same word in an orders export: `Kunde` beside the order number, date and amount.
    (tmp_path / "kunde_orders.csv").write_text(
        "Belegnr;Datum;Kunde;Betrag\n"
        + "".join(f"B{i};2024-03-{1 + i % 28:02d};{10001 + i % 7};9,50\n" for i in range(40))
    )
    names = ["id_and_names", "customer_codes", "named_id_and_names", "kunde_codes", "client_codes"]
    files = [{"path": str(tmp_path / f"{name}.csv")} for name in names]
    files.append({"path": str(tmp_path / "kunde_orders.csv"), "kind": "orders"})
    run = run_dbt(
        tmp_path / "run",
        "run-operation",
        None,
        ["check_input_files", "--args", json.dumps({"files": files})],
    )
    sections = run.output.split("=== ")[1:]
    assert "mapped: age <- Age, customer_id <- ID\n" in sections[0]
    assert "mapped: age <- Age, customer_id <- Customer\n" in sections[1]
    assert "mapped: age <- Age, customer_id <- CustomerID\n" in sections[2]
    assert "mapped: age <- Alter, customer_id <- Kunde\n" in sections[3]
    assert "mapped: age <- Age, customer_id <- Client\n" in sections[4]
    assert (
        "mapped: amount <- Betrag, customer_id <- Kunde, order_date <- Datum, order_id <- Belegnr\n"
        in sections[5]
    )


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        pytest.param(
            "Customer,Age",
            [
                f"{name},{30 + i}"
                for i, name in enumerate(["Paul Young", "Mary Smith", "Paul Young"] * 9)
            ],
            [
                'The input\'s column "Customer" holds names, not ids ("Paul Young", "Mary Smith",'
                ' "Paul Young"), and no other column reads as customer_id.',
                "Fix: name the id column, e.g. --vars '{customer_columns: {customer_id:"
                ' "<your id column>"}}\' (or {customer_id: "Customer"} if these are the ids)',
            ],
            id="names-only",
        ),
        pytest.param(
            "Id,Customer,Age",
            [f"{i},C{i:04d},{30 + i}" for i in range(25)],
            [
                'has two columns that could be customer_id: "Id" and "Customer", both with'
                " id-like values",
                "--vars '{customer_columns: {customer_id: \"Id\"}}' or"
                " '{customer_columns: {customer_id: \"Customer\"}}'",
            ],
            id="two-id-columns",
        ),
    ],
)
def test_an_undecidable_customer_column_stops_naming_the_candidates(
    tmp_path: Path, header: str, rows: list[str], expected: list[str]
):
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    run: DbtRun = run_dbt(
        tmp_path / "run",
        "run-operation",
        None,
        ["check_input_file", "--args", json.dumps({"path": str(path)})],
        check=False,
    )
    assert run.result.returncode != 0
    for text in expected:
        assert text in run.output, run.output[-2000:]


def test_postal_codes_and_member_numbers_stay_text_and_reject_no_one(tmp_path: Path):
    """A German CRM export: `PLZ` with one Austrian code (`A-1010`), a `Zip` with one ZIP+4
    value, a `Mitglieds Nr` with one letter, each under 1% of the column. Before, each read as a
    number column (99% numbers), so those values rejected their customers ("plz is not a
    number") and 01067 became 1067."""
    rng = random.Random(3)
    path = tmp_path / "kunden.csv"
    rows = []
    for number in range(120):
        plz = "A-1010" if number == 7 else f"{rng.randint(1000, 99999):05d}"
        zip_code = f"{rng.randint(1000, 99999):05d}" + ("-1234" if number == 3 else "")
        member = f"M{number}" if number == 5 else str(10_000 + number)
        prefix = f"{rng.randint(1000, 99999):05d}"  # Olist's customer_zip_code_prefix
        rows.append(
            [f"K{number:04d}", rng.randint(18, 80), rng.randint(15, 140), plz, zip_code, member]
            + [prefix, f"0170 {rng.randint(1_000_000, 9_999_999)}", rng.randint(0, 9)]
        )
    rows[0][3] = "01067"
    rows[0][6] = "01024"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["CustomerID", "Age", "Annual Income (k$)", "PLZ", "Zip", "Mitglieds Nr"]
            + ["customer_zip_code_prefix", "Mobile Phone", "Phone Orders"]
        )
        writer.writerows(rows)
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path)},
        extra_args=["--select", "+customer_features", "+customers_rejected"],
    )
    assert run.scalar("select count(*) from customers_rejected") == 0
    kept = {
        row[0]: row[1:]
        for row in run.query("select customer_id, plz, zip, mitglieds_nr from stg_customers")
    }
    assert kept["K0000"][0] == "01067"
    assert kept["K0007"][0] == "A-1010" and kept["K0003"][1].endswith("-1234")
    assert kept["K0005"][2] == "M5"
    prefixes = dict(run.query("select customer_id, customer_zip_code_prefix from stg_customers"))
    assert prefixes["K0000"] == "01024"  # a postal word anywhere in the name: text
    features = {r[0] for r in run.query("select column_name from (describe customer_features)")}
    assert not features & {"plz", "zip", "mitglieds_nr", "customer_zip_code_prefix"}
    assert not features & {"mobile_phone"}
    assert "phone_orders" in features  # a phone word not at the end: a count, still a feature
