"""Governance of the built project: groups, access, exposures, schemas, the membership key, and the
docs coverage check (scripts/check_docs_coverage.py) on the real manifest and catalog."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, DemoProject

pytestmark = pytest.mark.dbt

SCRIPT = REPO / "scripts" / "check_docs_coverage.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("check_docs_coverage", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def docs_target(demo_project: DemoProject) -> Path:
    """The target/ of the shared demo build after `dbt docs generate --no-compile`."""
    return demo_project.project / "target"


def test_docs_coverage_check_passes_and_can_fail(docs_target):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--target", str(docs_target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")
    # The same check on the same manifest with one column's description removed must fail.
    module = _load_script()
    manifest = json.loads((docs_target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs_target / "catalog.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(manifest)
    node = broken["nodes"]["model.customer_segmentation.customer_segments"]
    node["columns"]["segment_name"]["description"] = ""
    problems, models, columns = module.coverage_problems(broken, catalog)
    assert problems == ["customer_segments.segment_name: no description"]
    assert models >= 10 and columns > 100


def test_groups_access_and_exposures(docs_target):
    manifest = json.loads((docs_target / "manifest.json").read_text(encoding="utf-8"))
    models = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "customer_segmentation"
    }
    groups = {group["name"]: group for group in manifest["groups"].values()}
    assert set(groups) >= {"segmentation", "marketing"}
    assert all(group["owner"].get("email") for group in groups.values())
    assert all(node["group"] in groups for node in models.values()), "a model has no group"
    for name in ("customer_segments", "segment_profiles", "campaign_targets", "audiences"):
        assert models[name]["access"] == "public", name
    for name in ("base_customers", "int_customer_features_scaled", "segmentation_search"):
        assert models[name]["access"] == "private", name
    assert models["campaign_targets"]["group"] == "marketing"
    exposed = {
        parent.split(".")[-1]
        for exposure in manifest["exposures"].values()
        for parent in exposure["depends_on"]["nodes"]
    }
    assert exposed >= {"campaign_export", "audiences", "audience_memberships", "chart_renders"}
    assert manifest["metadata"]["dbt_version"].startswith("1.11")


def test_layers_in_their_own_schemas_and_membership_key(demo_build):
    schemas = dict(
        demo_build.query(
            "select table_name, table_schema from information_schema.tables "
            "where table_name in ('stg_customers', 'int_customer_features', 'customer_segments')"
        )
    )
    assert schemas == {
        "stg_customers": "staging",
        "int_customer_features": "intermediate",
        "customer_segments": "main",
    }
    rows, keys, pairs = demo_build.query(
        "select count(*), count(distinct membership_key), "
        "count(distinct (audience_id, customer_id)) from audience_memberships"
    )[0]
    assert rows > 0 and rows == keys == pairs


def test_docs_show_the_sql_of_the_build_they_document(demo_project: DemoProject, docs_target):
    """`make build` documents its build with `dbt docs generate --no-compile`: the site reads the
    build's own manifest.json, so every model's page has the SQL that ran, and the catalog (written
    after it) describes the tables that build made."""
    manifest = json.loads((docs_target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs_target / "catalog.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["invocation_id"] == demo_project.invocation_id
    models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "customer_segmentation"
    ]
    uncompiled = [node["name"] for node in models if not node.get("compiled_code")]
    assert models and uncompiled == []
    built = {node["unique_id"] for node in models if node["config"]["materialized"] != "ephemeral"}
    assert built <= set(catalog["nodes"]), sorted(built - set(catalog["nodes"]))
