"""Issue 7, "Done when": fixtures in each real shape, generated here, built end to end by vars.

1. A marketing-campaign customer table (TSV, plain-unit `Income`, `Dt_Customer` as dd-mm-yyyy,
   `Year_Birth` and six `Mnt*` columns turned into age and total spend by `derived_features`).
2. A retailer transaction log: whitespace-aligned, CRLF, no header, no order id, `yyyymmdd` dates,
   mapped by position (`column0` ...), with a 2099 line and a ragged line.
3. The same log with a header line and tabs (header detection), a smaller build.
4. A line-grain invoice export (`C` cancellations, `m/d/yyyy h:mm`, a quarter of the lines without
   a customer id), the generator shared with test_staging_order_lines.
5. A German CRM's contacts and orders exports with a title padded to the table's width and a
   group-header row above the header (staging only).

Each build goes to `customer_segments` / `segment_profiles` (the header-detection one to the
features), and in each `input_summary` adds up to the rows read (`base_*`).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from .conftest import DbtRun, run_dbt, shared_build
from .test_staging_order_lines import expected_from_pandas, write_invoice_export

pytestmark = pytest.mark.dbt

SEGMENTS = [
    "--select",
    "+segment_profiles +customer_segments +input_summary +customer_features",
    "--indirect-selection",
    "cautious",
]
SPEND_COLUMNS = [
    "MntWines",
    "MntFruits",
    "MntMeatProducts",
    "MntFishProducts",
    "MntSweetProducts",
    "MntGoldProds",
]
DERIVED = {
    "age": "2014 - year_birth",
    "total_spend": "mnt_wines + mnt_fruits + mnt_meat_products + mnt_fish_products"
    " + mnt_sweet_products + mnt_gold_prods",
}
RFM_NAMES = {
    "At Risk",
    "Can't Lose",
    "Champions",
    "Hibernating",
    "Lost",
    "Loyal",
    "New",
    "Potential Loyalists",
}


def assert_input_summary_adds_up(run: DbtRun, kind: str) -> dict[str, int]:
    """input_summary rows of one input sum to the rows read, and kept/returns/discounts match
    staging."""
    summary = dict(
        run.query(f"select outcome, row_count from input_summary where input = '{kind}'")
    )
    read = run.scalar(f"select count(*) from base_{kind}")
    assert sum(summary.values()) == read
    rejected = run.scalar(f"select count(*) from {kind}_rejected")
    assert sum(v for k, v in summary.items() if k.startswith("rejected: ")) == rejected
    staged = run.scalar(f"select count(*) from stg_{kind}")
    kept = summary.get("kept", 0) + summary.get("return", 0) + summary.get("discount", 0)
    assert kept == staged
    return summary


# ---------------------------------------------------------------- 1. marketing campaign (TSV)


def write_marketing_campaign(path: Path) -> pd.DataFrame:
    rng = random.Random(2240)
    header = [
        "ID",
        "Year_Birth",
        "Education",
        "Marital_Status",
        "Income",
        "Kidhome",
        "Teenhome",
        "Dt_Customer",
        "Recency",
        *SPEND_COLUMNS,
        "NumWebPurchases",
        "NumStorePurchases",
    ]
    rows = []
    for index in range(400):
        signup = date(2012, 7, 30) + timedelta(days=rng.randrange(0, 700))
        # Roughly the study's spread (median ~52k, quartiles ~35k / ~68k), in currency units.
        income = "" if index % 97 == 5 else str(max(1730, int(rng.gauss(52000, 21000))))
        if index == 123:
            income = "666666"
        rows.append(
            [
                str(5524 + index * 7),
                str(rng.randrange(1940, 1997)),
                rng.choice(["Graduation", "PhD", "Master", "Basic", "2n Cycle"]),
                rng.choice(["Married", "Together", "Single", "Divorced", "Widow"]),
                income,
                str(rng.randrange(0, 3)),
                str(rng.randrange(0, 3)),
                signup.strftime("%d-%m-%Y"),
                str(rng.randrange(0, 100)),
                *(str(int(rng.paretovariate(1.5) * 10)) for _ in SPEND_COLUMNS),
                str(rng.randrange(0, 12)),
                str(rng.randrange(0, 14)),
            ]
        )
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    frame = pd.DataFrame(rows, columns=header)
    frame["signup_date"] = pd.to_datetime(frame["Dt_Customer"], format="%d-%m-%Y").dt.date
    return frame


@shared_build
def marketing_campaign_build(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("shape_marketing")
    path = folder / "marketing_campaign.csv"
    frame = write_marketing_campaign(path)
    run = run_dbt(
        folder / "run",
        variables={
            "customers_path": str(path),
            "customer_columns": {"signup_date": "Dt_Customer"},
            "derived_features": DERIVED,
            "segmentation_features": ["age", "income", "total_spend"],
        },
        extra_args=SEGMENTS,
    )
    return run, frame


def test_marketing_campaign_end_to_end(marketing_campaign_build):
    run, frame = marketing_campaign_build
    summary = assert_input_summary_adds_up(run, "customers")
    assert summary == {"kept": len(frame)}
    segmented = {r[0] for r in run.query("select customer_id from customer_segments")}
    assert segmented == set(frame["ID"])
    # Plain-unit income stays `income`; nothing pretends it is in thousands.
    features = run.frame(
        "select f.customer_id, f.income, f.annual_income_k, f.age, f.total_spend, s.signup_date"
        " from customer_features f join stg_customers s using (customer_id)"
    ).to_pandas()
    features = features.set_index("customer_id").loc[frame["ID"]]
    assert features["annual_income_k"].isna().all()
    expected_income = pd.to_numeric(frame["Income"], errors="coerce").to_numpy()
    assert features["income"].isna().tolist() == pd.isna(expected_income).tolist()
    assert features["income"].dropna().tolist() == pytest.approx(
        expected_income[~pd.isna(expected_income)].tolist()
    )
    assert features["age"].tolist() == (2014 - frame["Year_Birth"].astype(int)).tolist()
    spend = frame[SPEND_COLUMNS].astype(int).sum(axis=1)
    assert features["total_spend"].tolist() == spend.tolist()
    # dd-mm-yyyy read day-first (days above 12 are in the data, so month-first cannot pass).
    assert [pd.Timestamp(d).date() for d in features["signup_date"]] == frame[
        "signup_date"
    ].tolist()
    assert run.query("select feature_name from feature_scaling order by feature_order") == [
        ("age",),
        ("income",),
        ("total_spend",),
    ]
    # The 666666 income is flagged, and does not get a segment of its own.
    rich = frame.loc[frame["Income"] == "666666", "ID"].item()
    is_outlier, segment_id = run.query(
        f"select is_outlier, segment_id from customer_segments where customer_id = '{rich}'"
    )[0]
    assert is_outlier
    assert run.scalar(f"select count(*) from customer_segments where segment_id = {segment_id}") > 1
    names = [r[0] for r in run.query("select segment_name from segment_profiles")]
    assert len(names) >= 2 and len(set(names)) == len(names)
    assert all(0 < len(name) <= 40 for name in names), names
    assert "thousand" not in " ".join(names).lower()


# ------------------------------------------------- 2. whitespace transaction log, no header


def write_transaction_log(path: Path, customers: int, header: bool, tab: bool) -> pd.DataFrame:
    """Id, yyyymmdd date, quantity, dollars; a 2099 line and a ragged line. Returns every line."""
    rng = random.Random(1997 + customers)
    lines = []
    for customer in range(1, customers + 1):
        first = date(1997, 1, 1) + timedelta(days=rng.randrange(0, 90))
        for _ in range(rng.randrange(1, 5)):
            day = first + timedelta(days=rng.randrange(0, 540))
            quantity = rng.randrange(1, 6)
            lines.append(
                [
                    f"{customer:05d}",
                    day.strftime("%Y%m%d"),
                    str(quantity),
                    f"{quantity * rng.choice([11.77, 12.0, 15.36, 29.33]):.2f}",
                ]
            )
    lines.insert(len(lines) // 2, ["00007", "20990101", "1", "11.77"])
    lines.insert(len(lines) // 3, ["00008", "19970302", "2", "20.00", "EXTRA"])
    if tab:
        text = ["\t".join(line) for line in lines]
    else:
        text = ["".join(f"{field:>10}" for field in line) for line in lines]
    if header:
        heading = ["customer_id", "order_date", "quantity", "amount"]
        text.insert(0, "\t".join(heading) if tab else "".join(f"{h:>12}" for h in heading))
    path.write_bytes(("\r\n".join(text) + "\r\n").encode())
    frame = pd.DataFrame(
        [line[:4] for line in lines], columns=["customer_id", "day", "quantity", "amount"]
    )
    frame["row"] = range(1, len(frame) + 1)
    frame["ragged"] = [len(line) != 4 for line in lines]
    return frame


def expected_rfm(frame: pd.DataFrame) -> pd.DataFrame:
    """Recency, frequency, monetary by pandas: each line is an order; future dates dropped."""
    valid = frame[~frame["ragged"]].copy()
    valid["day"] = pd.to_datetime(valid["day"], format="%Y%m%d")
    valid = valid[valid["day"] <= pd.Timestamp(date.today())]
    valid["amount"] = valid["amount"].astype(float)
    as_of = valid["day"].max() + pd.Timedelta(days=1)
    grouped = valid.groupby("customer_id")
    return pd.DataFrame(
        {
            "frequency": grouped.size(),
            "monetary": grouped["amount"].sum(),
            "recency_days": (as_of - grouped["day"].max()).dt.days,
        }
    )


def features_by_customer(run: DbtRun) -> pd.DataFrame:
    return (
        run.frame("select customer_id, frequency, monetary, recency_days from customer_features")
        .to_pandas()
        .set_index("customer_id")
        .sort_index()
    )


def assert_rfm_equals_pandas(run: DbtRun, frame: pd.DataFrame) -> None:
    expected = expected_rfm(frame).sort_index()
    got = features_by_customer(run)
    assert list(got.index) == list(expected.index)
    assert got["frequency"].tolist() == expected["frequency"].tolist()
    assert got["recency_days"].tolist() == expected["recency_days"].tolist()
    assert got["monetary"].tolist() == pytest.approx(expected["monetary"].tolist(), abs=1e-9)


LOG_COLUMNS = {
    "customer_id": "column0",
    "order_date": "column1",
    "quantity": "column2",
    "amount": "column3",
}


@shared_build
def transaction_log_build(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("shape_transaction_log")
    path = folder / "cdnow_master.txt"
    frame = write_transaction_log(path, customers=300, header=False, tab=False)
    run = run_dbt(
        folder / "run",
        variables={"orders_path": str(path), "order_columns": LOG_COLUMNS},
        extra_args=SEGMENTS,
    )
    return run, frame


def test_transaction_log_end_to_end(transaction_log_build):
    run, frame = transaction_log_build
    summary = assert_input_summary_adds_up(run, "orders")
    assert run.scalar("select count(*) from base_orders") == len(frame)
    assert_rfm_equals_pandas(run, frame)
    # Both planted lines rejected, each with its reason. The unreadable one is numbered after the
    # rows read; its raw_record says which line of the file it is and the line as it arrived.
    rejected = run.query("select raw_record, rejection_reason from orders_rejected order by 1")
    assert len(rejected) == 2
    by_text = {("EXTRA" in raw, "20990101" in raw): reason for raw, reason in rejected}
    assert by_text[(True, False)] == "unreadable line: too many columns (expected 4, found 5)"
    assert by_text[(False, True)] == "order_date in the future"
    (file_line,) = frame.loc[frame["ragged"], "row"].tolist()  # no header: row = line in the file
    unreadable = json.loads(next(raw for raw, _ in rejected if "EXTRA" in raw))
    assert unreadable == {
        "line_number": file_line,
        "text": "".join(f"{field:>10}" for field in ["00008", "19970302", "2", "20.00", "EXTRA"]),
    }
    assert unreadable["line_number"] != run.scalar(
        "select source_row_number from orders_rejected where raw_record like '%EXTRA%'"
    )
    assert sum(v for k, v in summary.items() if k.startswith("rejected: ")) == 2
    # Segments on recency / frequency / monetary, named in the RFM vocabulary.
    assert [
        r[0] for r in run.query("select feature_name from feature_scaling order by feature_order")
    ] == ["recency_days", "frequency", "monetary"]
    segmented = {r[0] for r in run.query("select customer_id from customer_segments")}
    assert segmented == set(expected_rfm(frame).index)
    names = [r[0] for r in run.query("select segment_name from segment_profiles")]
    assert len(set(names)) == len(names) >= 2
    assert all(any(rfm in name for rfm in RFM_NAMES) for name in names), names


# --------------------------------------------------- 3. the same log with a header and tabs


def test_headed_tab_log_is_detected_and_built(tmp_path: Path):
    # No order_columns and no csv_header / csv_delimiter: the header line is detected and its
    # names map the columns; were it read as data, mapping would fail or one row would be extra.
    path = tmp_path / "transactions_headed.tsv"
    frame = write_transaction_log(path, customers=60, header=True, tab=True)
    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(path)},
        extra_args=[
            "--select",
            "+customer_features +input_summary",
            "--indirect-selection",
            "cautious",
        ],
    )
    assert_input_summary_adds_up(run, "orders")
    assert run.scalar("select count(*) from base_orders") == len(frame)
    assert run.scalar("select count(*) from base_orders where customer_id = 'customer_id'") == 0
    assert_rfm_equals_pandas(run, frame)


# ------------------------------------------------------------ 4. line-grain invoice export


@shared_build
def invoice_export_build(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("shape_invoices")
    path = folder / "online_retail.csv"
    write_invoice_export(path)
    run = run_dbt(
        folder / "run",
        variables={"orders_path": str(path), "cancellation_prefix": "C"},
        extra_args=SEGMENTS,
    )
    return run, expected_from_pandas(path)


def test_invoice_export_end_to_end(invoice_export_build):
    run, expected = invoice_export_build
    summary = assert_input_summary_adds_up(run, "orders")
    assert sum(summary.values()) == len(expected)
    kept = expected[expected["kept"]]
    assert summary["return"] == int(kept["is_return"].sum())
    assert summary["discount"] == int(kept["is_discount"].sum()) >= 1
    assert summary["kept"] == int((~kept["is_return"] & ~kept["is_discount"]).sum())
    # Every customer with a kept line is segmented, and only those (blank ids never appear).
    segmented = {r[0] for r in run.query("select customer_id from customer_segments")}
    assert segmented == set(kept["customer_id"])
    assert "" not in segmented
    purchases = kept[~kept["is_return"] & ~kept["is_discount"] & (kept["value"] > 0)]
    # A discount line (`Discount`, stock code D) lowers its customer's spend, and is no return.
    discounts = kept[kept["is_discount"]].groupby("customer_id")["value"].sum()
    spend = purchases.groupby("customer_id")["value"].sum()
    net = spend.sub(discounts, fill_value=0).clip(lower=0)
    returns = kept[kept["is_return"]]
    raw = pd.read_csv(run.workdir.parent / "online_retail.csv", dtype=str, keep_default_na=False)
    returns = returns.assign(invoice=raw.loc[returns.index, "InvoiceNo"])
    return_count = returns.groupby("customer_id")["invoice"].nunique()
    return_amount = returns.groupby("customer_id")["value"].sum()
    got = (
        run.frame(
            "select customer_id, monetary, return_count, return_amount from customer_features"
        )
        .to_pandas()
        .set_index("customer_id")
    )
    assert set(got.index) == segmented
    for customer, row in got.iterrows():
        assert row["monetary"] == pytest.approx(net.get(customer, 0.0), abs=1e-9), customer
        assert row["return_count"] == return_count.get(customer, 0), customer
        assert row["return_amount"] == pytest.approx(return_amount.get(customer, 0.0), abs=1e-9)
    assert (got["return_count"] > 0).sum() > 5
    # The marts count purchases only, as the features do: a returned line is neither revenue nor
    # an order (same macro, is_purchase_line, in the recommendation and retention marts).
    revenue, orders = run.query("select sum(revenue), sum(order_count) from segment_profiles")[0]
    assert revenue == pytest.approx(net.sum(), rel=1e-12)
    purchase_orders = raw.loc[purchases.index, ["InvoiceNo"]].assign(c=purchases["customer_id"])
    assert orders == purchase_orders.drop_duplicates().shape[0]


# ---------------------------------------------------------------- 5. a title as wide as the table


def test_a_title_row_padded_to_the_tables_width_is_skipped_above_the_real_header(
    tmp_path: Path,
):
    """A spreadsheet saves a title in its first cell and pads the line to the table's width
    (`Kontakte Export 01.11.2024;;;;;`), and a CRM's report puts a group-header row above the
    header (`;;Bestellung;;Zahlung`). The first line has all the table's fields, so it was read as
    the header (`Kontakte Export 01.11.2024`, `column1`, ...) and the build stopped with "The input
    has no column for customer_id ... Fix: name it with customer_columns", a fix that names no
    column of the file. The first line that names known columns, within the first few, is the
    header now: the lines above it are skipped and named in the console, every data line is read
    (the summary adds up to the lines below the header), and the customers and orders are the
    file's."""
    rng = random.Random(1101)
    ids = [f"K{1000 + i}" for i in range(40)]
    customers = tmp_path / "kontakte.csv"
    customers.write_text(
        "Kontakte Export 01.11.2024;;;;;\n"
        ";;;;;\n"
        "Kundennummer;Anrede;Alter;Einkommen;E-Mail;Newsletter\n"
        + "".join(
            f"{customer};{rng.choice(['Herr', 'Frau'])};{rng.randint(18, 80)};"
            f"{rng.randint(20, 90)}000,00;{customer.lower()}@example.de;ja\n"
            for customer in ids
        ),
        encoding="utf-8",
    )
    lines = []
    for number in range(120):
        day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 300))
        lines.append(
            f"B{5000 + number};{rng.choice(ids)};{day:%d.%m.%Y};{rng.randint(1, 3)};"
            f"{rng.randint(5, 200)},{rng.randint(0, 99):02d}\n"
        )
    orders = tmp_path / "bestellungen.csv"
    orders.write_text(
        ";;Bestellung;;Zahlung\nBestellnummer;Kundennummer;Bestelldatum;Menge;Betrag\n"
        + "".join(lines),
        encoding="utf-8",
    )
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={
            "customers_path": str(customers),
            "orders_path": str(orders),
            "as_of_date": "2024-11-01",
        },
        extra_args=["--select", "+input_summary", "stg_customers", "stg_orders"],
    )
    assert (
        "below 2 lines of preamble skipped (Kontakte Export 01.11.2024;;;;; / ;;;;;); "
        "columns age <- Alter, customer_id <- Kundennummer" in run.output
    ), run.output[-3000:]
    assert "below 1 line of preamble skipped (;;Bestellung;;Zahlung)" in run.output
    assert sorted(row[0] for row in run.query("select customer_id from stg_customers")) == ids
    assert assert_input_summary_adds_up(run, "customers") == {"kept": 40}
    assert assert_input_summary_adds_up(run, "orders") == {"kept": 120}
    assert run.scalar("select count(distinct order_id) from stg_orders") == 120


