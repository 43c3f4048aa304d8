"""Files damaged the way real exports are, where DuckDB's reader alone would lose rows quietly or
stop with an error no user can act on.

1. A stray quote in an invoice line's description (a product called `"ASSORTED BIRD ORNAMENT`):
   closed by another stray quote lines later, the rows in between became part of one field of a
   kept row; never closed, the rest of the file became one unreadable line counted as one row.
   Either way the build now stops (health test quote_not_closed) naming the row and the fix.
2. Two exports joined end to end: the repeated header line must not hide that the customer ids
   are written as floats (12346.0), or every order stops matching its customer.
3. Line ends that change from \\r\\n to \\n after the first lines (rows appended by another tool):
   DuckDB stops with its own parser error; the build names the var and the fix as well.
4. A file named .csv that is no text: a zip (Kaggle's download; an .xlsx is one too), a Parquet
   file, a gzip without .gz, an old .xls. Before, a zip stopped with "not UTF-8 ... Windows-1252"
   and the fix to set an encoding; a gzip read as a file without lines.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

HEADER = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID"]


def invoice_lines(first_invoice: int, customers: int) -> list[list[str]]:
    """Invoice lines of an Online Retail export: float customer ids, m/d/yyyy h:mm dates, and a
    quoted description with a line break and a comma in it (legitimate, kept)."""
    rows = []
    for i in range(customers * 3):
        customer = 12346 + i % customers
        description = "GIFT SET, TWO PIECES\nBOXED" if i == 4 else f"ITEM {i}"
        rows.append(
            [
                str(first_invoice + i // 2),
                f"2{i:04d}",
                description,
                str(1 + i % 4),
                f"{1 + i % 12}/{1 + i % 27}/2011 10:{i % 60:02d}",
                f"{1 + i % 7}.25",
                f"{customer}.0",
            ]
        )
    return rows


def as_csv(rows: list[list[str]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


def test_a_quote_not_closed_stops_the_build_and_joined_exports_keep_float_ids(tmp_path: Path):
    january = [HEADER, *invoice_lines(500000, 40)]
    february = [HEADER, *invoice_lines(600000, 40)]
    # January: a stray quote opens in row 30's description and another closes it three lines on.
    january_text = as_csv(january).splitlines()
    opened = next(n for n, line in enumerate(january_text) if line.startswith("500014,20029,"))
    january_text[opened] = january_text[opened].replace(",ITEM 29,", ',"ITEM 29,')
    january_text[opened + 3] = january_text[opened + 3].replace(",ITEM 32,", ',ITEM 32",')
    # February (joined below January, header repeated): a quote never closed, 20 lines from the end.
    february_text = as_csv(february).splitlines()
    february_text[-20] = february_text[-20].replace(",ITEM", ',"ITEM', 1)
    orders = tmp_path / "online_retail_joined.csv"
    orders.write_text("\n".join(january_text + february_text) + "\n")

    run = run_dbt(
        tmp_path / "run",
        variables={"orders_path": str(orders)},
        extra_args=["--select", "+quote_not_closed", "+orders_rejected", "+stg_orders"],
        check=False,
    )
    assert run.result.returncode != 0
    assert "Failure in test quote_not_closed" in run.output
    findings = [line for line in run.output.splitlines() if "health quote_not_closed:" in line]
    assert len(findings) == 2, run.output[-3000:]
    closed_later, never_closed = sorted(findings, key=lambda line: "line " in line)
    assert 'orders file: a quote opened at row 30, which begins "500014,20029,ITEM 29' in (
        closed_later
    )
    assert "took the 3 line(s) after it" in closed_later
    assert "Fix: close or remove the stray quote" in closed_later
    # Never closed: the reader's unreadable line, numbered as a line of the file (header 1,
    # January's 121 lines, February's header), holds the 19 lines after it.
    assert "a quote opened at line" in never_closed and "took the 19 line(s)" in never_closed

    rejected = dict(
        run.query("select rejection_reason, count(*) from orders_rejected group by all")
    )
    assert rejected["a quote that is not closed: the lines after it were read into this row"] == 1
    assert rejected["unreadable line: a quote that is not closed"] == 1
    assert rejected["a repeated header line (files joined end to end?)"] == 1
    # The legitimate line break inside the quoted description (a comma beside it) is kept.
    assert run.scalar("select count(*) from stg_orders where order_id = '500002'") == 2
    # Ids written as floats are read as whole numbers in both halves, the header line aside.
    ids = {row[0] for row in run.query("select distinct customer_id from stg_orders")}
    assert ids and all(value.isdigit() for value in ids), sorted(ids)[:5]

    # The check a user runs before a build says so too.
    checked = run_dbt(
        tmp_path / "run",
        "run-operation",
        {"orders_path": str(orders)},
        ["check_input_file", "--args", json.dumps({"kind": "orders"})],
    )
    assert "problem: 1 row holds the lines after it in one field: a quote that is not closed" in (
        checked.output
    )
    assert "unreadable line: a quote that is not closed" in checked.output


def test_a_stray_quote_in_the_header_is_named_not_called_a_header_without_data(tmp_path: Path):
    """A header with a quote that nothing closes (`Curr"ency`, a hand-edited column name) made the
    reader take every line after it into the header, and the build stopped saying the file had "a
    header line and no data rows": true of what the reader saw, wrong about the file."""
    orders = tmp_path / "orders.csv"
    rows = [f"O{n},C{n % 4},2024-01-{1 + n:02d},{10 + n},USD" for n in range(12)]
    orders.write_text('order_id,customer_id,order_date,amount,Curr"ency\n' + "\n".join(rows) + "\n")
    run = run_dbt(
        tmp_path / "run",
        "run",
        {"orders_path": str(orders)},
        ["--select", "base_orders"],
        check=False,
    )
    assert run.result.returncode != 0
    message = " ".join(run.output.split())
    assert (
        "has a quote that is not closed in its first line (order_id,customer_id,order_date,amount,"
        'Curr"ency): the reader takes every line after it into that line' in message
    )
    assert "Fix: remove the stray quote from that line" in message
    assert "no data rows" not in message


