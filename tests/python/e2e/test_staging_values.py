"""Staging rules on customer tables and transaction logs as they arrive.

- a marketing-campaign customer table (`ID`, `Year_Birth`, `Income`, `Dt_Customer` as dd-mm-yyyy,
  `Recency`, `MntWines`, a text column) with NaN / Infinity / 1e309 cells and implausible dates,
  next to a transaction log with `yyyymmdd` dates and no order id;
- the same faults in typed Parquet columns (float NaN / inf, DATE);
- a date column no value of which settles day-first or month-first;
- Unix time in seconds and in milliseconds, and spreadsheet day numbers;
- customer ids written as floats (17850.0).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from .conftest import DBT, REPO, DbtRun, run_base_customers, run_dbt, shared_build

pytestmark = pytest.mark.dbt

STAGING_SELECTION = [
    "--select",
    "+stg_customers +stg_orders +customers_rejected +orders_rejected",
    "--indirect-selection",
    "cautious",
]
N_CUSTOMERS = 200


def run_base_models(workdir: Path, variables: dict) -> DbtRun:
    """`dbt run` of the two models that read the inputs (base_customers, base_orders)."""
    return run_dbt(
        workdir,
        command="run",
        variables=variables,
        extra_args=["--select", "base_customers", "base_orders"],
    )


def write_campaign_customers(path: Path) -> dict[str, int]:
    rng = np.random.default_rng(14)
    rows = []
    for i in range(N_CUSTOMERS):
        signup = date(2012, 7, 30) + timedelta(days=int(rng.integers(0, 700)))
        rows.append(
            [
                str(5524 + i),
                str(int(rng.integers(1940, 1996))),
                str(int(rng.integers(20000, 110000))),
                signup.strftime("%d-%m-%Y"),
                str(int(rng.integers(0, 99))),
                str(int(rng.integers(0, 1500))),
                str(rng.choice(["Graduation", "PhD", "Master"])),
            ]
        )
    planted = {}
    for name, index, column, value in [
        ("income_overflow", 10, 2, "1e309"),
        ("wines_nan", 11, 5, "NaN"),
        ("recency_infinity", 12, 4, "-Infinity"),
        ("wines_text", 13, 5, "twelve"),  # (n/a is a missing value, not text: kept)
        ("signup_2099", 14, 3, "01-03-2099"),
        ("signup_1900", 15, 3, "01-03-1900"),
        ("income_text", 16, 2, 'about 1\u00a0200 "k" \\ \u00e9'),
    ]:
        rows[index][column] = value
        planted[name] = index + 1
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["ID", "Year_Birth", "Income", "Dt_Customer", "Recency", "MntWines", "Education"]
        )
        writer.writerows(rows)
    return planted


def write_transaction_log(path: Path) -> list[list[str]]:
    rng = np.random.default_rng(97)
    rows = []
    for _ in range(600):
        day = date(1997, 1, 1) + timedelta(days=int(rng.integers(0, 540)))
        customer = str(5524 + int(rng.integers(0, N_CUSTOMERS + 20)))  # some unknown customers
        rows.append(
            [
                customer,
                day.strftime("%Y%m%d"),
                str(int(rng.integers(1, 5))),
                f"{rng.uniform(5, 90):.2f}",
            ]
        )
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "date", "quantity", "value"])
        writer.writerows(rows)
    return rows


def campaign_run(
    folder: Path, extra_vars: dict | None = None, extra_args: list[str] = STAGING_SELECTION
) -> tuple[DbtRun, dict, list]:
    """The campaign customers and the transaction log written into `folder`, and staged."""
    planted = write_campaign_customers(folder / "marketing_campaign.csv")
    log = write_transaction_log(folder / "transactions.csv")
    run = run_dbt(
        folder / "run",
        variables={
            "customers_path": str(folder / "marketing_campaign.csv"),
            "orders_path": str(folder / "transactions.csv"),
            "customer_columns": {"signup_date": "Dt_Customer"},
            **(extra_vars or {}),
        },
        extra_args=extra_args,
    )
    return run, planted, log


@shared_build
def campaign_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, dict, list]:
    return campaign_run(tmp_path_factory.mktemp("campaign"))


def test_customer_cells_that_are_not_finite_numbers_or_plausible_dates_are_rejected(campaign_build):
    run, planted, _ = campaign_build
    reasons = dict(run.query("select source_row_number, rejection_reason from customers_rejected"))
    # MntWines and Recency are extra columns nothing clusters on (segmentation_features is auto):
    # their unreadable cells are read as missing, the customers kept.
    unread = {"wines_nan", "recency_infinity", "wines_text"}
    assert set(reasons) == {row for name, row in planted.items() if name not in unread}
    assert reasons[planted["income_overflow"]] in {
        "annual_income_k is not a finite number",
        "income is not a finite number",
    }
    assert reasons[planted["signup_2099"]] == "signup_date in the future"
    assert reasons[planted["signup_1900"]] == "signup_date before earliest_date"
    assert reasons[planted["income_text"]].endswith("is not a number")
    assert run.scalar("select count(*) from stg_customers") + len(reasons) == N_CUSTOMERS


def test_unreadable_cells_of_an_extra_column_no_feature_reads_are_read_as_missing(campaign_build):
    """Before, one `twelve` in MntWines rejected the customer and every order of theirs, for a
    column nothing used; now the value is missing, the customer kept, and a WARN names it."""
    run, planted, _ = campaign_build
    # MntWines normalises to mnt_wines (camelCase split) or mntwines (older normalisation).
    wines = run.scalar(
        "select column_name from (describe stg_customers) where column_name like 'mnt%'"
    )
    kept = {
        row: (value_wines, value_recency, unread)
        for row, value_wines, value_recency, unread in run.query(
            f"select source_row_number, extra__{wines}, extra__recency, unread_extra_values"
            " from base_customers"
            " where rejection_reason is null"
        )
    }
    assert kept[planted["wines_nan"]] == (None, kept[planted["wines_nan"]][1], f"{wines} = 'NaN'")
    assert kept[planted["wines_text"]][0] is None
    assert kept[planted["wines_text"]][2] == f"{wines} = 'twelve'"
    assert kept[planted["recency_infinity"]][1] is None
    assert kept[planted["recency_infinity"]][2] == "recency = '-Infinity'"
    assert sum(1 for values in kept.values() if values[2] is not None) == 3
    staged = dict(run.query(f"select source_row_number, {wines} from stg_customers"))
    assert staged[planted["wines_text"]] is None and planted["wines_nan"] in staged
    assert re.search(r"WARN 3 extra_value_not_a_number", run.output), run.output[-3000:]
    assert (
        f"health extra_value_not_a_number: {wines} = 'twelve' (1 customers): not a finite number"
        in run.output
    )


def test_rejected_customers_show_their_values_as_they_arrived(campaign_build):
    run, planted, _ = campaign_build
    raw = {
        row[0]: row[1:]
        for row in run.query(
            "select source_row_number, coalesce(raw_income, raw_annual_income_k), raw_signup_date,"
            " raw_age, raw_record from customers_rejected"
        )
    }
    assert raw[planted["income_overflow"]][0] == "1e309"
    # Quotes, a backslash, a no-break space and an accent come back exactly as in the file.
    assert raw[planted["income_text"]][0] == 'about 1\u00a0200 "k" \\ \u00e9'
    assert raw[planted["signup_2099"]][1] == "01-03-2099"
    assert raw[planted["signup_1900"]][1] == "01-03-1900"
    assert raw[planted["signup_2099"]][2] is None  # no age column: null, not the text "null"
    assert '"Dt_Customer":"01-03-2099"' in raw[planted["signup_2099"]][3].replace(" ", "")
    # (MntWines' NaN is read as missing, the customer kept: not in customers_rejected.)
    assert planted["wines_nan"] not in raw


def test_stg_customers_has_a_fixed_schema_and_the_numeric_extras(campaign_build):
    run, _, _ = campaign_build
    columns = [row[0] for row in run.query("describe stg_customers")]
    assert columns[:9] == [
        "customer_id",
        "gender",
        "age",
        "annual_income_k",
        "income",
        "spending_score",
        "signup_date",
        "email",
        "marketing_opt_in",
    ]
    assert {"year_birth", "recency", "source_row_number"} <= set(columns)
    wines = next(c for c in columns if c.startswith("mnt"))
    assert not {"education", "source_row", "raw_record", "rejection_reason"} & set(columns)
    # dd-mm-yyyy read day first: the file's first customer, and no value read month first.
    first = run.scalar("select signup_date from stg_customers where source_row_number = 1")
    with open(Path(run.workdir).parent / "marketing_campaign.csv") as handle:
        raw = list(csv.reader(handle))[1][3]
    assert first.strftime("%d-%m-%Y") == raw
    assert run.scalar(f"select count(*) from stg_customers where not isfinite({wines})") == 0


def test_a_transaction_log_with_yyyymmdd_dates_and_no_order_id(campaign_build):
    run, _, log = campaign_build
    known = {str(5524 + i) for i in range(N_CUSTOMERS)} - {
        row[0] for row in run.query("select customer_id from customers_rejected")
    }
    expected_kept = [i + 1 for i, row in enumerate(log) if row[0] in known]
    kept = run.query(
        "select source_row_number, order_id, order_date, amount from stg_orders order by 1"
    )
    assert [row[0] for row in kept] == expected_kept
    for row_number, order_id, order_date, amount in kept:
        source = log[row_number - 1]
        assert order_id == str(row_number)
        assert order_date.strftime("%Y%m%d") == source[1]
        assert amount == pytest.approx(float(source[3]))
    rejected = run.query("select distinct rejection_reason from orders_rejected")
    assert rejected == [("customer_id is not a valid customer (unknown or rejected)",)]
    assert len(kept) + run.scalar("select count(*) from orders_rejected") == len(log)
    assert run.scalar("select count(*) from stg_orders where is_return") == 0


@pytest.mark.parametrize(
    "row_groups",
    [1, 92],
    ids=["one-row-group-read-into-a-copy", "a-row-group-per-line-streamed"],
)
def test_typed_parquet_columns_are_checked_without_a_text_round_trip(
    tmp_path: Path, row_groups: int
):
    """Both ways base_orders reads a Parquet file: one row group (as pandas writes up to 1M rows)
    is read once into a copy that every thread works on; a file with a row group per thread or
    more is streamed, its duplicate check re-reading the hashed columns."""
    customers, orders = tmp_path / "customers.parquet", tmp_path / "orders.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"""
            copy (
                select 'K' || range as customer_id,
                    case range when 3 then 'nan'::double when 4 then 'inf'::double
                        else 20 + range end as age,
                    case range when 5 then '-inf'::double else range * 1.5 end as loyalty_points
                from range(30)
            ) to '{customers}' (format parquet)
        """)
        # Rows 91 and 92 repeat row 21 in every column: duplicates (a Parquet file's own row
        # numbers and hashes, not the CSV path's numbered copy).
        lines = connection.sql("""
            select 'O' || r as order_id, 'K' || (r % 30) as customer_id,
                case r when 7 then date '2099-01-01' else date '2024-01-01' + r::int end
                    as order_date,
                case r when 8 then 'nan'::double when 9 then -12.5 else 10.0 + r end as amount,
                case r when 10 then ' Cancelled ' else 'complete' end as status
            from (
                select range as line, case when range >= 90 then 20 else range end as r
                from range(92)
            )
            order by line
        """).to_arrow_table()
    # DuckDB's writer cannot cut 92 rows into groups; pyarrow can.
    pq.write_table(lines, orders, row_group_size=92 // row_groups)
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(customers),
            "orders_path": str(orders),
            "cancellation_column": "status",
            "cancellation_values": ["cancelled"],
            # A feature: its cell that is no finite number rejects the row (else read as missing).
            "segmentation_features": ["age", "loyalty_points"],
        },
        extra_args=STAGING_SELECTION,
    )
    customer_reasons = dict(
        run.query("select customer_id, rejection_reason from customers_rejected")
    )
    assert customer_reasons == {
        "K3": "age is not a finite number",
        "K4": "age is not a finite number",
        "K5": "loyalty_points is not a finite number",
    }
    order_reasons = dict(
        run.query("select source_row_number, rejection_reason from orders_rejected")
    )
    unknown = "customer_id is not a valid customer (unknown or rejected)"
    assert order_reasons[8] == "order_date in the future"  # file row 7, numbered from 1
    assert order_reasons[9] == "amount is not a finite number"
    repeated = "duplicate line (every value equals an earlier line; the first is kept)"
    assert {k for k, v in order_reasons.items() if v == repeated} == {91, 92}
    raw_orders = {
        row[0]: row[1:]
        for row in run.query(
            "select source_row_number, raw_order_date, raw_amount, raw_quantity"
            " from orders_rejected"
        )
    }
    assert raw_orders[8][0] == "2099-01-01" and raw_orders[9][1] == "nan"
    assert raw_orders[9][2] is None  # the input has no quantity
    raw_ages = dict(run.query("select customer_id, raw_age from customers_rejected"))
    assert raw_ages == {"K3": "nan", "K4": "inf", "K5": "25.0"}
    assert {k for k, v in order_reasons.items() if v == unknown} == {
        i + 1 for i in range(90) if i % 30 in (3, 4, 5) and i not in (7, 8)
    }
    returns = run.query("select order_id, amount from stg_orders where is_return order by order_id")
    assert returns == [("O10", 20.0), ("O9", 12.5)]  # a negative amount; a cancelled status
    assert run.scalar("select count(*) from stg_orders") + len(order_reasons) == 92
    compiled = next((run.workdir / "target" / "compiled").rglob("base_orders.sql")).read_text()
    # 92 groups are at least as many as DuckDB has threads (one per core) on any machine we run.
    assert ("source as materialized" in compiled) == (row_groups == 1)


def test_an_ambiguous_date_column_stops_with_samples_and_the_var_to_set(tmp_path: Path):
    path = tmp_path / "orders.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "order_date", "amount"])
        for i in range(40):
            writer.writerow(
                [f"O{i}", f"K{i % 7}", f"{1 + i % 12:02d}/{1 + i % 9:02d}/2023", "10.5"]
            )
    failed = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(path)},
        extra_args=["--select", "base_orders"],
        check=False,
    )
    assert failed.result.returncode != 0
    assert "order_date" in failed.output and "ambiguous" in failed.output
    assert "01/04/2023" in failed.output and "date_formats" in failed.output
    settled = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(path), "date_formats": {"order_date": "%d/%m/%Y"}},
        extra_args=["--select", "base_orders"],
    )
    assert settled.scalar("select order_date from base_orders where order_id = 'O1'") == date(
        2023, 2, 2
    )
    assert settled.scalar("select order_date from base_orders where order_id = 'O12'") == date(
        2023, 4, 1
    )


def test_unix_time_in_seconds_and_milliseconds_is_detected_as_dates(tmp_path: Path):
    """A payments export's `created` in Unix seconds and a CRM's signup in milliseconds: each
    column's format is detected, and each value read as its UTC day."""
    from datetime import UTC

    start = datetime(2024, 1, 1, 0, 0, 5, tzinfo=UTC)
    moments = [start + timedelta(hours=37 * i) for i in range(30)]
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,age,signup_date\n"
        + "".join(f"C{i},{20 + i},{int(m.timestamp() * 1000)}\n" for i, m in enumerate(moments))
    )
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,created,amount\n"
        + "".join(f"O{i},C{i},{int(m.timestamp())},9.5\n" for i, m in enumerate(moments))
    )
    run = run_base_models(
        tmp_path / "run",
        {
            "customers_path": str(customers),
            "orders_path": str(orders),
            "order_columns": {"order_date": "created"},
            "as_of_date": "2024-12-31",
        },
    )
    signups = dict(run.query("select customer_id, signup_date from base_customers"))
    assert signups == {f"C{i}": m.date() for i, m in enumerate(moments)}
    dates = dict(run.query("select order_id, order_date from base_orders"))
    assert dates == {f"O{i}": m.date() for i, m in enumerate(moments)}
    assert run.scalar("select count(rejection_reason) from base_orders") == 0
    assert "order_date Unix time (detected)" in run.output
    assert "signup_date Unix time (detected)" in run.output


