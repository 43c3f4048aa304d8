"""Exports recognised by their shape (macros/inputs/export_shapes.sql), built end to end.

1. Amazon Seller Central's "All Orders" report (tab-separated, `amazon-order-id`, `item-price`):
   `item-price` is the line's total, not a unit price. Before, it was not mapped and the build
   stopped with a fix naming quantity x unit price, which counts a line of 2 units twice.
2. Odoo's sales export with its order lines: `Order Reference`, `Customer`, `Order Date`, `Status`
   and `Total` on an order's first line only, the lines below with item fields alone. Before,
   those lines were rejected (missing order_id, customer_id, order_date) and spend was right only
   when `Total` was the amount.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from .conftest import DbtRun, run_dbt

pytestmark = pytest.mark.dbt

FEATURES_SELECTION = [
    "--select",
    "+int_customer_features +orders_rejected +customers_rejected",
    "--indirect-selection",
    "cautious",
]


def features_of_orders(workdir: Path, orders: Path, **variables: object) -> tuple[dict, DbtRun]:
    """{customer: (monetary, return_amount)} of an orders file (`dbt run --select
    +int_customer_features`, vars beside orders_path), and the run."""
    run = run_dbt(
        workdir,
        command="run",
        variables={"orders_path": str(orders), **variables},
        extra_args=["--select", "+int_customer_features"],
    )
    rows = run.query("select customer_id, monetary, return_amount from int_customer_features")
    return {customer: (monetary, returned) for customer, monetary, returned in rows}, run


# ---------------------------------------------------------------- 1. Amazon's All Orders report

AMAZON_HEADER = [
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "url",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
    "buyer-email",
]
PRODUCTS = [
    ("Ceramic Mug", "MUG-01", 12.49),
    ("Green Tea 100g", "TEA-02", 7.95),
    ("Lamp", "L-3", 31.0),
]


def write_amazon_all_orders(path: Path) -> list[dict[str, str]]:
    """Ten orders of six buyers as the report writes them: one line per item, `item-price` the
    price of all the line's units, ISO timestamps with an offset, an order of two items, lines of
    2 and 3 units, a Cancelled order (its price kept) and a Pending one (no price yet, as the
    report leaves it for a pending order). Returns the rows written."""
    rows = []
    for order in range(10):
        status = {3: "Cancelled", 7: "Pending"}.get(order, "Shipped")
        for item in range(2 if order == 4 else 1):
            name, sku, price = PRODUCTS[(order + item) % len(PRODUCTS)]
            quantity = 1 + (order + item) % 3
            row = dict.fromkeys(AMAZON_HEADER, "")
            row.update(
                {
                    "amazon-order-id": f"114-{3000000 + order:07d}-{4100000 + order * 7:07d}",
                    "purchase-date": f"2024-03-{1 + order * 2:02d}T14:22:05+00:00",
                    "last-updated-date": f"2024-03-{2 + order * 2:02d}T09:01:44+00:00",
                    "order-status": status,
                    "fulfillment-channel": "Amazon" if order % 2 else "Merchant",
                    "sales-channel": "Amazon.com",
                    "ship-service-level": "Standard",
                    "product-name": name,
                    "sku": sku,
                    "asin": f"B0{order:08d}",
                    "item-status": "Unshipped" if status == "Pending" else status,
                    "quantity": str(quantity),
                    "currency": "USD",
                    "item-price": "" if status == "Pending" else f"{quantity * price:.2f}",
                    "item-tax": "" if status == "Pending" else f"{quantity * price * 0.1:.2f}",
                    "shipping-price": "4.99",
                    "ship-city": "SEATTLE",
                    "ship-state": "WA",
                    "ship-postal-code": "98101-1234",
                    "ship-country": "US",
                    "is-business-order": "false",
                    "buyer-email": f"buyer{order % 6}@marketplace.amazon.com",
                }
            )
            rows.append(row)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, AMAZON_HEADER, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_amazon_all_orders_item_price_is_the_lines_total(tmp_path: Path):
    """The report's `item-price` is the amount of its line (all units): each buyer's monetary is
    the sum of the item-prices of their shipped lines and frequency their shipped orders; a
    Cancelled order is a return of its price, a Pending one no purchase. The buyers are keyed by
    `buyer-email`, which finds the customers file's records by their email."""
    orders = tmp_path / "All Orders Report.txt"
    rows = write_amazon_all_orders(orders)
    customers = tmp_path / "customers.csv"
    emails = sorted({row["buyer-email"] for row in rows})
    customers.write_text(
        "Customer ID,Email,Age\n"
        + "".join(f"A{index:03d},{email},{30 + index}\n" for index, email in enumerate(emails))
    )
    customer_of = {email: f"A{index:03d}" for index, email in enumerate(emails)}
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders), "customers_path": str(customers)},
        extra_args=FEATURES_SELECTION,
    )
    assert "amount <- item-price" in run.output, run.output[-3000:]

    monetary: dict[str, float] = defaultdict(float)
    shipped_orders: dict[str, set[str]] = defaultdict(set)
    returned: dict[str, float] = defaultdict(float)
    for row in rows:
        customer = customer_of[row["buyer-email"]]
        if row["order-status"] == "Shipped":
            monetary[customer] += float(row["item-price"])
            shipped_orders[customer].add(row["amazon-order-id"])
        elif row["order-status"] == "Cancelled":
            returned[customer] += float(row["item-price"])
    # Lines of several units, whose price x quantity is not their value.
    assert any(int(row["quantity"]) >= 2 and row["order-status"] == "Shipped" for row in rows)

    features = run.query(
        "select customer_id, frequency, monetary, return_count, return_amount"
        " from int_customer_features order by customer_id"
    )
    assert [
        (customer, frequency, round(spend, 2), returns, round(amount, 2))
        for customer, frequency, spend, returns, amount in features
    ] == [
        (
            customer,
            len(shipped_orders[customer]),
            round(monetary[customer], 2),
            int(customer in returned),
            round(returned[customer], 2),
        )
        for customer in sorted(customer_of.values())
    ]
    rejected = run.query("select order_id, rejection_reason from orders_rejected")
    pending = {row["amazon-order-id"] for row in rows if row["order-status"] == "Pending"}
    assert {order_id for order_id, _ in rejected} == pending
    assert all("status 'Pending' is no purchase" in reason for _, reason in rejected)


