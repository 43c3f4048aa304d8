"""Exports cannot go stale: a deactivated campaign's files disappear on the next build, a hostile
campaign id becomes a sanitised file inside the exports folder, every file names its run, and a
build where every campaign is empty writes empty files (no all-null row)."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from .conftest import REPO, DbtRun, invoke_dbt

pytestmark = pytest.mark.dbt

HOSTILE = "../x'; drop table y; --"
IGNORE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "target",
    "logs",
    "*.duckdb",
    "*.wal",
    "bench_data",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "assets",
)


def dbt_build(project: Path, workdir: Path, exports: Path, select: str) -> DbtRun:
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
    }
    args = [
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--vars",
        json.dumps({"exports_path": str(exports)}),
        "--select",
        select,
        "--indirect-selection",
        "cautious",
        # dbt's unit tests feed their own campaign rows; the demo build runs them (see run_dbt).
        "--exclude-resource-type",
        "unit_test",
    ]
    result = invoke_dbt(args, project, env)
    run = DbtRun(workdir, result)
    if result.returncode != 0 or "PASS=" not in run.output:
        pytest.fail("dbt build failed:\n" + "\n".join(run.output.splitlines()[-60:]))
    return run


def edit_campaigns(project: Path, change) -> None:
    path = project / "seeds" / "campaigns.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = change(rows)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_exports_follow_the_campaigns_of_each_build(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=IGNORE)
    exports = tmp_path / "o'brien exports"
    workdir = tmp_path / "work"

    def add_hostile(rows):
        hostile = dict(rows[-1], campaign_id=HOSTILE, campaign_name="Hostile", priority="8")
        return [*rows, hostile]

    edit_campaigns(project, add_hostile)
    project_files = files_under(project)
    first = dbt_build(project, workdir, exports, "+campaign_export_files customers_rejected")
    manifest = json.loads((exports / "manifest.json").read_text())
    listed = {entry["path"] for entry in manifest["files"]}
    assert files_under(exports) == listed | {"manifest.json"}
    assert {"campaigns/C03.csv", "holdout/C03.parquet", "campaign_export.parquet"} <= listed
    hostile = [path for path in listed if "drop_table_y" in path]
    assert len(hostile) == 4 and all(
        path.split("/")[1].startswith("x_drop_table_y_--") for path in hostile
    )
    assert files_under(project) == project_files  # nothing written next to the project or above
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o'brien exports", "project", "work"]
    run_id = manifest["run_id"]
    for path in ["campaigns/C01.csv", "campaigns/C01.parquet", "holdout/C01.csv"]:
        frame = (
            pl.read_csv(exports / path)
            if path.endswith(".csv")
            else pl.read_parquet(exports / path)
        )
        assert frame.height > 0 and set(frame["run_id"]) == {run_id}, path
        assert frame["exported_at"].null_count() == 0
    assert "email" not in pl.read_parquet(exports / "holdout/C01.parquet").columns
    contacts = pl.read_parquet(exports / "campaign_export.parquet")
    assert contacts.height == first.scalar(
        "select count(*) from campaign_targets where not is_holdout"
    )

    # C03 is switched off and the hostile campaign removed; a file of someone else's stays.
    (exports / "campaigns" / "notes.txt").write_text("a marketer's own file\n")
    edit_campaigns(
        project,
        lambda rows: [
            dict(row, is_active="false") if row["campaign_id"] == "C03" else row
            for row in rows
            if row["campaign_id"] != HOSTILE
        ],
    )
    dbt_build(project, workdir, exports, "campaigns+")
    second = json.loads((exports / "manifest.json").read_text())
    assert second["run_id"] != run_id
    left = files_under(exports)
    assert not any("C03" in path or "drop_table" in path for path in left)
    assert "campaigns/notes.txt" in left
    assert left == {entry["path"] for entry in second["files"]} | {
        "manifest.json",
        "campaigns/notes.txt",
    }

    # Every campaign empty: files with a header and no rows, and no all-null row in the Parquet.
    edit_campaigns(project, lambda rows: [dict(row, target_segment_ids="999") for row in rows])
    dbt_build(project, workdir, exports, "campaigns+")
    combined = pl.read_parquet(exports / "campaign_export.parquet")
    assert combined.height == 0 and "run_id" in combined.columns
    assert (exports / "campaigns" / "C01.csv").read_text().startswith("campaign_id,")
    assert pl.read_csv(exports / "campaigns" / "C01.csv").height == 0
