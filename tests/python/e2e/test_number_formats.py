"""Numbers as exports write them: decimal commas, thousands separators (macros/inputs/numbers.sql).

1. A German shop export: semicolon-separated, Latin-1, `1.081,53` prices, `52.340,50` incomes in
   plain units, a `12,5` extra column, `dd.mm.yyyy` dates, names with commas in them, and two
   order lines written the American way (`12.5`), which are rejected, not read as 125.
2. Values that read two ways (`52.000`: 52 or 52,000?) stop the build until the var says which;
   an American export (`"30,272.25"`) is read without one, and its one `31,8` is rejected.
3. Spreadsheet spellings: currency signs and spaced thousands, decided per input in one build.

Expected values come from pandas reading the same files with its own decimal/thousands options.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

FEATURES = ["--select", "+customer_features +input_summary", "--indirect-selection", "cautious"]
AMERICAN_LINES = (7, 19)  # order lines (0-based) whose price is written `12.5`


def german(number: float, decimals: int = 2) -> str:
    """1081.53 -> '1.081,53' (a German spreadsheet's export)."""
    return f"{number:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def write_german_shop(folder: Path) -> tuple[Path, Path]:
    rng = random.Random(4913)
    customers = folder / "kunden.csv"
    lines = ["Kundennr;Name;Geschlecht;Alter;Jahreseinkommen;Punkte;Treuepunkte"]
    for i in range(240):
        income = rng.uniform(18_000, 140_000)
        lines.append(
            f"K{i:04d};Müller, Jürgen {i};{'mw'[i % 2]};{rng.randint(18, 75)};"
            f"{german(income)};{rng.randint(1, 99)};{german(rng.uniform(0, 40), 1)}"
        )
    customers.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))

    orders = folder / "bestellungen.csv"
    lines = ["Belegnr;Kundennr;Datum;Menge;Einzelpreis"]
    for i in range(1_800):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 360))
        price = rng.choice([rng.uniform(1, 20), rng.uniform(20, 2_500)])
        written = f"{price:.1f}" if i in AMERICAN_LINES else german(price)
        lines.append(
            f"B{i:05d};K{rng.randrange(240):04d};{day:%d.%m.%Y};{rng.randint(1, 6)};{written}"
        )
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return customers, orders


def test_a_german_export_reads_its_numbers(tmp_path: Path):
    customers, orders = write_german_shop(tmp_path)
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(customers),
            "orders_path": str(orders),
            "encoding": "latin1",  # a spelling the reader always took and the var check refused
            "customer_columns": {
                "customer_id": "Kundennr",
                "gender": "Geschlecht",
                "age": "Alter",
                "income": "Jahreseinkommen",
                "spending_score": "Punkte",
            },
            "order_columns": {
                "order_id": "Belegnr",
                "customer_id": "Kundennr",
                "order_date": "Datum",
                "quantity": "Menge",
                "unit_price": "Einzelpreis",
            },
        },
        extra_args=FEATURES,
        lean=True,
    )
    options = {"sep": ";", "decimal": ",", "thousands": ".", "dtype": {"Kundennr": str}}
    kunden = pd.read_csv(customers, encoding="latin-1", **options).set_index("Kundennr")
    staged = run.frame(
        "select customer_id, income, spending_score, treuepunkte from stg_customers"
    ).to_pandas()
    staged = staged.set_index("customer_id").loc[kunden.index]
    assert len(staged) == 240
    assert staged["income"].tolist() == pytest.approx(kunden["Jahreseinkommen"].tolist())
    assert staged["treuepunkte"].tolist() == pytest.approx(kunden["Treuepunkte"].tolist())
    assert staged["income"].min() > 18_000  # not 18.0: the '.' is a thousands separator here
    genders = dict(run.query("select gender, count(*) from stg_customers group by gender"))
    assert genders == {"Male": 120, "Female": 120}  # m / w (weiblich)

    lines = pd.read_csv(orders, **options, converters={"Einzelpreis": str})
    american = lines.index.isin(AMERICAN_LINES)
    price = lines["Einzelpreis"].str.replace(".", "").str.replace(",", ".").astype(float)
    expected = (lines["Menge"] * price)[~american].groupby(lines["Kundennr"][~american]).sum()
    monetary = dict(run.query("select customer_id, monetary from customer_features"))
    assert {k: v for k, v in monetary.items() if v} == pytest.approx(expected.to_dict())

    rejected = run.query("select source_row_number, rejection_reason from orders_rejected")
    assert sorted(rejected) == [
        (line + 1, "unit_price is not a number") for line in sorted(AMERICAN_LINES)
    ]
    assert (
        f"base_orders: reading {orders} (CSV: ';' between columns, a header, latin-1); columns "
        "customer_id <- Kundennr, order_date <- Datum, order_id <- Belegnr, quantity <- Menge, "
        "unit_price <- Einzelpreis; decimal separator ','; order_date %d.%m.%Y (detected)"
    ) in run.output
    assert f"base_customers: reading {customers} (CSV: ';' between columns, a header, latin-1)" in (
        run.output
    )
    summary = dict(run.query("select outcome, row_count from input_summary where input = 'orders'"))
    assert summary == {"kept": 1_798, "rejected: unit_price is not a number": 2}


