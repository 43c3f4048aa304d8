"""Tests of the synthetic data generator (scripts/synth.py).

The expected schema, dirty values and window are written out here from the specification
rather than imported from the module, so a change to the module cannot silently change
what the tests expect.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parents[2]
SYNTH = REPO / "scripts" / "synth.py"
# The demo-data generator is a tool beside the library (scripts/), not part of the package.
sys.path.insert(0, str(SYNTH.parent))
from synth import main  # noqa: E402

CUSTOMER_COLUMNS = [
    "customer_id",
    "gender",
    "age",
    "annual_income_k",
    "spending_score",
    "signup_date",
    "email",
    "marketing_opt_in",
]
ORDER_COLUMNS = ["order_id", "customer_id", "order_date", "amount", "category", "channel"]
TRUTH_COLUMNS = ["customer_id", "planted_segment"]
CATEGORIES = {"apparel", "beauty", "electronics", "home", "grocery", "sports"}
WINDOW = (date(2024, 7, 1), date(2026, 6, 30))

N_CUSTOMERS = 2_000
N_ORDERS = 15_000
N_DIRTY = 12


def run(out: Path, *args: str) -> None:
    """Run the CLI in-process and assert it succeeded."""
    assert main(["--out", str(out), *args]) == 0


def read_text(path: Path) -> pl.DataFrame:
    """Return a CSV with every column as text (so planted values are seen verbatim)."""
    return pl.read_csv(path, infer_schema_length=0)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """Return the three CSVs of a small run with dirty rows, read as text."""
    out = tmp_path_factory.mktemp("dirty")
    run(out, "--customers", str(N_CUSTOMERS), "--orders", str(N_ORDERS), "--seed", "11",
        "--format", "csv", "--dirty-rows", str(N_DIRTY))  # fmt: skip
    return {name: read_text(out / f"demo_{name}.csv") for name in ("customers", "orders", "truth")}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """Return the three CSVs of a small run without dirty rows and default --orders."""
    out = tmp_path_factory.mktemp("clean")
    run(out, "--customers", str(N_CUSTOMERS), "--seed", "11", "--format", "csv")
    return {name: read_text(out / f"demo_{name}.csv") for name in ("customers", "orders", "truth")}


def clean_customers(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Return the customer rows listed in the truth file (first occurrence of each id), typed."""
    customers = frames["customers"].head(frames["truth"].height)
    return customers.with_columns(
        pl.col("age", "annual_income_k", "spending_score").cast(pl.Int64),
        pl.col("signup_date").str.to_date("%Y-%m-%d"),
    )


def clean_orders(frames: dict[str, pl.DataFrame], n_orders: int) -> pl.DataFrame:
    """Return the first n_orders order rows (the clean ones), typed."""
    return (
        frames["orders"]
        .head(n_orders)
        .with_columns(
            pl.col("order_date").str.to_date("%Y-%m-%d"), pl.col("amount").cast(pl.Float64)
        )
    )


# ---------------------------------------------------------------------------------------------
# determinism


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    args = ["--customers", "700", "--format", "csv", "--dirty-rows", "5"]
    run(tmp_path / "a", *args, "--seed", "3")
    run(tmp_path / "b", *args, "--seed", "3")
    run(tmp_path / "c", *args, "--seed", "4")
    for name in ("demo_customers.csv", "demo_orders.csv", "demo_truth.csv"):
        same = (tmp_path / "a" / name).read_bytes()
        assert same == (tmp_path / "b" / name).read_bytes(), name
        assert same != (tmp_path / "c" / name).read_bytes(), name


