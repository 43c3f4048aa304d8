"""Staging on a line-grain invoice export, checked against an independent pandas computation.

The fixture is shaped like a public e-commerce export: one row per invoice line, `InvoiceNo` with
`C` cancellations, `StockCode`, negative `Quantity` on returns, `InvoiceDate` as `m/d/yyyy h:mm`,
`UnitPrice` (no amount column), `CustomerID` blank on about a quarter of the lines, `Country`; plus
planted faults: NaN / Infinity / 1e309 cells, a 2099 and a 1900 order, a truly repeated line.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import DbtRun, run_base_orders, run_dbt, shared_build

pytestmark = pytest.mark.dbt

STAGING_SELECTION = [
    "--select",
    "+stg_customers +stg_orders +customers_rejected +orders_rejected input_summary",
    "--indirect-selection",
    "cautious",
]
HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]


def invoice_date(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"


def write_invoice_export(path: Path) -> dict[str, int]:
    """Write the export; return the 1-based data-row numbers of the planted faults."""
    rng = np.random.default_rng(2011)
    customers = [str(12346 + i) for i in range(80)]
    countries = ["United Kingdom", "France", "Germany", "EIRE"]
    rows: list[list[str]] = []
    for invoice in range(400):
        invoice_no = str(536365 + invoice)
        customer = str(rng.choice(customers)) if rng.random() > 0.25 else ""
        moment = datetime(2011, 1, 4, 8, 0) + timedelta(
            days=int(rng.integers(0, 330)), minutes=int(rng.integers(0, 600))
        )
        country = str(rng.choice(countries))
        lines = []
        for _ in range(int(rng.integers(1, 6))):
            stock = f"{rng.integers(10000, 90000)}" + ("B" if rng.random() < 0.1 else "")
            quantity = int(rng.choice([1, 2, 3, 6, 12, 24]))
            price = float(rng.choice([0.42, 0.85, 1.25, 2.95, 4.95, 7.95]))
            lines.append(
                [
                    invoice_no,
                    stock,
                    f"ITEM {stock}",
                    str(quantity),
                    invoice_date(moment),
                    str(price),
                    customer,
                    country,
                ]
            )
        rows += lines
        if rng.random() < 0.1:  # cancelled later: C invoice, negative quantity
            cancelled = list(lines[0])
            cancelled[0] = "C" + invoice_no
            cancelled[3] = str(-int(cancelled[3]))
            cancelled[4] = invoice_date(moment + timedelta(days=2))
            rows.append(cancelled)
    planted: dict[str, int] = {}

    def plant(name: str, row: list[str]) -> None:
        rows.append(row)
        planted[name] = len(rows)

    when = invoice_date(datetime(2011, 6, 15, 10, 30))
    # Two lines of one invoice equal in every mapped field but the product: both are kept.
    plant(
        "same_values_line_1", ["581000", "22720", "CAKE TIN", "2", when, "4.95", "12350", "France"]
    )
    plant(
        "same_values_line_2", ["581000", "22722", "SPICE TIN", "2", when, "4.95", "12350", "France"]
    )
    plant("repeated_line", ["581000", "22722", "SPICE TIN", "2", when, "4.95", "12350", "France"])
    plant("nan_price", ["581001", "22111", "X", "3", when, "NaN", "12351", "France"])
    plant(
        "infinite_quantity", ["581002", "22112", "X", "Infinity", when, "1.25", "12351", "France"]
    )
    plant("overflow_price", ["581003", "22113", "X", "1", when, "1e309", "12351", "France"])
    plant("order_2099", ["581004", "22114", "X", "1", "6/1/2099 10:00", "1.25", "12351", "France"])
    plant("order_1900", ["581005", "22115", "X", "1", "6/1/1900 10:00", "1.25", "12351", "France"])
    plant("zero_value", ["581006", "POST", "POSTAGE", "1", when, "0", "12351", "France"])
    plant(
        "negative_quantity_return", ["581007", "22116", "X", "-2", when, "1.25", "12352", "France"]
    )
    plant("missing_customer", ["581008", "22117", "X", "1", when, "1.25", "", "France"])
    # The export's own discount line: a C invoice of stock code D, `Discount`, quantity -1.
    plant("discount", ["C581009", "D", "Discount", "-1", when, "5.76", "12352", "France"])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return planted


def expected_from_pandas(path: Path) -> pd.DataFrame:
    """The same rules, written independently: a frame of every line with kept / return flags."""
    lines = pd.read_csv(path, dtype=str, keep_default_na=False)
    quantity = pd.to_numeric(lines["Quantity"], errors="coerce")
    price = pd.to_numeric(lines["UnitPrice"], errors="coerce")
    moment = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M", errors="coerce")
    plausible = (moment >= pd.Timestamp("1990-01-01")) & (moment.dt.date <= date.today())
    finite = np.isfinite(quantity) & np.isfinite(price)
    kept = (
        finite
        & plausible
        & (lines["CustomerID"].str.strip() != "")
        & ~lines.duplicated(keep="first")
    )
    value = quantity * price
    cancelled = lines["InvoiceNo"].str.startswith("C") | (quantity < 0) | (value < 0)
    is_discount = cancelled & lines["Description"].str.lower().str.contains("discount")
    return pd.DataFrame(
        {
            "row": np.arange(1, len(lines) + 1),
            "customer_id": lines["CustomerID"].str.strip(),
            "kept": kept,
            "is_return": cancelled & ~is_discount,
            "is_discount": is_discount,
            "value": value.abs(),
        }
    )


@shared_build
def invoice_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, pd.DataFrame, dict]:
    folder = tmp_path_factory.mktemp("invoice_export")
    path = folder / "online_retail.csv"
    planted = write_invoice_export(path)
    run = run_dbt(
        folder / "run",
        variables={"orders_path": str(path), "cancellation_prefix": "C"},
        extra_args=STAGING_SELECTION,
    )
    return run, expected_from_pandas(path), planted


def returns_by_customer(workdir: Path, orders: Path) -> tuple[dict[str, tuple], DbtRun]:
    """{customer: (monetary, return_count, return_amount in cents)} of an orders file, from `dbt
    run --select +int_customer_features`, and the run: how the refund tests read spend and
    returns."""
    run = run_dbt(
        workdir,
        command="run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "+int_customer_features"],
    )
    features = run.query(
        "select customer_id, monetary, return_count, return_amount from int_customer_features"
    )
    return {customer: (m, count, round(amount, 2)) for customer, m, count, amount in features}, run


def test_every_line_is_accounted_for(invoice_build):
    run, expected, planted = invoice_build
    kept = run.scalar("select count(*) filter (where not is_return) from stg_orders")
    returns = run.scalar("select count(*) filter (where is_return) from stg_orders")
    rejected = run.scalar("select count(*) from orders_rejected")
    assert kept + returns + rejected == len(expected)
    # The export's discount line is a discount (of the description), not a return.
    discounts = run.query("select source_row_number from stg_orders where is_discount")
    assert (
        discounts
        == [(planted["discount"],)]
        == [(row,) for row in expected.loc[expected["kept"] & expected["is_discount"], "row"]]
    )
    outcomes = dict(
        run.query("select outcome, row_count from input_summary where input = 'orders'")
    )
    assert outcomes["discount"] == 1 and outcomes["return"] == returns
    assert run.scalar("select count(*) from base_orders") == len(expected)
    rejected_rows = {r[0] for r in run.query("select source_row_number from orders_rejected")}
    assert rejected_rows == set(expected.loc[~expected["kept"], "row"])
    assert returns == int((expected["kept"] & expected["is_return"]).sum()) > 5


def test_gross_purchases_and_line_counts_equal_pandas(invoice_build):
    run, expected, _ = invoice_build
    kept = expected[expected["kept"]]
    sold = kept[~kept["is_return"] & ~kept["is_discount"]]
    purchases = sold.groupby("customer_id")["value"].agg(["sum", "count"])
    returns = kept[kept["is_return"]].groupby("customer_id").size()
    got = {
        row[0]: row[1:]
        for row in run.query("""
            select customer_id,
                sum(amount) filter (where not is_return and not is_discount),
                count(*) filter (where not is_return and not is_discount),
                count(*) filter (where is_return)
            from stg_orders group by customer_id
        """)
    }
    assert set(got) == set(kept["customer_id"])
    for customer, (total, lines, return_lines) in got.items():
        if customer in purchases.index:
            assert total == pytest.approx(purchases.loc[customer, "sum"], abs=1e-9)
            assert lines == purchases.loc[customer, "count"]
        else:
            assert lines == 0
        assert return_lines == returns.get(customer, 0)
    # Many lines share an invoice: one order, several kept lines, none rejected as a duplicate id.
    assert run.scalar("select count(distinct order_id) from stg_orders") < run.scalar(
        "select count(*) from stg_orders"
    )
    assert run.scalar("select count(*) from stg_customers") == kept["customer_id"].nunique()


def test_planted_faults_are_rejected_with_their_reason(invoice_build):
    run, _, planted = invoice_build
    reasons = dict(run.query("select source_row_number, rejection_reason from orders_rejected"))
    assert reasons[planted["repeated_line"]].startswith("duplicate line")
    assert reasons[planted["nan_price"]] == "unit_price is not a finite number"
    assert reasons[planted["infinite_quantity"]] == "quantity is not a finite number"
    assert reasons[planted["overflow_price"]] == "unit_price is not a finite number"
    assert reasons[planted["order_2099"]] == "order_date in the future"
    assert reasons[planted["order_1900"]] == "order_date before earliest_date"
    assert reasons[planted["missing_customer"]] == "missing customer_id"
    for kept_line in ("same_values_line_1", "same_values_line_2", "zero_value"):
        assert planted[kept_line] not in reasons
    raw = json.loads(
        run.scalar(
            "select raw_record from orders_rejected "
            f"where source_row_number = {planted['nan_price']}"
        )
    )
    assert raw["UnitPrice"] == "NaN" and raw["InvoiceNo"] == "581001"
    # Kept lines carry no raw JSON; the m/d/yyyy h:mm date is read month first.
    assert (
        run.scalar(
            "select count(*) from base_orders "
            "where rejection_reason is null and raw_record is not null"
        )
        == 0
    )
    returned = run.query(f"""
        select is_return, amount, quantity, order_date from stg_orders
        where source_row_number in ({planted["negative_quantity_return"]}, {planted["zero_value"]})
        order by source_row_number
    """)
    assert returned == [(False, 0.0, 1.0, date(2011, 6, 15)), (True, 2.5, -2.0, date(2011, 6, 15))]
    columns = [row[0] for row in run.query("describe stg_orders")]
    assert columns[:9] == [
        "order_id",
        "customer_id",
        "order_date",
        "quantity",
        "unit_price",
        "amount",
        "is_return",
        "category",
        "channel",
    ]


def test_a_channel_written_on_an_orders_first_line_only_reaches_its_other_lines(tmp_path: Path):
    """Shopify's orders export writes `Source` (web, pos) on an order's first line only: the
    other lines read `unknown`, and online_share came out wrong for half the customers."""
    lines = ["Name,Email,Created at,Lineitem quantity,Lineitem price,Source"]
    expected = {}
    for order in range(30):
        source = "web" if order % 3 else "pos"
        for line in range(1 + order % 3):
            lines.append(
                f"#{1001 + order},c{order % 7}@example.com,2024-03-{1 + order % 28:02d} 10:15:42,"
                f"{1 + line},9.50,{source if line == 0 else ''}"
            )
            expected[(f"#{1001 + order}", line)] = source
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={
            "orders_path": str(orders),
            "order_columns": {
                "order_id": "Name",
                "customer_id": "Email",
                "quantity": "Lineitem quantity",
                "unit_price": "Lineitem price",
                "channel": "Source",
            },
        },
        extra_args=["--select", "base_orders"],
    )
    channels = run.query("select order_id, channel from base_orders order by source_row_number")
    assert [channel for _, channel in channels] == list(expected.values())
    assert "unknown" not in {channel for _, channel in channels}


def test_a_shopify_orders_export_is_mapped_without_vars(tmp_path: Path):
    """Shopify's orders export: Id, Total, Financial Status and Accepts Marketing on an order's
    first line only. Mapped by synonyms, order_id <- Id and amount <- Total were blank on the
    other lines (about half the lines rejected, or the build stopped); recognised, every line is
    kept, worth Lineitem quantity x Lineitem price, its order named by Name, its customer by
    Email; a walk-in without an email is a guest line."""
    header = "Name,Email,Financial Status,Paid at,Total,Created at,Lineitem quantity,"
    header += "Lineitem name,Lineitem price,Source,Id"
    lines, values = [header], {}
    for order in range(24):
        email = "" if order == 5 else f"c{order % 6}@example.com"
        status = "refunded" if order == 7 else "paid"
        items = [(1 + line, 4.5 + line) for line in range(1 + order % 3)]
        total = sum(quantity * price for quantity, price in items)
        for line, (quantity, price) in enumerate(items):
            first = line == 0
            lines.append(
                f"#{1001 + order},{email},{status if first else ''},"
                f"{'2024-03-01 10:15:42 +0100' if first else ''},{total if first else ''},"
                f"2024-03-{1 + order:02d} 10:15:42 +0100,{quantity},Item {line},{price},"
                f"{'web' if first else ''},{5500000 + order if first else ''}"
            )
            values[(f"#{1001 + order}", line)] = (email or None, quantity * price)
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders"],
    )
    assert "a Shopify orders export (Name, Lineitem quantity, Lineitem price)" in run.output
    rows = run.query(
        "select order_id, customer_id, amount, is_return, channel, rejection_reason"
        " from base_orders order by source_row_number"
    )
    assert [(order_id, customer, amount) for order_id, customer, amount, *_ in rows] == [
        (order_id, email, value) for (order_id, _), (email, value) in values.items()
    ]
    reasons = {reason for *_, reason in rows}
    assert reasons == {None, "missing customer_id"}  # only the walk-in's lines
    assert {channel for *_, channel, _ in rows} == {"web"}
    assert {order_id for order_id, _, _, is_return, *_ in rows if is_return} == {"#1008"}


def test_equal_lines_all_count_when_the_file_writes_a_line_per_unit(tmp_path: Path):
    """A till export writes one line per scan: two coffees on one receipt are two equal lines, with
    no line number or quantity to tell them apart. By default equal lines are an export saved
    twice, read once (test_planted_faults_are_rejected_with_their_reason);
    `duplicate_order_lines: keep` counts every line."""
    lines = ["receipt,customer,date,article,price"]
    units = {}
    for receipt in range(40):
        customer = f"K{receipt % 9:02d}"
        # 1-3 scans of one article (equal lines), then one other article.
        scans = 1 + receipt % 3
        for _ in range(scans):
            lines.append(f"R{receipt:04d},{customer},2024-05-{1 + receipt % 28:02d},coffee,2.40")
        lines.append(f"R{receipt:04d},{customer},2024-05-{1 + receipt % 28:02d},bread,3.10")
        units[customer] = units.get(customer, 0) + scans
    orders = tmp_path / "till.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={
            "orders_path": str(orders),
            "order_columns": {
                "order_id": "receipt",
                "customer_id": "customer",
                "order_date": "date",
                "amount": "price",
                "category": "article",
            },
            "duplicate_order_lines": "keep",
        },
        extra_args=["--select", "base_orders", "stg_orders", "orders_rejected"],
    )
    kept = run.query(
        "select customer_id, count(*) filter (where category = 'coffee') from stg_orders group by 1"
    )
    rejected = run.query("select rejection_reason, count(*) from orders_rejected group by 1")
    assert run.scalar("select count(*) from base_orders") == len(lines) - 1
    assert sum(units.values()) > 40  # receipts with repeated scans
    assert dict(kept) == units
    assert rejected == []


def check_orders_file(workdir: Path, orders: Path) -> DbtRun:
    """`dbt run-operation check_input_file` on an orders file: what a user runs before a build."""
    return run_dbt(
        workdir,
        "run-operation",
        {"orders_path": str(orders)},
        ["check_input_file", "--args", json.dumps({"kind": "orders"})],
    )


def write_two_currency_export(path: Path) -> dict[str, tuple[str | None, float]]:
    """A store export that sells in two currencies: `Currency` on an order's first line only
    (as some shop exports write order-level fields), spelled as exports do (` usd `, `USD`).
    Returns {order line key: (the line's currency, its amount)}."""
    lines = ["Order ID,Customer ID,Order Date,Amount,Currency"]
    values = {}
    for order in range(36):
        currency = "JPY" if order % 3 == 0 else "USD"
        for line in range(1 + order % 2):
            amount = round((12.5 + order + line) * (150 if currency == "JPY" else 1), 2)
            written = (
                ("usd " if order % 4 == 1 and currency == "USD" else currency) if line == 0 else ""
            )
            lines.append(
                f"O{order:03d},C{order % 10},2024-04-{1 + order % 28:02d},{amount},{written}"
            )
            values[f"O{order:03d}/{line}"] = (currency, amount)
    # An order no line of which names a currency: nothing says it is another, so it counts.
    lines.append("O900,C1,2024-04-30,20.0,")
    values["O900/0"] = (None, 20.0)
    path.write_text("\n".join(lines) + "\n")
    return values


def test_lines_in_another_currency_are_rejected_not_summed(tmp_path: Path):
    """Amounts in yen and dollars in one file were summed as one number: a customer's 150x yen
    orders made them the best spender, in a green build. The currency most lines give is kept
    (or var currency's), the others are rejected with their reason, the console names both, and
    the rejected-share health check WARNs."""
    orders = tmp_path / "orders.csv"
    values = write_two_currency_export(orders)
    in_usd = {key for key, (currency, _) in values.items() if currency in ("USD", None)}
    in_jpy = set(values) - in_usd
    selection = ["--select", "base_orders", "stg_orders", "orders_rejected"]

    run = run_dbt(tmp_path / "run", variables={"orders_path": str(orders)}, extra_args=selection)
    console = " ".join(run.output.split())
    # Only an order's first line names its currency: 24 orders in dollars, 12 in yen.
    named = [values[key][0] for key in values if key.endswith("/0") and values[key][0]]
    assert (
        "amounts kept in USD (column Currency, the currency of most lines; first 100,000 lines: "
        f"USD {named.count('USD')}, JPY {named.count('JPY')})" in console
    )
    assert "build each currency on its own: --vars '{currency: JPY}'" in console
    reason = (
        "amount in JPY, not USD, the currency kept (var currency): amounts in two currencies "
        "cannot be summed"
    )
    lines = run.query(
        "select order_id || '/' || (row_number() over (partition by order_id"
        " order by source_row_number) - 1), rejection_reason from base_orders"
    )
    assert {key for key, why in lines if why is None} == in_usd
    assert {key for key, why in lines if why is not None} == in_jpy
    assert {why for _, why in lines if why is not None} == {reason}
    assert run.scalar("select sum(amount) from stg_orders") == pytest.approx(
        sum(values[key][1] for key in in_usd)
    )
    assert any(
        "WARN 1 order_rows_rejected_over_warn_share" in line for line in run.output.splitlines()
    )

    # The check a user runs before a build says so too.
    checked = check_orders_file(tmp_path / "check", orders)
    assert "currency: lines in USD kept, any other rejected (the currency of most lines" in (
        checked.output
    )

    # The other currency on its own: var currency, in any case and spacing.
    jpy = run_dbt(
        tmp_path / "run_jpy",
        variables={"orders_path": str(orders), "currency": " jpy "},
        extra_args=["--select", "base_orders"],
    )
    assert "amounts kept in JPY (column Currency, set by var currency" in jpy.output
    kept = jpy.query("select order_id from base_orders where rejection_reason is null")
    # O900 names no currency: kept under either.
    assert {order_id for (order_id,) in kept} == {key.split("/")[0] for key in in_jpy} | {"O900"}


def write_order_total_export(path: Path, with_line_prices: bool) -> dict[str, float]:
    """A line-grain export whose `Order Total` repeats the order's total on every line (as
    WooCommerce's and many ERP exports write it), with or without the lines' quantity and price.
    Returns {order id: the order's true total}."""
    header = "Order ID,Customer ID,Order Date,Category"
    header += ",Quantity,Price,Order Total" if with_line_prices else ",Order Total"
    lines, totals = [header], {}
    for order in range(40):
        items = [(1 + (order + item) % 3, 4.25 + order + 2 * item) for item in range(1 + order % 4)]
        total = round(sum(quantity * price for quantity, price in items), 2)
        totals[f"W{order:03d}"] = total
        for item, (quantity, price) in enumerate(items):
            prefix = f"W{order:03d},K{order % 9},2024-06-{1 + order % 28:02d},cat{item}"
            line = f"{quantity},{price},{total}" if with_line_prices else f"{total}"
            lines.append(f"{prefix},{line}")
    path.write_text("\n".join(lines) + "\n")
    return totals


@pytest.mark.parametrize("with_line_prices", [True, False], ids=["quantity_x_price", "once"])
def test_an_order_total_on_every_line_counts_each_order_once(tmp_path: Path, with_line_prices):
    """An `Order Total` column repeated on each line of its order was summed over the lines: an
    order of four lines counted four times its total (monetary 3x the truth on this file) in a
    green build. The line value is quantity x price when the file has them, else the total once
    per order; the console says which, and naming the column in order_columns keeps it as is."""
    orders = tmp_path / "orders.csv"
    totals = write_order_total_export(orders, with_line_prices)
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders"],
    )
    multi_line = sum(1 for order in range(40) if order % 4)
    assert (
        f"the amount column Order Total repeats its order's total on every line ({multi_line} of "
        f"the {multi_line} orders with several lines" in " ".join(run.output.split())
    )
    instead = "quantity x unit price instead" if with_line_prices else "counted once, on its first"
    assert instead in run.output
    per_order = dict(run.query("select order_id, sum(amount) from base_orders group by 1"))
    assert per_order == pytest.approx(totals)
    assert run.scalar("select count(*) from base_orders where rejection_reason is not null") == 0
    checked = check_orders_file(tmp_path / "check", orders)
    assert "amount: Order Total repeats its order's total on every line" in checked.output

    # The column named in order_columns: the user's word, summed over the lines as before.
    named = run_dbt(
        tmp_path / "run_named",
        variables={"orders_path": str(orders), "order_columns": {"amount": "Order Total"}},
        extra_args=["--select", "base_orders"],
    )
    assert "repeats its order's total" not in named.output
    lines = dict(named.query("select order_id, count(*) from base_orders group by 1"))
    summed = dict(named.query("select order_id, sum(amount) from base_orders group by 1"))
    assert summed == pytest.approx({order: totals[order] * lines[order] for order in totals})


def test_an_order_total_moves_to_the_first_kept_line_when_the_first_is_rejected(tmp_path: Path):
    """An order's total counted once sat on the order's first line; when that line was rejected
    (its date 2099), the other lines stayed kept at 0 and the order's spend was lost, green. The
    total now goes to the first line that is kept; an order with no kept line counts nothing."""
    orders = tmp_path / "orders.csv"
    totals = write_order_total_export(orders, with_line_prices=False)
    # W002 has three lines, W004 one: the first line of each dated 2099.
    lines = orders.read_text().splitlines()
    for order in ("W002", "W004"):
        first = next(i for i, line in enumerate(lines) if line.startswith(order + ","))
        lines[first] = lines[first].replace(",2024-06-", ",2099-06-")
    orders.write_text("\n".join(lines) + "\n")

    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders", "stg_orders"],
    )
    rejected = run.query(
        "select order_id, rejection_reason from base_orders where rejection_reason is not null"
    )
    assert sorted(order for order, _ in rejected) == ["W002", "W004"]
    assert all("order_date" in why for _, why in rejected)
    spend = dict(run.query("select order_id, sum(amount) from stg_orders group by 1"))
    assert spend == pytest.approx(
        {order: total for order, total in totals.items() if order != "W004"}
    )
    # One line of each order carries its total, the first kept one.
    carriers = run.query(
        "select order_id from stg_orders group by 1"
        " having count(*) filter (where amount > 0) <> 1"
        " or min(source_row_number) filter (where amount > 0) <> min(source_row_number)"
    )
    assert carriers == []


