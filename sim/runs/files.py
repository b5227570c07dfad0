"""Files written whole or not at all, so that an interrupted run, a full disk
or a crash never leaves a truncated table that reads as if it were complete."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

Writer = Callable[[Path], None]
"""Writes one output to the path it is given."""


def write_atomically(path: Path, write: Writer) -> Path:
    """Write to a temporary name in the same folder, then rename over `path`:
    a write that fails or is cut short leaves the old file, or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        write(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def write_text(path: Path, text: str) -> Path:
    return write_atomically(path, lambda part: part.write_text(text))


def write_json(path: Path, content: dict) -> Path:
    return write_text(path, json.dumps(content, indent=2) + "\n")


def read_kept(path: Path, key: str) -> dict | None:
    """The JSON a finished job kept at `path`, if it was made under the same
    `key` (its config, budget and code); None if missing, unreadable or other."""
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept.get("key") == key else None
