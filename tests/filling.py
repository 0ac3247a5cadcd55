"""Fill generated forms as a pegawai's spreadsheet program would (openpyxl as the
"Python client"), and craft the broken files people send back."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl

# Each filled file is saved one second after the previous one (as a person saves files
# one after another): the year's rule "the file saved last wins" then follows the order
# in which a test fills them, never the clock of the machine running the test.
_SAVED = itertools.count()
_EPOCH = datetime(2025, 3, 1, tzinfo=timezone.utc)


def saved_on(path: Path, stamp: str) -> Path:
    """Set the workbook's own saved time (``docProps/core.xml``), as the program that
    saved it writes it."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data, n = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                                  rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
                assert n == 1, path
            zout.writestr(item, data)
    tmp.replace(path)
    return path


def fill(src: Path, dst: Path, values: dict[str, object], *, percent: tuple[str, ...] = (),
         unprotect: bool = False, sheet: str = "IKI", saved: str | None = None) -> Path:
    """Copy ``src`` to ``dst`` with ``values`` typed into cells of ``sheet``; cells in
    ``percent`` get a percent number format; ``unprotect`` removes the sheet protection.
    A string starting with an apostrophe is literal text, as in Excel (``'=1+1``).
    ``saved``: the saved time to write (default: one second after the previous fill)."""
    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    for ref, value in values.items():
        if isinstance(value, str) and value.startswith("'"):
            ws[ref] = value[1:]
            ws[ref].data_type = "s"
        else:
            ws[ref] = value
        if ref in percent:
            ws[ref].number_format = "0%"
    if unprotect:
        ws.protection.sheet = False
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)  # openpyxl writes the clock's time as the saved time: replaced here
    if saved is None:
        saved = (_EPOCH + timedelta(seconds=next(_SAVED))).strftime("%Y-%m-%dT%H:%M:%SZ")
    return saved_on(dst, saved)


def rewrite_member(src: Path, dst: Path, member: str, old: bytes, new: bytes) -> Path:
    """Copy a zip, replacing ``old`` by ``new`` once in ``member``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                assert old in data, (member, old)
                data = data.replace(old, new, 1)
            zout.writestr(item, data)
    return dst


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def realisasi_ref(manifest: dict, index: int, period: str) -> str:
    return manifest["indicators"][index]["cells"]["realisasi"][period]