def test_cancellation_words_of_shop_systems_and_languages_are_returns(tmp_path: Path):
    """`Retourniert`, `wc-cancelled`, `Reembolsado`, `Credit Memo` counted as purchases (only 12
    words were known), green, and monetary too high. They are returns now, and a status that
    reads like a refund but is not among cancellation_values (`Partially Refunded`) is named in
    a warning with the fix, not only in the info line."""
    statuses = {
        "Completed": False,
        "Retourniert": True,
        "wc-cancelled": True,
        "Reembolsado": True,
        "Credit Memo": True,
        "Geannuleerd": True,
        "Partially Refunded": False,  # a purchase, partly refunded: the user's call
    }
    lines = ["Order Number,Customer ID,Order Date,Amount,Transaction Type"]
    for index, status in enumerate(statuses):
        lines.append(f"{index},C{index % 3},2024-05-{index + 1:02d},{10 + index},{status}")
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders"],
    )
    returns = dict(run.query("select cast(order_id as int), is_return from base_orders"))
    assert returns == {index: is_return for index, is_return in enumerate(statuses.values())}
    console = " ".join(run.output.split())
    assert (
        "base_orders: status values that read like a cancellation or refund count as purchases,"
        " not being among var cancellation_values (first 100,000 lines: 'Partially Refunded' 1)"
        in console
    )
    assert '"Partially Refunded"]}' in console
    # ... and a WARN of the build, not a line lost in its log.
    warned = run_dbt(
        tmp_path / "warned",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders stg_orders status_reads_like_cancellation"],
    )
    console = " ".join(warned.output.split())
    assert (
        "health status_reads_like_cancellation: status 'Partially Refunded' (1 kept lines) reads"
        " like a cancellation or a refund" in console
    ), console[-3000:]
    assert re.search(r"WARN 1\S* status_reads_like_cancellation", console)