# ---------------------------------------------------------------- 2. Odoo's sales export

ODOO_HEADER = [
    "Order Reference",
    "Customer",
    "Customer/Email",
    "Order Date",
    "Status",
    "Total",
    "Order Lines/Product",
    "Order Lines/Quantity",
    "Order Lines/Unit Price",
    "Order Lines/Subtotal",
]
ODOO_PARTNERS = [
    ("Deco Addict", "deco.addict82@example.com"),
    ("Azure Interior, Brandon Freeman", "brandon.freeman55@example.com"),
    ("Gemini Furniture", "gemini.furniture39@example.com"),
    ("Ready Mat", "ready.mat28@example.com"),
    ("Lumber Inc", "lumber-inc92@example.com"),
]
ODOO_PRODUCTS = [
    ("[FURN_7800] Desk Combination", 450.0),
    ("[FURN_0269] Office Chair Black", 120.5),
    ("[E-COM11] Cabinet with Doors", 140.0),
    ("[FURN_8888] Office Lamp", 40.0),
]


def write_odoo_sale_orders(path: Path) -> list[dict]:
    """Sale orders as Odoo exports them with their order lines ("Export" of sale.order with
    Order Lines/... fields): the order's fields on its first line, each further line of the order
    blank there; `Total` with 15% tax; states as labelled (Sales Order, Locked, Quotation,
    Cancelled). Two orders end in the same item line (equal item fields, blank order fields).
    Returns one dict per order: reference, email, status, total, subtotals (one per line)."""
    orders, rows = [], []
    for number in range(14):
        name, email = ODOO_PARTNERS[number % len(ODOO_PARTNERS)]
        items = []
        for line in range(1 + number % 3):
            product, price = ODOO_PRODUCTS[(number + line) % len(ODOO_PRODUCTS)]
            quantity = 1 + (number + line) % 3
            items.append((product, quantity, price))
        if number in (4, 7):  # equal item lines in two orders: no duplicate, each its order's
            items.append(("[FURN_8888] Office Lamp", 2, 40.0))
        subtotals = [round(quantity * price, 2) for _, quantity, price in items]
        total = round(sum(subtotals) * 1.15, 2)
        status = {6: "Cancelled", 9: "Quotation", 11: "Locked"}.get(number, "Sales Order")
        orders.append(
            {
                "reference": f"S{number + 1:05d}",
                "email": email,
                "status": status,
                "total": total,
                "subtotals": subtotals,
            }
        )
        for line, (product, quantity, price) in enumerate(items):
            first = line == 0
            order_fields = [
                f"S{number + 1:05d}",
                name,
                email,
                f"2024-03-{number + 1:02d} 09:{number:02d}:31",
                status,
                f"{total}",
            ]
            rows.append(
                (order_fields if first else [""] * len(order_fields))
                + [product, f"{quantity:.1f}", f"{price}", f"{quantity * price}"]
            )
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ODOO_HEADER)
        writer.writerows(rows)
    return orders


