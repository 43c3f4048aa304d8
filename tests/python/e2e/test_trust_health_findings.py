"""Three green builds that told no one their output misled: now each is a dbt WARN that names it.

One build of a shop's two exports, generated here in real shapes, carries all three faults:
an invoice-line export (`InvoiceNo`, `m/d/yyyy h:mm`, `UnitPrice`) of Dec 2010 - Dec 2011 where
one line's year is typed 2021, so recency is measured from 2021; and a Kaggle-style customers
file (CRLF) where 62% of the ages are blank (filled with the median) and the income is heavy-tailed
(11% whales, which the default 3 x IQR fence clips). The demo build and the Kaggle reference build
raise none of the three.
"""

from __future__ import annotations

import csv
import math
import random
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from .conftest import DbtRun, run_dbt, shared_build

pytestmark = pytest.mark.dbt

# The checks the misleading shop's build (up to feature_scaling) runs, and all of them.
SHOP_CHECKS = [
    "latest_order_date_stands_apart",
    "feature_mostly_imputed",
    "outlier_fence_clips_many",
]
CHECKS = [
    *SHOP_CHECKS,
    "income_units_look_wrong",
    "feature_zero_placeholder",
    "order_lines_mostly_returns",
    "birth_date_placeholder",
    "birth_date_without_year",
    "status_reads_like_cancellation",
]
CUSTOMERS = 300
NO_AGE = 186  # 62%
WHALES = 33  # 11%
TYPO = datetime(2021, 6, 14, 11, 5)  # a line of 6/14/2011, its year typed 2021
LAST_REAL_DAY = datetime(2011, 12, 9, 12, 50)


def write_customers(path: Path) -> None:
    rng = random.Random(62)
    lines = ["CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)"]
    for index in range(CUSTOMERS):
        age = "" if index % 50 < 31 else str(rng.randint(18, 70))  # 31 of every 50 blank
        if index % 100 < 11:  # whales, log-uniform from 300k to 3M a year
            income = round(math.exp(rng.uniform(math.log(300), math.log(3000))))
        else:
            income = max(20, round(rng.gauss(55, 8)))
        gender = rng.choice(["Male", "Female"])
        lines.append(f"{12346 + index},{gender},{age},{income},{rng.randint(1, 99)}")
    path.write_text("\r\n".join(lines) + "\r\n")


def write_invoice_lines(path: Path) -> None:
    rng = random.Random(2011)
    rows = []
    invoice = 536365
    for index in range(CUSTOMERS):
        for _ in range(rng.randint(1, 4)):
            moment = datetime(2010, 12, 1, 8, 0) + timedelta(
                days=rng.randrange(0, 372), minutes=rng.randrange(0, 600)
            )
            for _ in range(rng.randint(1, 4)):
                stock = str(rng.randrange(10000, 90000))
                rows.append([str(invoice), stock, f"ITEM {stock}", str(rng.choice([1, 2, 6, 12])),
                             moment, str(rng.choice([0.85, 1.25, 2.95, 4.95])), str(12346 + index),
                             "United Kingdom"])  # fmt: skip
            invoice += 1
    rows.append([str(invoice), "22720", "CAKE TIN", "2", LAST_REAL_DAY, "4.95", "12346", "France"])
    rows.append(["581999", "22722", "SPICE TIN", "2", TYPO, "4.95", "12347", "France"])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
             "CustomerID", "Country"]
        )  # fmt: skip
        for row in rows:
            moment = row[4]
            row[4] = f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"
            writer.writerow(row)