def test_magentos_closed_beside_complete_is_a_refund_unless_the_user_lists_the_words(
    tmp_path: Path,
):
    """Magento writes `closed` for an order a credit memo refunded, beside `complete` for one
    delivered: the refunded orders counted as purchases, green. With both words in the status
    column, `closed` is a cancellation; a file whose own cancellation_values are given keeps them
    as given, and a file without `complete` (where `closed` may just mean finished) is untouched."""
    # Magento's admin grid export (Sales > Orders > Export CSV), its status labels as written.
    statuses = ["Complete", "Closed", "Complete", "Canceled", "Processing", "Closed", "Complete"]
    header = (
        "ID,Purchase Point,Purchase Date,Bill-to Name,Grand Total (Base),"
        "Grand Total (Purchased),Status,Customer Email,Total Refunded"
    )
    lines = [header] + [
        f'00000000{index + 1},Main Website,"May {index + 1}, 2024 10:0{index}:00 AM",Ann,'
        f"${20 + index}.00,${20 + index}.00,{status},c{index % 3}@shop.example,"
        + ("$" + str(20 + index) + ".00" if status == "Closed" else "")
        for index, status in enumerate(statuses)
    ]
    orders = tmp_path / "export.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "magento", orders, "base_orders")
    returns = dict(run.query("select cast(order_id as int), is_return from base_orders"))
    assert returns == {
        index + 1: status in {"Closed", "Canceled"} for index, status in enumerate(statuses)
    }, run.output
    console = " ".join(run.output.split())
    assert "status Status writes both complete and closed, as Magento does" in console, console
    assert "'Closed' 2 (a return)" in console
    # Keyed by email alone, its total in the store's base currency: mapped without vars.
    assert "customer_id <- Customer Email" in console
    assert "amount <- Grand Total (Base)" in console
    assert (
        run.scalar("select sum(amount) from base_orders where not is_return") == 20 + 22 + 24 + 26
    )

    own_words = run_dbt(
        tmp_path / "own",
        command="run",
        variables={
            "orders_path": str(orders),
            "cancellation_values": ["canceled"],
        },
        extra_args=["--select", "base_orders"],
    )
    assert own_words.scalar("select count(*) filter (where is_return) from base_orders") == 1

    no_complete = tmp_path / "tickets.csv"
    no_complete.write_text("\n".join(line.replace("Complete", "Open") for line in lines) + "\n")
    untouched = run_base_orders(tmp_path / "untouched", no_complete, "base_orders")
    assert untouched.scalar("select count(*) filter (where is_return) from base_orders") == 1
    assert "as Magento does" not in untouched.output