def test_customer_ids_written_as_floats_match_the_whole_number_ids(tmp_path: Path):
    """pandas writes an integer id column with a blank in it as floats (17850.0), in a CSV and in
    a Parquet file (DOUBLE). Those ids are read as 17850, so the lines find their customers."""
    customers = tmp_path / "customers.csv"
    customers.write_text("CustomerID,Age\n" + "".join(f"{12346 + i},{20 + i}\n" for i in range(12)))
    orders = tmp_path / "orders.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"""
            copy (
                select
                    'O' || i as order_id,
                    case when i = 5 then null else cast(12346 + i % 12 as double) end
                        as customer_id,
                    date '2024-03-01' + cast(i as integer) as order_date,
                    9.5 as amount
                from range(30) as t(i)
            ) to '{orders}' (format parquet)
            """
        )
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"customers_path": str(customers), "orders_path": str(orders)},
        extra_args=["--select", "base_customers", "base_orders"],
    )
    lines = run.query("select customer_id, rejection_reason from base_orders order by order_id")
    assert sorted({c for c, reason in lines if reason is None}) == [
        str(12346 + i) for i in range(12)
    ]
    assert [reason for _, reason in lines if reason is not None] == ["missing customer_id"]
    assert "customer ids written as floats (17850.0) read as whole numbers" in run.output


def test_a_guest_line_does_not_turn_off_the_float_id_reading(tmp_path: Path):
    """Orders written `17850.0` beside one `GUEST` line: the guest was no whole number, so the ids
    were read as written and every line failed to match its customer (`17850`). A placeholder
    account counts neither way now, and its line is a guest line."""
    customers = tmp_path / "customers.csv"
    customers.write_text("CustomerID,Age\n" + "".join(f"{17850 + i},{30 + i}\n" for i in range(4)))
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "InvoiceNo,CustomerID,InvoiceDate,Amount\n"
        + "".join(f"I{i},{17850 + i % 4}.0,2024-03-{1 + i:02d},{10 + i}\n" for i in range(8))
        + "I99,GUEST,2024-03-20,5\n"
    )
    run = run_base_models(
        tmp_path / "run", {"customers_path": str(customers), "orders_path": str(orders)}
    )
    reasons = dict(run.query("select order_id, rejection_reason from base_orders"))
    assert reasons == {**{f"I{i}": None for i in range(8)}, "I99": "missing customer_id"}


def test_ids_mixing_floats_and_whole_numbers_and_nan_ids(tmp_path: Path):
    """Two exports joined end to end wrote one customer as `17850` and `17850.0` (two customers,
    each with half the orders), and pandas' `nan` for a guest line was one customer `nan`, the
    top spender, in a CSV and as a Parquet DOUBLE NaN. Whole numbers and floats of them are one
    id now, and `nan` is a missing id (the line rejected as "missing customer_id")."""
    lines = ["InvoiceNo,CustomerID,InvoiceDate,Amount"]
    for i in range(24):
        customer = 17850 + i % 4
        written = "nan" if i % 6 == 5 else (f"{customer}.0" if i < 12 else str(customer))
        lines.append(f"I{i},{written},2024-03-{1 + i:02d},{10 + i}")
    orders_csv = tmp_path / "orders.csv"
    orders_csv.write_text("\n".join(lines) + "\n")
    orders_parquet = tmp_path / "orders.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"""
            copy (
                select
                    'O' || i as order_id,
                    case when i % 6 = 5 then cast('nan' as double)
                        else cast(17850 + i % 4 as double) end as customer_id,
                    date '2024-03-01' + cast(i as integer) as order_date,
                    9.5 as amount
                from range(24) as t(i)
            ) to '{orders_parquet}' (format parquet)
            """
        )
    for orders in (orders_csv, orders_parquet):
        run = run_dbt(
            tmp_path / f"run_{orders.suffix[1:]}",
            command="run",
            variables={"orders_path": str(orders)},
            extra_args=["--select", "base_orders"],
        )
        kept = run.query(
            "select customer_id, count(*) from base_orders where rejection_reason is null"
            " group by 1 order by 1"
        )
        # Lines 5, 11, 17, 23 are guests: customers 17851 and 17853 lose two lines each.
        assert kept == [("17850", 6), ("17851", 4), ("17852", 6), ("17853", 4)], orders.name
        rejected = run.query(
            "select rejection_reason, count(*) from base_orders"
            " where rejection_reason is not null group by 1"
        )
        assert rejected == [("missing customer_id", 4)], orders.name


def test_two_digit_years_day_first_and_microsecond_timestamps_are_detected(tmp_path: Path):
    """A UK order export's `17/01/24` stopped as ambiguous (DuckDB's cast reads it as the year 17,
    so ISO tied with %d/%m/%y) and the fix it gave, %Y-%m-%d, rejected every line; GA4's
    timestamps in microseconds were no date even as `epoch`. Both are read now."""
    from datetime import UTC

    days = [date(2024, 1, 17) + timedelta(days=5 * i) for i in range(30)]
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order No,Customer No,Order Date,Order Total\n"
        + "".join(f"SO{i:05d},C{i % 9},{d:%d/%m/%y},58.46\n" for i, d in enumerate(days))
    )
    moments = [datetime(2024, 3, 1, 10, tzinfo=UTC) + timedelta(hours=31 * i) for i in range(9)]
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,age,signup_date\n"
        + "".join(
            f"C{i},{30 + i},{int(m.timestamp()) * 1_000_000}\n" for i, m in enumerate(moments)
        )
    )
    run = run_base_models(
        tmp_path / "run",
        {"customers_path": str(customers), "orders_path": str(orders), "as_of_date": "2024-12-31"},
    )
    assert "order_date %d/%m/%y (detected)" in run.output, run.output[-3000:]
    assert dict(run.query("select order_id, order_date from base_orders")) == {
        f"SO{i:05d}": d for i, d in enumerate(days)
    }
    assert dict(run.query("select customer_id, signup_date from base_customers")) == {
        f"C{i}": m.date() for i, m in enumerate(moments)
    }
    assert run.scalar("select count(rejection_reason) from base_orders") == 0


def test_typed_instants_are_dated_in_utc_whatever_the_machines_time_zone(tmp_path: Path):
    """A Parquet TIMESTAMP WITH TIME ZONE was cast to a date in the session's time zone, the
    machine's: the same file gave other order days (and recency) on a machine at UTC+14. The day
    is the instant's day in UTC now, and the console says so. Run as its own dbt process, as the
    time zone is read once per process."""
    orders = tmp_path / "orders.parquet"
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(
            f"""
            copy (
                select 'O' || i as order_id, 'C' || (i % 3) as customer_id,
                    timestamptz '2024-03-01 23:30:00+00' + to_days(cast(i as integer))
                        as order_date,
                    9.5 as amount
                from range(6) as t(i)
            ) to '{orders}' (format parquet)
            """
        )
    env = {
        **os.environ,
        "TZ": "Pacific/Kiritimati",  # UTC+14: 23:30 UTC is 13:30 the next day there
        "DBT_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            str(DBT),
            "run",
            "--project-dir",
            str(REPO),
            "--profiles-dir",
            str(REPO),
            "--select",
            "base_orders",
            "--vars",
            f'{{orders_path: "{orders}"}}',
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        days = connection.sql(
            "select min(order_date), max(order_date) from staging.base_orders"
        ).fetchall()[0]
    assert days == (date(2024, 3, 1), date(2024, 3, 6))
    assert "order_date timestamp with time zone (a typed column), the day in UTC" in result.stdout


def test_spreadsheet_day_numbers_are_detected_as_dates(tmp_path: Path):
    """A CRM export made in a spreadsheet: signup dates as day numbers (45352 = 2024-03-01), some
    with the time as a fraction; one number before earliest_date is rejected, not read."""
    days = [date(2023, 12, 31) + timedelta(days=11 * i) for i in range(25)]
    serials = [
        f"{(d - date(1899, 12, 30)).days}{'.75' if i % 3 else ''}" for i, d in enumerate(days)
    ]
    customers = tmp_path / "crm.csv"
    customers.write_text(
        "customer_id,age,signup_date\n"
        + "".join(f"C{i},{30 + i},{s}\n" for i, s in enumerate(serials))
        + "C99,40,12345\n"
    )
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"customers_path": str(customers), "as_of_date": "2024-12-31"},
        extra_args=["--select", "base_customers"],
    )
    signups = dict(run.query("select customer_id, signup_date from base_customers"))
    assert {k: v for k, v in signups.items() if k != "C99"} == {
        f"C{i}": d for i, d in enumerate(days)
    }
    assert run.query("select rejection_reason from base_customers where customer_id = 'C99'") == [
        ("signup_date before earliest_date",)
    ]
    assert "signup_date spreadsheet day numbers (detected)" in run.output


def test_dotted_year_first_and_log_dates_are_detected_and_an_unread_column_names_its_format(
    tmp_path: Path,
):
    """`2023.01.04` (Hungarian, Korean, Chinese exports) and a web log's `04/Jan/2023` stopped the
    build, whose fix suggested `%d/%m/%Y` whatever the values looked like. They are read now, and a
    column no detected format reads (months without a day, `202301`) stops with the format that
    reads it in the fix; with no such format, the fix gives a placeholder, not a wrong example."""
    days = [date(2023, 1, 4) + timedelta(days=9 * i) for i in range(20)]
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,age,signup_date\n"
        + "".join(f"C{i},{30 + i},{d:%Y.%m.%d}\n" for i, d in enumerate(days))
    )
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,order_date,amount\n"
        + "".join(f"O{i},C{i},{d:%d/%b/%Y},12.5\n" for i, d in enumerate(days))
    )
    run = run_base_models(
        tmp_path / "read", {"customers_path": str(customers), "orders_path": str(orders)}
    )
    assert dict(run.query("select customer_id, signup_date from base_customers")) == {
        f"C{i}": d for i, d in enumerate(days)
    }
    assert dict(run.query("select order_id, order_date from base_orders")) == {
        f"O{i}": d for i, d in enumerate(days)
    }
    assert "signup_date %Y.%m.%d (detected)" in run.output, run.output[-3000:]

    months = tmp_path / "months.csv"
    months.write_text(
        "order_id,customer_id,order_date,amount\n"
        + "".join(f"O{i},C{i},{d:%Y%m},12.5\n" for i, d in enumerate(days))
    )
    failed = run_dbt(
        tmp_path / "months",
        command="run",
        variables={"orders_path": str(months)},
        extra_args=["--select", "base_orders"],
        check=False,
    )
    assert failed.result.returncode != 0
    message = " ".join(failed.output.split())
    assert "No known date format reads order_date (column order_date)" in message, message[-2000:]
    assert (
        "Fix: set the format with --vars '{date_formats: {order_date: \"%Y%m\"}}', which reads 6 "
        "of its 6 distinct values" in message
    )
    assert "%d/%m/%Y" not in message


def test_twelve_hour_times_after_the_date_are_read_detected_or_configured(tmp_path: Path):
    """A US export writes `1/31/2024 8:26:00 PM` (spreadsheets, .NET, SQL Server); 30,000
    distinct moments, more than the detection's sample, are still detected as month-first. A
    configured format (`%d/%m/%Y`) reads the values that carry a time after the date, too."""
    start = datetime(2023, 1, 1, 0, 0, 7)
    moments = [start + timedelta(seconds=997 * i) for i in range(30_000)]

    def us(moment: datetime) -> str:
        hour = moment.hour % 12 or 12
        half = "AM" if moment.hour < 12 else "PM"
        return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {half}"

    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,order_date,amount\n"
        + "".join(f"O{i},C{i % 40},{us(m)},9.5\n" for i, m in enumerate(moments))
    )
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,age,signup_date\n"
        + "".join(f"C{i},{20 + i},{1 + i % 28:02d}/03/2022 08:{i:02d}\n" for i in range(40))
    )
    run = run_base_models(
        tmp_path / "run",
        {
            "customers_path": str(customers),
            "orders_path": str(orders),
            "date_formats": {"signup_date": "%d/%m/%Y"},
            "as_of_date": "2024-12-31",
        },
    )
    assert "order_date %m/%d/%Y (detected)" in run.output
    dates = dict(run.query("select order_id, order_date from base_orders"))
    assert dates == {f"O{i}": m.date() for i, m in enumerate(moments)}
    assert run.scalar("select count(rejection_reason) from base_orders") == 0
    signups = dict(run.query("select customer_id, signup_date from base_customers"))
    assert signups == {f"C{i}": date(2022, 3, 1 + i % 28) for i in range(40)}


MISSING_WORDS = ["NULL", "NA", "#N/A", "n/a", "None", "(null)"]
SPELLED_DAYS = [date(2024, 1, 1) + timedelta(days=3 * i) for i in range(120)]


@shared_build
def spelled_build(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """One `dbt run` of the base models: order dates as Excel writes US dates (`3/1/24`), signup
    dates with month names (`April 1, 2024`), and the missing-value words (customers M*, lines X*,
    D* and G*: a guest order's customer id). test_input_files checks more date spellings."""
    folder = tmp_path_factory.mktemp("spelled")
    us_short = [f"{d.month}/{d.day}/{d:%y}" for d in SPELLED_DAYS]
    customers = [
        f'C{i},{20 + i},"{d:%B} {d.day}, {d.year}"' for i, d in enumerate(SPELLED_DAYS[:40])
    ]
    customers += [f"M{i},{word}," for i, word in enumerate(MISSING_WORDS)] + ["M6,-,", "M7,NaN,"]
    orders = [f"O{i},C{i % 40},{day},9.5" for i, day in enumerate(us_short)]
    orders += [f"X{i},C8,{us_short[0]},{word}" for i, word in enumerate(MISSING_WORDS)]
    orders += [f"D{i},C8,{word},9.5" for i, word in enumerate(MISSING_WORDS)]
    orders += [f"G{i},{word},{us_short[0]},9.5" for i, word in enumerate(MISSING_WORDS)]
    # Two exports joined end to end: the second one's header line sits in the middle.
    customers.insert(20, "customer_id,age,signup_date")
    orders.insert(60, "order_id,customer_id,order_date,amount")
    customers_csv = folder / "customers.csv"
    customers_csv.write_text("customer_id,age,signup_date\n" + "\n".join(customers) + "\n")
    orders_csv = folder / "orders.csv"
    orders_csv.write_text("order_id,customer_id,order_date,amount\n" + "\n".join(orders) + "\n")
    return run_base_models(
        folder / "run", {"customers_path": str(customers_csv), "orders_path": str(orders_csv)}
    )


def test_two_digit_years_and_month_names_are_read_to_the_day(spelled_build):
    """Excel's US dates (`3/1/24`) were read as the year 24 and every line was rejected as
    before earliest_date; `April 1, 2024` stopped the build with "No known date format"."""
    assert "order_date %m/%d/%y (detected)" in spelled_build.output
    assert "signup_date %B %d, %Y (detected)" in spelled_build.output
    dates = spelled_build.query(
        "select order_id, order_date, rejection_reason from base_orders where order_id like 'O%'"
    )
    assert {row[0]: row[1:] for row in dates} == {
        f"O{i}": (d, None) for i, d in enumerate(SPELLED_DAYS)
    }
    signups = dict(
        spelled_build.query(
            "select customer_id, signup_date from base_customers where customer_id like 'C%'"
        )
    )
    assert signups == {f"C{i}": d for i, d in enumerate(SPELLED_DAYS[:40])}


def test_a_header_line_repeated_inside_the_file_is_named_as_such(spelled_build):
    """Monthly exports joined with `cat` repeat the header mid-file: that line is quarantined as a
    repeated header line (before: "order_date is not a date; amount is not a number", and the
    customers' one as an age that is not a number), once, and counted as read."""
    reason = "a repeated header line (files joined end to end?)"
    # Numbered as data rows (the first header is not one): list positions 20 and 60, plus 1.
    for model, key, row in [("base_customers", "customer_id", 21), ("base_orders", "order_id", 61)]:
        rows = spelled_build.query(
            f"select source_row_number, {key} from {model} where rejection_reason = '{reason}'"
        )
        assert rows == [(row, key)], model


def test_missing_value_words_are_missing_values_not_bad_numbers(spelled_build):
    """SQL tools write NULL, R writes NA, Excel #N/A: in an optional number column (age) the
    customer is kept with the value missing, as with an empty cell, instead of being rejected with
    every order of theirs; in a required one (amount, order_date, customer_id) the line is rejected
    as "missing", not "not a number". `-` (an accounting zero) and NaN keep their own reasons."""
    customers_read = spelled_build.query(
        "select customer_id, age, rejection_reason from base_customers"
        " where customer_id like 'M%' order by customer_id"
    )
    assert customers_read == [(f"M{i}", None, None) for i in range(6)] + [
        ("M6", None, "age is not a number"),
        ("M7", None, "age is not a finite number"),
    ]
    reasons = dict(spelled_build.query("select order_id, rejection_reason from base_orders"))
    assert {reasons[f"X{i}"] for i in range(6)} == {"missing amount"}
    assert {reasons[f"D{i}"] for i in range(6)} == {"missing order_date"}
    # A guest order exported from SQL: no customer called NULL, a line without a customer.
    assert {reasons[f"G{i}"] for i in range(6)} == {"missing customer_id"}


def test_a_status_column_marks_cancelled_and_refunded_lines_unless_the_var_says_none(
    tmp_path: Path,
):
    """A shop export's `Status` column: cancelled and refunded orders are returns by default (they
    used to count as purchases unless two vars were set), the console lists what the column holds,
    and `cancellation_values: []` turns the rule off."""
    statuses = ["Completed", "Shipped", "Cancelled", "REFUNDED", " canceled ", "Pending"] * 5
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,age\n" + "".join(f"C{i},{30 + i}\n" for i in range(6)))
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order ID,Customer ID,Order Date,Total,Status\n"
        + "".join(
            f"O{i},C{i % 6},2024-03-{1 + i:02d},{10 + i}.5,{s}\n" for i, s in enumerate(statuses)
        )
    )
    variables = {"customers_path": str(customers), "orders_path": str(orders)}
    run = run_base_models(tmp_path / "run", variables)
    cancelling = {"cancelled", "refunded", "canceled"}
    returns = dict(run.query("select order_id, is_return from base_orders"))
    assert returns == {f"O{i}": s.strip().lower() in cancelling for i, s in enumerate(statuses)}
    assert (
        "status (first 100,000 lines) 'Cancelled' 5 (a return), 'Completed' 5, 'Pending' 5 (no "
        "purchase: rejected), 'REFUNDED' 5 (a return), 'Shipped' 5, 'canceled' 5 (a return)"
        in " ".join(run.output.split())
    ), run.output[-3000:]
    # `Pending` (awaiting payment) is no purchase and no return: rejected with its reason.
    assert run.query(
        "select distinct rejection_reason from base_orders where rejection_reason is not null"
    ) == [("status 'Pending' is no purchase (var non_purchase_values)",)]
    off = run_base_models(tmp_path / "off", {**variables, "cancellation_values": []})
    assert off.scalar("select count(*) filter (where is_return) from base_orders") == 0


