"""Marketing consent as exports write it (macros/inputs/parsing.sql, consent_words / parse_boolean):
pandas' `1.0` / `0.0`, newsletter statuses, checkboxes; values no list knows read as no consent
and are named by the opt_in_not_recognised WARN; a base where no one may be contacted builds with
the no_contactable_customers WARN instead of empty campaign lists in a green build."""

from __future__ import annotations

import csv
import random
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


def write_shop_customers(path: Path, consent_headers: list[str], consents) -> None:
    """A shop's customers export in four clear groups (the fourth low income and low score, the
    traits of the demo's SMS campaign C04), with the given consent columns; ``consents(number)``
    returns their values for a customer."""
    centres = [(25, 20, 80), (45, 85, 20), (60, 55, 50), (50, 20, 15)]
    lines = [",".join(["Customer ID", "Email", "Age", "Annual Income (k$)", "Spending Score"])]
    lines[0] += "".join(f",{header}" for header in consent_headers)
    for number in range(200):
        age, income, score = centres[number % 4]
        wobble = (number * 7) % 5 - 2
        values = [age + wobble, income + wobble, score - wobble, *consents(number)]
        lines.append(f"{9000 + number},c{number}@example.com,{','.join(map(str, values))}")
    path.write_text("\n".join(lines) + "\n")


def test_sms_campaigns_take_only_customers_who_consented_to_texts(tmp_path: Path):
    """A Shopify customers export has `Accepts Email Marketing` and `Accepts SMS Marketing`. The
    SMS campaign C04 (Value bundles, channel sms) was built from the email consent: customers who
    had said no to texts were on the SMS list (a TCPA / ePrivacy breach), in a green build."""
    path = tmp_path / "customers_export.csv"

    def consents(number: int) -> list[str]:
        return ["no" if number % 3 == 0 else "yes", "yes" if number // 4 % 2 == 0 else "no"]

    write_shop_customers(path, ["Accepts Email Marketing", "Accepts SMS Marketing"], consents)
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path), "n_clusters": 4},
        extra_args=["--select", "+campaign_targets"],
    )
    said_yes_to_texts = {str(9000 + number) for number in range(200) if number // 4 % 2 == 0}
    texted = {
        row[0]
        for row in run.query("select customer_id from campaign_targets where campaign_id = 'C04'")
    }
    assert texted, "the low income, low score group should get the SMS campaign"
    assert texted <= said_yes_to_texts
    # The filter is SMS consent, not a smaller segment: the group's other contactable members
    # (email yes, texts no) are left out of C04 only.
    low_low = {str(9000 + number) for number in range(3, 200, 4) if number % 3}
    assert low_low - said_yes_to_texts
    assert not (low_low - said_yes_to_texts) & texted
    assert run.scalar("select distinct sms_consent_basis from base_customers") == "sms_column"
    assert set(dict(run.query("select customer_id, sms_opt_in from stg_customers")).items()) == {
        (str(9000 + number), number // 4 % 2 == 0) for number in range(200)
    }
    assert "PASS sms_campaigns_only_sms_consent" in " ".join(run.output.split())


def test_an_email_consent_is_no_consent_to_texts_and_the_empty_sms_campaign_warns(tmp_path: Path):
    """A consent column for email only (`Email Opt In`): no one may be texted, so the SMS campaign
    is empty, and the sms_consent_missing WARN says why and how to map an SMS column. A consent
    column that names no channel (`Marketing Opt In`) covers texts too."""
    path = tmp_path / "crm.csv"
    write_shop_customers(path, ["Email Opt In"], lambda number: ["yes"])
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path), "n_clusters": 4},
        extra_args=["--select", "+campaign_targets", "sms_consent_missing"],
    )
    assert run.scalar("select count(*) from campaign_targets where campaign_id = 'C04'") == 0
    assert run.scalar("select distinct sms_consent_basis from base_customers") == (
        "email_consent_only"
    )
    assert run.scalar("select count(*) from campaign_targets where campaign_id = 'C06'") > 0
    assert re.search(r"WARN 1 sms_consent_missing", run.output), run.output[-2000:]
    assert "health sms_consent_missing: SMS campaign(s) C04 reach no one: none of the 200" in (
        " ".join(run.output.split())
    )

    general = tmp_path / "general.csv"
    write_shop_customers(general, ["Marketing Opt In"], lambda number: ["yes"])
    read = run_dbt(
        tmp_path / "general_run",
        command="run",
        variables={"customers_path": str(general)},
        extra_args=["--select", "base_customers"],
    )
    assert read.scalar("select distinct sms_consent_basis from base_customers") == (
        "general_consent"
    )
    assert read.scalar("select bool_and(sms_opt_in) from base_customers") is True


