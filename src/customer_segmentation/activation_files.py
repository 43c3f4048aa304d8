"""Campaign files for activation tools, written so that they cannot go stale.

Each build writes the files of that build under the exports folder, removes the files the previous
build listed in ``manifest.json`` and did not write again (never anything else), then writes the
new manifest. Every row carries ``exported_at`` and ``run_id``; Parquet files also carry both as
file metadata, so an empty campaign's file still says which run wrote it. File names come from
:func:`file_names` (sanitised, unique, never outside the folder). Polars writes the files: no
path or campaign id ever reaches SQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
FILES_SCHEMA: dict[str, pl.DataType] = {
    "path": pl.Utf8(),
    "campaign_id": pl.Utf8(),
    "kind": pl.Utf8(),
    "file_format": pl.Utf8(),
    "row_count": pl.Int64(),
    "run_id": pl.Utf8(),
    "exported_at": pl.Datetime("us"),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_NAME = 80


def empty_file_list() -> pl.DataFrame:
    return pl.DataFrame(schema=FILES_SCHEMA)


def _digest(campaign_id: str) -> str:
    return hashlib.md5(campaign_id.encode("utf-8")).hexdigest()[:8]


def file_names(campaign_ids: Iterable[str]) -> dict[str, str]:
    """``{campaign_id: file name stem}``: letters, digits, ``_ - .`` kept, the rest ``_``.

    A stem never starts with a dot, is never empty, and is unique even on case-insensitive file
    systems: an id whose name had to change, or that clashes with another, gets ``-`` and 8 hex
    characters of its md5.
    """
    ids = list(dict.fromkeys(str(campaign_id) for campaign_id in campaign_ids))
    base = {}
    for campaign_id in ids:
        stem = _UNSAFE.sub("_", campaign_id).lstrip("._")[:_MAX_NAME] or "campaign"
        base[campaign_id] = stem
    clashes: dict[str, int] = {}
    for stem in base.values():
        clashes[stem.lower()] = clashes.get(stem.lower(), 0) + 1
    names = {
        campaign_id: stem
        if stem == campaign_id and clashes[stem.lower()] == 1
        else f"{stem}-{_digest(campaign_id)}"
        for campaign_id, stem in base.items()
    }
    if len({name.lower() for name in names.values()}) != len(names):  # an id spelled like a digest
        names = {
            campaign_id: f"{stem}-{_digest(campaign_id)}" for campaign_id, stem in base.items()
        }
    return names


def _inside(folder: Path, relative: str) -> Path | None:
    """``folder / relative`` when it stays inside ``folder``, else None."""
    candidate = (folder / relative).resolve()
    root = folder.resolve()
    return candidate if candidate != root and root in candidate.parents else None


def _write(frame: pl.DataFrame, path: Path, file_format: str, metadata: dict[str, str]) -> None:
    """Write atomically (temp file + rename), so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    if file_format == "csv":
        frame.write_csv(temporary)
    else:
        table = frame.to_arrow()
        table = table.replace_schema_metadata(
            {
                **(table.schema.metadata or {}),
                **{k.encode(): v.encode() for k, v in metadata.items()},
            }
        )
        pq.write_table(table, temporary)
    os.replace(temporary, path)


def _previous_files(folder: Path) -> list[str]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        return [str(entry["path"]) for entry in manifest.get("files", [])]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []


def write_campaign_files(
    contacts: pl.DataFrame,
    holdout: pl.DataFrame,
    campaign_ids: Sequence[str],
    folder: Path,
    run_id: str,
    exported_at: dt.datetime,
) -> pl.DataFrame:
    """Write this build's campaign files under ``folder``; return one row per file written.

    ``contacts`` and ``holdout`` have a ``campaign_id`` column; ``campaign_ids`` are the active
    campaigns (each gets its files, header only when it has no rows).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    order = ["campaign_id", "priority_rank"]
    contacts, holdout = (
        frame.sort(order) if set(order) <= set(frame.columns) else frame
        for frame in (contacts, holdout)
    )
    metadata = {"run_id": str(run_id), "exported_at": exported_at.isoformat()}
    names = file_names(campaign_ids)
    planned: list[tuple[str, str | None, str, pl.DataFrame]] = [
        ("campaign_export.parquet", None, "contacts", contacts),
        ("campaign_holdout.parquet", None, "holdout", holdout),
    ]
    for campaign_id, stem in names.items():
        for kind, frame, subfolder in (
            ("contacts", contacts, "campaigns"),
            ("holdout", holdout, "holdout"),
        ):
            rows = frame.filter(pl.col("campaign_id") == campaign_id)
            for file_format in ("csv", "parquet"):
                planned.append((f"{subfolder}/{stem}.{file_format}", campaign_id, kind, rows))

    written = []
    for relative, campaign_id, kind, rows in planned:
        file_format = relative.rsplit(".", 1)[1]
        target = _inside(folder, relative)
        if target is None:  # cannot happen with file_names(); kept as the last line of defence
            raise ValueError(f"export file {relative!r} would land outside {folder}")
        _write(rows, target, file_format, metadata)
        written.append(
            {
                "path": relative,
                "campaign_id": campaign_id,
                "kind": kind,
                "file_format": file_format,
                "row_count": rows.height,
                "run_id": str(run_id),
                "exported_at": exported_at,
            }
        )

    keep = {entry["path"] for entry in written} | {MANIFEST}
    for relative in _previous_files(folder):
        target = _inside(folder, relative)
        if relative not in keep and target is not None and target.is_file():
            target.unlink()

    manifest = {
        "run_id": str(run_id),
        "exported_at": exported_at.isoformat(),
        "files": [{**entry, "exported_at": exported_at.isoformat()} for entry in written],
    }
    temporary = folder / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(temporary, folder / MANIFEST)
    return pl.DataFrame(written, schema=FILES_SCHEMA)