@pytest.mark.parametrize("amount", [None, "Order Lines/Subtotal"], ids=["total", "subtotal"])
def test_odoo_lines_below_an_orders_first_line_take_its_order_customer_and_date(
    tmp_path: Path, amount: str | None
):
    """The lines below an order's first line take its reference, customer and date, so every
    line is kept: with `Total` as the amount (by its synonym) each order counts its total once;
    with `Order Lines/Subtotal` named as the amount, each line its subtotal. A Quotation is no
    purchase, a Cancelled order a return, on all their lines."""
    orders_path = tmp_path / "Quotations (sale.order).csv"
    orders = write_odoo_sale_orders(orders_path)
    customers = tmp_path / "contacts.csv"
    emails = sorted({order["email"] for order in orders})
    customers.write_text(
        "Customer ID,Email,Age\n"
        + "".join(f"P{index:02d},{email},{40 + index}\n" for index, email in enumerate(emails))
    )
    customer_of = {email: f"P{index:02d}" for index, email in enumerate(emails)}
    variables = {"orders_path": str(orders_path), "customers_path": str(customers)}
    if amount:
        variables["order_columns"] = {"amount": amount}
    run = run_dbt(tmp_path / "run", variables=variables, extra_args=FEATURES_SELECTION)
    output = " ".join(run.output.split())
    assert "an order's fields are written on its first line only" in output, output[-3000:]

    lines = sum(len(order["subtotals"]) for order in orders)
    assert lines > len(orders) + 5  # orders of several lines
    assert run.scalar("select count(*) from base_orders") == lines
    rejected = run.query("select order_id, rejection_reason from orders_rejected")
    quotations = [order for order in orders if order["status"] == "Quotation"]
    assert sorted(rejected) == sorted(
        (order["reference"], "status 'Quotation' is no purchase (var non_purchase_values)")
        for order in quotations
        for _ in order["subtotals"]
    )
    assert dict(run.query("select order_id, min(customer_id) from stg_orders group by 1")) == {
        order["reference"]: customer_of[order["email"]]
        for order in orders
        if order["status"] != "Quotation"
    }

    def value(order: dict) -> float:
        return sum(order["subtotals"]) if amount else order["total"]

    expected: dict[str, list] = {customer: [0, 0.0, 0, 0.0] for customer in customer_of.values()}
    for order in orders:
        counts = expected[customer_of[order["email"]]]
        if order["status"] in ("Sales Order", "Locked"):
            counts[0] += 1
            counts[1] += value(order)
        elif order["status"] == "Cancelled":
            counts[2] += 1
            counts[3] += value(order)
    features = run.query(
        "select customer_id, frequency, monetary, return_count, return_amount"
        " from int_customer_features order by customer_id"
    )
    assert [
        (customer, frequency, round(spend, 2), returns, round(returned, 2))
        for customer, frequency, spend, returns, returned in features
    ] == [
        (customer, counts[0], round(counts[1], 2), counts[2], round(counts[3], 2))
        for customer, counts in sorted(expected.items())
    ]


