"""The project installed as a dbt package in a host project that points it at its own table.

The host project is generated here: `packages.yml` with a `local:` path to this repository, a
`raw.customers` table in the host's DuckDB file (named with `customers_relation`), and a host
model called `stg_customers`, the name clash a real host project is likely to have. The host's
own campaigns seed replaces the package's through var `campaigns_seed`, without disabling it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from .conftest import REPO, invoke_dbt

pytestmark = pytest.mark.dbt

HOST_PROJECT = """\
name: host_shop
version: "1.0.0"
config-version: 2
profile: host_shop
flags:
  send_anonymous_usage_stats: false
  # A package's ref('stg_customers') must find the package's own model, not the host's.
  require_ref_searches_node_package_before_root: true
vars:
  customers_relation: raw.customers
  campaigns_seed: my_campaigns
  exports_path: {exports}
models:
  customer_segmentation:
    +schema: segments
seeds:
  customer_segmentation:
    +schema: segments
  host_shop:
    my_campaigns:
      +column_types:  # the columns it leaves empty, typed as in the package's seed
        target_segment_ids: varchar
        target_feature_2: varchar
        target_tier_2: varchar
        max_audience_size: integer
"""

HOST_PROFILE = """\
host_shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: {database}
      threads: 2
"""


def dbt(host: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` in the host project (in this process, as run_dbt does: see invoke_dbt)."""
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(host / "target"),
        "DBT_LOG_PATH": str(host / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_WRITE_JSON": "true",  # the test reads the host's manifest
    }
    return invoke_dbt([*args, "--project-dir", str(host), "--profiles-dir", str(host)], host, env)


def test_host_project_segments_its_own_warehouse_table(tmp_path: Path):
    host = tmp_path / "host"
    (host / "models").mkdir(parents=True)
    database = host / "warehouse.duckdb"
    (host / "dbt_project.yml").write_text(
        HOST_PROJECT.format(exports=json.dumps(str(tmp_path / "exports")))
    )
    (host / "profiles.yml").write_text(HOST_PROFILE.format(database=json.dumps(str(database))))
    (host / "packages.yml").write_text(f"packages:\n  - local: {json.dumps(str(REPO))}\n")
    (host / "models" / "stg_customers.sql").write_text("select 1 as host_column\n")
    (host / "seeds").mkdir()
    header = (REPO / "seeds" / "campaigns.csv").read_text().splitlines()[0].split(",")
    campaign = {"campaign_id": "HOST1", "campaign_name": "Host VIP", "channel": "email"}
    campaign |= {"offer": "Host offer", "target_feature_1": "annual_income_k"}
    campaign |= {"target_tier_1": "high", "priority": "1", "holdout_share": "0.1"}
    campaign |= {"is_exclusive": "true", "is_active": "true", "target_at_risk_only": "false"}
    row = [campaign.get(column, "") for column in header]
    (host / "seeds" / "my_campaigns.csv").write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            """
            create table raw.customers as
            select
                'H' || lpad(cast(i as varchar), 4, '0') as "CustomerID",
                case when i % 2 = 0 then 'Female' else 'Male' end as "Gender",
                18 + i % 50 as "Age",
                15 + (i * 7) % 120 as "Annual Income (k$)",
                1 + (i * 13) % 99 as "Spending Score (1-100)"
            from range(300) as numbers(i)
            """
        )

    deps = dbt(host, "deps")
    assert deps.returncode == 0, deps.stdout[-2000:]
    build = dbt(
        host,
        "build",
        "--select",
        "+customer_segments",
        "+campaign_targets",
        "host_shop",
        "--indirect-selection",
        "cautious",
        # A var of the host's own: the package must not take it for a misspelled one of its vars.
        "--vars",
        '{"host_only_setting": 1}',
    )
    output = build.stdout + build.stderr
    assert build.returncode == 0, output[-4000:]
    assert "depends on the root project node" not in output
    assert "require_ref" not in output, output[-4000:]

    with duckdb.connect(str(database), read_only=True) as connection:
        segmented = connection.execute(
            "select count(*), count(distinct segment_id) from segments.customer_segments"
        ).fetchone()
        relations = dict(
            connection.execute(
                "select table_schema, list(table_name order by table_name) "
                "from information_schema.tables group by all"
            ).fetchall()
        )
        host_model = connection.execute("select * from main.stg_customers").fetchall()
        campaigns = connection.execute(
            "select distinct campaign_id from segments.campaign_targets"
        ).fetchall()
    assert segmented[0] == 300 and segmented[1] >= 2
    # The package builds in its own schema; the host's stg_customers is untouched; no demo seed.
    assert relations["main"] == ["my_campaigns", "stg_customers"] and host_model == [(1,)]
    # The package read the host's seed named by var campaigns_seed, and its lineage says so.
    assert campaigns == [("HOST1",)]
    assert "campaigns" not in relations["segments"]
    assert relations["raw"] == ["customers"]
    assert "demo_customers" not in relations["segments"]
    manifest = json.loads((host / "target" / "manifest.json").read_text())
    targets = manifest["nodes"]["model.customer_segmentation.campaign_targets"]
    assert "seed.host_shop.my_campaigns" in targets["depends_on"]["nodes"]
    assert "seed.customer_segmentation.campaigns" not in targets["depends_on"]["nodes"]
    base = manifest["nodes"]["model.customer_segmentation.base_customers"]
    assert base["depends_on"]["nodes"] == ["source.customer_segmentation.customers_input.customers"]
    source = manifest["sources"]["source.customer_segmentation.customers_input.customers"]
    assert (source["schema"], source["identifier"]) == ("raw", "customers")


