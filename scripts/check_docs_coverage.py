"""Check that every public model, and every column it really has, is documented.

Usage: ``python scripts/check_docs_coverage.py [--target target]`` after ``dbt build`` and
``dbt docs generate`` (it reads target/manifest.json and target/catalog.json: the catalog lists
the columns the tables really have, the manifest what the YAML documents).

Also checks that each public model belongs to a group with an owner. A column whose name matches a
pattern in the model's ``meta: {documented_column_patterns: ["avg_*"]}`` counts as documented
(for columns that follow the features, described once in the model description).
Exits 1 listing every gap, 0 with a one-line summary.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from pathlib import Path


def coverage_problems(manifest: dict, catalog: dict) -> tuple[list[str], int, int]:
    """Return (problems, public models checked, columns checked)."""
    project = manifest["metadata"].get("project_name")
    groups = {group["name"]: group for group in manifest.get("groups", {}).values()}
    problems: list[str] = []
    models = columns = 0
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node.get("package_name") != project:
            continue
        if node.get("access") != "public":
            continue
        models += 1
        name = node["name"]
        if not (node.get("description") or "").strip():
            problems.append(f"{name}: no description")
        group = groups.get(node.get("group") or "")
        owner = (group or {}).get("owner") or {}
        if not (owner.get("name") or owner.get("email")):
            problems.append(f"{name}: not in a group with an owner")
        documented = {
            column_name.lower(): (column.get("description") or "").strip()
            for column_name, column in node.get("columns", {}).items()
        }
        meta = {**(node.get("config", {}).get("meta") or {}), **(node.get("meta") or {})}
        patterns = meta.get("documented_column_patterns") or []
        table = catalog.get("nodes", {}).get(unique_id)
        if table is None:
            problems.append(f"{name}: not in catalog.json (not built, or docs not generated)")
            continue
        for column_name in table["columns"]:
            columns += 1
            key = column_name.lower()
            if documented.get(key):
                continue
            if any(fnmatch.fnmatch(key, pattern.lower()) for pattern in patterns):
                continue
            problems.append(f"{name}.{column_name}: no description")
    return problems, models, columns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=Path, default=Path("target"), help="dbt target folder")
    args = parser.parse_args(argv)
    try:
        manifest = json.loads((args.target / "manifest.json").read_text(encoding="utf-8"))
        catalog = json.loads((args.target / "catalog.json").read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        print(
            f"error: {missing.filename} not found: run `dbt build` and `dbt docs generate` first "
            "(or pass --target)",
            file=sys.stderr,
        )
        return 2
    problems, models, columns = coverage_problems(manifest, catalog)
    if problems:
        print(f"{len(problems)} documentation gap(s) in public models:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"ok: {models} public models and their {columns} columns are documented")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
