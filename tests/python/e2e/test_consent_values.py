"""Marketing consent as exports write it (macros/inputs/parsing.sql, consent_words / parse_boolean):
pandas' `1.0` / `0.0`, newsletter statuses, checkboxes; values no list knows read as no consent
and are named by the opt_in_not_recognised WARN; a base where no one may be contacted builds with
the no_contactable_customers WARN instead of empty campaign lists in a green build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt


def write_customers(path: Path, consents: list[str]) -> None:
    path.write_text(
        "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100),Accepts Marketing\n"
        + "".join(
            f"C{i},{'MF'[i % 2]},{18 + i % 50},{15 + (i * 7) % 120},{1 + (i * 13) % 99},{c}\n"
            for i, c in enumerate(consents)
        )
    )


def test_consent_spellings_are_read_and_unknown_values_warn(tmp_path: Path):
    hostile = "x'); drop table base_customers; --"  # data, never code: named, nothing runs
    written = ["1.0", "0.0", "", "Subscribed", "unsubscribed", "X", "Opted out", "1", "no"]
    written += ["Maybe", "Maybe", hostile]
    written *= 5
    path = tmp_path / "crm.csv"
    write_customers(path, written)
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path)},
        extra_args=["--select", "base_customers", "stg_customers", "opt_in_not_recognised"],
    )
    read = dict(run.query("select customer_id, marketing_opt_in from base_customers"))
    yes = {"1.0", "subscribed", "x", "1"}
    assert read == {f"C{i}": value.lower() in yes for i, value in enumerate(written)}
    assert re.search(r"WARN 2 opt_in_not_recognised", run.output), run.output[-2000:]
    assert "health opt_in_not_recognised: marketing_opt_in value 'Maybe' (10 customers)" in (
        run.output
    )
    assert f"marketing_opt_in value '{hostile}' (5 customers)" in run.output
    assert "value '' (" not in run.output  # blank is no consent, not an unknown spelling
    assert run.scalar("select count(*) from base_customers") == len(written)


def test_a_base_no_one_may_contact_builds_with_a_warning(tmp_path: Path):
    path = tmp_path / "crm.csv"
    write_customers(path, ["no", "0", "unsubscribed", ""] * 30)
    run = run_dbt(tmp_path / "run", variables={"customers_path": str(path)}, lean=True)
    assert run.scalar("select count(*) from customer_segments") == 120
    assert run.scalar("select count(*) from campaign_targets") == 0
    assert re.search(r"WARN 1 no_contactable_customers", run.output), run.output[-2000:]
    assert (
        "health no_contactable_customers: no segmented customer may be contacted "
        "(120 segmented, 0 opted in)" in run.output
    )
    assert "PASS opt_in_not_recognised" in " ".join(run.output.split())


def test_a_shop_customers_export_maps_its_consent_column(tmp_path: Path):
    """A Shopify customers export: `Accepts Email Marketing` yes / no is the consent column (it
    used to map to nothing, so every customer counted as opted in), and `Accepts SMS Marketing`
    is not it."""
    path = tmp_path / "customers_export.csv"
    path.write_text(
        "Customer ID,First Name,Email,Accepts Email Marketing,Accepts SMS Marketing,Total Spent\n"
        + "".join(
            f"{7000 + i},N{i},n{i}@example.com,{'yes' if i % 3 else 'no'},yes,{i * 10}.5\n"
            for i in range(30)
        )
    )
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path)},
        extra_args=["--select", "base_customers"],
    )
    assert "marketing_opt_in <- Accepts Email Marketing" in run.output
    read = dict(run.query("select customer_id, marketing_opt_in from base_customers"))
    assert read == {str(7000 + i): bool(i % 3) for i in range(30)}


def test_a_newsletter_tools_status_column_is_the_consent(tmp_path: Path):
    """A Mailchimp-style `Email Marketing Status` (subscribed, unsubscribed, cleaned, pending,
    non_subscribed) mapped to nothing: everyone counted as opted in and 82 of 191 exported
    contacts had unsubscribed or bounced. It is the consent column, and only `subscribed` is yes."""
    statuses = ["subscribed", "unsubscribed", "cleaned", "pending", "non_subscribed", "Subscribed"]
    path = tmp_path / "audience.csv"
    path.write_text(
        "Customer ID,Email Address,Email Marketing Status,Age\n"
        + "".join(f"C{i},p{i}@x.com,{statuses[i % len(statuses)]},{20 + i}\n" for i in range(24))
    )
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path)},
        extra_args=["--select", "base_customers", "stg_customers", "opt_in_not_recognised"],
    )
    assert "marketing_opt_in <- Email Marketing Status" in run.output, run.output[-3000:]
    read = dict(run.query("select customer_id, marketing_opt_in from base_customers"))
    assert read == {f"C{i}": statuses[i % len(statuses)].lower() == "subscribed" for i in range(24)}
    assert "PASS opt_in_not_recognised" in " ".join(run.output.split())


def test_an_opt_out_column_is_read_the_other_way_round(tmp_path: Path):
    """HubSpot's `Unsubscribed from all email` (true / false / blank): yes means no consent.
    Before, it was no consent column at all, so every unsubscribed contact counted as opted in
    and reached the export files."""
    written = ["true", "false", "", "TRUE", "maybe"] * 12
    path = tmp_path / "contacts.csv"
    path.write_text(
        "CustomerID,Age,Annual Income (k$),Spending Score (1-100),Unsubscribed from all email\n"
        + "".join(
            f"C{i},{18 + i % 50},{15 + (i * 7) % 120},{1 + (i * 13) % 99},{c}\n"
            for i, c in enumerate(written)
        )
    )
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path)},
        extra_args=["--select", "base_customers", "stg_customers", "opt_in_not_recognised"],
    )
    assert "marketing_opt_out <- Unsubscribed from all email" in run.output, run.output[-3000:]
    read = dict(run.query("select customer_id, marketing_opt_in from base_customers"))
    consent = {"true": False, "false": True, "": True, "maybe": False}  # blank: not unsubscribed
    assert read == {f"C{i}": consent[value.lower()] for i, value in enumerate(written)}
    assert run.query("select distinct has_consent_column from base_customers") == [(True,)]
    assert "health opt_in_not_recognised: marketing_opt_in value 'maybe' (12 customers)" in (
        run.output
    )
