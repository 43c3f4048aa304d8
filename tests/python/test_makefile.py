"""The Makefile hands a user's vars to every dbt step of `make build` and `make docs`.

`make -n` prints the commands a target would run without running them, so these tests read the
Makefile's real expansion (the dbt steps themselves are exercised by the e2e demo build).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VARS = '{"n_clusters": 4, "exports_path": "/tmp/campaign files"}'

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dbt_commands(*make_args: str) -> list[list[str]]:
    """Return the dbt command lines (as argument lists) that `make -n *make_args` would run."""
    result = subprocess.run(
        ["make", "-n", *make_args], cwd=REPO, capture_output=True, text=True, check=True
    )
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    return [shlex.split(line) for line in lines if shlex.split(line or "x")[0].endswith("/dbt")]


def vars_of(command: list[str]) -> str | None:
    return command[command.index("--vars") + 1] if "--vars" in command else None


def test_build_and_its_docs_step_parse_with_the_same_vars():
    """With VARS, both steps of `make build` get them: the docs step then reuses the build's
    saved parse instead of parsing the project again with the default vars."""
    commands = dbt_commands("build", f"VARS={VARS}", "DBT_ARGS=--fail-fast")
    assert [command[1] for command in commands] == ["build", "docs"]
    assert [vars_of(command) for command in commands] == [VARS, VARS]
    # DBT_ARGS is for `dbt build` only (docs generate rejects build flags such as --fail-fast).
    assert "--fail-fast" in commands[0]
    assert "--fail-fast" not in commands[1]


def test_make_docs_compiles_with_the_vars():
    (command,) = dbt_commands("docs", f"VARS={VARS}")
    assert command[1:3] == ["docs", "generate"]
    assert vars_of(command) == VARS


def test_a_quote_in_the_vars_reaches_dbt_as_written():
    """Data is never code: an apostrophe in a path neither breaks the command nor ends the quote."""
    value = '{"customers_path": "/data/O\'Brien\'s shop/customers.csv"}'
    commands = dbt_commands("build", f"VARS={value}")
    assert [vars_of(command) for command in commands] == [value, value]


def test_without_vars_no_vars_flag_is_passed():
    """No VARS: dbt reads dbt_project.yml's defaults (an empty --vars would be an error)."""
    commands = dbt_commands("build")
    assert [command[1] for command in commands] == ["build", "docs"]
    assert [vars_of(command) for command in commands] == [None, None]
