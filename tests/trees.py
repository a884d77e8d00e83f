"""Compare output folders byte for byte (demo runs, parallel against sequential)."""

from __future__ import annotations

from pathlib import Path


def file_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: its path relative to it (POSIX) → its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