def test_lines_without_a_status_take_their_orders(tmp_path: Path):
    """A Shopify orders export: `Financial Status` on the first line of an order only. Every line
    of a refunded order is a return (before, only its first line was, and the rest counted as
    purchases); a line with a status of its own keeps it. `order_columns` maps the line items
    and unmaps the order-level `Total` (null)."""
    lines = [
        ("#1001", "paid", 1),
        ("#1001", "", 2),
        ("#1002", "refunded", 1),
        ("#1002", "", 3),
        ("#1002", "", 1),
        ("#1003", "paid", 2),
        ("#1003", "refunded", 1),
    ]
    orders = tmp_path / "orders_export.csv"
    orders.write_text(
        "Name,Email,Financial Status,Created at,Total,Lineitem quantity,Lineitem price\n"
        + "".join(
            f"{name},a@example.com,{status},2024-03-0{i + 1} 10:00:00 +0100,"
            f"{'99.00' if status else ''},{quantity},9.50\n"
            for i, (name, status, quantity) in enumerate(lines)
        )
    )
    run = run_base_models(
        tmp_path / "run",
        {
            "orders_path": str(orders),
            "order_columns": {
                "order_id": "Name",
                "customer_id": "Email",
                "amount": None,
                "quantity": "Lineitem quantity",
                "unit_price": "Lineitem price",
            },
        },
    )
    read = run.query(
        "select order_id, is_return, amount from base_orders order by source_row_number"
    )
    expected_returns = [False, False, True, True, True, False, True]
    assert read == [
        (name, is_return, quantity * 9.5)
        for (name, _, quantity), is_return in zip(lines, expected_returns, strict=True)
    ]