KLAVIYO_HEADERS = [
    "Email", "Phone Number", "First Name", "Last Name", "Country", "Source", "Date Added",
    "Klaviyo ID", "Email Marketing Consent", "Email Marketing Consent Timestamp",
    "SMS Marketing Consent", "Accepts Marketing", "Accepts SMS Marketing",
    "Historic Number Of Orders", "Average Order Value",
]  # fmt: skip


def klaviyo_profiles(count: int) -> list[dict[str, str]]:
    """A Klaviyo profiles export (list or segment -> Export to CSV): Klaviyo's own consents
    (SUBSCRIBED, UNSUBSCRIBED, NEVER_SUBSCRIBED, SUPPRESSED, blank for SMS) beside the
    `Accepts Marketing` / `Accepts SMS Marketing` properties synced from Shopify, which go stale:
    some who unsubscribed in Klaviyo still say True there, some say False though subscribed, and
    the synced property is blank where the profile never came from Shopify."""
    rng = random.Random(41)
    statuses = ["SUBSCRIBED", "UNSUBSCRIBED", "NEVER_SUBSCRIBED", "SUPPRESSED"]
    profiles = []
    for number in range(count):
        email_status = rng.choices(statuses, [55, 25, 12, 8])[0]
        accepts = "True" if email_status == "SUBSCRIBED" else "False"
        if email_status == "UNSUBSCRIBED" and number % 2 == 0:
            accepts = "True"  # stale: unsubscribed in Klaviyo, the Shopify property not synced back
        if email_status == "SUBSCRIBED" and number % 7 == 0:
            accepts = ""  # a sign-up form profile: no Shopify property at all
        sms_status = rng.choice(["SUBSCRIBED", "UNSUBSCRIBED", "NEVER_SUBSCRIBED", ""])
        accepts_sms = rng.choice(["True", "False", ""])
        profiles.append({
            "Email": f"p{number}@example.com", "Phone Number": f"+1555{1000000 + number}",
            "First Name": f"N{number}", "Last Name": "Doe", "Country": "United States",
            "Source": rng.choice(["Shopify", "Signup form"]), "Date Added": "2023-05-05 10:00:00",
            "Klaviyo ID": f"01H{number:023d}", "Email Marketing Consent": email_status,
            "Email Marketing Consent Timestamp": "2023-05-05T10:00:00+00:00",
            "SMS Marketing Consent": sms_status, "Accepts Marketing": accepts,
            "Accepts SMS Marketing": accepts_sms,
            "Historic Number Of Orders": str(rng.randint(0, 9)),
            "Average Order Value": f"{rng.uniform(20, 120):.2f}",
        })  # fmt: skip
    return profiles


def every_filled_one_says_yes(*values: str) -> bool:
    """The rule for several consent columns: consent only when at least one is filled and every
    filled one is a yes (Klaviyo's SUBSCRIBED, the synced property's True)."""
    filled = [value.lower() for value in values if value]
    return bool(filled) and all(value in {"subscribed", "true"} for value in filled)