CHECKED_MODEL_TESTS = """\
models:
  - name: things
    data_tests:
      - customer_segmentation.not_null_columns:
          arguments: {{columns: [a, b]}}
      - customer_segmentation.unique_combination:
          arguments: {{columns: [a]}}
      - customer_segmentation.unique_combination:
          name: bad_columns_argument
          arguments: {{columns: {bad}}}
"""


def test_host_models_can_use_the_generic_tests_and_a_bad_columns_argument_is_named(
    tmp_path: Path,
):
    host = tmp_path / "checks"
    (host / "models").mkdir(parents=True)
    project = HOST_PROJECT.split("vars:")[0].replace("host_shop", "host_checks")
    (host / "dbt_project.yml").write_text(project)
    profile = HOST_PROFILE.replace("host_shop", "host_checks")
    (host / "profiles.yml").write_text(
        profile.format(database=json.dumps(str(host / "warehouse.duckdb")))
    )
    (host / "packages.yml").write_text(f"packages:\n  - local: {json.dumps(str(REPO))}\n")
    (host / "models" / "things.sql").write_text(
        "select 1 as a, cast(null as integer) as b union all select 1 as a, 2 as b\n"
    )
    assert dbt(host, "deps").returncode == 0
    # A bare string (iterated letter by letter) or an empty list stops the parse, naming the fix.
    for bad in ('"a"', "[]"):
        (host / "models" / "things.yml").write_text(CHECKED_MODEL_TESTS.format(bad=bad))
        parse = dbt(host, "parse")
        output = parse.stdout + parse.stderr
        assert parse.returncode != 0
        assert "Compilation Error in test bad_columns_argument" in output, output[-3000:]
        assert "argument `columns` must be a non-empty list of column names, got " + bad in output
    # Used right, from a host model: each test finds its one bad row (a null b, a repeated a).
    (host / "models" / "things.yml").write_text(CHECKED_MODEL_TESTS.format(bad="[a, b]"))
    build = dbt(host, "build", "--select", "host_checks")
    output = build.stdout + build.stderr
    assert "is undefined" not in output, output[-3000:]
    failed = {
        line.split("FAIL 1 ")[1].split(" ")[0] for line in output.splitlines() if "FAIL 1 " in line
    }
    assert failed == {
        "customer_segmentation_not_null_columns_things_a__b",
        "customer_segmentation_unique_combination_things_a",
    }, output[-3000:]
    assert "ERROR=2" in output  # the two failures; the model and [a, b] as a key pass