def test_prestashop_orders_awaiting_payment_are_no_purchases(tmp_path: Path):
    """PrestaShop's orders export (`;`, `Total` as `61,80 €`, `Status` in the shop's words):
    orders still `Awaiting bank wire payment` / `Awaiting check payment` / `Awaiting cash on
    delivery validation`, and a `Payment error`, counted as purchases, green: money not received
    was in the customer's spend. They are no purchase now, rejected with the status named."""
    statuses = [
        ("Delivered", 61.80),
        ("Payment accepted", 69.90),
        ("Awaiting bank wire payment", 10.00),
        ("Shipped", 35.50),
        ("Awaiting check payment", 12.00),
        ("Payment error", 44.00),
        ("Awaiting cash on delivery validation", 18.25),
        ("Canceled", 20.00),
        ("Delivered", 5.55),
    ]
    lines = ["ID;Reference;New client;Delivery;Customer;Total;Payment;Status;Date"]
    spend: dict[str, float] = {}
    for index, (status, total) in enumerate(statuses):
        customer = ["J. DOE", "A. SMITH", "B. MUELLER"][index % 3]
        amount = f"{total:.2f}".replace(".", ",")
        lines.append(
            f"{1 + index};REF{index:05d};No;France;{customer};{amount} €;Bank wire;{status};"
            f"2024-03-{1 + index:02d} 10:00:00"
        )
        if status in ("Delivered", "Payment accepted", "Shipped"):
            spend[customer] = round(spend.get(customer, 0.0) + total, 2)
    orders = tmp_path / "orders_2024-03.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(orders), "order_columns": {"customer_id": "Customer"}},
        extra_args=["--select", "+int_customer_features"],
    )
    features = dict(run.query("select customer_id, round(monetary, 2) from int_customer_features"))
    assert features == pytest.approx(spend)
    rejected = dict(
        run.query(
            "select order_id, rejection_reason from base_orders where rejection_reason is not null"
        )
    )
    assert rejected == {
        "3": "status 'Awaiting bank wire payment' is no purchase (var non_purchase_values)",
        "5": "status 'Awaiting check payment' is no purchase (var non_purchase_values)",
        "6": "status 'Payment error' is no purchase (var non_purchase_values)",
        "7": "status 'Awaiting cash on delivery validation' is no purchase"
        " (var non_purchase_values)",
    }