def test_a_few_lines_without_an_order_id_are_still_rejected_with_their_reason(tmp_path: Path):
    """An ordinary export whose order id is blank on a few lines: lines with a customer or a date
    of their own, and two lines with neither (too few to be an export that writes an order's
    fields on its first line only), keep their reasons; nothing is filled from the line above."""
    lines = ["Order ID,Customer ID,Order Date,Product,Quantity,Amount"]
    for number in range(30):
        order_id = "" if number in (4, 17, 23) else f"O{number:03d}"
        lines.append(f"{order_id},C{number % 7},2024-04-{1 + number % 28:02d},Tea,1,{5 + number}")
    lines += [",,,Tea,2,11.5", ",,,Mug,1,7.25"]
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "+stg_orders +orders_rejected", "--indirect-selection", "cautious"],
    )
    output = " ".join(run.output.split())
    assert "fields are written on its first line only" not in output
    # The rejected-share WARN names the likely cause of lines without any order field.
    assert (
        "reason 2: missing order_id; missing customer_id; missing order_date (2 rows). Lines with"
        " no order id, customer or date of their own: an export that writes an order's fields"
        " on its first line only" in output
    ), output[-3000:]
    rejected = run.query(
        "select source_row_number, rejection_reason from base_orders"
        " where rejection_reason is not null order by 1"
    )
    assert rejected == [
        (5, "missing order_id"),
        (18, "missing order_id"),
        (24, "missing order_id"),
        (31, "missing order_id; missing customer_id; missing order_date"),
        (32, "missing order_id; missing customer_id; missing order_date"),
    ]


def test_an_attendee_report_is_keyed_by_the_buyer_not_each_attendee(tmp_path: Path):
    """Eventbrite's attendee report writes a line per ticket with the attendee's `Email` and the
    order's `Buyer Email`: the bare `Email` was taken, so each guest became a customer and an
    order of four tickets was split over four people. The buyer's email keys the lines now."""
    header = "Order #,Order Date,First Name,Last Name,Email,Buyer Email,Quantity,Ticket Type,Amount"
    lines, spend = [header], defaultdict(float)
    for order in range(6):
        buyer = f"buyer{order % 4}@example.com"
        for ticket in range(1 + order % 3):
            email = buyer if ticket == 0 else f"guest{order}-{ticket}@example.com"
            lines.append(
                f"88000{order},2024-04-0{order + 1} 10:00,Ann,Lee,{email},{buyer},1,"
                f"General,{25 + order}.00"
            )
            spend[buyer] += 25 + order
    orders = tmp_path / "attendees.csv"
    orders.write_text("\n".join(lines) + "\n")
    features, run = features_of_orders(tmp_path / "run", orders)
    assert {customer: monetary for customer, (monetary, _) in features.items()} == pytest.approx(
        dict(spend)
    )
    assert "customer_id <- Buyer Email" in " ".join(run.output.split())