def test_an_extra_column_a_derived_feature_reads_still_rejects_its_unreadable_cells(
    tmp_path: Path,
):
    # The same file as the shared build, but a derived feature reads MntWines: a feature is read,
    # not guessed, so its `twelve` and `NaN` reject their rows again; Recency stays unread.
    run, planted, _ = campaign_run(
        tmp_path,
        {"derived_features": {"wine_share": "mnt_wines / nullif(monetary, 0)"}},
        ["--select", "base_customers"],
    )
    reasons = dict(run.query("select source_row_number, rejection_reason from base_customers"))
    assert reasons[planted["wines_text"]] == "mnt_wines is not a number"
    assert reasons[planted["wines_nan"]] == "mnt_wines is not a finite number"
    assert reasons[planted["recency_infinity"]] is None
    unread = run.scalar(
        "select unread_extra_values from base_customers where source_row_number = "
        f"{planted['recency_infinity']}"
    )
    assert unread == "recency = '-Infinity'"


def test_two_exports_joined_end_to_end_keep_their_iso_dates(tmp_path: Path):
    """Online Retail II's two years saved from two sheets: the first year in `12/1/2010 8:26`, the
    second in `2011-01-04 10:00:00`. The detected format (month-first) wins by count; the ISO
    lines, which no other format can misread, are read too instead of rejected ("order_date is
    not a date": a whole year of orders lost in a green build). A line in neither format is still
    rejected."""
    us_days = [datetime(2010, 12, 1, 8, 26) + timedelta(hours=7 * i) for i in range(120)]
    iso_days = [datetime(2011, 1, 4, 10, 0) + timedelta(hours=11 * i) for i in range(80)]
    lines = [f"{d.month}/{d.day}/{d.year} {d.hour}:{d:%M}" for d in us_days]
    lines += [f"{d:%Y-%m-%d %H:%M:%S}" for d in iso_days]
    lines.append("Jan the 5th")
    expected = [d.date() for d in us_days + iso_days]
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Invoice,Customer ID,InvoiceDate,Quantity,Price\n"
        + "".join(f"{536365 + i},{12346 + i % 30},{text},2,1.25\n" for i, text in enumerate(lines))
    )
    run = run_base_models(tmp_path / "run", {"orders_path": str(orders)})
    assert "order_date %m/%d/%Y (detected), and ISO yyyy-mm-dd" in run.output, run.output[-3000:]
    dates = dict(run.query("select order_id, order_date from base_orders"))
    assert dates == {
        **{str(536365 + i): day for i, day in enumerate(expected)},
        str(536365 + len(expected)): None,
    }
    reasons = run.query(
        "select rejection_reason from base_orders where rejection_reason is not null"
    )
    assert reasons == [("order_date is not a date",)]