def test_ebay_orders_report_month_first_dates_are_read(tmp_path: Path):
    """eBay's orders report writes `Sale Date` month first between dashes (`Mar-01-24`), under
    a blank first line and above its footer (`10 record(s) downloaded, ...`, `Seller ID : ...`).
    No date format read it, and the build stopped with a placeholder `"<format>"` in its fix.
    It is detected now; the footer lines are unreadable lines, each with its reason."""
    header = (
        "Sales Record Number,Order Number,Buyer Username,Buyer Name,Buyer Email,Item Number,"
        "Item Title,Quantity,Sold For,Shipping And Handling,Total Price,Sale Date,Paid On Date"
    )
    lines, dates = ["", header], {}
    for index in range(10):
        sold = date(2024, 2, 20) + timedelta(days=3 * index)
        written = sold.strftime("%b-%d-%y")
        number = f"12-{index:05d}-{index:05d}"
        lines.append(
            f"{101 + index},{number},user{index % 3},Buyer {index % 3},b{index % 3}@example.com,"
            f"{1000 + index},Item {index},1,${10 + index}.00,$5.00,${15 + index}.00,{written},"
            f"{written}"
        )
        dates[number] = sold
    lines += ["", "10 record(s) downloaded,from Feb-20-24 to Mar-18-24", "Seller ID : shop123"]
    orders = tmp_path / "eBay-OrdersReport-Mar-18-2024.csv"
    orders.write_text("\n".join(lines) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "base_orders"],
    )
    kept = run.query(
        "select order_id, order_date, amount from base_orders where rejection_reason is null"
    )
    assert {order: day for order, day, _ in kept} == dates
    assert sum(amount for *_, amount in kept) == pytest.approx(sum(15 + i for i in range(10)))
    assert run.scalar("select count(*) from base_orders where rejection_reason is not null") == 2
    assert "order_date %b-%d-%y (detected)" in run.output