def test_klaviyos_own_consent_beside_a_stale_shopify_property_is_read_on_the_safe_side(
    tmp_path: Path,
):
    """A Klaviyo profiles export has Klaviyo's `Email Marketing Consent` and an `Accepts
    Marketing` property synced from Shopify that can be stale. The first consent header won
    alone (marketing_opt_in <- Accepts Marketing): people who had unsubscribed in Klaviyo were in
    the campaign lists and exports, in a green build. Both are read: consent only when every
    filled one says yes; the SMS consent the same way (`SMS Marketing Consent` beside `Accepts
    SMS Marketing`); the console names the columns; a repeat row that unsubscribed in Klaviyo
    only blocks its customer."""
    profiles = klaviyo_profiles(80)
    # Repeats of a subscribed profile: one unsubscribed in Klaviyo only (the synced property
    # still True), which blocks the customer; one the same as its first row, which does not.
    subscribed = [
        p
        for p in profiles
        if p["Accepts Marketing"]
        and every_filled_one_says_yes(p["Email Marketing Consent"], p["Accepts Marketing"])
    ]
    took_back, repeated = subscribed[0], subscribed[1]
    rows = [*profiles, {**took_back, "Email Marketing Consent": "UNSUBSCRIBED"}, dict(repeated)]
    path = tmp_path / "klaviyo_profiles.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=KLAVIYO_HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    rng = random.Random(7)
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order Number,Email,Order Date,Total\n"
        + "".join(
            f"#{1000 + k},p{rng.randrange(80)}@example.com,"
            f"2024-0{rng.randint(1, 6)}-{rng.randint(10, 28)},{rng.uniform(15, 200):.2f}\n"
            for k in range(240)
        )
    )
    run = run_dbt(
        tmp_path / "run",
        variables={"customers_path": str(path), "orders_path": str(orders), "n_clusters": 3},
        extra_args=["--select", "+campaign_targets"],
    )
    email_consent = {
        p["Email"]: every_filled_one_says_yes(p["Email Marketing Consent"], p["Accepts Marketing"])
        for p in profiles
    }
    sms_consent = {
        p["Email"]: every_filled_one_says_yes(
            p["SMS Marketing Consent"], p["Accepts SMS Marketing"]
        )
        for p in profiles
    }
    stale = [
        p["Email"]
        for p in profiles
        if p["Email Marketing Consent"] == "UNSUBSCRIBED" and p["Accepts Marketing"] == "True"
    ]
    assert stale  # the fixture has the fault
    read = run.query("select customer_id, marketing_opt_in, sms_opt_in from stg_customers")
    assert {row[0]: row[1] for row in read} == email_consent
    assert {row[0]: row[2] for row in read} == sms_consent
    output = " ".join(run.output.split())
    assert (
        'marketing_opt_in is read from 2 columns combined, "Accepts Marketing" and "Email '
        'Marketing Consent"' in output
    ), run.output[-3000:]
    assert (
        'sms_opt_in is read from 2 columns combined, "Accepts SMS Marketing" and "SMS Marketing '
        'Consent"' in output
    )
    blocked = dict(run.query("select customer_id, blocks_contact from customers_rejected"))
    assert blocked == {took_back["Email"]: True, repeated["Email"]: False}

    contactable = run.query(
        "select customer_id, may_email, may_sms from int_segment_members_contactable"
    )
    may_email = {row[0] for row in contactable if row[1]}
    may_sms = {row[0] for row in contactable if row[2]}
    assert may_email == {e for e, yes in email_consent.items() if yes} - {took_back["Email"]}
    assert may_sms == {e for e, yes in sms_consent.items() if yes} - {took_back["Email"]}
    listed = run.query(
        "select customer_id, channel from campaign_targets join campaigns using (campaign_id)"
    )
    assert listed, "the campaigns should reach someone"
    assert not {c for c, channel in listed if channel != "sms"} & set(stale)
    assert {c for c, channel in listed if channel == "sms"} <= may_sms
