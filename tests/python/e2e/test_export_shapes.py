"""Exports recognised by their shape (macros/inputs/export_shapes.sql), built end to end.

1. Amazon Seller Central's "All Orders" report (tab-separated, `amazon-order-id`, `item-price`):
   `item-price` is the line's total, not a unit price. Before, it was not mapped and the build
   stopped with a fix naming quantity x unit price, which counts a line of 2 units twice.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

FEATURES_SELECTION = [
    "--select",
    "+int_customer_features +orders_rejected +customers_rejected",
    "--indirect-selection",
    "cautious",
]

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
