"""Gender as exports spell it (macros/inputs/parsing.sql, gender_words / gender_letters): a Spanish
H/M export, where M is mujer; German m/w/d; and values no list knows, which read as Other and are
named by the gender_not_recognised WARN instead of silently turning women into Other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt

SELECT = ["--select", "base_customers", "stg_customers", "gender_not_recognised"]


def write_customers(path: Path, genders: list[str]) -> None:
    path.write_text(
        "id,sexo,edad,puntos\n"
        + "".join(f"S{i},{g},{20 + i % 50},{1 + i % 99}\n" for i, g in enumerate(genders))
    )


def genders(run) -> dict[str, str | None]:
    return dict(run.query("select customer_id, gender from base_customers"))


def test_spanish_h_m_reads_m_as_mujer_and_unknown_values_warn(tmp_path: Path):
    hostile = "x'); drop table base_customers; --"  # data, never code: named, nothing runs
    written = ["H", "M", "m", "Mujer", "hombre", "U", "U", "u", "", "x", hostile] * 6
    path = tmp_path / "clientes.csv"
    write_customers(path, written)
    run = run_dbt(tmp_path / "es", variables={"customers_path": str(path)}, extra_args=SELECT)
    read = genders(run)
    # U (unknown) is a gender not given: missing, as the empty cell, not Other.
    expected = {"h": "Male", "m": "Female", "mujer": "Female", "hombre": "Male", "u": None}
    expected |= {"": None, "x": "Other", hostile: "Other"}
    for i, value in enumerate(written):
        assert read[f"S{i}"] == expected[value.lower()], (i, value)
    assert "M read as mujer (Female)" in run.output
    assert re.search(r"WARN \d+ gender_not_recognised", run.output), run.output[-2000:]
    assert "gender value 'U' (" not in run.output  # a known spelling of unknown
    assert "gender value 'x' (" not in run.output  # a known spelling of Other
    assert f"health gender_not_recognised: gender value '{hostile}' (6 customers)" in run.output
    assert run.scalar("select count(*) from base_customers") == len(written)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            ["m", "w", "d", "M", "W", "F", "Female", "male"],
            {"m": "Male", "w": "Female", "d": "Other", "f": "Female", "female": "Female"}
            | {"male": "Male"},
        ),
        # A German CRM's `Anrede` and an English one's: Herr read as Other for every man.
        (
            ["Herr", "Frau", "Divers", "Mr", "Mrs", "Ms.", "Mx", "Miss"],
            {"herr": "Male", "frau": "Female", "divers": "Other", "mr": "Male", "mrs": "Female"}
            | {"ms.": "Female", "mx": "Other", "miss": "Female"},
        ),
        # A German m/w column with one stray `h`: `m` stays male (it read as mujer: 77 men women).
        (
            ["m", "w", "m", "w", "m", "h"],
            {"m": "Male", "w": "Female", "h": "Male"},
        ),
        # A gender not given, as CRMs write it: missing (imputed), not Other.
        (
            ["f", "m", "Unknown", "U", "Prefer not to say", "N/A", "-", "?", "keine Angabe"],
            {"f": "Female", "m": "Male", "unknown": None, "u": None, "prefer not to say": None}
            | {"n/a": None, "-": None, "?": None, "keine angabe": None},
        ),
        # A salutation and a title in one cell (`Anrede` = `Herr Dr.`): read as Other with a
        # WARN; Zoho CRM's empty picklist `-None-` read as Other too. The salutation says the
        # gender; `-None-` is no gender given.
        (
            [
                "Herr Dr.",
                "Frau Prof. Dr.",
                "Frau Dr. med.",
                "Mr Dr",
                "Mrs. Prof.",
                "-None-",
                "Herr",
            ],
            {"herr dr.": "Male", "frau prof. dr.": "Female", "frau dr. med.": "Female"}
            | {"mr dr": "Male", "mrs. prof.": "Female", "-none-": None, "herr": "Male"},
        ),
    ],
    ids=[
        "german-m-w-d-and-english-letters",
        "salutations",
        "german-m-w-stray-h",
        "not-given",
        "salutation-with-title-and-zoho-none",
    ],
)
def test_letters_and_salutations_read_as_their_gender(tmp_path: Path, written, expected):
    """German m/w/d beside English letters keeps `m` male; salutations (Herr / Frau / Divers,
    Mr / Mrs / Ms / Mx) read as gender too."""
    written = written * 5
    path = tmp_path / "kunden.csv"
    write_customers(path, written)
    run = run_dbt(tmp_path / "run", variables={"customers_path": str(path)}, extra_args=SELECT)
    read = genders(run)
    assert [read[f"S{i}"] for i in range(len(written))] == [expected[g.lower()] for g in written]
    assert re.search(r"PASS gender_not_recognised", run.output), run.output[-2000:]


def test_an_academic_title_in_the_salutation_is_a_missing_gender_not_other(tmp_path: Path):
    """A CRM's `Salutation` holds the title for a doctor or a professor (`Dr.`, `Prof.`, a German
    `Prof. Dr.`), which says nothing of the gender: each read as Other, which the segment
    profiles count as a gender, and the gender_not_recognised WARN named them. They are a gender
    not given now (missing, as `Unknown` is), and the WARN passes; Mx stays Other (the
    project's rule: a title chosen for no binary gender)."""
    salutations = ["Mr", "Mrs", "Dr.", "Ms", "Prof.", "Dr", "Prof. Dr.", "Herr", "Frau", "Mx"] * 4
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Contact ID,Salutation,First Name,Last Name,Age\n"
        + "".join(
            f"{7000 + i},{value},First{i},Last{i},{25 + i}\n" for i, value in enumerate(salutations)
        )
    )
    run = run_dbt(tmp_path / "run", variables={"customers_path": str(path)}, extra_args=SELECT)
    read = genders(run)
    expected = {"mr": "Male", "mrs": "Female", "ms": "Female", "herr": "Male", "frau": "Female"}
    expected |= {"dr.": None, "dr": None, "prof.": None, "prof. dr.": None, "mx": "Other"}
    assert [read[str(7000 + i)] for i in range(len(salutations))] == [
        expected[value.lower()] for value in salutations
    ]
    assert "gender <- Salutation" in run.output
    assert re.search(r"PASS gender_not_recognised", run.output), run.output[-2000:]
    assert run.scalar("select count(*) from stg_customers") == len(salutations)
