"""Campaign files: sanitised unique names, stale files removed only when the manifest owns them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from customer_segmentation.activation_files import file_names, files_summary, write_campaign_files

HOSTILE = "../x'; drop table y; --"


def test_names_are_sanitised_unique_and_stable():
    names = file_names(["C01", "a b", "a_b", "A_B", HOSTILE, "..", ""])
    assert names["C01"] == "C01"
    assert len({name.lower() for name in names.values()}) == len(names)
    for campaign_id, name in names.items():
        assert all(ch.isalnum() or ch in "_-." for ch in name), name
        assert not name.startswith("."), name
        assert name != "" and "/" not in name
        if campaign_id != "C01":
            assert name.rsplit("-", 1)[1].isalnum() and len(name.rsplit("-", 1)[1]) == 8
    assert file_names(["a b", "C01"]) == {"a b": names["a b"], "C01": "C01"}


def _frames(campaigns: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    contacts = pl.DataFrame(
        {"campaign_id": campaigns, "customer_id": [f"c{i}" for i in range(len(campaigns))]}
    )
    return contacts, contacts.head(0)


def test_second_run_removes_only_what_the_first_run_listed(tmp_path: Path):
    folder = tmp_path / "o'brien exports"
    first_time = dt.datetime(2025, 1, 1, 12, 0)
    contacts, holdout = _frames(["C01", "C02", HOSTILE])
    write_campaign_files(contacts, holdout, ["C01", "C02", HOSTILE], folder, "run-1", first_time)
    hostile_files = [p for p in folder.rglob("*") if p.is_file() and "drop_table" in p.name]
    assert len(hostile_files) == 4  # contacts + holdout, csv + parquet, all inside the folder
    assert all(folder.resolve() in p.resolve().parents for p in hostile_files)
    (folder / "campaigns" / "mine.csv").write_text("not ours\n")

    contacts, holdout = _frames(["C01"])
    files = write_campaign_files(
        contacts, holdout, ["C01"], folder, "run-2", first_time + dt.timedelta(days=1)
    )
    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert left == sorted(files["path"].to_list() + ["manifest.json", "campaigns/mine.csv"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run_id"] == "run-2" and {f["path"] for f in manifest["files"]} == set(
        files["path"]
    )
    assert pq.read_schema(folder / "campaigns" / "C01.parquet").metadata[b"run_id"] == b"run-2"


def test_a_manifest_pointing_outside_the_folder_removes_nothing_outside(tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    outside = tmp_path / "precious.csv"
    outside.write_text("keep\n")
    (folder / "manifest.json").write_text(
        json.dumps({"files": [{"path": "../precious.csv"}, {"path": str(outside)}]})
    )
    contacts, holdout = _frames([])
    files = write_campaign_files(contacts, holdout, [], folder, "run-1", dt.datetime(2025, 1, 1))
    assert outside.exists()
    combined = pl.read_parquet(folder / "campaign_export.parquet")
    assert combined.height == 0 and files["row_count"].to_list() == [0, 0]


def test_files_spanning_many_batches_are_complete_and_in_rank_order(tmp_path: Path):
    # More rows than several write batches, arriving shuffled, as a DuckDB relation (what the dbt
    # model passes): every file holds all of its campaign's rows, best rank first.
    import duckdb

    from customer_segmentation.activation_files import BATCH_ROWS

    rows = 3 * BATCH_ROWS + 123
    connection = duckdb.connect()
    contacts = connection.sql(
        "select 'C0' || (i % 3) as campaign_id, i // 3 + 1 as priority_rank, "
        f"'c' || i as customer_id from range({rows}) as t(i) order by hash(i)"
    )
    holdout = contacts.limit(0)
    files = write_campaign_files(
        contacts, holdout, ["C00", "C01", "C02"], tmp_path, "run-1", dt.datetime(2025, 1, 1)
    )
    assert files.filter(pl.col("kind") == "contacts")["row_count"].sum() == 3 * rows
    whole = pl.read_parquet(tmp_path / "campaign_export.parquet")
    assert whole.height == rows
    assert whole["campaign_id"].to_list() == sorted(whole["campaign_id"].to_list())
    for campaign in ("C00", "C01", "C02"):
        expected = list(range(1, (rows - int(campaign[-1]) - 1) // 3 + 2))
        for frame in (
            pl.read_csv(tmp_path / "campaigns" / f"{campaign}.csv"),
            pl.read_parquet(tmp_path / "campaigns" / f"{campaign}.parquet"),
        ):
            assert frame["campaign_id"].unique().to_list() == [campaign]
            assert frame["priority_rank"].to_list() == expected


def test_the_console_line_counts_the_files_and_rows_written(tmp_path: Path):
    contacts = pl.DataFrame(
        {"campaign_id": ["A", "A", "B", "C"], "customer_id": ["c1", "c2", "c3", "c4"]}
    )
    holdout = contacts.filter(pl.col("customer_id") == "c2")
    folder = tmp_path / "exports"
    files = write_campaign_files(
        contacts, holdout, ["A", "B", "C", "D"], folder, "run-1", dt.datetime(2025, 1, 1)
    )
    line = files_summary(files, folder)
    on_disk = [
        path for path in folder.rglob("*") if path.is_file() and path.name != "manifest.json"
    ]
    assert line.startswith(f"{len(on_disk)} files written to {folder.resolve()} ")
    # D is active with no one in it: its files are written (header only) and counted.
    assert "4 contacts and 1 in holdouts (campaign x customer) in 4 campaign(s)" in line


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused_in_csv_only(tmp_path: Path):
    """A customer id `=HYPERLINK(...)` from the input was written as is into the campaign CSV that
    marketing opens in a spreadsheet: a live formula. In the CSV files such text starts with `'`
    (shown, never run); the Parquet files keep the values as they are."""
    ids = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
    ids += ["\tTAB", "ann@example.com", "C-42", "42"]
    contacts = pl.DataFrame({"campaign_id": ["C01"] * len(ids), "customer_id": ids})
    folder = tmp_path / "exports"
    write_campaign_files(
        contacts, contacts.head(0), ["C01"], folder, "run-1", dt.datetime(2025, 1, 1)
    )
    written = pl.read_csv(folder / "campaigns" / "C01.csv")["customer_id"].to_list()
    formulas = {value for value in ids if value[0] in "=+-@\t"}
    assert written == [f"'{value}" if value in formulas else value for value in ids]
    assert pq.read_table(folder / "campaigns" / "C01.parquet")["customer_id"].to_pylist() == ids