def test_numbers_that_read_two_ways_stop_until_the_var_says_which(tmp_path: Path):
    rng = random.Random(77)
    thousands = tmp_path / "incomes.csv"  # 52.000 = 52,000 in a German export of whole euros
    thousands.write_text(
        "id;gender;age;income;score\n"
        + "".join(
            f"T{i};Female;{rng.randint(18, 70)};{german(rng.randint(15, 140) * 1000, 0)};"
            f"{rng.randint(1, 99)}\n"
            for i in range(60)
        )
    )
    customers_only = ["--select", "base_customers"]
    stopped = run_dbt(
        tmp_path / "auto",
        variables={"customers_path": str(thousands)},
        extra_args=customers_only,
        check=False,
    )
    assert stopped.result.returncode != 0
    assert "have one separator followed by three digits" in stopped.output
    assert "(column income)" in stopped.output
    assert "--vars '{decimal_separator: \",\"}' if " in stopped.output
    assert not stopped.database.exists() or not stopped.query(
        "select 1 from information_schema.tables where table_name = 'base_customers'"
    )

    settled = run_dbt(
        tmp_path / "comma",
        variables={"customers_path": str(thousands), "decimal_separator": ","},
        extra_args=customers_only,
    )
    incomes = [row[0] for row in settled.query("select income from base_customers")]
    assert len(incomes) == 60 and all(v % 1000 == 0 and v >= 15_000 for v in incomes)

    american = tmp_path / "us.csv"
    rows = [
        f'U{i},Male,{20 + i % 50},"{30_000 + i * 1_234.5:,.2f}",{1 + i % 99}' for i in range(59)
    ]
    american.write_text(
        "id,gender,age,income,score\n" + "\n".join(rows) + '\nU59,Male,30,"31,8",5\n'
    )
    run = run_dbt(
        tmp_path / "us",
        variables={"customers_path": str(american)},
        extra_args=customers_only,
    )
    read = dict(run.query("select customer_id, income from base_customers"))
    assert read["U1"] == pytest.approx(31_234.5) and read["U58"] == pytest.approx(101_601.0)
    assert read["U59"] is None
    assert run.query("select rejection_reason from base_customers where customer_id = 'U59'") == [
        ("income is not a number",)
    ]


def test_currency_signs_and_spaced_thousands_are_read_per_input(tmp_path: Path):
    """Spreadsheet spellings: a French customers file (`1 081,53 €` with a no-break space) and an
    American orders file (`$1,081.53`, `-$12.50`, `(1,081.53)`, `12.50-`, `1'081.53`, `EUR 12.50`),
    decided per input in one build."""
    nbsp, narrow = "\u00a0", "\u202f"
    incomes = {
        "F0": ("52 340,50 €", 52340.5),
        "F1": (f"1{nbsp}081,53", 1081.53),
        "F2": (f"€ 12{narrow}000,00", 12000.0),
        "F3": ("9,5", 9.5),
        "F4": ("-1 234,5 €", -1234.5),  # rejected below as a negative income, read first
        "F5": ("1 2", None),  # not groups of three: no number
    }
    customers = tmp_path / "clients.csv"
    customers.write_text(
        "id;revenu;age\n"
        + "".join(f"{k};{v[0]};{30 + i}\n" for i, (k, v) in enumerate(incomes.items()))
    )
    prices = {
        "$1,081.53": 1081.53,
        "-$12.50": -12.5,
        "1'081.53": 1081.53,
        "$ 3": 3.0,
        "(1,081.53)": -1081.53,  # an accountant's minus: a return
        "($12.50)": -12.5,
        "12.50-": -12.5,  # a trailing minus, as SAP writes a credit: a return
        "$1,081.53-": -1081.53,
        # An ISO code as finance exports write it, before or after.
        "EUR 12.50": 12.5,
        "1,081.53 USD": 1081.53,
        "CHF 1'081.50": 1081.5,
        "-GBP 7": -7.0,
        "\u22127.00": -7.0,  # the Unicode minus sign (U+2212)
    }
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,order_date,amount\n"
        + "".join(f'O{i},F0,2024-03-{i + 1:02d},"{p}"\n' for i, p in enumerate(prices))
    )
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(customers),
            "orders_path": str(orders),
            "customer_columns": {"income": "revenu"},
        },
        extra_args=["--select", "base_customers", "base_orders"],
    )
    read = dict(run.query("select customer_id, income from base_customers"))
    assert read == pytest.approx({k: v[1] for k, v in incomes.items()})
    reasons = dict(run.query("select customer_id, rejection_reason from base_customers"))
    assert reasons["F4"] == "negative income" and reasons["F5"] == "income is not a number"
    amounts = run.query("select amount, is_return from base_orders order by source_row_number")
    assert amounts == [(abs(v), v < 0) for v in prices.values()]


