"""Fill generated forms as a pegawai's spreadsheet program would (openpyxl as the
"Python client"), and craft the broken files people send back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl


def fill(src: Path, dst: Path, values: dict[str, object], *, percent: tuple[str, ...] = (),
         unprotect: bool = False, sheet: str = "IKI") -> Path:
    """Copy ``src`` to ``dst`` with ``values`` typed into cells of ``sheet``; cells in
    ``percent`` get a percent number format; ``unprotect`` removes the sheet protection.
    A string starting with an apostrophe is literal text, as in Excel (``'=1+1``)."""
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
    wb.save(dst)
    return dst


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