def test_a_birth_date_gives_the_age_where_the_input_has_none(tmp_path: Path):
    """CRM exports carry a birth date, not an age (HubSpot's `Date of birth`, a German
    `Geburtsdatum`): it was not carried, and a demographic segmentation needed a view. Ages are
    whole years to as_of_date; an age column, where it has a value, wins."""
    crm = tmp_path / "kunden.csv"
    # `Birthday` is a mailing list's month and day (`03/15`), no birth date column: mapped, it
    # would stop the build (no format reads it).
    crm.write_text(
        "Kundennummer;Birthday;Geburtsdatum;Einkommen\n"
        "K1;03/15;15.03.1980;52000\n"  # 44 on 2024-07-01
        "K2;07/02;02.07.1980;48000\n"  # 43: the birthday is the day after
        "K3;;;61000\n"  # no birth date: age missing (imputed later), the customer kept
        "K4;;irgendwann;39000\n"  # rejected: no date
        "K11;;unbekannt;39000\n"  # not known: the age is missing, the customer kept
        "K5;01/05;05.01.1902;45000\n"  # rejected: 122 years
        "K6;02/29;29.02.2000;30000\n"  # 24
        # A CRM's "unknown" (1900-01-01, Excel's 1899-12-30, 9999-12-31): the age is missing and
        # the customer kept, where these rows were rejected as 124 years and more.
        "K7;01/01;01.01.1900;41000\n"
        "K8;;30.12.1899;43000\n"
        "K9;;31.12.9999;47000\n"
        "K10;;01.01.1900;49000\n"
    )
    run = run_dbt(
        tmp_path / "crm",
        variables={"customers_path": str(crm), "as_of_date": "2024-07-01"},
        extra_args=["--select", "base_customers", "stg_customers", "birth_date_placeholder"],
    )
    ages = dict(run.query("select customer_id, age from stg_customers"))
    assert ages == {
        "K1": 44,
        "K2": 43,
        "K3": None,
        "K6": 24,
        **{key: None for key in ("K7", "K8", "K9", "K10", "K11")},
    }
    reasons = dict(run.query("select customer_id, rejection_reason from base_customers"))
    assert reasons["K4"] == "birth_date is not a date"
    assert reasons["K5"] == "birth_date gives an age outside 0-120"
    assert "birth_date <- Geburtsdatum" in run.output
    assert re.search(r"WARN 3 birth_date_placeholder", run.output), run.output[-3000:]
    assert (
        "birth date 1900-01-01 (2 customers) stands for unknown: their age is read as missing"
        in run.output
    )
    assert "birth date 1899-12-30 (1 customers)" in run.output
    assert "birth date 9999-12-31 (1 customers)" in run.output

    # Both columns, two-digit years (`15.03.65` is 1965, not 2065): the age column wins where set.
    both = tmp_path / "both.csv"
    both.write_text(
        "customer_id,age,date_of_birth\nA,30,15.03.65\nB,,15.03.65\nC,,01.12.05\nD,,31.12.99\n"
    )
    run = run_dbt(
        tmp_path / "both",
        variables={"customers_path": str(both), "as_of_date": "2024-07-01"},
        extra_args=["--select", "base_customers", "stg_customers"],
    )
    assert dict(run.query("select customer_id, age from stg_customers")) == {
        "A": 30,
        "B": 59,
        "C": 18,
        "D": 24,
    }


