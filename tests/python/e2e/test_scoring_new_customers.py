"""New customers are scored in SQL from the stored model, without rerunning the Python fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .conftest import run_dbt

pytestmark = pytest.mark.dbt


def score(workdir: Path, customers: Path, lines: list[str], variables: dict, check: bool = True):
    """Write ``lines`` as the customers file and run the scoring selector with its tests."""
    customers.write_text("\n".join(lines) + "\n")
    return run_dbt(
        workdir,
        command="build",
        variables=variables,
        extra_args=["--selector", "score_new_customers"],
        check=check,
    )


def test_new_customers_get_the_nearest_fitted_centroid_without_a_refit(
    tmp_path: Path, mall_csv: Path
):
    lines = mall_csv.read_text().splitlines()
    customers = tmp_path / "customers.csv"
    # The header and the first 150 customers.
    variables = {
        "customers_path": str(customers),
        "n_clusters": 5,
        "segmentation_features": ["age", "annual_income_k", "spending_score"],
    }
    # Scoring before any fit stops at the scoring model with the fix, not DuckDB's catalog error.
    unfitted = score(tmp_path / "run", customers, lines[:151], variables, check=False)
    assert unfitted.result.returncode != 0
    assert "has none yet (missing: feature_scaling, segment_centroids, segmentation_model)" in (
        unfitted.output
    )
    assert "Fix: run `dbt build` once to fit the model" in unfitted.output
    assert "Catalog Error" not in unfitted.output

    fitted = run_dbt(tmp_path / "run", variables=variables, lean=True)
    before = dict(fitted.query("select customer_id, segment_id from customer_segments_scored"))
    version = fitted.scalar("select distinct model_version from customer_segments_scored")
    fitted_model = fitted.query("select count(*), max(algorithm) from segmentation_model")
    assert len(before) == 150

    # 50 customers arrive, and 3 rows no one can use: they are quarantined with their reasons and
    # counted, as in a full build, not silently left unscored.
    bad_rows = ["9001,Male,abc,50,50", "9002,Female,30,NaN,40", "9003,Male,40,60,150"]
    # The vars now name two features; scoring still uses the three of the stored model, and says so.
    two_features = {**variables, "segmentation_features": ["annual_income_k", "spending_score"]}
    # Customer 1 (19, 15k, score 39) now earns 137k and scores 99: scored again, not left as fitted.
    changed = ["1,Male,19,137,99", *lines[2:]]
    scored = score(tmp_path / "run", customers, [lines[0], *changed, *bad_rows], two_features)
    assert (
        "var segmentation_features now gives annual_income_k, spending_score, but the stored "
        "model was fitted on age, annual_income_k, spending_score"
        in " ".join(scored.output.split())
    )
    # ... and, under `dbt build`, as a dbt WARN (counted in dbt's Done line), not only a log line.
    assert any("WARN 1 scored_on_requested_features" in line for line in scored.output.splitlines())
    assert "ERROR=0" in scored.output and "WARN=1" in scored.output
    assert "rows_reconcile_base_customers" in scored.output  # the input checks ran
    assert f"customers scored in SQL: 200 (model version {version[:12]})" in scored.output
    rejected = dict(scored.query("select customer_id, rejection_reason from customers_rejected"))
    assert sorted(rejected) == ["9001", "9002", "9003"]
    assert "age" in rejected["9001"] and "annual_income_k" in rejected["9002"]
    assert "spending_score" in rejected["9003"]
    summary = dict(scored.query("select outcome, row_count from input_summary"))
    assert summary.pop("kept") == 200 and sum(summary.values()) == 3
    assert scored.query("select count(*), max(algorithm) from segmentation_model") == fitted_model
    after = dict(scored.query("select customer_id, segment_id from customer_segments_scored"))
    assert len(after) == 200
    assert {c: after[c] for c in before if c != "1"} == {
        c: s for c, s in before.items() if c != "1"
    }
    assert after["1"] != before["1"]
    assert scored.scalar("select count(distinct model_version) from customer_segments_scored") == 1
    assert scored.scalar("select max(model_version) from customer_segments_scored") == version
    assert scored.query("select distinct scoring_features from customer_segments_scored") == [
        ("age, annual_income_k, spending_score",)
    ]

    # Independent check of the 50 new customers and the changed one, in numpy, from the stored
    # model tables.
    scaling = {
        name: (center, scale)
        for name, center, scale in scored.query(
            "select feature_name, center, scale from feature_scaling"
        )
    }
    features = sorted(scaling)
    centroid_rows = scored.query(
        "select segment_id, feature_name, centroid_scaled from segment_centroids"
    )
    segment_ids = sorted({row[0] for row in centroid_rows})
    centroids = np.zeros((len(segment_ids), len(features)))
    for segment_id, feature, value in centroid_rows:
        centroids[segment_ids.index(segment_id), features.index(feature)] = value
    new_ids = sorted(set(after) - set(before) | {"1"})
    rows = scored.query(
        f"select customer_id, {', '.join(features)} from int_customer_features "
        f"where customer_id in ({', '.join(repr(c) for c in new_ids)}) order by customer_id"
    )
    for customer_id, *values in rows:
        scaled = np.array(
            [(v - scaling[f][0]) / scaling[f][1] for f, v in zip(features, values, strict=True)]
        )
        nearest = segment_ids[int(np.argmin(((centroids - scaled) ** 2).sum(axis=1)))]
        assert after[customer_id] == nearest, customer_id

    # A new file without the Spending Score column (the rest as before): staging reads the
    # missing standard column as null for everyone. Scoring everyone with the fit's fill value
    # would move customers between segments without an error, so the run stops, naming the
    # feature, the model version and the fix, and the stored scores stay as they were.
    stored = "select * from customer_segments_scored order by customer_id"
    scores_before = scored.query(stored)
    no_score = [line.rsplit(",", 1)[0] for line in lines]
    without_score = score(tmp_path / "run", customers, no_score, variables, check=False)
    assert without_score.result.returncode != 0
    message = " ".join(without_score.output.split())
    assert (
        "customer_segments_scored: nothing scored. The current input has no value of "
        "spending_score (the column is absent from the input, or empty for all 200 of its "
        f"customers), a feature of the stored model (version {version[:12]}, fitted on age, "
        "annual_income_k, spending_score)" in message
    )
    assert "Fix: provide the column in the input" in message
    assert "refit on this input with a full `dbt build`" in message
    assert without_score.query(stored) == scores_before

    # Present but mostly empty: scored with the fill value, and the run summary says how many.
    mostly_empty = [lines[0]] + [
        ",".join(line.split(",")[:2] + ["" if n % 10 else line.split(",")[2]] + line.split(",")[3:])
        for n, line in enumerate(lines[1:])
    ]
    sparse_age = score(tmp_path / "run", customers, mostly_empty, variables)
    assert (
        "values missing in the input, scored with the fit's fill value: age 180 of 200 (90.0%)"
        in sparse_age.output
    )

    # A new file that is mostly unusable fails the scoring build (the rejected-share health test)
    # instead of scoring the few good rows; the rejected rows are still there to look at.
    unusable = [f"X{i},Male,abc,50,50" for i in range(250)]
    failed = score(tmp_path / "run", customers, lines + unusable, variables, check=False)
    assert failed.result.returncode != 0
    assert "customer_rows_rejected_over_max_share" in failed.output
    assert failed.scalar("select count(*) from customers_rejected") == 250
    assert failed.scalar("select count(*) from customer_segments_scored") == 200  # not rebuilt
