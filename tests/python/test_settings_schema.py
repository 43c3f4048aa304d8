"""The one var schema: complete, generated Jinja up to date, README in step, typed checks."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from customer_segmentation import settings_schema as schema

REPO = Path(__file__).resolve().parents[2]


def project_vars() -> dict:
    return yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]


def test_the_generated_jinja_schema_is_up_to_date():
    committed = (REPO / schema.MACRO_PATH).read_text()
    assert committed == schema.macro_text(), (
        "macros/config/var_schema.sql is stale: run "
        "`python -m customer_segmentation.settings_schema --write-macro`"
    )


def test_every_project_var_has_a_schema_entry_and_its_default_is_valid():
    missing = sorted(set(project_vars()) - set(schema.BY_NAME))
    assert not missing, f"vars in dbt_project.yml without a schema entry: {missing}"
    for name, value in project_vars().items():
        assert schema.check(name, value) == schema.check(name, schema.BY_NAME[name].default), name


def test_every_spelling_the_csv_reader_takes_passes_the_var_check():
    """csv_settings() maps delimiter names and encoding spellings to what DuckDB reads; each must
    pass validate_vars too (before, `csv_delimiter: tab` was documented, read, and then refused)."""
    macro = (REPO / "macros" / "inputs" / "input_sources.sql").read_text()
    body = macro.split("{% macro csv_settings(")[1].split("{% endmacro %}")[0]
    spellings = {
        name: re.findall(r"'((?:[^'\\]|\\.)+)':", line)
        for name, line in (
            ("csv_delimiter", next(x for x in body.splitlines() if "set aliases" in x)),
            ("encoding", next(x for x in body.splitlines() if "'utf8'" in x)),
        )
    }
    assert len(spellings["csv_delimiter"]) >= 7 and len(spellings["encoding"]) >= 4
    for name, words in spellings.items():
        for word in words:
            schema.check(name, word.replace("\\\\", "\\"))


def test_every_schema_default_and_example_is_valid():
    typed = schema.check_all({})
    assert set(typed) == set(schema.BY_NAME)
    for setting in schema.SETTINGS:
        schema.check(setting.name, setting.example)


def test_every_var_has_a_readme_row():
    readme = (REPO / "README.md").read_text()
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.MULTILINE))
    missing = sorted(set(schema.BY_NAME) - rows)
    assert not missing, f"vars without a README row: {missing}"
    assert schema.readme_rows() in readme, "README Vars table differs from --readme-table output"


def test_algorithms_come_from_the_schema():
    assert schema.BY_NAME["cluster_algorithm"].choices == ("auto", *schema.ALGORITHMS)


@pytest.mark.parametrize(
    ("name", "value", "typed"),
    [
        ("n_clusters", "5", 5),
        ("n_clusters", 5.0, 5),
        ("n_clusters", " AUTO ", "auto"),
        ("random_seed", 2**32 - 1, 2**32 - 1),
        ("recommendation_min_lift", "1.5", 1.5),
        ("csv_delimiter", "\t", "\t"),
        ("csv_delimiter", "Whitespace", "whitespace"),
        ("csv_header", True, "true"),
        ("customers_relation", "raw.customers", "raw.customers"),
        ("exports_path", "o'brien exports", "o'brien exports"),
        ("segmentation_features", "age, income", ["age", "income"]),
        ("feature_transforms", {"monetary": "LOG1P"}, {"monetary": "log1p"}),
        ("cancellation_values", None, []),
        ("as_of_date", "2024-02-29", "2024-02-29"),
        ("as_of_date", None, None),
        ("scaling", "none", "none"),
        ("scaling", " None ", "none"),
        ("feature_transforms", "none", "none"),
    ],
)
def test_valid_values_come_back_typed(name, value, typed):
    assert schema.check(name, value) == typed


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("recommendation_min_lift", "0 or true"),
        ("retention_overdue_factor", -5),
        ("retention_overdue_factor", "abc"),
        ("segment_tier_threshold", "abc"),
        ("n_clusters", 1),
        ("random_seed", 99999999999),
        ("random_seed", 2**32),
        ("k_max", True),
        ("dbscan_eps", math.inf),
        ("dbscan_eps", "nan"),
        ("dbscan_eps", "1e309"),
        ("max_rejected_share", 1.5),
        ("scaling", "zscore"),
        ("csv_delimiter", ";;"),
        ("as_of_date", "2023-02-29"),
        ("as_of_date", "31/12/2024"),
        ("exports_path", "exports\x00/evil"),
        ("exports_path", "two\nlines"),
        ("customers_relation", "a.b.c.d"),
        ("customers_relation", "raw..customers"),
        ("customer_columns", ["customer_id"]),
        ("feature_transforms", {"monetary": "sqrt"}),
        ("segmentation_features", []),
        ("segmentation_features", "  "),
        ("scaling", None),
        ("exports_path", "null"),
    ],
)
def test_invalid_values_give_one_line_naming_var_value_allowed_and_example(name, value):
    with pytest.raises(schema.SettingError) as error:
        schema.check(name, value)
    message = str(error.value)
    assert "\n" not in message and "\x00" not in message
    assert message.startswith(f"var {name} = ")
    assert f"is not valid: allowed {schema.allowed_text(schema.BY_NAME[name])}." in message
    assert message.endswith(schema.example_text(schema.BY_NAME[name]))


def test_ordered_pairs_are_checked():
    with pytest.raises(
        schema.SettingError, match="var warn_rejected_share = 0.6 .* at most max_rejected_share"
    ):
        schema.check_all({"warn_rejected_share": 0.6})
    assert schema.check_all({"k_min": 4, "k_max": 4})["k_min"] == 4