@shared_build
def misleading_shop(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    folder = tmp_path_factory.mktemp("misleading_shop")
    write_customers(folder / "customers.csv")
    write_invoice_lines(folder / "invoice_lines.csv")
    return run_dbt(
        folder / "run",
        variables={
            "customers_path": str(folder / "customers.csv"),
            "orders_path": str(folder / "invoice_lines.csv"),
            "n_clusters": 3,  # no K search: 2.5 s less, and no check reads K
        },
        extra_args=[
            "--select",
            "+feature_scaling +segmentation_candidates +stg_orders",
            "--indirect-selection",
            "cautious",
        ],
        lean=True,
    )


def findings(run: DbtRun, check: str) -> list[str]:
    return [line for line in run.output.splitlines() if f"health {check}: " in line]


def test_a_typo_d_year_on_one_invoice_line_warns_naming_the_date_and_the_fix(misleading_shop):
    run = misleading_shop
    assert re.search(r"WARN 1 latest_order_date_stands_apart", run.output), run.output[-3000:]
    lines = run.scalar("select count(*) from stg_orders where not is_return and amount > 0")
    (finding,) = findings(run, "latest_order_date_stands_apart")
    assert (
        f"1 purchase line of {lines:,} dated 2021-06-14 stands 3,475 days (9.5 years) after every "
        "other order (the latest of which is 2011-12-09; no two earlier purchase dates are more "
        "than 4 days apart): recency and tenure of every customer are measured from 2021-06-15"
        in finding
    )
    assert "Fix: correct the date in the orders input" in finding
    assert "--vars '{as_of_date: 2011-12-10}'" in finding
    # what it warns about: the customers look years silent
    assert run.scalar("select median(recency_days) from int_customer_features") > 3000


def test_setting_as_of_date_silences_the_date_warning(misleading_shop, tmp_path: Path):
    """The reference date is then the user's (and a rebuild rejects lines after it): `dbt test`
    on a copy of the build, with the var."""
    shutil.copy(misleading_shop.database, tmp_path / "warehouse.duckdb")
    inputs = misleading_shop.workdir.parent
    run = run_dbt(
        tmp_path,
        "test",
        {
            "customers_path": str(inputs / "customers.csv"),
            "orders_path": str(inputs / "invoice_lines.csv"),
            "as_of_date": "2011-12-10",
        },
        ["--select", " ".join(SHOP_CHECKS)],
    )
    assert re.search(r"PASS latest_order_date_stands_apart ", run.output), run.output[-3000:]
    assert not findings(run, "latest_order_date_stands_apart")
    assert re.search(r"WARN 1 feature_mostly_imputed", run.output)


def test_a_feature_mostly_filled_with_its_median_warns_naming_it_and_the_share(misleading_shop):
    run = misleading_shop
    assert run.query(
        "select imputed_count, imputed_count + non_null_count from feature_scaling"
        " where feature_name = 'age'"
    ) == [(NO_AGE, CUSTOMERS)]
    assert re.search(r"WARN 1 feature_mostly_imputed", run.output), run.output[-3000:]
    (finding,) = findings(run, "feature_mostly_imputed")
    assert (
        f"feature age is missing for 62.0% of the customers clustered ({NO_AGE} of {CUSTOMERS}),"
        " over 20%: each was filled with its median" in finding
    )
    assert "Fix: drop age from var segmentation_features" in finding


def test_a_fence_clipping_a_group_of_whales_warns_naming_the_feature_and_the_count(
    misleading_shop,
):
    run = misleading_shop
    assert run.query(
        "select transform, outlier_count from feature_scaling"
        " where feature_name = 'annual_income_k'"
    ) == [("log1p", WHALES)]
    assert re.search(r"WARN 1 outlier_fence_clips_many", run.output), run.output[-3000:]
    (finding,) = findings(run, "outlier_fence_clips_many")
    assert (
        f"the outlier fence clipped {WHALES} of {CUSTOMERS} customers (11.0%) on annual_income_k,"
        " over 5%" in finding
    )
    assert (
        "is set to the nearer bound (var outlier_fence = 3.0 x IQR of log1p(annual_income_k))"
        in finding
    )
    assert "Fix: raise var outlier_fence (0 = off)." in finding


def test_the_demo_and_the_kaggle_reference_build_raise_none_of_them(
    demo_build: DbtRun, mall_income_score_k5: DbtRun
):
    for run in (demo_build, mall_income_score_k5):
        for check in CHECKS:
            assert re.search(rf"PASS {check} ", run.output), (check, run.output[-3000:])
            assert not findings(run, check)


@pytest.mark.parametrize(
    ("header", "scale", "expected"),
    [
        # 42,000 under a (k$) header: "earn 131275k a year" in the profiles, before.
        ("Annual Income (k$)", 1000, "annual_income_k (income in thousands) has a median of 5"),
        # A plain-unit header holding thousands: a median income of 55 a year.
        ("Income", 1, "income (plain currency units) has a median of 5"),
    ],
    ids=["thousands_header_plain_values", "plain_header_thousands"],
)
def test_income_in_the_wrong_unit_warns_naming_the_median_and_the_fix(
    tmp_path: Path, header: str, scale: int, expected: str
):
    rng = random.Random(42)
    lines = [f"CustomerID,Age,{header},Spending Score (1-100)"]
    for index in range(120):
        income = max(20, round(rng.gauss(55, 8))) * scale
        lines.append(f"{12346 + index},{rng.randint(18, 70)},{income},{rng.randint(1, 99)}")
    (tmp_path / "customers.csv").write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(tmp_path / "customers.csv")},
        extra_args=["--select", "+customer_features"],
    )
    assert re.search(r"WARN 1 income_units_look_wrong", run.output), run.output[-3000:]
    (finding,) = findings(run, "income_units_look_wrong")
    assert expected in finding and "Fix: map it as" in finding