def test_a_bigcommerce_export_maps_its_tax_totals_and_its_guest_id_zero_is_no_customer(
    tmp_path: Path,
):
    """BigCommerce's orders export: `Order Total (inc tax)` / `(ex tax)` were no amount (the build
    stopped asking for one), and its guest checkouts carry `Customer ID` 0: with an amount mapped,
    every guest order became one customer `0`, the top spender, green. The total with tax is the
    amount, and the id 0 of an orders-only input is a guest line (rejected as missing customer_id,
    as a blank id is)."""
    header = (
        "Order ID,Customer ID,Customer Name,Customer Email,Order Date,Order Status,"
        "Subtotal (inc tax),Subtotal (ex tax),Order Total (inc tax),Order Total (ex tax)"
    )
    lines, spend = [header], {}
    for index in range(30):
        customer = 0 if index % 3 == 0 else 100 + index % 7  # a third are guest checkouts
        total = 10 + index
        lines.append(
            f"{500 + index},{customer},Ann,a{customer}@x.com,2024-04-{1 + index % 28:02d},"
            f"Completed,{total},{total - 1},{total + 5},{total + 4}"
        )
        if customer:
            spend[str(customer)] = spend.get(str(customer), 0) + total + 5
    orders = tmp_path / "bigcommerce_orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "run", orders, "base_orders", "stg_orders")
    assert "amount <- Order Total (inc tax)" in " ".join(run.output.split())
    assert dict(run.query("select customer_id, sum(amount) from stg_orders group by 1")) == spend
    assert run.query(
        "select rejection_reason, count(*) from base_orders where rejection_reason is not null"
        " group by 1"
    ) == [("missing customer_id", 10)]


def test_walk_in_and_guest_accounts_are_no_customer(tmp_path: Path):
    """A POS export books 40% of its sales to `Walk-In Customer`, a web shop's to `GUEST`, GA4 to
    `(not set)`: each was one customer with every guest's spend, the top spender, exported to
    campaigns, green. Such ids are read as missing (rejected as missing customer_id, with the
    guest lines), and the console names them; a real id that merely contains such a word stays."""
    lines, spend = ["Receipt No,Date,Customer ID,Total,Status"], {}
    placeholders = ["Walk-In Customer", "GUEST", "(not set)", "walkin"]
    for index in range(50):
        customer = placeholders[index % 4] if index % 5 < 2 else f"C{index % 7:03d}"
        if index == 49:
            customer = "GUEST-HOUSE-7"  # an id that only contains the word
        lines.append(f"R{index:05d},14/03/2024,{customer},{10 + index}.50,Completed")
        if customer not in placeholders:
            spend[customer] = spend.get(customer, 0) + 10 + index + 0.5
    orders = tmp_path / "pos.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "run", orders, "base_orders", "stg_orders")
    assert dict(run.query("select customer_id, sum(amount) from stg_orders group by 1")) == spend
    assert run.query(
        "select rejection_reason, count(*) from base_orders where rejection_reason is not null"
        " group by 1"
    ) == [("missing customer_id", 20)]
    assert (
        'customer ids that stand for no customer (a guest, walk-in or cash-sale account): "(not '
        'set)", "guest", "walk-in customer", "walkin"' in " ".join(run.output.split())
    )


def test_failed_payments_drafts_and_unpaid_invoices_are_no_purchase_and_no_return(
    tmp_path: Path,
):
    """A payments export's `Failed` and `Voided` charges counted as returns (return_rate 2.0 for a
    customer who paid once), an invoicing export's `Draft` and `Not Paid` as purchases (747 where
    249 was paid). They are rejected with their reason now, counted and named, and neither
    purchase nor return; `Refunded` stays a return."""
    rows = [
        ("ch_1", "cus_a", "Succeeded", 100),
        ("ch_2", "cus_a", "Failed", 100),
        ("ch_3", "cus_b", "Succeeded", 249),
        ("ch_4", "cus_b", "Not Paid", 249),
        ("ch_5", "cus_b", "Draft", 249),
        ("ch_6", "cus_c", "Voided", 80),
        ("ch_7", "cus_c", "Succeeded", 80),
        ("ch_8", "cus_c", "Refunded", 30),
        ("ch_9", "cus_a", "Uncaptured", 100),  # authorised, never captured: no money moved
    ]
    lines = ["id,Customer ID,Created (UTC),Amount,Status"]
    lines += [
        f"{i},{c},2024-05-{n + 1:02d} 10:00:00,{a},{st}" for n, (i, c, st, a) in enumerate(rows)
    ]
    orders = tmp_path / "payments.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(
        tmp_path / "run",
        orders,
        "+int_customer_features",
        "orders_rejected",
        order_columns={"order_date": "Created (UTC)"},
    )
    features = run.query(
        "select customer_id, frequency, monetary, return_count, return_amount"
        " from int_customer_features order by customer_id"
    )
    assert features == [
        ("cus_a", 1, 100.0, 0, 0.0),
        ("cus_b", 1, 249.0, 0, 0.0),
        ("cus_c", 1, 80.0, 1, 30.0),
    ]
    reasons = dict(run.query("select order_id, rejection_reason from orders_rejected"))
    assert reasons == {
        "ch_2": "status 'Failed' is no purchase (var non_purchase_values)",
        "ch_4": "status 'Not Paid' is no purchase (var non_purchase_values)",
        "ch_5": "status 'Draft' is no purchase (var non_purchase_values)",
        "ch_6": "status 'Voided' is no purchase (var non_purchase_values)",
        "ch_9": "status 'Uncaptured' is no purchase (var non_purchase_values)",
    }
    assert "'Failed' 1 (no purchase: rejected)" in " ".join(run.output.split())


