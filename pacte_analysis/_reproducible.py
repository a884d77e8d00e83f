"""Reproducible files: same content, same bytes (private helpers).

Zip containers written by openpyxl and odfpy (``.xlsx``, ``.ods``) carry the time
they were written, in the zip entries and in ``docProps/core.xml``. These helpers
replace both by a fixed date so that re-running a job gives identical files.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["build_date", "normalise_zip"]

_CORE_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CORE_CREATED = re.compile(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)")


def build_date() -> _dt.datetime:
    """Date stamped in exports: ``SOURCE_DATE_EPOCH`` if set, else today at midnight (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).replace(tzinfo=None)
    today = _dt.datetime.now(tz=_dt.UTC).date()
    return _dt.datetime(today.year, today.month, today.day)


def normalise_zip(
    path: Path,
    when: _dt.datetime,
    transform: Callable[[str, bytes], bytes] | None = None,
) -> None:
    """Rewrite the zip container at ``path`` with every timestamp set to ``when``.

    Parameters
    ----------
    path : Path
        An ``.xlsx`` or ``.ods`` file, rewritten in place.
    when : datetime.datetime
        Date written in the zip entries and in ``docProps/core.xml``.
    transform : callable, optional
        ``transform(member_name, data) -> data``, applied to every member.
    """
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
                data = _CORE_CREATED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            if transform is not None:
                data = transform(info.filename, data)
            new = zipfile.ZipInfo(info.filename, date_time=date_time)
            new.compress_type = info.compress_type
            new.external_attr = 0o644 << 16
            new.create_system = 3
            dst.writestr(new, data)
    path.write_bytes(buffer.getvalue())