def test_a_two_digit_birth_year_that_makes_a_child_is_of_the_last_century(tmp_path: Path):
    """A US CRM export writes `Date of Birth` as Excel's `m/d/yy`. strptime's %y reads 00-68 as
    the 2000s: `07/04/19` made a customer born in 1919 five years old, and `01/02/10` a
    14-year-old, kept and clustered as children in a green build (only a year after the
    reference date was moved back a century). A two-digit birth year that makes the customer
    younger than 16 (var two_digit_birth_year_min_age) is of the 1900s, and the console says how
    many; four-digit years and order dates in the same m/d/yy shape keep their reading."""
    crm = tmp_path / "contacts.csv"
    crm.write_text(
        "Contact ID,First Name,Date of Birth,Annual Income\n"
        "C1,Ann,03/17/85,52000\n"  # 1985: 39
        "C2,Bob,07/04/19,48000\n"  # 2019 would be 4: 1919, 104
        "C3,Cem,01/02/10,61000\n"  # 2010 would be 14: 1910, 114
        "C4,Dan,07/02/08,39000\n"  # 2008-07-02 would be 15 (16 the next day): 1908, 115
        "C5,Eve,07/01/08,45000\n"  # 2008-07-01: 16 that day, kept in the 2000s
        "C6,Fay,12/01/05,30000\n"  # 2005: 18, kept
        "C7,Gus,07/01/60,41000\n"  # 2060 is after the reference date: 1960, 64
        "C8,Hal,2012-05-05,43000\n"  # a four-digit year says its century: 12
        "C9,Ivy,03/17/03,47000\n"  # 2003: 21
    )
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order ID,Customer ID,Order Date,Total\n"
        "1,C1,03/17/24,10.00\n"
        "2,C2,01/02/10,20.00\n"  # an order date keeps %y's reading: 2010, not 1910
        "3,C6,12/01/05,30.00\n"
    )
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={
            "customers_path": str(crm),
            "orders_path": str(orders),
            "as_of_date": "2024-07-01",
            "earliest_date": "2000-01-01",
        },
        extra_args=["--select", "base_customers", "base_orders"],
    )
    ages = dict(run.query("select customer_id, age from base_customers"))
    assert ages == {
        "C1": 39,
        "C2": 104,
        "C3": 114,
        "C4": 115,
        "C5": 16,
        "C6": 18,
        "C7": 64,
        "C8": 12,
        "C9": 21,
    }
    assert run.scalar("select count(*) from base_customers where rejection_reason is not null") == 0
    assert dict(run.query("select order_id, order_date from base_orders")) == {
        "1": date(2024, 3, 17),
        "2": date(2010, 1, 2),
        "3": date(2005, 12, 1),
    }
    assert (
        "birth_date (column Date of Birth) %m/%d/%y: 4 two-digit years read as 19xx, not 20xx,"
        " which would make the customer younger than 16 (var two_digit_birth_year_min_age) or"
        " born after as_of_date, e.g. 01/02/10 -> 1910-01-02" in run.output
    ), run.output[-3000:]

    # The same export a year on, with the var at 0: only a year after the reference date moves.
    run = run_dbt(
        tmp_path / "zero",
        command="run",
        variables={
            "customers_path": str(crm),
            "as_of_date": "2024-07-01",
            "two_digit_birth_year_min_age": 0,
        },
        extra_args=["--select", "base_customers"],
    )
    ages = dict(run.query("select customer_id, age from base_customers"))
    assert (ages["C2"], ages["C3"], ages["C7"]) == (4, 14, 64)
    assert (
        "1 two-digit year read as 19xx, not 20xx, which would make the customer born after"
        " as_of_date, e.g. 07/01/60 -> 1960-07-01" in run.output
    ), run.output[-3000:]