def test_ga4_purchase_events_are_keyed_by_the_pseudo_id_and_dated(tmp_path: Path):
    """GA4's BigQuery export, its purchase events flattened: `user_id` only for signed-in users
    (blank on most events, which were rejected as missing customer_id), `user_pseudo_id` on
    every one, `event_date` as yyyymmdd and `event_timestamp` in microseconds (neither was an
    order date header: the build stopped). Keyed by the pseudo id and dated now."""
    header = "event_date,event_timestamp,event_name,user_pseudo_id,user_id,transaction_id,"
    header += "purchase_revenue"
    lines, spend = [header], defaultdict(float)
    for event in range(12):
        pseudo = f"{1000 + event % 5}.{1700000000 + event % 5}"
        user = "u42" if event % 4 == 0 else ""
        stamp = 1709280000000000 + event * 86_400_000_000  # 2024-03-01 08:00 UTC, a day apart
        day = f"202403{1 + event:02d}"
        revenue = 20.0 + event
        lines.append(f"{day},{stamp},purchase,{pseudo},{user},T{event},{revenue}")
        spend[pseudo] += revenue
    events = tmp_path / "ga4_purchases.csv"
    events.write_text("\n".join(lines) + "\n")
    features, run = features_of_orders(tmp_path / "run", events)
    assert {customer: monetary for customer, (monetary, _) in features.items()} == pytest.approx(
        dict(spend)
    )
    assert run.scalar("select count(*) from base_orders where rejection_reason is null") == 12
    console = " ".join(run.output.split())
    assert "customer_id <- user_pseudo_id" in console and "order_date <- event_date" in console


def test_a_refunded_flag_column_makes_the_sale_a_return(tmp_path: Path):
    """Gumroad's sales export flags a refunded sale in `Fully Refunded?` (0 / 1) and has no status
    column: every refunded sale counted as a purchase, green. A yes in a refunded flag column is a
    return now, as a refunded status is; `Refunded?`, set for a partial refund too, is not read
    when `Fully Refunded?` is there."""
    header = "Purchase ID,Item Name,Purchase Email,Buyer Email,Purchase Date,Sale Price ($),"
    header += "Refunded?,Fully Refunded?,Disputed?"
    lines, spend, returns = [header], defaultdict(float), defaultdict(float)
    for sale in range(14):
        email = f"fan{sale % 4}@example.com"
        refunded, partial = int(sale % 5 == 1), int(sale % 7 == 3)  # Refunded? is any refund
        price = 9.0 + sale
        buyer = email if sale % 2 else ""  # blank for a buyer without a Gumroad account
        lines.append(
            f"{5263187500 + sale},Zine,{email},{buyer},2024-02-{sale + 1:02d},{price:.2f},"
            f"{max(refunded, partial)},{refunded},0"
        )
        (returns if refunded else spend)[email] += price
    sales = tmp_path / "sales.csv"
    sales.write_text("\n".join(lines) + "\n")
    features, _ = features_of_orders(
        tmp_path / "run", sales, order_columns={"amount": "Sale Price ($)"}
    )
    assert features == {
        email: (pytest.approx(spend[email]), pytest.approx(returns[email])) for email in spend
    }


def paypal_activity_download() -> tuple[str, dict[str, list[float]], int]:
    """PayPal's Activity download as the merchant saves it (dd/mm/yyyy, quoted, a BOM, `Balance
    Impact` last): payments From the buyer To the shop, refunds and a chargeback From the shop To
    the buyer (negative Gross), a currency conversion and a bank withdrawal (no sale), a `Pending`
    payment (no sale yet). Returns the
    text, {buyer: [purchases, returns]} and the number of no-sale lines."""
    header = (
        '"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net",'
        '"From Email Address","To Email Address","Transaction ID","Item Title","Balance Impact"'
    )
    shop = "sales@teapotshop.co.uk"
    lines, money, no_sale = [header], defaultdict(lambda: [0.0, 0.0]), 0
    rows = [
        ("Express Checkout Payment", "mia@example.co.uk", 120.0),
        ("Website Payment", "leo@example.co.uk", 1250.0),
        ("Mobile Payment", "mia@example.co.uk", 18.0),
        ("Payment Refund", "mia@example.co.uk", -18.0),
        ("Express Checkout Payment", "ava@example.co.uk", 60.0),
        ("Chargeback", "ava@example.co.uk", -60.0),
        ("General Currency Conversion", None, -35.5),
        ("General Withdrawal", None, -1500.0),
        ("Website Payment", "leo@example.co.uk", 24.99),
        ("Express Checkout Payment", "ava@example.co.uk", 30.0),  # Pending: not yet a sale
    ]
    for day, (kind, buyer, gross) in enumerate(rows, start=1):
        status = "Pending" if day == len(rows) else "Completed"
        out = gross < 0
        sender, receiver = (shop, buyer or "") if out else (buyer or "", shop)
        amount = f"{gross:,.2f}"
        lines.append(
            f'"{day + 12:02d}/03/2024","10:{day:02d}:00","Europe/London","Name {day}","{kind}",'
            f'"{status}","GBP","{amount}","0.00","{amount}","{sender}","{receiver}",'
            f'"{day}X{day * 7919:08d}","Teapot order","{"Debit" if out else "Credit"}"'
        )
        if buyer is None or status == "Pending":
            no_sale += 1
        else:
            money[buyer][1 if out else 0] += abs(gross)
    return "\ufeff" + "\n".join(lines) + "\n", dict(money), no_sale