def test_zeros_a_crm_writes_for_unknown_warn_naming_the_feature(tmp_path: Path):
    """A CRM export with 0 for an unknown age and income: the zeros were kept as values and made a
    segment of median age 0, named "Young ...", in a green build. No customer is 0 years old, so
    4% of the ages is enough to warn (another feature warns above 10%)."""
    rng = random.Random(55)
    lines = ["CustomerID,Age,Annual Income (k$),Spending Score (1-100)"]
    for index in range(150):
        age = 0 if index % 25 == 0 else rng.randint(18, 70)
        income = 0 if index % 5 == 0 else rng.randint(15, 140)
        lines.append(f"{index + 1},{age},{income},{rng.randint(1, 99)}")
    (tmp_path / "customers.csv").write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(tmp_path / "customers.csv"), "n_clusters": 3},
        extra_args=["--select", "+segmentation_candidates", "--indirect-selection", "cautious"],
        lean=True,
    )
    assert re.search(r"WARN 2 feature_zero_placeholder", run.output), run.output[-3000:]
    age, income = sorted(findings(run, "feature_zero_placeholder"))
    assert "feature age is 0 for 4.0% of the customers (6 of 150), over 1%" in age
    assert "feature annual_income_k is 0 for 20.0% of the customers (30 of 150)" in income
    assert "nullif(age, 0)" in age


def test_a_ledger_of_negative_sales_warns_that_most_lines_are_returns(tmp_path: Path):
    """An accounting export writes sales as negative amounts (credits) and credit notes as
    positive: every sale read as a return, the credit-note holders came out as the best buyers,
    and nothing said so. Its headers (Document No, Customer No, Posting Date, Document Type) map
    without a var now, and the share of returns is named with the fix."""
    rng = random.Random(9)
    lines = ["Document No,Customer No,Posting Date,Amount,Document Type"]
    for index in range(200):
        credit = index % 20 == 0
        amount = round(rng.uniform(10, 500), 2)
        day = date(2024, 1, 1) + timedelta(days=index)
        lines.append(
            f"{'CM' if credit else 'INV'}{10000 + index},K{index % 40:04d},"
            f"{day:%d.%m.%Y},{amount if credit else -amount},"
            f"{'Credit Memo' if credit else 'Invoice'}"
        )
    (tmp_path / "ledger.csv").write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(tmp_path / "ledger.csv")},
        extra_args=["--select", "+stg_orders", "--indirect-selection", "cautious"],
    )
    assert "order_id <- Document No" in run.output and "customer_id <- Customer No" in run.output
    assert re.search(r"WARN 1 order_lines_mostly_returns", run.output), run.output[-3000:]
    (finding,) = findings(run, "order_lines_mostly_returns")
    assert "100.0% of the kept order lines read as returns (200 of 200)" in finding
