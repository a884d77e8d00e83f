"""A full disk for the tests: a small tmpfs (root only; the test is skipped elsewhere)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``"64k"``) mounted at ``where``, unmounted afterwards."""
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("montage d'un tmpfs impossible (il faut être root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