def test_lines_of_a_trillion_and_more_are_summed_exactly(tmp_path: Path):
    """Amounts in small currency units (rupiah, dong) pass 1e12 on a large B2B line: the sums then
    stay in DECIMAL(38, 6) (64-bit decimals hold below 1e12 only) and are exact, not an error."""
    amounts = {
        "IDR1": ["2500000000000.25", "1250000.50", "3.25"],  # 2.5e12: beyond DECIMAL(18, 6)
        "IDR2": ["999999999999.99", "0.01"],
    }
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,age\nIDR1,40\nIDR2,50\n")
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,order_date,amount\n"
        + "".join(
            f"{customer}-{i},{customer},2024-03-0{i + 1},{amount}\n"
            for customer, lines in amounts.items()
            for i, amount in enumerate(lines)
        )
    )
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(customers), "orders_path": str(orders)},
        extra_args=["--select", "+int_customer_features"],
    )
    monetary = dict(run.query("select customer_id, monetary from int_customer_features"))
    assert monetary == {
        customer: float(sum(Decimal(amount) for amount in lines))
        for customer, lines in amounts.items()
    }


def test_local_currency_signs_after_the_number_are_read(tmp_path: Path):
    """A Swedish shop writes `1 234,50 kr`, a Polish CRM `52 340,50 zł`, a Czech one `Kč`, an
    Israeli shop `₪39.50`, a Brazilian one `R$ 1.234,50`: only $ € £ ¥ ₹ and ISO codes were
    stripped, so every such cell was "not a number" (every order line rejected, the build
    stopped; the decimal comma was not even detected). They read as their numbers now."""
    nbsp = "\u00a0"
    incomes = {
        "P0": ("52 340,50 zł", 52340.5),
        "P1": (f"1{nbsp}081,53 zł", 1081.53),
        "P2": ("12 000 Kč", 12000.0),
        "P3": ("9 500,00 kr", 9500.0),
    }
    customers = tmp_path / "klienci.csv"
    customers.write_text(
        "id;dochód;wiek\n"
        + "".join(f"{k};{v[0]};{30 + i}\n" for i, (k, v) in enumerate(incomes.items()))
    )
    prices = {"1 234,50 kr": 1234.5, "99,00 kr": 99.0, "kr 12,50": 12.5, "-45,00 kr": -45.0}
    prices |= {"12,90 kr.": 12.9, "1 000 kr": 1000.0}
    orders = tmp_path / "ordrar.csv"
    orders.write_text(
        "Ordernummer;Kundnummer;Orderdatum;Belopp\n"
        + "".join(f"O{i};P0;2024-03-{i + 1:02d};{p}\n" for i, p in enumerate(prices))
    )
    run = run_dbt(
        tmp_path / "run",
        variables={
            "customers_path": str(customers),
            "orders_path": str(orders),
            "customer_columns": {"customer_id": "id", "income": "dochód", "age": "wiek"},
            "order_columns": {
                "order_id": "Ordernummer",
                "customer_id": "Kundnummer",
                "order_date": "Orderdatum",
                "amount": "Belopp",
            },
        },
        extra_args=["--select", "base_customers", "base_orders"],
    )
    read = dict(run.query("select customer_id, income from base_customers"))
    assert read == pytest.approx({k: v[1] for k, v in incomes.items()})
    amounts = run.query(
        "select amount, is_return, rejection_reason from base_orders order by source_row_number"
    )
    assert amounts == [(abs(v), v < 0, None) for v in prices.values()]
