"""Inputs a user brings (customers only, orders only, Parquet) and the errors they can cause."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import duckdb
import pytest

from .conftest import REPO, run_dbt

pytestmark = pytest.mark.dbt

SEEDS = REPO / "seeds"


def test_customers_only_parquet_builds_without_behaviour_features(tmp_path: Path):
    customers = tmp_path / "customers.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_csv('{SEEDS / 'demo_customers.csv'}', all_varchar = true)) "
            f"to '{customers}' (format parquet)"
        )
    run = run_dbt(tmp_path / "run", variables={"customers_path": str(customers)}, lean=True)
    # Fixed schema: the behaviour columns are there, with the values of "no purchases".
    behaviour = "select max(frequency), max(monetary), count(recency_days)"
    behaviour += " from int_customer_features"
    assert run.query(behaviour) == [(0, 0.0, 0)]
    assert run.scalar("select count(*) from stg_orders") == 0
    assert run.scalar("select count(*) from customer_segments") == run.scalar(
        "select count(*) from stg_customers"
    )
    # A build on your own file loads no demo seed (dbt_project.yml enables them without input vars).
    tables = {row[0] for row in run.query("select table_name from information_schema.tables")}
    assert "stg_customers" in tables
    assert not {"demo_customers", "demo_orders"} & tables
    # The console says what the missing input means, once.
    assert run.output.count("base_orders: no orders input") == 1
    assert "base_orders: no orders input; customers only: the behaviour features are 0 or null" in (
        run.output
    )


def test_orders_only_input_segments_the_customers_found_in_orders(tmp_path: Path):
    # customer_id_matching on orders alone applies to the lines' ids (the demo's ids differ in no
    # case): it says so and changes no count.
    variables = {
        "orders_path": str(SEEDS / "demo_orders.csv"),
        "customer_id_matching": "ignore_case",
    }
    run = run_dbt(tmp_path, variables=variables, lean=True)
    features = [
        row[0]
        for row in run.query("select feature_name from feature_scaling order by feature_order")
    ]
    assert features == ["recency_days", "frequency", "monetary"]
    distinct_ids = run.scalar("select count(distinct customer_id) from stg_orders")
    assert run.scalar("select count(*) from customer_segments") == distinct_ids
    assert run.scalar("select count(*) from stg_customers where age is not null") == 0
    assert run.output.count("base_customers: no customers input") == 1
    assert f"base_customers: {distinct_ids:,} customers found in the order lines" in run.output, (
        run.output
    )
    assert (
        "base_orders: var customer_id_matching (ignore_case) on an orders input without customers:"
        " the lines' ids that differ only that way are one customer" in run.output
    )


def test_a_users_own_columns_work_through_vars(tmp_path: Path):
    """A file with headers we do not know, mapped by var, plus an extra numeric feature."""
    path = tmp_path / "crm_export.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Client Ref", "Years", "Loyalty Points"])
        for i in range(60):
            writer.writerow([f"X{i:03d}", 20 + (i % 3) * 20, 100 + (i % 3) * 900 + i])
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(path),
            "customer_columns": {"customer_id": "Client Ref", "age": "Years"},
            "segmentation_features": ["age", "loyalty_points"],
            "n_clusters": 3,
        },
        lean=True,
    )
    assert run.scalar("select count(*) from customer_segments") == 60
    assert run.scalar("select count(distinct segment_id) from customer_segments") == 3


# Files of a kind the project does not read, each with its own fix (written by the test).
FILES_NOT_READ = ("customers.xlsx", "customers.sav", "mall-customers.zip")


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"customers_path": "/nonexistent/customers.csv"}, "does not exist"),
        (
            {"customers_path": "customers.xlsx"},
            "workbook (.xlsx), which this project does not read. Fix: save the sheet as CSV",
        ),
        ({"customers_path": "customers.sav"}, "neither a CSV"),
        (
            {"customers_path": "mall-customers.zip"},
            "is an archive (.zip), which this project does not unpack. Fix: extract it",
        ),
        ({"scaling": "zscore"}, "var scaling = 'zscore' is not valid: allowed one of `standard`"),
        ({"segmentation_features": ["age", "shoe_size"]}, "Numeric features available"),
        ({"segmentation_features": ["gender"]}, "not numeric"),
        ({"customer_columns": {"customer_id": "Client Ref"}}, "has no such column"),
    ],
)
def test_user_errors_fail_with_a_message_naming_the_fix(tmp_path: Path, variables, expected):
    if variables.get("customers_path") in FILES_NOT_READ:
        unread = tmp_path / variables["customers_path"]
        unread.write_bytes(b"PK not a csv")
        variables = {"customers_path": str(unread)}
    run = run_dbt(
        tmp_path,
        command="build",
        variables=variables,
        extra_args=["--select", "+int_customer_features_scaled"],
        check=False,
    )
    assert run.result.returncode != 0
    assert expected in run.output
    assert "Traceback" not in run.output


def test_a_json_export_builds_through_the_view_its_message_gives(tmp_path: Path):
    """JSON (an API dump: customers as JSON lines, orders as one array) is not read as a file; the
    check names the view to create, and that very SQL, run in the warehouse file, makes inputs
    that build like any other."""
    rng = random.Random(11)
    customers = [
        {"customer_id": f"J{i:03d}", "age": rng.randint(18, 70), "annual_income_k": 20 + i}
        for i in range(60)
    ]
    (tmp_path / "customers.json").write_text("".join(json.dumps(c) + "\n" for c in customers))
    orders = [
        {
            "order_id": f"S{n:04d}",
            "customer_id": f"J{n % 50:03d}",
            "order_date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "amount": round(rng.uniform(5, 200), 2),
        }
        for n in range(300)
    ]
    (tmp_path / "orders.json").write_text(json.dumps(orders))
    workdir = tmp_path / "run"
    files = [
        {"kind": kind, "path": str(tmp_path / f"{kind}.json")} for kind in ("customers", "orders")
    ]
    checked = run_dbt(
        workdir,
        "run-operation",
        extra_args=["check_input_files", "--args", json.dumps({"files": files})],
    )
    problems = [line for line in checked.output.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 2, checked.output[-2000:]
    warehouse = workdir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        for kind, problem in zip(("customers", "orders"), problems, strict=True):
            assert "is JSON, which is read through a view, not as a file." in problem
            assert f"in the warehouse file ({warehouse}) run `" in problem
            assert f"--vars '{{{kind}_relation: raw.{kind}}}' instead of {kind}_path" in problem
            connection.execute(problem.split("`")[1])

    run = run_dbt(
        workdir,
        variables={"customers_relation": "raw.customers", "orders_relation": "raw.orders"},
        extra_args=["--select", "+customer_features +input_summary"],
    )
    assert dict(
        run.query("select outcome, row_count from input_summary where input = 'orders'")
    ) == {"kept": 300}
    frequency = dict(run.query("select customer_id, frequency from customer_features"))
    assert len(frequency) == 60
    assert frequency == {
        c["customer_id"]: 6 if int(c["customer_id"][1:]) < 50 else 0 for c in customers
    }


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"cluster_algorithm": "kmeanz"}, "cluster_algorithm"),
        ({"n_clusters": "five"}, "n_clusters"),
        ({"k_min": 6, "k_max": 3}, "k_min"),
        ({"dbscan_eps": -1}, "dbscan_eps"),
    ],
)
def test_bad_clustering_vars_fail_with_the_var_named(tmp_path: Path, variables, expected):
    run = run_dbt(
        tmp_path,
        command="build",
        variables=variables,
        extra_args=["--select", "+segmentation_search"],
        check=False,
    )
    assert run.result.returncode != 0
    assert expected in run.output
    assert "Fix:" in run.output
    assert "Traceback" not in run.output


def test_dbt_run_empty_builds_typed_empty_tables(tmp_path: Path):
    """`dbt run --empty` hands the Python models 0 rows: they must return typed empty frames."""
    run_dbt(tmp_path, command="seed")
    run = run_dbt(tmp_path, command="run", extra_args=["--empty"])
    assert run.scalar("select count(*) from customer_segments") == 0
    types = dict(
        run.query(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'segment_assignments'"
        )
    )
    assert types["segment_id"] == "BIGINT" and types["customer_id"] == "VARCHAR"