def test_unknown_in_a_number_cell_and_mysql_zero_dates_are_missing_values(tmp_path: Path):
    """A CRM export's `Prefer not to say` / `k.A.` income and MySQL's `0000-00-00` dates rejected
    13% and 12% of the customers (and every order of theirs), where a blank or `N/A` keeps the
    customer with the value missing, and so did a bare `Unknown`. They read as missing now; a
    real typo and a number written in words still reject."""
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "customer_id,email,gender,income,age,signup_date,date_of_birth\n"
        "1000,p0@x.com,Female,Unknown,38,2023-05-01,1985-02-03\n"
        "1001,p1@x.com,Male,Prefer not to say,41,0000-00-00,0000-00-00\n"
        "1002,p2@x.com,Female,52000,,0000-00-00 00:00:00,1979-11-30\n"
        "1003,p3@x.com,Male,k.A.,29,2023-06-01,\n"
        "1004,p4@x.com,Female,52 thousand,33,2023-07-01,\n"
        "1005,p5@x.com,Male,forty thousand,Unbekannt,2023-07-01,\n"
    )
    run = run_base_customers(tmp_path / "run", crm, as_of_date="2024-07-01")
    rows = run.query(
        "select customer_id, income, age, signup_date, rejection_reason from base_customers"
        " order by customer_id"
    )
    assert rows == [
        ("1000", None, 38.0, date(2023, 5, 1), None),
        ("1001", None, 41.0, None, None),
        ("1002", 52000.0, 44.0, None, None),
        ("1003", None, 29.0, date(2023, 6, 1), None),
        ("1004", None, 33.0, date(2023, 7, 1), "income is not a number"),
        ("1005", None, None, date(2023, 7, 1), "income is not a number"),
    ]


def test_a_birth_date_column_no_format_reads_stops_naming_the_var_that_leaves_it_out(
    tmp_path: Path,
):
    """A `DOB` that no format reads stops the build, naming the format var and the one that leaves
    it out."""
    crm = tmp_path / "list.csv"
    crm.write_text("customer_id,DOB,age\nA,sometime,30\nB,in spring,41\nC,,25\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(crm)},
        extra_args=["--select", "base_customers"],
        check=False,
    )
    assert run.result.returncode != 0
    message = " ".join(run.output.split())
    assert "No known date format reads birth_date (column DOB)" in message, run.output[-2000:]
    assert "Or leave the column out: --vars '{customer_columns: {birth_date: null}}'" in message
    # No format reads `sometime`: the fix gives the var with a placeholder and one example.
    assert (
        "--vars '{date_formats: {birth_date: \"<format>\"}}' in strftime codes (%d/%m/%Y reads "
        "31/01/2024)" in message
    )


def test_a_reports_summary_rows_are_rejected_not_segmented(tmp_path: Path):
    """A CRM report's footer rows (`Average`, `Median`, `Total` in the id column, the column
    means beside them) were kept as customers, got a segment and went into campaign files. They
    are rejected with their reason where the ids are ids; where the ids are user names, `Max` is
    a customer."""
    header = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"
    rows = "".join(f"{1000 + i},Female,{20 + i},{30 + i},{40 + i}\n" for i in range(30))
    footer = "Average,,34.5,44.5,54.5\nMedian,,34,44,54\nTOTAL,,,1335,1635\n"
    report = tmp_path / "report.csv"
    report.write_text(header + rows + footer)
    run = run_base_customers(tmp_path / "run", report)
    rejected = run.query(
        "select customer_id, rejection_reason from base_customers"
        " where rejection_reason is not null order by source_row_number"
    )
    reason = "a summary row of a report (an id such as Total, Average or Median), not a customer"
    assert rejected == [("Average", reason), ("Median", reason), ("TOTAL", reason)]

    users = tmp_path / "users.csv"
    names = ["anna", "max", "tom", "lena", "median_fan", "sum"]
    users.write_text(
        header + "".join(f"{n},Male,{30 + i},{40 + i},{50 + i}\n" for i, n in enumerate(names))
    )
    run = run_base_customers(tmp_path / "run_users", users)
    assert run.scalar("select count(*) from base_customers where rejection_reason is null") == 6


