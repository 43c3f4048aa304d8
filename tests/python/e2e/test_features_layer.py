"""The customer feature layer end to end: derived features, the fixed schema of
int_customer_features, the customer_features and input_summary marts, and the run summary.

Two builds: a marketing-campaign-shaped customers file (derived age and total spend, clustered on),
and an orders-only file (purchases, zero-value orders, rejected rows). Each is checked by several
asserts; the bad-expression checks compile one model against the first build's database.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from .conftest import DbtRun, run_dbt, shared_build

pytestmark = pytest.mark.dbt

# Header normalisation splits camelCase: MntWines -> mnt_wines.
SPEND_HEADERS = [
    "MntWines",
    "MntFruits",
    "MntMeatProducts",
    "MntFishProducts",
    "MntSweetProducts",
    "MntGoldProds",
]
SPEND_COLUMNS = [
    "mnt_wines",
    "mnt_fruits",
    "mnt_meat_products",
    "mnt_fish_products",
    "mnt_sweet_products",
    "mnt_gold_prods",
]
DERIVED = {"age": "2014 - year_birth", "total_spend": " + ".join(SPEND_COLUMNS)}

BEHAVIOUR_COLUMNS = [
    "is_female",
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
    "return_count",
    "return_amount",
    "return_rate",
    "online_share",
]
SELECT = ["--indirect-selection", "cautious"]


def write_marketing_campaign(path: Path, rng: random.Random) -> dict[str, dict[str, int]]:
    """A customer table shaped like the marketing-campaign study; returns the valid rows by ID."""
    header = [
        "ID",
        "Year_Birth",
        "Education",
        "Marital_Status",
        "Income",
        "Dt_Customer",
        "Recency",
        *SPEND_HEADERS,
        "NumWebPurchases",
        "NumStorePurchases",
    ]
    valid: dict[str, dict[str, int]] = {}
    rows = []
    for number in range(1, 181):
        spend = [int(rng.lognormvariate(4, 1.2)) for _ in SPEND_HEADERS]
        row = {
            "ID": str(1000 + number),
            "Year_Birth": rng.randint(1940, 1996),
            "Education": rng.choice(["Graduation", "PhD", "Master", "Basic", "2n Cycle"]),
            "Marital_Status": rng.choice(["Single", "Married", "Together", "Divorced"]),
            # Plain currency units, a few missing (as in the real file).
            "Income": "" if number % 37 == 0 else str(rng.randint(15000, 110000)),
            "Dt_Customer": (date(2012, 7, 30) + timedelta(days=rng.randint(0, 700))).strftime(
                "%d-%m-%Y"
            ),
            "Recency": rng.randint(0, 99),
            **dict(zip(SPEND_HEADERS, spend, strict=True)),
            "NumWebPurchases": rng.randint(0, 12),
            "NumStorePurchases": rng.randint(0, 13),
        }
        rows.append(row)
        valid[row["ID"]] = {"year_birth": row["Year_Birth"], "total_spend": sum(spend)}
    # As in the real file: a birth year no one alive has (Year_Birth 1893 there, age 121 in
    # 2014). Kept; the derived age reads it as missing (derived_value_out_of_range).
    rows[0]["Year_Birth"] = 1893
    valid[rows[0]["ID"]]["year_birth"] = 1893
    # Two lines that must be rejected, and counted: a repeated ID and a text income.
    rows.append({**rows[3], "Recency": 1})
    rows.append({**rows[4], "ID": "9999", "Income": "see notes"})
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return valid


def write_orders(path: Path, rng: random.Random) -> tuple[dict[str, list[tuple[date, float]]], int]:
    """Orders only: purchases, customers whose only orders are worth 0, and a bad date.

    Returns the purchases (amount > 0) by customer and the number of lines written."""
    purchases: dict[str, list[tuple[date, float]]] = {}
    rows = []
    for number in range(60):
        customer = f"K{number:03d}"
        for _ in range(rng.randint(1, 6)):
            day = date(2023, 1, 1) + timedelta(days=rng.randint(0, 540))
            amount = 0.0 if number % 10 == 0 else round(rng.lognormvariate(3.5, 1), 2)
            rows.append(
                [
                    f"O{len(rows):05d}",
                    customer,
                    day.isoformat(),
                    amount,
                    rng.choice(["Wine & Spirits", "Fresh food", "gadgets"]),
                    rng.choice(["online", "store"]),
                ]
            )
            if amount > 0:
                purchases.setdefault(customer, []).append((day, amount))
    rows.append([f"O{len(rows):05d}", "K001", "not a date", 10.0, "gadgets", "online"])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "order_date", "amount", "category", "channel"])
        writer.writerows(rows)
    return purchases, len(rows)


def columns_of(run: DbtRun, table: str) -> list[str]:
    # The raw-row struct some staging versions carry is never passed on to the features.
    described = run.query(f"select column_name from (describe {table})")
    return [name for (name,) in described if name not in ("source_row", "raw_record")]


@shared_build
def marketing_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[DbtRun, dict[str, dict[str, int]]]:
    workdir = tmp_path_factory.mktemp("features_marketing")
    valid = write_marketing_campaign(workdir / "marketing_campaign.csv", random.Random(7))
    run = run_dbt(
        workdir,
        variables={
            "customers_path": str(workdir / "marketing_campaign.csv"),
            "derived_features": DERIVED,
            "segmentation_features": ["age", "total_spend"],
        },
        extra_args=[
            "--select",
            "+customer_segments +segmentation_candidates +customer_features +input_summary",
            *SELECT,
        ],
    )
    return run, valid


def test_derived_features_are_columns_that_cluster(marketing_build) -> None:
    run, valid = marketing_build
    features = {
        row[0]: row[1:]
        for row in run.query("select customer_id, age, total_spend from customer_features")
    }
    assert set(features) == set(valid)
    for customer_id, (age, total_spend) in features.items():
        born = valid[customer_id]["year_birth"]
        # Outside staging's 0-120 for age: read as missing (imputed), the customer kept.
        assert age == (None if born == 1893 else 2014 - born)
        assert total_spend == valid[customer_id]["total_spend"]
    assert run.query(
        "select customer_id, derived_out_of_range from int_customer_features"
        " where derived_out_of_range is not null"
    ) == [("1001", "age = 121")]
    assert re.search(r"WARN 1 derived_value_out_of_range", run.output), run.output[-3000:]
    assert "health derived_value_out_of_range: age = 121 (1 customers): a derived feature" in (
        " ".join(run.output.split())
    )
    # age replaced the (empty) standard column in place; total_spend was added at the end.
    columns = columns_of(run, "int_customer_features")
    assert columns == [
        *columns_of(run, "stg_customers"),
        *BEHAVIOUR_COLUMNS,
        "derived_out_of_range",
        "total_spend",
    ]
    assert run.query("select feature_name from int_feature_scaling_parameters order by 1") == [
        ("age",),
        ("total_spend",),
    ]
    assert run.scalar("select count(*) from customer_segments") == len(features)
    # No orders: behaviour columns exist with the "no purchases" values.
    assert run.query(
        "select min(frequency), max(frequency), max(monetary), count(recency_days),"
        " max(return_count) from customer_features"
    ) == [(0, 0, 0.0, 0, 0)]


def test_input_summary_adds_up_and_is_printed(marketing_build) -> None:
    run, valid = marketing_build
    summary = dict(
        run.query("select outcome, row_count from input_summary where input = 'customers'")
    )
    lines_read = len(valid) + 2
    assert sum(summary.values()) == lines_read == run.scalar("select count(*) from base_customers")
    assert summary["kept"] == run.scalar("select count(*) from stg_customers")
    assert any(outcome.startswith("rejected: duplicate customer_id") for outcome in summary)
    assert "Run summary" in run.output
    assert f"customers: {lines_read} rows read, {summary['kept']} kept, 2 rejected" in run.output
    assert "returns" not in next(
        line for line in run.output.splitlines() if "customers: " in line and "rows read" in line
    )  # returns are order lines
    chosen = run.query(
        "select algorithm, n_clusters from segmentation_candidates where is_selected"
    )[0]
    assert f"chosen: {chosen[0]}, k={chosen[1]}, silhouette 0." in run.output
    assert f"customers segmented: {summary['kept']} in {chosen[1]} segments" in run.output


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "mnt_wines + no_such_column",
            'uses column "no_such_column", which int_customer_features does not have.'
            " Columns available: customer_id",
        ),
        ("mnt_wines; drop table stg_customers", "contains ';'"),
        ("(select max(mnt_wines) from stg_customers)", "contains a subquery (select)"),
        # Arithmetic on text: DuckDB's binder would list ~60 candidate signatures of "+".
        ("mnt_wines + gender", "applies + to gender, which is VARCHAR, not a number."),
    ],
)
def test_bad_derived_expression_stops_with_one_line(
    marketing_build, expression: str, message: str, tmp_path: Path
) -> None:
    run, _ = marketing_build
    # dbt compile opens the warehouse to write: a copy, as the build is shared (read-only).
    (tmp_path / "compile").mkdir()
    shutil.copy(run.database, tmp_path / "compile" / "warehouse.duckdb")
    failed = run_dbt(
        tmp_path / "compile",
        command="compile",
        variables={
            "customers_path": str(run.workdir / "marketing_campaign.csv"),
            "derived_features": {"wine": expression},
        },
        extra_args=["--select", "int_customer_features"],
        check=False,
    )
    assert failed.result.returncode != 0
    assert "Traceback" not in failed.output
    lines = [line for line in failed.output.splitlines() if "var derived_features: wine" in line]
    assert lines and all(message in line and "Fix: " in line for line in lines), failed.output[
        -2000:
    ]
    assert "Candidate functions" not in failed.output
    # The statement never ran: the copy's tables are all there.
    assert failed.scalar("select count(*) from stg_customers") == run.scalar(
        "select count(*) from stg_customers"
    )


@shared_build
def orders_only_build(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("features_orders_only")
    purchases, lines = write_orders(workdir / "orders.csv", random.Random(11))
    run = run_dbt(
        workdir,
        variables={"orders_path": str(workdir / "orders.csv"), "as_of_date": "2024-07-01"},
        extra_args=["--select", "+customer_features +input_summary", *SELECT],
    )
    return run, purchases, lines


def test_orders_only_has_the_same_fixed_columns(orders_only_build, marketing_build) -> None:
    run, purchases, lines = orders_only_build
    marketing, _ = marketing_build
    # Every stg_customers column, then the same behaviour columns, then what the input adds.
    shares = ["share_fresh_food", "share_gadgets", "share_wine_spirits"]
    assert columns_of(run, "int_customer_features") == [
        *columns_of(run, "stg_customers"),
        *BEHAVIOUR_COLUMNS,
        *shares,
        "derived_out_of_range",
    ]
    assert set(columns_of(run, "stg_customers")) <= set(columns_of(marketing, "stg_customers"))
    assert (
        columns_of(run, "customer_features")[:15] == columns_of(marketing, "customer_features")[:15]
    )

    # Purchases: distinct orders with amount > 0, gross value, recency from the last one.
    as_of = date(2024, 7, 1)
    rows = run.query(
        "select customer_id, frequency, monetary, recency_days, avg_order_value"
        " from customer_features"
    )
    assert len(rows) == 60
    for customer_id, frequency, monetary, recency, average in rows:
        bought = purchases.get(customer_id, [])
        assert frequency == len(bought)
        assert monetary == pytest.approx(sum(amount for _, amount in bought))
        if bought:
            assert recency == (as_of - max(day for day, _ in bought)).days
            assert average == pytest.approx(monetary / frequency)
        else:  # only zero-value orders: a customer without purchases, not an error
            assert recency is None and average is None
    totals = run.query(
        "select share_fresh_food + share_gadgets + share_wine_spirits"
        " from customer_features where frequency > 0"
    )
    assert totals and all(total == pytest.approx(1.0) for (total,) in totals)

    summary = dict(run.query("select outcome, row_count from input_summary where input = 'orders'"))
    assert sum(summary.values()) == lines == run.scalar("select count(*) from base_orders")
    assert summary["rejected: order_date is not a date"] == 1
    assert f"orders: {lines:,} rows read, {lines - 1:,} kept, 0 returns, 1 rejected" in run.output
    assert "customers segmented" not in run.output  # not built in this run: nothing stale printed


@pytest.mark.parametrize(
    ("customer_columns", "with_orders", "expected"),
    [
        # Age alone beside order lines: buying behaviour, not age in one dimension.
        (["ID", "Age"], True, ["recency_days", "frequency", "monetary"]),
        # Income in plain units stands in for annual_income_k.
        (["ID", "Age", "Income"], False, ["age", "income"]),
    ],
    ids=["age_alone_with_orders", "plain_income"],
)
def test_auto_features_take_the_set_the_input_can_fill(
    tmp_path: Path, customer_columns: list[str], with_orders: bool, expected: list[str]
) -> None:
    rng = random.Random(5)
    customers = tmp_path / "customers.csv"
    with customers.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(customer_columns)
        for number in range(60):
            values = [f"K{number:03d}", rng.randint(18, 80), rng.randint(15_000, 140_000)]
            writer.writerow(values[: len(customer_columns)])
    variables = {"customers_path": str(customers), "as_of_date": "2024-07-01"}
    if with_orders:
        write_orders(tmp_path / "orders.csv", rng)
        variables["orders_path"] = str(tmp_path / "orders.csv")
    run = run_dbt(
        tmp_path / "run", variables=variables, extra_args=["--select", "+feature_scaling", *SELECT]
    )
    chosen = [name for (name,) in run.query("select feature_name from feature_scaling")]
    assert sorted(chosen) == sorted(expected)


def test_auto_features_on_one_column_warn_with_the_columns_that_vary(tmp_path: Path) -> None:
    """Kaggle's marketing-campaign file alone has Income and Year_Birth but no age: auto found one
    default feature and clustered on income alone, green. The WARN names it and the columns that
    could be used; a list the user named gets no WARN."""
    customers = tmp_path / "marketing_campaign.csv"
    write_marketing_campaign(customers, random.Random(3))
    select = ["--select", "+segmentation_candidates", *SELECT]
    run = run_dbt(
        tmp_path / "auto", variables={"customers_path": str(customers)}, extra_args=select
    )
    assert run.query("select feature_name from feature_scaling") == [("income",)]
    output = " ".join(run.output.split())
    assert re.search(r"WARN 1 clustered_on_one_feature", output), run.output[-3000:]
    finding = re.search(r"health clustered_on_one_feature: (.*?) Fix:", output)
    assert finding, run.output[-3000:]
    assert "only income has data" in finding[1]
    # The varying numeric columns, in table order, the chosen one and the id left out.
    listed = finding[1].split("Numeric columns whose values vary: ")[1].rstrip(".").split(", ")
    assert listed == [
        "year_birth",
        "recency",
        *SPEND_COLUMNS,
        "num_web_purchases",
        "num_store_purchases",
    ]

    named = run_dbt(
        tmp_path / "named",
        variables={"customers_path": str(customers), "segmentation_features": ["income"]},
        extra_args=select,
    )
    assert re.search(r"PASS clustered_on_one_feature", " ".join(named.output.split()))


def test_a_derived_value_that_is_no_finite_number_reads_as_missing(tmp_path: Path) -> None:
    """`spend / visits` is NaN for 0 / 0 and inf for x / 0 (DuckDB's doubles): NaN went through
    the scaling as the largest value there is and was clipped to the top of the outlier fence, in
    a green build. Now it reads as missing, kept as text and named by the WARN."""
    customers = tmp_path / "customers.csv"
    rows = ["customer_id,age,spend,visits"]
    rows += [f"C{n:02d},{20 + n},{10 * n},{1 + n % 4}" for n in range(1, 31)]
    rows += ["Z1,40,0,0", "Z2,41,0,0", "Z3,42,25,0"]  # NaN, NaN, inf
    customers.write_text("\n".join(rows) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(customers),
            "derived_features": {"spend_per_visit": "spend / visits"},
            "segmentation_features": ["age", "spend_per_visit"],
        },
        extra_args=["--select", "+int_feature_scaling_parameters", *SELECT],
    )
    assert run.query(
        "select customer_id, spend_per_visit, derived_out_of_range from int_customer_features"
        " where customer_id like 'Z%' order by 1"
    ) == [
        ("Z1", None, "spend_per_visit = nan"),
        ("Z2", None, "spend_per_visit = nan"),
        ("Z3", None, "spend_per_visit = inf"),
    ]
    assert (
        run.scalar("select count(*) from int_customer_features where not isfinite(spend_per_visit)")
        == 0
    )
    output = " ".join(run.output.split())
    assert re.search(r"WARN 2 derived_value_out_of_range", output), run.output[-3000:]
    assert "health derived_value_out_of_range: spend_per_visit = nan (2 customers)" in output


def test_categories_in_other_scripts_keep_a_share_each(tmp_path: Path) -> None:
    """Cyrillic, CJK and emoji categories all normalised to an empty name: one share_blank of 1.0
    for everyone, the category preferences lost, green. Each keeps a column now (6 hex characters
    of its md5 where the name cannot hold its letters), and an accented spelling reads as its
    plain one (`Café` and `Cafe` are one category, share_cafe, not share_caf)."""
    categories = ["Книги", "Обувь", "食品", "🍕 Pizza", "Café", "Cafe"]
    lines = ["customer_id,order_id,order_date,amount,category"]
    for order in range(60):
        customer = f"C{order % 6}"
        category = categories[(order + order // 6) % len(categories)]
        lines.append(f"{customer},O{order},2024-03-{1 + order % 28:02d},{10 + order},{category}")
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "+int_customer_features"],
    )
    shares = [c for c in columns_of(run, "int_customer_features") if c.startswith("share_")]
    assert len(shares) == 5 and "share_blank" not in shares, shares
    assert "share_cafe" in shares and any(
        c.startswith("share_pizza_") and len(c) == 18 for c in shares
    )
    # Each customer's shares add up to 1 and differ between customers.
    sums = run.query(f"select {' + '.join(shares)} from int_customer_features")
    assert all(total == pytest.approx(1.0) for (total,) in sums)
    assert run.scalar(f"select count(distinct ({shares[0]})) from int_customer_features") > 1


def test_online_share_counts_only_lines_whose_channel_is_known(tmp_path: Path) -> None:
    """Without a channel column every customer had online_share 0, "buys in store" (the In-Store
    name and the in-store action), and a line without a channel counted as in store. With no
    channel at all the share is unknown (null); with some lines unknown it is the online share
    of the value whose channel is known."""
    lines = ["customer_id,order_id,order_date,amount"]
    lines += [f"C{i % 4},O{i},2024-03-{1 + i % 28:02d},{10 + i}" for i in range(24)]
    no_channel = tmp_path / "no_channel.csv"
    no_channel.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "none",
        command="run",
        variables={"orders_path": str(no_channel)},
        extra_args=["--select", "+int_customer_features"],
    )
    assert run.query("select distinct online_share from int_customer_features") == [(None,)]

    # C0: 10 online + 20 in store + 30 unknown -> 1/3; C1: unknown only -> null.
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "customer_id,order_id,order_date,amount,channel\n"
        "C0,O1,2024-03-01,10,web\nC0,O2,2024-03-02,20,store\nC0,O3,2024-03-03,30,\n"
        "C1,O4,2024-03-04,40,\nC2,O5,2024-03-05,50,online\n"
    )
    run = run_dbt(
        tmp_path / "some",
        command="run",
        variables={"orders_path": str(mixed)},
        extra_args=["--select", "+int_customer_features"],
    )
    shares = dict(run.query("select customer_id, online_share from int_customer_features"))
    assert shares == {"C0": pytest.approx(1 / 3), "C1": None, "C2": 1.0}


def test_a_customers_files_own_frequency_and_monetary_do_not_replace_the_computed_ones(
    tmp_path: Path,
) -> None:
    """A CRM export with its own (stale) `Frequency`, `Monetary` and `Share Books` beside an
    orders file: the file's columns took those names and the computed features became
    frequency_1, monetary_1, so clustering, RFM names and profiles read the stale copy, green.
    The computed features keep their names; the file's values are carried as frequency_2, ...,
    and the console says so."""
    (tmp_path / "customers.csv").write_text(
        "CustomerID,Age,Frequency,Monetary,Share Books\n"
        "C1,33,15,399.94,0.5\nC2,41,15,1073.61,0.25\nC3,29,2,10,0\n"
    )
    lines = ["customer_id,order_id,order_date,amount,category"]
    lines += [f"C{1 + i % 3},O{i},2024-03-{1 + i:02d},{10 * (i + 1)},books" for i in range(7)]
    (tmp_path / "orders.csv").write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={
            "customers_path": str(tmp_path / "customers.csv"),
            "orders_path": str(tmp_path / "orders.csv"),
        },
        extra_args=["--select", "+int_customer_features"],
    )
    rows = run.query(
        "select customer_id, frequency, monetary, share_books, frequency_2, monetary_2,"
        " share_books_2 from int_customer_features order by customer_id"
    )
    assert rows == [
        ("C1", 3, 10.0 + 40 + 70, 1.0, 15, 399.94, 0.5),
        ("C2", 2, 20.0 + 50, 1.0, 15, 1073.61, 0.25),
        ("C3", 2, 30.0 + 60, 1.0, 2, 10.0, 0.0),
    ]
    assert "frequency_1" not in columns_of(run, "int_customer_features")
    assert (
        "customers columns named like a feature computed from the orders keep their values under "
        "another name (Frequency -> frequency_2, Monetary -> monetary_2, Share Books -> "
        "share_books_2)" in " ".join(run.output.split())
    )


def test_phone_store_region_and_index_columns_are_codes_not_quantities(tmp_path: Path) -> None:
    """A German CRM's `Telefonnummer` (its leading 0 lost), `Mobile`, `Filiale`, `Regionalcode`,
    pandas' `Unnamed: 0` and Mailchimp's `LEID` were read as numbers: profiled as averages, the
    index even offered as a feature. They are carried as text, as they arrived."""
    header = "Unnamed: 0,Kundennummer,Alter,Telefonnummer,Mobile,Filiale,Regionalcode,LEID"
    header += ",Promo Code"
    rows = [
        f"{i},K{i},{20 + i},0301234{i:03d},0171555{i:03d},{7 + i % 3},{10 + i % 5},"
        f"{880 + i},{i % 4}"
        for i in range(30)
    ]
    (tmp_path / "kunden.csv").write_text("\n".join([header, *rows]) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"customers_path": str(tmp_path / "kunden.csv")},
        extra_args=["--select", "base_customers", "stg_customers"],
    )
    types = dict(run.query("select column_name, column_type from (describe stg_customers)"))
    codes = ["unnamed_0", "telefonnummer", "mobile", "filiale", "regionalcode", "leid"]
    codes += ["promo_code"]
    assert {name: types.get(name) for name in codes} == dict.fromkeys(codes, "VARCHAR"), types
    assert run.scalar("select min(telefonnummer) from stg_customers") == "0301234000"