def test_a_paypal_activity_download_gives_each_refund_to_its_buyer(tmp_path: Path):
    """PayPal writes a refund or a chargeback From the merchant To the buyer: keyed by `From Email
    Address`, the merchant was a customer holding every refund and every bank withdrawal (and went
    into the campaign files), and the refunded buyers had no return, green. The download is
    recognised and mapped now: the buyer is To on a line that takes money out, `Payment Refund`
    and `Chargeback` are returns, a withdrawal, a currency conversion or a payment whose `Status`
    is `Pending` is no sale (rejected with its reason); the file's own columns stay as they
    arrived."""
    text, money, no_sale = paypal_activity_download()
    path = tmp_path / "Download.CSV"
    path.write_text(text)
    features, run = features_of_orders(tmp_path / "run", path)
    assert features == {
        buyer: (pytest.approx(bought), pytest.approx(returned))
        for buyer, (bought, returned) in money.items()
    }
    reasons = [row[0] for row in run.query("select rejection_reason from base_orders")]
    assert sum(reason is not None and "is no purchase" in reason for reason in reasons) == no_sale
    console = " ".join(run.output.split())
    assert "a PayPal activity download (Gross, From / To Email Address, Type)" in console


def test_a_wix_stores_export_is_mapped_without_vars(tmp_path: Path):
    """Wix Stores' orders export names its date `Date created` and its customer `Contact email`
    (neither a synonym: the build stopped twice, one missing column at a time) and writes prices
    in the shop's sign (`₪39.50`: not a number, every line rejected). Mapped and read now; its
    `Total` repeats the order's total on every line, so the line value is Qty x Price."""
    header = "Order number,Date created,Time,Billing customer,Item,Qty,Price,Total,Contact email"
    lines, spend = [header], defaultdict(float)
    for order in range(14):
        email = f"c{order % 3}@example.co.il"
        items = [(1 + line, 39.5 + order + 10 * line) for line in range(1 + order % 2)]
        total = sum(quantity * price for quantity, price in items)
        for quantity, price in items:
            lines.append(
                f'{10055 + order},"Nov {order + 13}, 2023",7:02 PM,Shira Azoulay,Scarf,{quantity},'
                f"₪{price:.2f},₪{total:,.2f},{email}"
            )
            spend[email] += quantity * price
    orders = tmp_path / "wix_orders.csv"
    orders.write_text("\ufeff" + "\n".join(lines) + "\n")
    features, run = features_of_orders(tmp_path / "run", orders)
    assert {customer: monetary for customer, (monetary, _) in features.items()} == pytest.approx(
        dict(spend)
    )
    console = " ".join(run.output.split())
    assert "customer_id <- Contact email" in console and "order_date <- Date created" in console