def test_ids_a_spreadsheet_wrote_in_scientific_notation_are_rejected_naming_the_fix(
    tmp_path: Path,
):
    """Long customer numbers saved by a spreadsheet as `1.23405E+11` lost their last digits: the
    build went green with ids that name no one in the CRM, or, where two collided, stopped on
    "duplicate customer_id ... raise var max_rejected_share" (which would drop real customers).
    Each such row is rejected with the cause and the fix; the other rows are kept."""
    lines = ["Customer ID,Age,Annual Income (k$),Spending Score (1-100)"]
    lines += [f"{123400000000 + i},{20 + i},{30 + i},{40 + i}" for i in range(30)]
    lines += ["1.23405E+11,50,60,70", "1.23405E+11,51,61,71"]
    (tmp_path / "customers.csv").write_text("\n".join(lines) + "\n")
    run = run_base_customers(tmp_path / "run", tmp_path / "customers.csv")
    reasons = run.query(
        "select rejection_reason from base_customers where rejection_reason is not null"
    )
    assert len(reasons) == 2
    assert all(r.startswith("customer_id in scientific notation") for (r,) in reasons), reasons
    assert "format the id column as text" in reasons[0][0]
    assert run.scalar("select count(*) from base_customers where rejection_reason is null") == 30


def test_a_fractional_age_counts_completed_years(tmp_path: Path):
    """An age a CRM computed from the birth date (34.9) was rounded to 35: a year older than the
    customer is, and across a tier or a naming boundary. It is 34, completed years."""
    lines = ["CustomerID,Age,Spending Score (1-100)", "1,34.9,50", "2,20.5,60", "3,41,70"]
    (tmp_path / "customers.csv").write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"customers_path": str(tmp_path / "customers.csv")},
        extra_args=["--select", "base_customers", "stg_customers"],
    )
    ages = dict(run.query("select customer_id, age from stg_customers"))
    assert ages == {"1": 34, "2": 20, "3": 41}


@pytest.mark.parametrize(
    ("spell", "expected_format"),
    [
        # Mercado Libre's sales report (Spanish): `3 de enero de 2024 13:32 hs.`
        (
            lambda d: f"{d.day} de {SPANISH_MONTHS[d.month - 1]} de {d.year} 13:32 hs.",
            r"order_date %d %[bB] %Y \(detected\)",
        ),
        # A German export: `3. März 2024`
        (
            lambda d: f"{d.day}. {GERMAN_MONTHS[d.month - 1]} {d.year}",
            r"order_date %d %[bB] %Y \(detected\)",
        ),
        # A French one, abbreviated with a dot: `3 janv. 2024`
        (
            lambda d: f"{d.day} {FRENCH_SHORT[d.month - 1]} {d.year}",
            r"order_date %d %b %Y \(detected\)",
        ),
    ],
    ids=["spanish-mercado-libre", "german", "french-abbreviated"],
)
def test_month_names_of_other_languages_are_read(tmp_path: Path, spell, expected_format):
    """strptime's %B and %b read English month names only: a Spanish, German or French date
    written with its month's name read no format, and the fix the build offered (a strftime
    format) could not read it either, so every line was rejected. Such names read as English
    ones now, to the day."""
    days = [date(2024, 1, 3) + timedelta(days=17 * i) for i in range(22)]
    orders = tmp_path / "ventas.csv"
    orders.write_text(
        "order_id;customer_id;order_date;amount\n"
        + "".join(f"V{i};C{i % 4};{spell(d)};{10 + i}\n" for i, d in enumerate(days))
    )
    run = run_base_models(tmp_path / "run", {"orders_path": str(orders)})
    assert dict(run.query("select order_id, order_date from base_orders")) == {
        f"V{i}": d for i, d in enumerate(days)
    }
    # (a full name reads as %B and as %b, its English abbreviation: either is the format)
    console = " ".join(run.output.split())
    assert re.search(expected_format, console), console[-3000:]


SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
SPANISH_MONTHS += ["septiembre", "octubre", "noviembre", "diciembre"]
GERMAN_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
GERMAN_MONTHS += ["September", "Oktober", "November", "Dezember"]
FRENCH_SHORT = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept."]
FRENCH_SHORT += ["oct.", "nov.", "déc."]


def test_a_birthday_without_its_year_is_a_missing_age_not_a_rejected_member(tmp_path: Path):
    """A loyalty app's members export asks the birthday, the year for some members only:
    `15.03.`, ISO 8601's `--03-15`, `03/15`, `15 March`. Such a member was rejected as
    "birth_date is not a date" and their purchases vanished with them, under the 5% warn share:
    a green build. It is a missing age (imputed), the member kept with their purchases; the
    console counts them and the birth_date_without_year WARN names the values. Values that are
    no date (`soon`, `31.02.`) are still rejected."""
    as_of = date(2024, 7, 1)
    births = [date(1950 + (7 * i) % 55, 1 + i % 12, 1 + (5 * i) % 28) for i in range(40)]
    written = {f"M{10000 + i}": born.strftime("%d.%m.%Y") for i, born in enumerate(births)}
    without_year = {
        "M10003": "15.03.",
        "M10011": "--07-04",
        "M10019": "12/24",
        "M10027": "2 March",
        "M10031": "29.02.",
    }
    not_dates = {"M10007": "soon", "M10015": "31.02."}
    written.update({**without_year, **not_dates, "M10023": ""})
    members = tmp_path / "members.csv"
    with members.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Member ID", "First Name", "Email", "Date of Birth", "Points Balance"])
        for number, (member, birthday) in enumerate(written.items()):
            writer.writerow([member, f"N{number}", f"m{number}@example.de", birthday, number * 37])
    purchases: dict[str, int] = {}
    transactions = tmp_path / "transactions.csv"
    with transactions.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Beleg", "Member ID", "Datum", "Betrag"])
        for k in range(160):
            member = f"M{10000 + (k * 7) % 40}"
            purchases[member] = purchases.get(member, 0) + 1
            day = date(2024, 1, 1) + timedelta(days=k % 80)
            writer.writerow([f"B{50000 + k}", member, day.strftime("%d.%m.%Y"), f"{3 + k % 50},50"])
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(members),
            "orders_path": str(transactions),
            "as_of_date": as_of.isoformat(),
        },
        extra_args=["--select", "+int_customer_features", "birth_date_without_year"],
    )
    reasons = dict(
        run.query(
            "select customer_id, rejection_reason from base_customers"
            " where rejection_reason is not null"
        )
    )
    assert reasons == {member: "birth_date is not a date" for member in not_dates}
    ages = dict(run.query("select customer_id, age from stg_customers"))
    expected_ages = {
        member: as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        for member, born in zip(written, births, strict=False)
        if member not in without_year and member not in not_dates and member != "M10023"
    }
    assert ages == {
        **expected_ages,
        **{member: None for member in without_year},
        "M10023": None,
    }
    frequency = dict(run.query("select customer_id, frequency from int_customer_features"))
    assert {member: frequency[member] for member in without_year} == {
        member: purchases.get(member, 0) for member in without_year
    }
    output = " ".join(run.output.split())
    assert (
        f"base_customers: {len(without_year)} birth dates have no year "
        '("--07-04", "12/24", "15.03.")' in output
    ), run.output[-3000:]
    assert re.search(rf"WARN {len(without_year)} birth_date_without_year", output), output[-3000:]
    assert "birth date '--07-04' (1 customers) has no year: it gives no age" in output