def test_an_order_id_column_blank_on_most_lines_gives_way_to_a_complete_one(tmp_path: Path):
    """Stripe's payments export has `id` (every charge) and `Invoice ID` (subscriptions only):
    the invoice column won as the order id, and 30 of 40 one-off charges were rejected as
    "missing order_id", 6 of 8 customers gone. The complete column is the order id now."""
    lines = ["id,Created (UTC),Amount,Status,Customer ID,Invoice ID"]
    for index in range(40):
        invoice = f"in_{index}" if index % 4 == 0 else ""
        lines.append(
            f"ch_{index},2024-05-{1 + index % 28:02d} 10:00,{10 + index},Paid,cus_{index % 8},"
            f"{invoice}"
        )
    orders = tmp_path / "payments.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "run", orders, "base_orders", "stg_orders")
    console = " ".join(run.output.split())
    assert "order_id <- id, not Invoice ID, which is blank on 30 of the first lines" in console
    assert run.scalar("select count(*) from stg_orders") == 40
    assert run.scalar("select count(distinct customer_id) from stg_orders") == 8


def test_one_line_per_unit_is_not_read_as_an_order_total(tmp_path: Path):
    """Olist's order items (the README's recipe) write one line per unit: an order of three units
    of one product has three lines with the same price. Nearly every order of several lines looked
    like an order total on every line, and spend was cut to one unit per order, green. Those
    repeated prices are no larger than one-line orders' amounts, as a total would be: the lines
    are summed as they are."""
    lines = ["order_id,order_item_id,customer_id,order_date,amount"]
    spend: dict[str, float] = {}
    for order in range(60):
        price = round(9.9 + (order * 37) % 80, 2)
        units = 1 + (order % 3 == 0) + (order % 6 == 0)  # a third of the orders: 2-3 units
        customer = f"u{order % 12:03d}"
        for item in range(1, units + 1):
            lines.append(
                f"o{order:04d},{item},{customer},2018-03-{1 + order % 28:02d} 10:00:00,{price}"
            )
        spend[customer] = spend.get(customer, 0) + units * price
    orders = tmp_path / "order_items.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders", "stg_orders"],
    )
    assert "repeats its order's total" not in run.output
    summed = dict(run.query("select customer_id, sum(amount) from stg_orders group by 1"))
    assert summed == pytest.approx(spend)


def test_currency_signs_of_two_currencies_in_one_amount_column_are_not_summed(tmp_path: Path):
    """`$12.50`, `€9,00`-style and `¥1,200` amounts in one column, no currency column: the signs
    were stripped and yen summed with dollars into one monetary, green. The signs now name each
    line's currency: the one of most lines is kept (or var currency's), the others rejected with
    the reason, as for a currency column; plain numbers name none and are kept."""
    lines, amounts = ["Order ID,Customer ID,Order Date,Amount"], {}
    for order in range(40):
        currency = ["USD", "USD", "EUR", "JPY"][order % 4]
        value = round(10.5 + order, 2) * (150 if currency == "JPY" else 1)
        written = {"USD": f'"${value:,.2f}"', "EUR": f"{value:.2f} €", "JPY": f'"¥{value:,.0f}"'}
        lines.append(f"O{order},C{order % 7},2024-05-{1 + order % 28:02d},{written[currency]}")
        amounts[f"O{order}"] = (currency, value)
    lines.append("O99,C1,2024-05-30,20.00")  # no sign: nothing says it is another currency
    amounts["O99"] = (None, 20.0)
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders", "stg_orders", "orders_rejected"],
    )
    console = " ".join(run.output.split())
    assert (
        "amounts kept in USD (the currency signs of column Amount, the currency of most lines;"
        " first 100,000 lines: USD 20, EUR 10, JPY 10)" in console
    )
    kept = {key for key, (currency, _) in amounts.items() if currency in ("USD", None)}
    reasons = dict(run.query("select order_id, rejection_reason from base_orders"))
    assert {key for key, why in reasons.items() if why is None} == kept
    assert reasons["O2"].startswith("amount in EUR, not USD, the currency kept")
    assert reasons["O3"].startswith("amount in JPY, not USD, the currency kept")
    assert run.scalar("select sum(amount) from stg_orders") == pytest.approx(
        sum(amounts[key][1] for key in kept)
    )
    assert re.search(r"WARN \d+ order_rows_rejected_over_warn_share", console)

    euros = run_dbt(
        tmp_path / "run_eur",
        variables={"orders_path": str(orders), "currency": "eur"},
        extra_args=["--select", "base_orders"],
    )
    kept = euros.query("select order_id from base_orders where rejection_reason is null")
    assert {order for (order,) in kept} == {
        key for key, (currency, _) in amounts.items() if currency in ("EUR", None)
    }


def write_first_line_customer_export(path: Path) -> dict[str, float]:
    """A POS sales export that writes the customer on a receipt's first line only (a till's
    receipt export): `Receipt Number`, `Customer Code` and `Customer Name` on the first line, the
    item lines below blank there. Returns each customer's
    spend (every line of their receipts)."""
    header = "Receipt Number,Sale Date,Customer Code,Customer Name,Product,Quantity,Total"
    lines, spend = [header], {}
    for receipt in range(30):
        customer = f"CUST-{receipt % 6:03d}"
        guest = receipt % 10 == 9  # no customer on any line: a guest sale, rejected
        for line in range(1 + receipt % 4):
            total = round(3.5 + 2.25 * line + receipt % 5, 2)
            named = line == 0 and not guest
            lines.append(
                f"{1000 + receipt},2024-06-{1 + receipt % 28:02d} 12:{line:02d}:00,"
                f"{customer if named else ''},{'Ann Lee' if named else ''},"
                f"Item {line},1,{total}"
            )
            if not guest:
                spend[customer] = spend.get(customer, 0) + total
    # Two customers named on one receipt: its line without one is no one's, still rejected.
    lines += [
        "1100,2024-06-29 12:00:00,CUST-001,Ann Lee,Item 0,1,5.00",
        "1100,2024-06-29 12:01:00,CUST-002,Bo Ray,Item 1,1,6.00",
        "1100,2024-06-29 12:02:00,,,Item 2,1,7.00",
    ]
    spend["CUST-001"] += 5.0
    spend["CUST-002"] += 6.0
    path.write_text("\n".join(lines) + "\n")
    return spend


def test_a_customer_written_on_an_orders_first_line_only_reaches_its_other_lines(tmp_path: Path):
    """A POS export writes the customer on a receipt's first line only: the receipt's other lines
    were rejected as "missing customer_id" (half the spend gone, green). They take their order's
    customer now when the order's lines name exactly one; a receipt naming two leaves its blank
    line rejected, and the console counts both."""
    orders = tmp_path / "sales.csv"
    spend = write_first_line_customer_export(orders)
    run = run_base_orders(tmp_path / "run", orders, "base_orders", "stg_orders")
    summed = dict(run.query("select customer_id, sum(amount) from stg_orders group by 1"))
    assert summed == pytest.approx(spend)
    reasons = run.query(
        "select order_id, rejection_reason, count(*) from base_orders"
        " where rejection_reason is not null group by all order by 1"
    )
    # The guest receipts (1009, 1019, 1029: 2 + 4 + 2 lines) and the line of 1100.
    assert reasons == [
        ("1009", "missing customer_id", 2),
        ("1019", "missing customer_id", 4),
        ("1029", "missing customer_id", 2),
        ("1100", "missing customer_id", 1),
    ]
    console = " ".join(run.output.split())
    assert (
        "base_orders: lines without a customer id take their order's customer where the order's"
        " other lines name one (column Customer Code written on an order's first line only;"
        " first 100,000 lines: 38 lines in 19 orders took their order's customer). Lines without"
        " one in orders whose lines name two or more customers stay rejected as missing"
        " customer_id (first 100,000 lines: 1 in 1)." in console
    ), console


