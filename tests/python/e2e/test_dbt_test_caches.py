"""The test harness's caches (dbt_test_caches) keep only what cannot differ between invocations."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
import pytest
from dbt_common.dataclass_schema import ValidationError, dbtClassMixin

from . import dbt_test_caches
from .conftest import run_dbt

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    dbt_test_caches.install()


def test_a_template_compiled_for_one_environment_is_not_run_with_anothers_filters():
    # Jinja decides while compiling whether a filter is handed the context: the same source must
    # compile again for an environment whose filter of that name wants it.
    source = "{{ name | greet }}"
    plain = jinja2.Environment()
    plain.filters["greet"] = lambda value: f"hello {value}"
    with_context = jinja2.Environment()
    with_context.filters["greet"] = jinja2.pass_context(
        lambda context, value: f"{context['salutation']} {value}"
    )
    assert plain.from_string(source).render(name="Ada") == "hello Ada"
    assert with_context.from_string(source).render(name="Ada", salutation="hi") == "hi Ada"
    assert plain.from_string(source).render(name="Bo") == "hello Bo"


def test_a_template_is_compiled_once_per_environment_kind():
    source = "{% for i in range(n) %}{{ i }}{% endfor %} {{ 'kept' }}"
    first = jinja2.Environment().compile(source)
    assert jinja2.Environment().compile(source) is first
    assert jinja2.Environment(extensions=["jinja2.ext.do"]).compile(source) is not first
    assert jinja2.Environment().compile(source + " ") is not first


@dataclass
class Threshold(dbtClassMixin):
    name: str
    share: float


def test_invalid_data_fails_every_time_and_valid_data_passes():
    Threshold.validate({"name": "rejected", "share": 0.05})
    Threshold.validate({"name": "rejected", "share": 0.05})
    for _ in range(2):
        with pytest.raises(ValidationError, match="share"):
            Threshold.validate({"name": "rejected", "share": "five percent"})
    with pytest.raises(ValidationError):
        Threshold.validate({"name": "rejected"})


@pytest.mark.parametrize(
    ("extra_args", "environment", "where"),
    [
        ([], {}, None),
        (["--debug"], {}, "console"),
        ([], {"DBT_LOG_LEVEL_FILE": "debug"}, "file"),
    ],
)
def test_debug_events_are_skipped_only_when_no_logger_writes_them(
    tmp_path, monkeypatch, extra_args, environment, where
):
    # dbt's "running dbt with arguments" line is a debug event: on the console with --debug, in
    # logs/dbt.log with a debug log file, and nowhere otherwise.
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    run = run_dbt(tmp_path, command="parse", extra_args=extra_args)
    log_file = tmp_path / "logs" / "dbt.log"
    file_text = log_file.read_text() if log_file.exists() else ""
    line = "running dbt with arguments"
    assert (line in run.output) == (where == "console")
    assert (line in file_text) == (where == "file")
