"""Read generated forms back: find the manifest, verify its signature, and compare the
locked content a file holds with what was issued.

Fast path: python-calamine reads cell values (cached results for formulas) and every
sheet, including very-hidden ones, without loading styles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import layout as L
from .manifest import content_hash, verify


@dataclass
class SheetValues:
    """A sheet's cell values by 0-based (row, col), as a value reader sees them."""

    cells: dict[tuple[int, int], object] = field(default_factory=dict)

    def get(self, ref: str) -> object:
        return self.cells.get(parse_ref(ref))

    def nonempty(self) -> dict[str, object]:
        return {L.cell_ref(r, c): v for (r, c), v in self.cells.items()
                if v is not None and v != ""}


def parse_ref(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def _sheet_values(sheet) -> SheetValues:
    rows = sheet.to_python(skip_empty_area=False)
    r0, c0 = sheet.start or (0, 0)
    out = SheetValues()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None and value != "":
                out.cells[(r0 + i, c0 + j)] = _plain(value)
    return out


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    return value


@dataclass
class FormFile:
    """What a value reader finds in one workbook."""

    sheet_names: list[str]
    manifest: dict | None
    form: SheetValues | None  # the IKI sheet


def open_form(path: str | Path) -> FormFile:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    names = list(wb.sheet_names)
    manifest = None
    if L.SHEET_MANIFEST in names:
        sv = _sheet_values(wb.get_sheet_by_name(L.SHEET_MANIFEST))
        if sv.get("A1") == L.MANIFEST_MARK:
            parts, r = [], 1
            while isinstance(sv.cells.get((r, 0)), str):
                parts.append(sv.cells[(r, 0)])
                r += 1
            try:
                manifest = json.loads("".join(parts))
            except ValueError:
                manifest = None
            if not isinstance(manifest, dict):
                manifest = None
    form = _sheet_values(wb.get_sheet_by_name(L.SHEET_FORM)) if L.SHEET_FORM in names else None
    return FormFile(names, manifest, form)


def locked_values_of(form: SheetValues, manifest: dict) -> dict[str, object]:
    """The file's locked content: every non-empty cell but the inputs and formula cells
    the manifest lists (the same rule as :meth:`FormLayout.locked_values`)."""
    skip = set(manifest.get("formula_cells") or [])
    for ind in manifest.get("indicators") or []:
        cells = ind.get("cells") or {}
        skip.update((cells.get("realisasi") or {}).values())
        skip.add(cells.get("keterangan"))
    return {ref: v for ref, v in form.nonempty().items() if ref not in skip}


def verify_file(path: str | Path, key: bytes) -> list[str]:
    """Problem codes for a form file checked on its own (no ledger): ``tanpa_manifest``,
    ``tanda_tangan_salah``, ``isi_terkunci_berubah``; empty when it is intact."""
    ff = open_form(path)
    if ff.manifest is None or ff.form is None:
        return ["tanpa_manifest"]
    if not verify(ff.manifest, key):
        return ["tanda_tangan_salah"]
    if content_hash(locked_values_of(ff.form, ff.manifest)) != ff.manifest.get("content_hash"):
        return ["isi_terkunci_berubah"]
    return []