def test_a_customer_on_the_first_line_is_not_given_to_an_orders_total_line(tmp_path: Path):
    """A report-style export whose every order ends in a `Total` line (the sum of its item lines)
    and names the customer on its first line only: given their order's customer, the total lines
    would count each order twice. Nothing is filled then, the lines stay rejected as before, and
    the console says why."""
    lines, first_lines = ["Order No,Date,Customer ID,Description,Amount"], {}
    for order in range(12):
        items = [round(4.0 + order + 1.5 * item, 2) for item in range(2 + order % 2)]
        for item, amount in enumerate(items):
            customer = f"C{order % 4}" if item == 0 else ""
            lines.append(f"SO-{order},2024-02-{1 + order:02d},{customer},Item {item},{amount}")
        lines.append(f"SO-{order},2024-02-{1 + order:02d},,Total,{sum(items):.2f}")
        first_lines[f"C{order % 4}"] = first_lines.get(f"C{order % 4}", 0) + items[0]
    orders = tmp_path / "report.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "run", orders, "base_orders", "stg_orders")
    summed = dict(run.query("select customer_id, sum(amount) from stg_orders group by 1"))
    assert summed == pytest.approx(first_lines)
    console = " ".join(run.output.split())
    assert (
        "base_orders: lines without a customer id are not given their order's customer (column"
        " Customer ID; first 100,000 lines: 30 such lines in 12 orders that name one customer):"
        " in 12 of 12 of those orders with three or more lines one line's amount is the sum of"
        " the others" in console
    ), console


def xero_invoices_export() -> tuple[str, dict[str, bool]]:
    """Xero's invoice export: one line per invoice line, `Type` (Sales invoice / Sales credit
    note) beside `Status` (Paid): a credit note's amounts are positive."""
    header = (
        "ContactName,EmailAddress,InvoiceNumber,Reference,InvoiceDate,DueDate,Total,Description,"
        "Quantity,UnitAmount,LineAmount,AccountCode,TaxType,Currency,Type,Sent,Status"
    )
    lines, returns = [header], {}
    for index in range(16):
        credit = index % 4 == 3
        number = f"CN-{index:04d}" if credit else f"INV-{index:04d}"
        kind = "Sales credit note" if credit else "Sales invoice"
        for item in range(1 + index % 2):
            amount = 20 + index + item
            lines.append(
                f"Ann Lee,c{index % 5}@example.com,{number},,{1 + index}/05/2024,"
                f"{15 + index}/05/2024,{amount},Item {item},1,{amount},{amount},200,"
                f"Tax on Sales,USD,{kind},Sent,Paid"
            )
        returns[number] = credit
    return "\n".join(lines) + "\n", returns


def sap_billing_export() -> tuple[str, dict[str, bool]]:
    """SAP SD billing documents (VF05 / VBRK, as a list exported to a spreadsheet): `Billing
    Type` F2 invoice, G2 credit memo, RE returns credit, S1 cancelled invoice, S2 cancelled credit
    memo (which is a charge again)."""
    lines = ["Billing Document,Billing Type,Billing Date,Sold-To Party,Net Value,Currency"]
    returns = {}
    for index, code in enumerate(["F2", "F2", "G2", "F2", "RE", "F2", "S1", "F2", "S2", "F2"]):
        number = str(90000100 + index)
        day = f"0{1 + index % 9}.03.2024"
        lines.append(f"{number},{code},{day},{1000 + index % 3},{50 + index},EUR")
        returns[number] = code in {"G2", "RE", "S1"}
    return "\n".join(lines) + "\n", returns


def belegart_export() -> tuple[str, dict[str, bool]]:
    """A German ERP export (DATEV / Lexware style): `Belegart` Rechnung / Gutschrift /
    Stornorechnung, amounts with a decimal comma, separated by semicolons."""
    lines, returns = ["Belegnummer;Belegdatum;Kundennummer;Belegart;Betrag"], {}
    kinds = ["Rechnung", "Rechnung", "Gutschrift", "Rechnung", "Stornorechnung", "Rechnung"]
    for index, kind in enumerate(kinds * 2):
        number = f"RE-{index:03d}"
        lines.append(f"{number};{1 + index:02d}.04.2024;K{index % 4};{kind};{100 + index},50")
        returns[number] = kind != "Rechnung"
    return "\n".join(lines) + "\n", returns


def sage_export() -> tuple[str, dict[str, bool]]:
    """Sage / Dynamics sales documents: `Document Type` (Invoice / Credit Memo) beside `Status`
    (Posted): the status column took `Status`, and a credit memo counted as a purchase."""
    lines = ["Document No.,Document Type,Sell-to Customer No.,Posting Date,Amount,Status"]
    returns = {}
    for index in range(10):
        kind = "Credit Memo" if index in (3, 7) else "Invoice"
        number = f"PS-{'CR' if kind == 'Credit Memo' else 'INV'}{index:04d}"
        lines.append(f"{number},{kind},C{index % 3},2024-03-{1 + index:02d},{30 + index},Posted")
        returns[number] = kind == "Credit Memo"
    return "\n".join(lines) + "\n", returns


@pytest.mark.parametrize(
    ("shape", "column", "credit_value"),
    [
        (xero_invoices_export, "Type", "'Sales credit note' 8 (a credit: return)"),
        (sap_billing_export, "Billing Type", "'G2' 1 (a credit: return)"),
        (belegart_export, "Belegart", "'Gutschrift' 2 (a credit: return)"),
        (sage_export, "Document Type", "'Credit Memo' 2 (a credit: return)"),
    ],
)
def test_credit_notes_in_a_document_type_column_are_returns(
    tmp_path: Path, shape, column: str, credit_value: str
):
    """Xero's `Type`, SAP's `Billing Type`, a German `Belegart`, Sage's `Document Type` beside a
    `Status`: a credit note, credit memo, returns credit or cancelled invoice counted as a purchase,
    green, and monetary was too high by twice its amount. Such lines are returns now, and the
    console names the column and what its values were read as."""
    text, returns = shape()
    orders = tmp_path / "documents.csv"
    orders.write_text(text)
    run = run_base_orders(tmp_path / "run", orders, "base_orders")
    read = dict(
        run.query("select order_id, bool_or(is_return) from base_orders group by 1 order by 1")
    )
    assert read == returns, run.output
    assert run.scalar("select count(*) from base_orders where rejection_reason is not null") == 0
    console = " ".join(run.output.split())
    assert f"base_orders: column {column} is read as the document type (first 100,000 lines:" in (
        console
    ), console
    assert credit_value in console


def test_a_type_column_of_product_types_is_no_document_type(tmp_path: Path):
    """A `Type` column that holds product types (a shop's `Product Type`-like `Type`: Shirt, Shoes,
    Returnable Box) is no document type: it stays an ordinary column, nothing is a return."""
    lines = ["Order ID,Customer ID,Order Date,Amount,Type"]
    types = ["Shirt", "Shoes", "Accessories", "Returnable Box", "Shirt", "Credit"]
    for index, kind in enumerate(types * 3):
        lines.append(f"O{index},C{index % 4},2024-05-{1 + index:02d},{10 + index},{kind}")
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "run", orders, "base_orders")
    assert run.scalar("select count(*) filter (where is_return) from base_orders") == 0
    assert "document type" not in run.output
    assert "document_type <-" not in run.output


def test_a_refunded_amount_column_counts_partial_refunds_as_returns(tmp_path: Path):
    """Shopify writes a partial refund in `Refunded Amount` on the order's first line, beside a
    `partially_refunded` status that is no cancellation: the refund was not read, so the customer
    had no return and the return rate 0, green. It is a return of that much, once per order; an
    order refunded in full (status `refunded`: its lines are returns already) is not counted
    twice."""
    header = (
        "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem price,Refunded Amount"
    )
    lines = [header]
    spend: dict[str, float] = {}
    returned: dict[str, tuple[int, float]] = {}
    for order in range(12):
        email = f"c{order % 3}@example.com"
        status, refund = "paid", 0.0
        if order in (1, 5):
            status, refund = "partially_refunded", 2.5 + order
        if order == 4:
            status = "refunded"
        items = [(1 + line, 10.0 + line) for line in range(1 + order % 2)]
        total = sum(quantity * price for quantity, price in items)
        if order == 4:
            refund = total  # Shopify writes the whole refund beside the refunded status
        for line, (quantity, price) in enumerate(items):
            first = line == 0
            lines.append(
                f"#{1001 + order},{email},{status if first else ''},"
                f"2024-03-{1 + order:02d} 10:15:42 +0100,{quantity},{price},"
                f"{refund if first else ''}"
            )
        count, amount = returned.get(email, (0, 0.0))
        if order == 4:
            returned[email] = (count + 1, amount + total)
        else:
            spend[email] = spend.get(email, 0.0) + total
            if refund:
                returned[email] = (count + 1, amount + refund)
    orders = tmp_path / "orders_export.csv"
    orders.write_text("\n".join(lines) + "\n")
    features, run = returns_by_customer(tmp_path / "run", orders)
    assert features == {email: (spend[email], *returned.get(email, (0, 0.0))) for email in spend}
    assert "refunds from column Refunded Amount are returns of that much of their order" in (
        run.output
    )


