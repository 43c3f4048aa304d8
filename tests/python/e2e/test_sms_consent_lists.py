"""Consent per channel in the lists: a duplicate customer row that takes back a consent (the
marketing or the SMS one, in an opt-in or an opt-out column) keeps its customer out of the lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt


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