def quickbooks_sales_by_customer_detail() -> tuple[str, dict[str, tuple[int, float, float]]]:
    """QuickBooks Online's "Sales by Customer Detail" as it exports: a title block, a header whose
    first column has no name, per customer a heading row (the name alone), its lines with the
    first cell blank (invoices of several lines, sales receipts, a refund receipt of negative
    amount), `Total for <name>`, a `TOTAL` row and a footer. Returns the text and {customer:
    (orders, purchases, returns)} worked out from the lines."""
    lines = [
        "Sales by Customer Detail",
        "Craig's Design and Landscaping Services",
        '"January - December, 2023"',
        "",
        ",Date,Transaction Type,Num,Product/Service,Memo/Description,Qty,Sales Price,Amount,"
        "Balance",
    ]
    customers = ["Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars", "Diego Rodriguez"]
    customers += ["Dukes Basketball Camp", "Geeta Kalapatapu", "Jeff's Jalopies", "Mark Cho"]
    expected, grand, number = {}, 0.0, 1000
    for index, customer in enumerate(customers):
        lines.append(customer + ",,,,,,,,,")
        balance, orders, bought, returned = 0.0, set(), 0.0, 0.0
        for document in range(2 + index % 3):
            number += 1
            kind = (
                "Refund Receipt" if document == 2 else ("Invoice" if document else "Sales Receipt")
            )
            for item in range(1 + document % 2):
                quantity, price = 1 + item + index, 25.0 + 10 * document
                amount = -quantity * price if kind == "Refund Receipt" else quantity * price
                balance += amount
                day = f"{3 + index:02d}/{10 + document + item:02d}/2023"
                lines.append(
                    f",{day},{kind},{number},Gardening,Weekly Gardening Service,"
                    f"{quantity:.2f},{price:.2f},{amount:.2f},{balance:.2f}"
                )
                if amount > 0:
                    orders.add(number)
                    bought += amount
                else:
                    returned += -amount
        lines.append(f'Total for {customer},,,,,,,,"${balance:,.2f}",')
        grand += balance
        expected[customer] = (len(orders), bought, returned)
    lines += [f'TOTAL,,,,,,,,"${grand:,.2f}",', "", "", '"Accrual Basis Friday, January 5, 2024"']
    return "\n".join(lines) + "\n", expected


def test_a_report_grouped_by_customer_gives_each_line_the_customer_above_it(tmp_path: Path):
    """QuickBooks' Sales by Customer Detail writes the customer on a heading row above its lines:
    no column holds it, so the build stopped asking for a customer_id, and mapped to the first
    column every line was rejected. The heading above each line is its customer now; the headings
    and the Total rows are rejected with their own reason and left out of the rejected share."""
    text, expected = quickbooks_sales_by_customer_detail()
    path = tmp_path / "SalesByCustomerDetail.csv"
    path.write_text(text)
    run = run_dbt(
        tmp_path / "run",
        command="build",
        variables={"orders_path": str(path)},
        extra_args=[
            "--select",
            "+int_customer_features order_rows_rejected_over_warn_share",
            "--indirect-selection",
            "cautious",
        ],
    )
    features = {
        customer: (frequency, pytest.approx(monetary), pytest.approx(returned))
        for customer, frequency, monetary, returned in run.query(
            "select customer_id, frequency, monetary, return_amount from int_customer_features"
        )
    }
    assert features == expected
    reasons = dict(
        run.query("select rejection_reason, count(*) from base_orders group by rejection_reason")
    )
    assert reasons.pop(
        "a heading of a report grouped by customer (its name is the customer of the lines below)"
    ) == len(expected)
    assert (
        reasons.pop(
            "a total or footer row of a report grouped by customer (its lines are counted, not it)"
        )
        == len(expected) + 1
    )
    assert set(reasons) <= {None, "unreadable line: too few columns (expected 10, found 1)"}
    console = " ".join(run.output.split())
    assert "a report grouped by customer (as QuickBooks' Sales by Customer Detail)" in console
    assert re.search(r"PASS\S* order_rows_rejected_over_warn_share", console), console[-3000:]