def test_square_partial_refunds_are_returns(tmp_path: Path):
    """Square's transactions export writes a partial refund as `Partial Refunds` (`-$5.00`) on the
    payment's line, beside `Net Sales` of the whole payment; a full refund is a line of its own
    with negative amounts (a return already). The column was read as nothing: the customer had
    spent 5.00 more and returned nothing, green."""
    header = (
        "Date,Time,Time Zone,Gross Sales,Discounts,Net Sales,Tax,Tip,Partial Refunds,"
        "Total Collected,Source,Transaction ID,Payment ID,Event Type,Location,Customer ID,"
        "Customer Name"
    )
    rows = [  # transaction, customer, net sales, partial refund, event type
        ("T1", "CUSTA1", "$20.00", "-$5.00", "Payment"),
        ("T2", "CUSTB2", "$30.00", "$0.00", "Payment"),
        ("T3", "CUSTA1", "$40.00", "$0.00", "Payment"),
        ("T4", "CUSTB2", "$12.50", "-$2.25", "Payment"),
        ("T3", "CUSTA1", "-$40.00", "$0.00", "Refund"),
    ]
    lines = [header]
    for day, (transaction, customer, net, refund, event) in enumerate(rows, start=1):
        lines.append(
            f"2024-03-{day:02d},10:01:02,Pacific Time (US & Canada),{net},$0.00,{net},$0.00,"
            f"$0.00,{refund},{net},Point of Sale,{transaction},P{day},{event},Shop,{customer},"
            "Ann Lee"
        )
    orders = tmp_path / "transactions.csv"
    orders.write_text("\n".join(lines) + "\n")
    features, run = returns_by_customer(tmp_path / "run", orders)
    assert features == {
        "CUSTA1": (60.0, 2, 45.0),
        "CUSTB2": (42.5, 1, 2.25),
    }
    assert "refunds from column Partial Refunds are returns of that much of their order" in (
        run.output
    )


def lightspeed_sales_export(sales: int = 14) -> tuple[str, dict[str, float]]:
    """Lightspeed Retail (Vend) sales history: per sale a `Sale` line with the sale's totals, a
    `Sale Line` per product and a `Payment` line (no Total); every line names the customer. A
    sale of one product writes two lines of one amount."""
    header = (
        "Date,Receipt Number,Line Type,Customer Code,Customer Name,Note,Quantity,Subtotal,"
        "Sales Tax,Discount,Loyalty,Total,Paid,Details,Register,User,Status"
    )
    lines, spend = [header], {}
    for sale in range(sales):
        customer, when = f"C{sale % 4:03d}", f"2024-03-{1 + sale:02d} 10:{sale:02d}:00"
        items = [round(7.5 + sale + 2.25 * item, 2) for item in range(1 + sale % 3)]
        total, receipt = sum(items), 1001 + sale
        common = f"{when},{receipt}"
        lines.append(
            f"{common},Sale,{customer},Ann Lee,,,{total:.2f},0.00,0.00,0.00,{total:.2f},"
            f"{total:.2f},,Main,bob,CLOSED"
        )
        for item, amount in enumerate(items):
            lines.append(
                f"{common},Sale Line,{customer},Ann Lee,,1,{amount:.2f},0.00,0.00,0.00,"
                f"{amount:.2f},,Item {item},Main,bob,CLOSED"
            )
        lines.append(f"{common},Payment,{customer},Ann Lee,,,,,,,,{total:.2f},Cash,Main,bob,CLOSED")
        spend[customer] = round(spend.get(customer, 0.0) + total, 2)
    return "\n".join(lines) + "\n", spend


def test_an_orders_total_line_beside_its_item_lines_counts_once(tmp_path: Path):
    """Lightspeed Retail's (Vend's) sales export writes each sale's total on a `Sale` line above
    its `Sale Line`s, every line naming the customer: summed, every sale counted twice, green
    (monetary and average order value doubled). The first line of an order whose amount is the
    sum of its other lines is worth 0 now, and the console says so; the Payment lines (no
    Total) stay rejected as missing amount."""
    text, spend = lightspeed_sales_export()
    orders = tmp_path / "sales_history.csv"
    orders.write_text(text)
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "+int_customer_features"],
    )
    features = dict(run.query("select customer_id, round(monetary, 2) from int_customer_features"))
    assert features == pytest.approx(spend)
    reasons = dict(
        run.query("select coalesce(rejection_reason, 'kept'), count(*) from base_orders group by 1")
    )
    assert reasons == {"kept": len(text.splitlines()) - 1 - 14, "missing amount": 14}
    console = " ".join(run.output.split())
    assert (
        "base_orders: in 9 of the 9 orders with three or more lines in the first 100,000 rows one"
        " line's amount (column Total) is the sum of the others" in console
    ), console


def test_lines_that_add_up_by_chance_are_no_order_totals(tmp_path: Path):
    """An invoice export whose orders now and then hold a line worth the sum of the others
    (10, 5, 5) by chance: no total lines, every line counts."""
    lines = ["Invoice No,Customer ID,Invoice Date,Amount"]
    expected = 0.0
    for order in range(20):
        amounts = [10.0, 5.0, 5.0] if order % 5 == 0 else [3.0 + order, 4.5, 2.25 + order]
        for amount in amounts:
            lines.append(f"INV{order},C{order % 3},2024-04-{1 + order:02d},{amount}")
            expected += amount
    orders = tmp_path / "invoices.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_base_orders(tmp_path / "run", orders, "base_orders")
    assert run.scalar("select sum(amount) from base_orders") == pytest.approx(expected)
    assert "is the sum of the others" not in run.output


def test_etsys_adjusted_order_total_gives_the_refund_of_a_partially_refunded_order(
    tmp_path: Path,
):
    """Etsy's sold-orders CSV writes no refund column: after a partial refund it fills `Adjusted
    Order Total` (blank otherwise). It was ignored, so the full total counted and there was no
    return, green. The refund is the order's total less the adjusted total."""
    header = (
        "Sale Date,Order ID,Buyer User ID,Full Name,Number of Items,Currency,Order Value,"
        "Shipping,Sales Tax,Order Total,Status,Adjusted Order Total"
    )
    rows = [
        "03/01/24,3001,111,Ann Lee,2,USD,40.00,5.00,2.00,47.00,Completed,",
        "03/05/24,3002,222,Tom Ray,1,USD,30.00,5.00,0.00,35.00,Completed,15.00",
        "03/09/24,3003,111,Ann Lee,1,USD,10.00,5.00,0.00,15.00,Completed,",
        "03/12/24,3004,222,Tom Ray,1,USD,20.00,5.00,0.00,25.00,Completed,25.00",
        "03/15/24,3005,333,Joe Kim,1,USD,60.00,0.00,0.00,60.00,Completed,52.50",
    ]
    orders = tmp_path / "EtsySoldOrders2024-3.csv"
    orders.write_text("\n".join([header, *rows]) + "\n")
    features, run = returns_by_customer(tmp_path / "run", orders)
    assert features == {
        "111": (62.0, 0, 0.0),
        "222": (60.0, 1, 20.0),  # 35 less 15; an adjusted total equal to the total is no refund
        "333": (60.0, 1, 7.5),
    }
    assert "refunds from Order Total less Adjusted Order Total where it is filled" in run.output