def test_square_customers_join_square_transactions_by_square_customer_id(tmp_path: Path):
    """Square's customers export keys a customer by `Square Customer ID`, which its transactions
    export writes as `Customer ID`. The column was not read as the id: the customers were keyed
    by their email, a customer without one was rejected as missing customer_id, and every
    transaction matched no customer (the build stopped at 100% of order lines rejected)."""
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "Reference ID,First Name,Last Name,Email Address,Phone Number,Postal Code,Birthday,"
        "Square Customer ID,Creation Source,First Visit,Last Visit,Transaction Count,"
        "Total Spend,Email Subscription Status\n"
        ",Ann,Lee,ann@example.com,+1 555 0100,02134,1980-05-01,SQ7K2A,Directory,2024-01-05,"
        "2024-03-03,2,$60.00,subscribed\n"
        ",Tom,Ray,tom@example.com,+1 555 0101,02134,,SQ9M4B,Payment,2024-01-06,2024-03-02,1,"
        "$30.00,unsubscribed\n"
        ",Joe,Poe,,+1 555 0102,02134,,SQ3X8C,Payment,2024-01-07,2024-03-01,1,$12.00,\n"
    )
    orders = tmp_path / "transactions.csv"
    orders.write_text(
        "Date,Time,Time Zone,Gross Sales,Net Sales,Transaction ID,Payment ID,Event Type,"
        "Customer ID,Customer Name\n"
        "2024-03-01,10:01:02,Eastern Time,$20.00,$20.00,T1,P1,Payment,SQ7K2A,Ann Lee\n"
        "2024-03-02,11:01:02,Eastern Time,$30.00,$30.00,T2,P2,Payment,SQ9M4B,Tom Ray\n"
        "2024-03-03,12:01:02,Eastern Time,$40.00,$40.00,T3,P3,Payment,SQ7K2A,Ann Lee\n"
        "2024-03-04,12:01:02,Eastern Time,$12.00,$12.00,T4,P4,Payment,SQ3X8C,Joe Poe\n"
    )
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"customers_path": str(customers), "orders_path": str(orders)},
        extra_args=["--select", "+int_customer_features"],
    )
    features = run.query(
        "select customer_id, email, frequency, monetary from int_customer_features order by 1"
    )
    assert features == [
        ("SQ3X8C", None, 1, 12.0),
        ("SQ7K2A", "ann@example.com", 2, 60.0),
        ("SQ9M4B", "tom@example.com", 1, 30.0),
    ]
    assert run.scalar("select count(*) from base_orders where rejection_reason is not null") == 0
    assert "customer_id <- Square Customer ID" in run.output
