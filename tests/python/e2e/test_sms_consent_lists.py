"""Contactability is per channel: an SMS campaign takes the customers who consented to texts,
whatever their email consent, and an email (or other) campaign those who consented to marketing;
no one who refused email carries an email in any list or export file, and a duplicate customer
row that takes back the SMS consent keeps its customer out of the lists."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, DbtRun, invoke_dbt, run_dbt
from .test_trust_exports import IGNORE

pytestmark = pytest.mark.dbt

CAMPAIGNS = {
    # campaign_id: channel; every one targets every segment, no holdout, no cap, not exclusive
    "TXT": "sms",
    "MAIL": "email",
    "POST": "direct_mail",
}
# (email consent, SMS consent) as a Shopify customers export writes them, by customer number % 4
CONSENTS = [("yes", "yes"), ("yes", "no"), ("no", "yes"), ("no", "no")]


def write_campaigns(project: Path) -> None:
    path = project / "seeds" / "campaigns.csv"
    with path.open(newline="") as handle:
        fields = next(csv.reader(handle))
    rows = [
        {
            "campaign_id": campaign_id,
            "campaign_name": f"{channel} to everyone",
            "channel": channel,
            "offer": "10% off",
            "priority": str(number + 1),
            "holdout_share": "0",
            "is_exclusive": "false",
            "is_active": "true",
            "target_at_risk_only": "false",
        }
        for number, (campaign_id, channel) in enumerate(CAMPAIGNS.items())
    ]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def write_inputs(folder: Path) -> list[dict[str, str]]:
    """A Shopify-like customers export with both consent columns, and its orders. Returns every
    customer row written (repeats included), as the file has them."""
    centres = [(25, 20, 80), (45, 85, 20), (60, 55, 50)]
    rows = []
    for number in range(180):
        age, income, score = centres[number % 3]
        wobble = (number * 7) % 5 - 2
        email_consent, sms_consent = CONSENTS[number // 3 % 4]
        rows.append(
            {
                "Customer ID": str(5000 + number),
                "Email": f"c{number}@example.com",
                "Age": str(age + wobble),
                "Annual Income (k$)": str(income + wobble),
                "Spending Score (1-100)": str(score - wobble),
                "Accepts Email Marketing": email_consent,
                "Accepts SMS Marketing": sms_consent,
            }
        )
    # Repeats of customers who said yes to both (their row per order, as some exports write):
    # the same values again, a blank SMS consent (says nothing), or a "no" to texts (the consent
    # taken back: the record conflicts, so the customer is contacted on no channel).
    both_yes = [row for row in rows if row["Accepts SMS Marketing"] == "yes"]
    both_yes = [row for row in both_yes if row["Accepts Email Marketing"] == "yes"]
    repeats = [dict(row) for row in both_yes[:9]]
    for row in repeats[3:6]:
        row["Accepts SMS Marketing"] = ""
    for row in repeats[6:9]:
        row["Accepts SMS Marketing"] = "no"
    # One person under two ids (the same email): one record says no to texts, so neither is texted.
    twin = dict(both_yes[-1], **{"Customer ID": "6000", "Accepts SMS Marketing": "no"})
    rows += [*repeats, twin]
    with (folder / "customers_export.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (folder / "orders.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Order ID", "Customer ID", "Order Date", "Amount"])
        for number in range(180):
            for order in range(1 + number % 3):
                day = f"2024-{1 + (number + order * 5) % 12:02d}-{1 + number % 27:02d}"
                writer.writerow([f"O{number}-{order}", 5000 + number, day, 20 + number % 50])
    return rows


def expected_lists(rows: list[dict[str, str]]) -> tuple[set[str], set[str]]:
    """Who may be emailed and who may be texted, from the file alone: the first row of an id is
    kept; a repeat that disagrees on a consent (a blank says nothing) or the email keeps its
    customer out; a "no" on any record of an email holds for every record sharing it."""
    kept: dict[str, dict[str, str]] = {}
    conflicting: set[str] = set()
    for row in rows:
        first = kept.setdefault(row["Customer ID"], row)
        if first is not row and any(
            row[column] and row[column] != first[column]
            for column in ("Email", "Accepts Email Marketing", "Accepts SMS Marketing")
        ):
            conflicting.add(row["Customer ID"])
    by_email: dict[str, list[dict[str, str]]] = {}
    for row in kept.values():
        by_email.setdefault(row["Email"], []).append(row)

    def consented(column: str) -> set[str]:
        return {
            customer_id
            for customer_id, row in kept.items()
            if customer_id not in conflicting
            and all(other[column] == "yes" for other in by_email[row["Email"]])
        }

    return consented("Accepts Email Marketing"), consented("Accepts SMS Marketing")


def build(project: Path, workdir: Path, variables: dict[str, object]) -> DbtRun:
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    args = ["build", "--project-dir", str(project), "--profiles-dir", str(project)]
    args += ["--vars", json.dumps({"exports_path": str(workdir / "exports"), **variables})]
    args += ["--select", "+campaign_export_files +audience_memberships customers_rejected"]
    # dbt's unit tests feed their own rows; the demo build runs them (see run_dbt)
    args += ["--exclude-resource-type", "unit_test"]
    workdir.mkdir(parents=True, exist_ok=True)
    run = DbtRun(workdir, invoke_dbt(args, project, env))
    if run.result.returncode != 0 or "PASS=" not in run.output:
        pytest.fail("dbt build failed:\n" + "\n".join(run.output.splitlines()[-60:]))
    return run


def test_each_campaign_takes_the_customers_who_consented_to_its_channel(tmp_path: Path):
    """A Shopify customers export has `Accepts Email Marketing` and `Accepts SMS Marketing`. The
    lists were built on the email consent: a customer who said yes to texts and no to email was
    in no SMS campaign, the very people an SMS campaign exists for; and a repeat of a customer's
    row that said no to texts did not keep them off the SMS list."""
    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=IGNORE)
    write_campaigns(project)
    rows = write_inputs(tmp_path)
    run = build(
        project,
        tmp_path / "run",
        {
            "customers_path": str(tmp_path / "customers_export.csv"),
            "orders_path": str(tmp_path / "orders.csv"),
            "n_clusters": 3,
        },
    )
    may_email, may_text = expected_lists(rows)
    sms_only = may_text - may_email
    assert sms_only and may_email - may_text and may_email & may_text  # the fixture's cases
    email_of = {row["Customer ID"]: row["Email"] for row in rows}

    def targeted(campaign_id: str) -> set[str]:
        sql = f"select customer_id from campaign_targets where campaign_id = '{campaign_id}'"
        return {row[0] for row in run.query(sql)}

    assert targeted("TXT") == may_text
    # The two records of one email are one contact (either), the other the same as in the file.
    twins = {row["Customer ID"] for row in rows if row["Email"] == email_of["6000"]}
    for campaign_id in ("MAIL", "POST"):
        assert targeted(campaign_id) - twins == may_email - twins
        assert len(targeted(campaign_id) & twins) == 1
    # a repeat blocks its customer when it says no to texts, not when equal or blank
    repeats, seen = {}, set()
    for row in rows:
        if row["Customer ID"] in seen:
            repeats[row["Customer ID"]] = row["Accepts SMS Marketing"] == "no"
        seen.add(row["Customer ID"])
    assert dict(run.query("select customer_id, blocks_contact from customers_rejected")) == repeats
    assert sorted(repeats.values()) == [False] * 6 + [True] * 3

    # The export: an SMS-only consenter's row carries no email; every email is a consenter's.
    exported = run.query("select campaign_id, customer_id, email from campaign_export")
    assert {(c, i) for c, i, _ in exported} == {(c, i) for c in CAMPAIGNS for i in targeted(c)}
    for campaign_id, customer_id, email in exported:
        assert email == (email_of[customer_id] if customer_id in may_email else None), (
            campaign_id,
            customer_id,
        )
    folder = run.workdir / "exports" / "campaigns"
    for campaign_id in CAMPAIGNS:
        with (folder / f"{campaign_id}.csv").open(newline="") as handle:
            file_rows = list(csv.DictReader(handle))
        assert {row["customer_id"] for row in file_rows} == targeted(campaign_id)
        mailed = {row["customer_id"] for row in file_rows if row["email"]}
        assert mailed == targeted(campaign_id) & may_email, campaign_id

    # Reverse-ETL memberships: the SMS audience holds the SMS-only consenters without an email;
    # segment audiences (no channel) keep to the marketing consent.
    members = run.query(
        "select customer_id, email from audience_memberships where audience_id like 'segment_%'"
    )
    in_segments = {customer_id for customer_id, _ in members}
    assert in_segments - twins == may_email - twins and len(in_segments & twins) == 1
    assert all(email == email_of[customer_id] for customer_id, email in members)
    texted = dict(
        run.query(
            "select customer_id, email from audience_memberships where audience_id = 'campaign_TXT'"
        )
    )
    assert set(texted) == may_text
    assert {customer_id for customer_id, email in texted.items() if email} == may_text & may_email
    with_email = run.query("select customer_id from audience_memberships where email is not null")
    assert {row[0] for row in with_email} <= may_email

    assert "PASS sms_campaigns_only_sms_consent" in " ".join(run.output.split())


def test_a_repeat_row_that_unsubscribes_in_an_opt_out_column_blocks_its_customer(tmp_path: Path):
    """A CRM export with opt-out columns (`Do Not Email`, `Do Not Text`): a repeat of a customer's
    row that says yes to one of them (the customer unsubscribed) was compared on no consent at all
    (only an opt-in column's value was), so it did not keep the customer out of the lists."""
    lines = [
        "Customer ID,Email,Age,Annual Income (k$),Spending Score (1-100),Do Not Email,Do Not Text"
    ]
    lines += [f"K{number},k{number}@example.com,30,40,50,," for number in range(8)]
    repeats = {
        "K0": "K0,k0@example.com,30,40,50,,",  # the same again: no block
        "K1": "K1,k1@example.com,30,40,50,yes,",  # unsubscribed from email
        "K2": "K2,k2@example.com,30,40,50,,yes",  # unsubscribed from texts
        "K3": "K3,k3@example.com,30,40,50,no,no",  # says no to unsubscribing, as the kept row
    }
    path = tmp_path / "crm.csv"
    path.write_text("\n".join(lines + list(repeats.values())) + "\n")
    run = run_dbt(
        tmp_path / "run",
        command="run",
        variables={"customers_path": str(path)},
        extra_args=["--select", "base_customers", "customers_rejected"],
    )
    blocks = dict(run.query("select customer_id, blocks_contact from customers_rejected"))
    assert blocks == {"K0": False, "K1": True, "K2": True, "K3": False}
