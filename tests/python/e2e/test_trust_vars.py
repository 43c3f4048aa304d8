"""The var validator through dbt: the Jinja side gives exactly the Python side's message for every
case (one dbt invocation for the whole corpus), and every dbt command stops before building."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from customer_segmentation import settings_schema as schema

from .conftest import REPO, DbtRun, invoke_dbt, run_dbt

pytestmark = pytest.mark.dbt

# Each case: the vars a user passes. Expected: Python's check_all() message, or "" when valid.
CASES: list[dict] = [
    {"recommendation_min_lift": "0 or true"},
    {"recommendation_min_lift": "1.5"},
    {"retention_overdue_factor": -5},
    {"retention_overdue_factor": "abc"},
    {"retention_min_segment_index": "abc"},
    {"segment_tier_threshold": "abc"},
    {"segment_tier_threshold": 0},
    {"n_clusters": 1},
    {"n_clusters": "5"},
    {"n_clusters": 2.5},
    {"n_clusters": "AUTO"},
    {"n_clusters": True},
    {"random_seed": 99999999999},
    {"random_seed": 4294967295},
    {"random_seed": -1},
    {"k_min": 8, "k_max": 4},
    {"k_min": "3", "k_max": "3"},
    {"sample_size": 50},
    {"dbscan_eps": "1e309"},
    {"dbscan_eps": "NaN"},
    {"dbscan_eps": "Infinity"},
    {"dbscan_eps": 0},
    {"dbscan_eps": "0.4"},
    {"dbscan_min_samples": "many"},
    {"cluster_algorithm": "spectral"},
    {"cluster_algorithm": " GMM "},
    {"linkage": "centroid"},
    {"covariance_type": "banded"},
    {"scaling": "robust"},
    {"scaling": "zscore"},
    {"scaling": "none"},
    {"scaling": None},
    {"csv_header": True},
    {"csv_header": "maybe"},
    {"csv_delimiter": "\t"},
    {"csv_delimiter": ";;"},
    {"csv_delimiter": "semicolon"},
    {"csv_delimiter": " Tab "},
    {"encoding": "latin1"},
    {"decimal_separator": ","},
    {"decimal_separator": "comma"},
    {"encoding": "ebcdic"},
    {"as_of_date": "2024-02-29"},
    {"as_of_date": "2023-02-29"},
    {"as_of_date": "31/12/2024"},
    {"earliest_date": None},
    {"exports_path": "o'brien exports"},
    {"exports_path": "exports\u0000/x"},
    {"exports_path": "two\nlines"},
    {"exports_path": ""},
    {"customers_path": "data/o'brien.csv"},
    {"customers_relation": "raw.customers"},
    {"customers_relation": "a.b.c.d"},
    {"orders_relation": "raw..orders"},
    {"customer_columns": {"customer_id": "Client Ref"}},
    {"customer_columns": ["customer_id"]},
    {"customer_columns": {"spending_score": None}},  # null: leave it unmapped
    {"order_columns": {"amount": None, "quantity": "Qty"}},
    {"date_formats": {"order_date": None}},  # no null values here
    {"date_formats": {"order_date": "%d/%m/%Y"}},
    {"derived_features": {"spend_per_visit": ""}},
    {"segmentation_features": ["age", "annual_income_k"]},
    {"segmentation_features": []},
    {"segmentation_features": "age, spending_score"},
    {"feature_transforms": {"monetary": "log1p"}},
    {"feature_transforms": {"monetary": "sqrt"}},
    {"feature_transforms": "none"},
    {"cancellation_values": ["C", "R"]},
    {"cancellation_values": "C"},
    {"cancellation_values": []},  # empty allowed: no status marks a cancellation
    {"cancellation_values": None},
    {"cancellation_values": [""]},
    {"max_rejected_share": 1.5},
    {"warn_rejected_share": 0.6},
    {"min_segment_share": "0.05"},
    {"max_noise_share": -0.1},
]


def python_message(case: dict) -> str:
    try:
        schema.check_all(case)
    except schema.SettingError as error:
        return str(error)
    return ""


def test_jinja_and_python_agree_on_every_case(tmp_path: Path):
    run = run_dbt(
        tmp_path,
        "run-operation",
        extra_args=["check_var_cases", "--args", json.dumps({"cases": [[case] for case in CASES]})],
    )
    results = {}
    for line in run.output.splitlines():
        if "VAR_CASE " in line:
            found = json.loads(line.split("VAR_CASE ", 1)[1])
            results[found["case"]] = found["problem"]
    assert len(results) == len(CASES), run.output[-2000:]
    mismatches = [
        (case, results[index], python_message(case))
        for index, case in enumerate(CASES)
        if results[index] != python_message(case)
    ]
    assert not mismatches, mismatches
    invalid = sum(1 for index in results if results[index])
    assert 30 <= invalid < len(CASES)  # the corpus holds both kinds
    assert results[CASES.index({"scaling": "none"})] == ""  # a choice named none is not null


@pytest.mark.parametrize(
    ("command", "variables", "expected"),
    [
        ("build", {"n_clusters": 1}, python_message({"n_clusters": 1})),
        (
            "run",
            {"recommendation_min_lift": "0 or true"},
            python_message({"recommendation_min_lift": "0 or true"}),
        ),
        ("seed", {"random_seed": 99999999999}, python_message({"random_seed": 99999999999})),
        (
            "test",
            {"retention_overdue_factor": -5},
            python_message({"retention_overdue_factor": -5}),
        ),
        (
            "docs generate",
            {"segment_tier_threshold": "abc"},
            python_message({"segment_tier_threshold": "abc"}),
        ),
    ],
)
def test_every_dbt_command_stops_before_building_anything(
    tmp_path: Path, command, variables, expected
):
    if command == "docs generate":  # run_dbt takes a one-word command
        env = {
            **os.environ,
            "DBT_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_LOG_PATH": str(tmp_path / "logs"),
        }
        args = [
            "docs",
            "generate",
            "--project-dir",
            str(REPO),
            "--profiles-dir",
            str(REPO),
            "--vars",
            json.dumps(variables),
        ]
        result = invoke_dbt(args, REPO, env)
        run = DbtRun(tmp_path, result)
    else:
        run = run_dbt(tmp_path, command, variables, check=False)
    assert run.result.returncode != 0
    assert expected and expected in run.output
    assert "Traceback" not in run.output
    assert not re.search(r"\d+ of \d+ (START|OK|PASS)", run.output)  # no node ran
    if run.database.exists():
        assert run.query("select count(*) from information_schema.tables")[0][0] == 0


def test_a_misspelled_var_stops_dbt_naming_the_var_it_meant(tmp_path: Path):
    # dbt itself ignores a var no model reads: `n_clustrs: 3` would build with n_clusters: auto.
    run = run_dbt(
        tmp_path,
        "build",
        {"n_clustrs": 3, "Sample_Size": 500, "zzz_unrelated": 1, "n_clusters": 3},
        check=False,
    )
    assert run.result.returncode != 0
    assert (
        "unknown vars 'n_clustrs' (did you mean n_clusters?), 'Sample_Size' (did you mean "
        "sample_size?), 'zzz_unrelated': dbt ignores a var no model reads" in run.output
    ), run.output[-3000:]
    assert "Fix: correct the name" in run.output
    assert "Traceback" not in run.output
    assert not re.search(r"\d+ of \d+ (START|OK|PASS)", run.output)  # no node ran


def test_every_var_of_the_schema_is_a_known_name(tmp_path: Path):
    # The other side: all the schema's names at once (their defaults) pass the name check.
    defaults = {setting.name: setting.default for setting in schema.SETTINGS}
    defaults = {name: value for name, value in defaults.items() if value is not None}
    run = run_dbt(tmp_path, "parse", defaults, check=False)
    assert run.result.returncode == 0, run.output[-3000:]
    assert "unknown var" not in run.output


def test_a_pasted_blob_as_a_var_name_is_named_without_a_guess_and_quickly(tmp_path: Path):
    # The closest-var search is skipped for names far longer than any var (length x length Jinja
    # steps each); and with nothing compared, no "did you mean None?".
    run = run_dbt(tmp_path, "parse", {"z" * 1000: 1}, check=False)
    assert run.result.returncode != 0
    assert "unknown var 'zzzz" in run.output and "did you mean" not in run.output, run.output[
        -2000:
    ]