def test_line_ends_that_change_further_down_name_the_var_and_the_fix(
    tmp_path: Path, mall_csv: Path
):
    customers = tmp_path / "mall_with_appended_rows.csv"
    customers.write_bytes(mall_csv.read_bytes() + b"201,Female,30,70,60\n202,Male,31,71,61\n")
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(customers)},
        extra_args=["--select", "base_customers"],
        check=False,
    )
    assert run.result.returncode != 0
    assert (
        f"base_customers stopped: var customers_path: '{customers}' could not be read as CSV past"
        " its first lines. The usual cause is line ends that change from \\r\\n (Windows) to \\n"
        in run.output
    )
    assert "Fix: convert the line ends" in run.output


def test_a_file_whose_name_says_another_kind_is_named_for_what_it_is(tmp_path: Path):
    text = "customer_id,age,annual_income_k,spending_score\n" + "".join(
        f"{i},{20 + i % 50},{15 + i},{1 + i % 99}\n" for i in range(1, 61)
    )
    plain = tmp_path / "plain.csv"
    plain.write_text(text)
    with zipfile.ZipFile(tmp_path / "kaggle_download.csv", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "Mall_Customers.csv")
    duckdb.sql(
        f"copy (select * from read_csv('{plain}')) to '{tmp_path / 'typed.csv'}' (format parquet)"
    )
    (tmp_path / "compressed.csv").write_bytes(gzip.compress(text.encode()))
    duckdb.sql(
        f"copy (select * from read_csv('{plain}')) to '{tmp_path / 'zstd_stream.csv'}' "
        "(format csv, compression zstd)"
    )
    # ... and named for what it is, a zstd stream is read as it is.
    (tmp_path / "zstd_stream.csv.zst").write_bytes((tmp_path / "zstd_stream.csv").read_bytes())
    (tmp_path / "old_excel.csv").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 64)
    # ... and the other way round: a CSV saved under a Parquet name (DuckDB: "No magic bytes").
    (tmp_path / "export.parquet").write_text(text.replace(",", ";"))
    expected = {
        "kaggle_download.csv": "is a zip archive (an .xlsx or .ods workbook is one too), not text",
        "typed.csv": "is a Parquet file, not text, whatever its name says. Fix: name it .parquet.",
        "compressed.csv": "is gzip-compressed, not text, whatever its name says. Fix: name it "
        ".csv.gz",
        "zstd_stream.csv": "is zstd-compressed, not text, whatever its name says. Fix: name it "
        ".csv.zst",
        "old_excel.csv": "is an Excel 97-2003 workbook (.xls), not text, whatever its name says. "
        "Fix: save the sheet as CSV and point customers_path at it.",
        "export.parquet": "is text (a CSV under a Parquet name?), not Parquet, whatever its name "
        "says. Fix: name it .csv",
    }
    files = [
        {"path": str(tmp_path / name)} for name in [*expected, "plain.csv", "zstd_stream.csv.zst"]
    ]
    checked = run_dbt(
        tmp_path / "run",
        "run-operation",
        extra_args=["check_input_files", "--args", json.dumps({"files": files})],
    )
    problems = [line for line in checked.output.splitlines() if line.startswith("problem: ")]
    assert len(problems) == len(expected), problems
    for problem, (name, words) in zip(problems, expected.items(), strict=True):
        assert problem.startswith(f"problem: var customers_path: '{tmp_path / name}' {words}")
    # The text file beside them reads as ever, and so does the zstd stream under its own name.
    assert checked.output.count("rows read: 60") == 2

    # A build stops with the same line, before reading anything.
    run = run_dbt(
        tmp_path / "build",
        variables={"customers_path": str(tmp_path / "compressed.csv")},
        extra_args=["--select", "base_customers"],
        check=False,
    )
    assert run.result.returncode != 0
    assert expected["compressed.csv"] in run.output
    assert "Traceback" not in run.output
