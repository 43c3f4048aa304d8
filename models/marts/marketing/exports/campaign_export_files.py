"""Writes the campaign files of this build and removes the earlier ones the exports own.

Thin: reads the contact lists, the holdouts and the run (with its active campaigns), and calls
customer_segmentation.activation_files.write_campaign_files (rules and manifest there). Returns one
row per file written.
"""

from pathlib import Path

from customer_segmentation.activation_files import empty_file_list, write_campaign_files


def model(dbt, session):
    dbt.config(materialized="table")
    run = dbt.ref("export_run").pl()
    contacts = dbt.ref("campaign_export").pl()
    holdout = dbt.ref("campaign_holdout_export").pl()
    if run.height == 0:  # dbt run --empty: write nothing, keep the previous files
        return empty_file_list()
    return write_campaign_files(
        contacts=contacts,
        holdout=holdout,
        campaign_ids=list(run["active_campaign_ids"][0]),
        folder=Path(dbt.config.get("exports_path")),
        run_id=run["run_id"][0],
        exported_at=run["exported_at"][0],
    )
