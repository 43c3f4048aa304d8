"""Writes the campaign files of this build and removes the earlier ones the exports own.

Thin: hands the contact lists and holdouts (as relations) and the run (with its active campaigns) to
customer_segmentation.activation_files.write_campaign_files (rules and manifest there). Returns one
row per file written.
"""

from pathlib import Path

from customer_segmentation.activation_files import (
    empty_file_list,
    files_summary,
    write_campaign_files,
)
from customer_segmentation.console import dbt_console


def model(dbt, session):
    dbt.config(materialized="table")
    run = dbt.ref("export_run").pl()
    # Relations, not frames: the files are streamed in Arrow batches, never loaded whole.
    contacts = dbt.ref("campaign_export")
    holdout = dbt.ref("campaign_holdout_export")
    if run.height == 0:  # dbt run --empty: write nothing, keep the previous files
        return empty_file_list()
    folder = Path(dbt.config.get("exports_path"))
    files = write_campaign_files(
        contacts=contacts,
        holdout=holdout,
        campaign_ids=list(run["active_campaign_ids"][0]),
        folder=folder,
        run_id=run["run_id"][0],
        exported_at=run["exported_at"][0],
    )
    dbt_console("campaign_export_files")(files_summary(files, folder))
    return files