def test_discount_lines_lower_spend_and_are_no_returns(tmp_path: Path):
    """Odoo's order lines export writes a discount as a line of its own (`[DISC] 10% Loyalty
    Discount`, unit price -45) beside the products: it was a return, so an order of 450 gave
    monetary 450, return_count 1 and return_rate 0.1, green (right: 405, 0, 0). A discount line
    lowers its order's value now: off the purchases, or off the refund of a cancelled order (whose
    credit note writes the discount it takes back with either sign); a product returned stays a
    return, and the category shares stay those of the products."""
    header = (
        "Order Reference,Customer ID,Order Date,Status,Product,Product Category,Quantity,Unit Price"
    )
    # order, customer, status, [(product, category, quantity, unit price)]
    orders = [
        (
            "S001",
            "C1",
            "sale",
            [
                ("Desk Lamp", "home", 2, 150.0),
                ("Chair", "home", 1, 150.0),
                ("[DISC] 10% Loyalty Discount", "", 1, -45.0),
            ],
        ),
        ("S002", "C1", "sale", [("Pen Set", "office", 3, 10.0)]),
        ("S003", "C2", "sale", [("Desk", "home", 1, 400.0), ("Coupon SAVE20", "", 1, -20.0)]),
        ("S004", "C2", "cancel", [("Shelf", "home", 1, 100.0), ("Rabatt 10%", "", 1, -10.0)]),
        ("S005", "C3", "sale", [("Stapler", "office", 2, 12.5)]),
        ("S006", "C3", "sale", [("Stapler", "office", -1, 12.5)]),
        ("S007", "C3", "cancel", [("Paper", "office", 4, 5.0), ("Discount", "", -1, -2.0)]),
    ]
    lines = [header]
    spend: dict[str, float] = {}
    returned: dict[str, tuple[int, float]] = {}
    home: dict[str, float] = {}
    discount_lines = 0
    for day, (order, customer, status, items) in enumerate(orders, start=1):
        for product, category, quantity, price in items:
            lines.append(
                f"{order},{customer},2024-04-{day:02d},{status},{product},{category},"
                f"{quantity},{price}"
            )
        values = [quantity * price for _, _, quantity, price in items]
        names_discount = [
            any(word in product.lower() for word in ("discount", "coupon", "rabatt"))
            for product, *_ in items
        ]
        discount_lines += sum(names_discount)
        discount = sum(abs(v) for v, d in zip(values, names_discount, strict=True) if d)
        goods = [v for v, d in zip(values, names_discount, strict=True) if not d]
        if status == "cancel" or all(v < 0 for v in goods):
            count, amount = returned.get(customer, (0, 0.0))
            returned[customer] = (count + 1, amount + sum(abs(v) for v in goods) - discount)
        else:
            spend[customer] = spend.get(customer, 0.0) + sum(goods) - discount
            home[customer] = home.get(customer, 0.0) + sum(
                v for v, (_, category, *_) in zip(values, items, strict=True) if category == "home"
            )
    path = tmp_path / "sale_order_lines.csv"
    path.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(path), "cancellation_values": ["cancel"]},
        extra_args=["--select", "+int_customer_features", "+input_summary"],
    )
    features = {
        row[0]: row[1:]
        for row in run.query(
            "select customer_id, monetary, return_count, round(return_amount, 2),"
            " round(share_home, 6) from int_customer_features"
        )
    }
    gross = {
        customer: home[customer]
        / sum(
            quantity * price
            for order, c, status, items in orders
            if c == customer and status == "sale"
            for product, category, quantity, price in items
            if quantity * price > 0
            and "discount" not in product.lower()
            and "coupon" not in product.lower()
        )
        for customer in home
    }
    assert features == {
        customer: (
            pytest.approx(spend[customer]),
            *returned.get(customer, (0, 0.0)),
            pytest.approx(gross.get(customer, 0.0), abs=1e-6),
        )
        for customer in spend
    }, features
    outcomes = dict(
        run.query("select outcome, row_count from input_summary where input = 'orders'")
    )
    assert outcomes["discount"] == discount_lines == 4
    console = " ".join(run.output.split())
    assert "a line whose Product names a discount" in console
    assert f"{discount_lines} discounts, 0 rejected" in console, console


def test_shopify_discount_amount_comes_off_the_orders_value(tmp_path: Path):
    """Shopify's orders export writes a discount code's amount in `Discount Amount` on the order's
    first line, while the line value (Lineitem quantity x Lineitem price) is before it: every
    customer who used a code had spent that much more, green. It comes off the order's value now,
    once per order (off the refund of a refunded order); an amount column (what was paid) is not
    reduced again."""
    header = (
        "Name,Email,Financial Status,Subtotal,Total,Discount Code,Discount Amount,Created at,"
        "Lineitem quantity,Lineitem name,Lineitem price"
    )
    lines = [header]
    spend: dict[str, float] = {}
    returned: dict[str, tuple[int, float]] = {}
    for order in range(12):
        email = f"c{order % 3}@example.com"
        status = "refunded" if order == 4 else "paid"
        items = [(1 + line, 10.0 + 2.5 * line) for line in range(1 + order % 3)]
        gross = sum(quantity * price for quantity, price in items)
        discount = 5.0 if order % 2 == 0 else 0.0
        for line, (quantity, price) in enumerate(items):
            first = line == 0
            lines.append(
                f"#{1001 + order},{email},{status if first else ''},"
                f"{gross - discount if first else ''},{gross - discount if first else ''},"
                f"{'SAVE5' if first and discount else ''},{discount if first else ''},"
                f"2024-03-{1 + order:02d} 10:15:42 +0100,{quantity},Item {line},{price}"
            )
        if status == "refunded":
            count, amount = returned.get(email, (0, 0.0))
            returned[email] = (count + 1, amount + gross - discount)
        else:
            spend[email] = spend.get(email, 0.0) + gross - discount
    orders = tmp_path / "orders_export.csv"
    orders.write_text("\n".join(lines) + "\n")
    features, run = returns_by_customer(tmp_path / "run", orders)
    assert features == {email: (spend[email], *returned.get(email, (0, 0.0))) for email in spend}
    console = " ".join(run.output.split())
    assert "discounts from column Discount Amount come off their order's value" in console
    # Mapped to Total (what was paid, after the discount), the column is not read again.
    paid = run_dbt(
        tmp_path / "paid",
        command="run",
        variables={
            "orders_path": str(orders),
            "order_columns": {"amount": "Total", "quantity": None, "unit_price": None},
        },
        extra_args=["--select", "+int_customer_features"],
    )
    monetary = dict(paid.query("select customer_id, monetary from int_customer_features"))
    assert monetary == pytest.approx(spend)
    assert "column Discount Amount (an order's discount) is not read" in " ".join(
        paid.output.split()
    )


@pytest.mark.parametrize(
    ("header", "statuses", "order_columns"),
    [
        # A Polish shop (Sklep): cancelled, returned and unpaid orders counted as purchases.
        (
            "Numer zamówienia;Klient;Data;Kwota;Status zamówienia",
            {
                "Zrealizowane": "purchase",
                "Anulowane": "return",
                "Zwrócone": "return",
                "Nieopłacone": "no purchase",
                "Oczekuje na płatność": "no purchase",
            },
            {"order_id": "Numer zamówienia", "customer_id": "Klient", "order_date": "Data"},
        ),
        # A Swedish, a Russian (1C) and a Turkish status in one column.
        (
            "Order;Kund;Datum;Belopp;Orderstatus",
            {
                "Levererad": "purchase",
                "Makulerad": "return",
                "Återbetald": "return",
                "Отменен": "return",
                "Возврат": "return",
                "İptal Edildi": "return",
                "Ej betald": "no purchase",
            },
            {"customer_id": "Kund", "order_date": "Datum"},
        ),
        # HubSpot's deals export as the orders: open and lost deals counted as purchases.
        (
            "Record ID;Deal Name;Deal Stage;Amount;Close Date;Contact",
            {
                "Closed Won": "purchase",
                "Closed Lost": "no purchase",
                "Contract Sent": "no purchase",
                "Appointment Scheduled": "no purchase",
                "Negotiation/Review": "no purchase",
            },
            {"order_id": "Record ID", "customer_id": "Contact", "order_date": "Close Date"},
        ),
    ],
    ids=["polish-shop", "swedish-russian-turkish", "hubspot-deals"],
)
def test_status_words_of_more_languages_and_crm_deal_stages(
    tmp_path: Path, header: str, statuses: dict[str, str], order_columns: dict[str, str]
):
    """Status words outside the seven languages the lists knew (Polish `Anulowane`, Russian
    `Отменен`, Swedish `Makulerad`, Turkish `İptal Edildi`, unpaid `Nieopłacone` / `Ej betald`)
    and a CRM's deal stages (`Closed Lost`, `Contract Sent`) counted as purchases, green. Each
    line is what its status says now: the status column found by its own header
    (`Status zamówienia`, `Orderstatus`, `Deal Stage`)."""
    lines = [header]
    for index, status in enumerate(statuses):
        day, customer = f"2024-05-{index + 1:02d}", f"C{index % 2}"
        if header.startswith("Record ID"):
            lines.append(f"{900 + index};Deal {index};{status};{100 + index};{day};{customer}")
        else:
            lines.append(f"{900 + index};{customer};{day};{100 + index};{status}")
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders), "order_columns": order_columns},
        extra_args=["--select", "base_orders"],
    )
    read = {
        int(order_id): "no purchase" if reason else ("return" if is_return else "purchase")
        for order_id, is_return, reason in run.query(
            "select order_id, is_return, rejection_reason from base_orders"
        )
    }
    assert read == {900 + index: outcome for index, outcome in enumerate(statuses.values())}
    console = " ".join(run.output.split())
    assert "status <- " + header.split(";")[2 if header.startswith("Record") else 4] in console