def test_parquet_is_deterministic(tmp_path: Path) -> None:
    args = ["--customers", "500", "--orders", "3000", "--seed", "5", "--format", "parquet"]
    run(tmp_path / "a", *args)
    run(tmp_path / "b", *args)
    for name in ("demo_customers.parquet", "demo_orders.parquet", "demo_truth.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_committed_demo_matches_the_generator(tmp_path: Path) -> None:
    run(tmp_path, "--customers", "3000", "--seed", "7", "--format", "csv",
        "--truth", str(tmp_path / "truth.csv"), "--dirty-rows", "12")  # fmt: skip
    pairs = [
        (tmp_path / "demo_customers.csv", REPO / "seeds" / "demo_customers.csv"),
        (tmp_path / "demo_orders.csv", REPO / "seeds" / "demo_orders.csv"),
        (tmp_path / "truth.csv", REPO / "tests" / "data" / "demo_truth.csv"),
    ]
    for fresh, committed in pairs:
        assert fresh.read_bytes() == committed.read_bytes(), f"regenerate {committed}"
        assert committed.stat().st_size < 2_000_000


# ---------------------------------------------------------------------------------------------
# schema, counts and integrity


def test_csv_layout(tmp_path: Path) -> None:
    run(tmp_path, "--customers", "50", "--seed", "1", "--format", "csv")
    expected = {"customers": CUSTOMER_COLUMNS, "orders": ORDER_COLUMNS, "truth": TRUTH_COLUMNS}
    for name, columns in expected.items():
        raw = (tmp_path / f"demo_{name}.csv").read_bytes()
        assert raw.split(b"\n", 1)[0].decode() == ",".join(columns)
        assert b"\r" not in raw and b'"' not in raw
        assert raw.endswith(b"\n")


def test_columns_and_row_counts(dirty: dict[str, pl.DataFrame]) -> None:
    assert dirty["customers"].columns == CUSTOMER_COLUMNS
    assert dirty["orders"].columns == ORDER_COLUMNS
    assert dirty["truth"].columns == TRUTH_COLUMNS
    assert dirty["customers"].height == N_CUSTOMERS + N_DIRTY
    assert dirty["orders"].height == N_ORDERS + 3
    assert dirty["truth"].height == N_CUSTOMERS


def test_default_orders_is_about_eight_per_customer(clean: dict[str, pl.DataFrame]) -> None:
    assert clean["customers"].height == N_CUSTOMERS
    assert 7 * N_CUSTOMERS <= clean["orders"].height <= 9 * N_CUSTOMERS


def test_ids_and_emails(dirty: dict[str, pl.DataFrame]) -> None:
    customers = clean_customers(dirty)
    ids = customers["customer_id"]
    assert ids.is_unique().all()
    assert ids.str.contains(r"^C\d{6,}$").all()
    assert set(ids) == set(dirty["truth"]["customer_id"])
    assert (customers["email"] == ids.str.to_lowercase() + "@example.com").all()
    order_ids = dirty["orders"]["order_id"]
    assert order_ids.is_unique().all() and order_ids.str.contains(r"^O\d{7,}$").all()
    assert order_ids.to_list() == sorted(order_ids.to_list())


def test_orders_reference_known_customers_except_the_planted_one(
    dirty: dict[str, pl.DataFrame], clean: dict[str, pl.DataFrame]
) -> None:
    known = set(dirty["customers"]["customer_id"].drop_nulls())
    unknown = dirty["orders"].filter(~pl.col("customer_id").is_in(list(known)))
    assert unknown.height == 1
    clean_known = set(clean["customers"]["customer_id"])
    assert clean["orders"]["customer_id"].is_in(list(clean_known)).all()


@pytest.mark.parametrize("fixture", ["dirty", "clean"])
def test_clean_values_in_range(fixture: str, request: pytest.FixtureRequest) -> None:
    frames = request.getfixturevalue(fixture)
    customers = clean_customers(frames)
    assert customers["spending_score"].is_between(1, 100).all()
    assert customers["age"].is_between(18, 100).all()
    assert customers["annual_income_k"].is_between(10, 150).all()
    assert set(customers["gender"]) == {"Female", "Male"}
    opt_in = customers["marketing_opt_in"]
    assert set(opt_in) == {"true", "false"}
    assert 0.75 <= (opt_in == "true").mean() <= 0.95


def test_orders_dates_amounts_and_labels(dirty: dict[str, pl.DataFrame]) -> None:
    orders = clean_orders(dirty, N_ORDERS)
    assert orders["order_date"].is_between(*WINDOW).all()
    assert orders["order_date"].to_list() == sorted(orders["order_date"].to_list())
    assert (orders["amount"] > 0).all()
    assert dirty["orders"]["amount"].str.contains(r"^-?\d+\.\d{2}$").all()
    assert set(orders["category"]) == CATEGORIES
    assert set(orders["channel"]) == {"online", "store"}
    joined = orders.join(clean_customers(dirty), on="customer_id", how="inner")
    assert joined.height == N_ORDERS
    assert (joined["order_date"] > joined["signup_date"]).all()


def test_truth_is_not_leaked_into_customers_or_orders(dirty: dict[str, pl.DataFrame]) -> None:
    names = set(dirty["truth"]["planted_segment"])
    for frame in (dirty["customers"], dirty["orders"]):
        assert "planted_segment" not in frame.columns
        for column in frame.columns:
            assert not frame[column].is_in(list(names)).any()


# ---------------------------------------------------------------------------------------------
# dirty rows


def test_dirty_rows_are_planted_exactly(dirty: dict[str, pl.DataFrame]) -> None:
    tail = dirty["customers"].tail(N_DIRTY)
    clean_ids = set(dirty["truth"]["customer_id"])
    assert tail["customer_id"].null_count() == 1
    assert tail["customer_id"].is_in(list(clean_ids)).sum() == 1  # the duplicate
    ages = tail["age"].filter(tail["age"].is_in(["150", "-3", "thirty"])).to_list()
    assert sorted(ages) == ["-3", "150", "thirty"]
    assert tail["annual_income_k"].is_in(["-40"]).sum() == 1
    assert tail["annual_income_k"].null_count() == 1  # written as an empty field
    scores = tail["spending_score"].filter(tail["spending_score"].is_in(["0", "101"])).to_list()
    assert sorted(scores) == ["0", "101"]
    variants = tail["gender"].filter(~tail["gender"].is_in(["Female", "Male"])).to_list()
    assert sorted(variants) == sorted(["M", "f", " Female ", "MALE"])
    assert clean_customers(dirty)["customer_id"].null_count() == 0


def test_bad_orders_are_planted_exactly(dirty: dict[str, pl.DataFrame]) -> None:
    bad = dirty["orders"].tail(3)
    assert bad["order_date"].null_count() == 1
    assert (bad["amount"].cast(pl.Float64) < 0).sum() == 1
    assert dirty["orders"]["amount"].cast(pl.Float64).lt(0).sum() == 1
    assert dirty["orders"]["order_date"].null_count() == 1


def test_no_dirty_values_without_dirty_rows(clean: dict[str, pl.DataFrame]) -> None:
    customers = clean["customers"]
    assert customers.null_count().sum_horizontal().item() == 0
    assert customers["customer_id"].is_unique().all()
    typed = clean_customers(clean)  # casts fail on "thirty"
    assert typed["age"].is_between(18, 100).all()
    assert set(customers["gender"]) == {"Female", "Male"}
    orders = clean["orders"]
    assert orders.null_count().sum_horizontal().item() == 0
    assert (orders["amount"].cast(pl.Float64) > 0).all()


@settings(max_examples=15, deadline=None)
@given(
    customers=st.integers(1, 300),
    orders=st.integers(0, 2_000),
    dirty_rows=st.integers(0, 30),
    seed=st.integers(0, 2**32),
)
def test_counts_match_arguments(customers: int, orders: int, dirty_rows: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run(out, "--customers", str(customers), "--orders", str(orders), "--seed", str(seed),
            "--format", "csv", "--dirty-rows", str(dirty_rows))  # fmt: skip
        frames = {n: read_text(out / f"demo_{n}.csv") for n in ("customers", "orders", "truth")}
    assert frames["customers"].height == customers + dirty_rows
    assert frames["orders"].height == orders + (3 if dirty_rows else 0)
    assert frames["truth"].height == customers
    assert clean_customers(frames)["customer_id"].is_unique().all()


# ---------------------------------------------------------------------------------------------
# planted personas


def test_personas_are_recoverable_by_kmeans(dirty: dict[str, pl.DataFrame]) -> None:
    truth = dirty["truth"]
    joined = truth.join(clean_customers(dirty), on="customer_id", how="left")
    n_personas = truth["planted_segment"].n_unique()
    assert n_personas in (5, 6)
    x = joined.select("age", "annual_income_k", "spending_score").to_numpy().astype(float)
    labels = KMeans(n_clusters=n_personas, n_init=10, random_state=0).fit_predict(
        StandardScaler().fit_transform(x)
    )
    ari = adjusted_rand_score(joined["planted_segment"].to_numpy(), labels)
    print(f"K-Means ARI against planted personas: {ari:.3f}")
    assert ari > 0.6


def test_persona_shares_are_uneven(dirty: dict[str, pl.DataFrame]) -> None:
    shares = dirty["truth"]["planted_segment"].value_counts(normalize=True)["proportion"]
    assert shares.min() >= 0.07 and shares.max() <= 0.35
    assert shares.max() - shares.min() > 0.08


def test_personas_shop_differently(dirty: dict[str, pl.DataFrame]) -> None:
    orders = clean_orders(dirty, N_ORDERS).join(dirty["truth"], on="customer_id")
    stats = orders.group_by("planted_segment").agg(
        pl.col("amount").mean().alias("avg_amount"),
        (pl.col("channel") == "online").mean().alias("online"),
        pl.col("order_date").max().alias("last"),
        pl.len().alias("orders"),
    )
    size = dirty["truth"].group_by("planted_segment").len()
    per_customer = stats.join(size, on="planted_segment").select(pl.col("orders") / pl.col("len"))
    assert stats["avg_amount"].max() / stats["avg_amount"].min() > 2
    assert stats["online"].max() - stats["online"].min() > 0.4
    assert per_customer.max().item() / per_customer.min().item() > 2
    last_order = orders.group_by("customer_id", "planted_segment").agg(pl.col("order_date").max())
    lapsed = last_order.group_by("planted_segment").agg(
        (pl.col("order_date") < date(2026, 3, 1)).mean().alias("lapsed")
    )
    assert lapsed["lapsed"].max() - lapsed["lapsed"].min() > 0.2


# ---------------------------------------------------------------------------------------------
# parquet


def test_parquet_reads_back_with_types(tmp_path: Path) -> None:
    run(
        tmp_path, "--customers", "20000", "--seed", "2", "--format", "parquet", "--dirty-rows", "12"
    )
    customers = pl.read_parquet(tmp_path / "demo_customers.parquet")
    orders = pl.read_parquet(tmp_path / "demo_orders.parquet")
    truth = pl.read_parquet(tmp_path / "demo_truth.parquet")
    assert customers.columns == CUSTOMER_COLUMNS and orders.columns == ORDER_COLUMNS
    assert dict(customers.schema) == {
        "customer_id": pl.String,
        "gender": pl.String,
        "age": pl.Int32,
        "annual_income_k": pl.Int32,
        "spending_score": pl.Int32,
        "signup_date": pl.Date,
        "email": pl.String,
        "marketing_opt_in": pl.Boolean,
    }
    assert orders.schema["order_id"] == pl.String and orders.schema["order_date"] == pl.Date
    assert orders.schema["amount"] == pl.Decimal(12, 2)
    assert customers.height == 20_012 and truth.height == 20_000
    assert orders.height == 8 * 20_000 + 3
    # a typed file cannot hold "thirty": the unparseable age is null there
    assert customers.tail(12)["age"].null_count() == 1
    assert customers.head(20_000)["age"].null_count() == 0


# ---------------------------------------------------------------------------------------------
# bad arguments


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--customers", "0", "--seed", "1", "--format", "csv"], "--customers"),
        (["--customers", "10", "--seed", "1", "--format", "xlsx"], "--format"),
        (["--customers", "10", "--seed", "-1", "--format", "csv"], "--seed"),
        (["--customers", "10", "--orders", "-5", "--seed", "1", "--format", "csv"], "--orders"),
        (["--customers", "10", "--seed", "1", "--format", "csv", "--dirty-rows", "-1"], "dirty"),
    ],
)
def test_bad_arguments_exit_2_without_traceback(
    args: list[str], mentions: str, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, str(SYNTH), *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert mentions in proc.stderr and "Traceback" not in proc.stderr


def test_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code = main(
        ["--customers", "10", "--seed", "1", "--format", "csv", "--out", str(blocker / "x")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--out" in err and "writable" in err
    assert not list(tmp_path.glob("**/demo_*"))


def test_seed_is_used(tmp_path: Path) -> None:
    # different seeds must change the drawn values, not only ids
    run(tmp_path / "a", "--customers", "300", "--seed", "1", "--format", "csv")
    run(tmp_path / "b", "--customers", "300", "--seed", "2", "--format", "csv")
    a = read_text(tmp_path / "a" / "demo_customers.csv")["age"].cast(pl.Int64).to_numpy()
    b = read_text(tmp_path / "b" / "demo_customers.csv")["age"].cast(pl.Int64).to_numpy()
    assert not np.array_equal(a, b)
