"""A form's zip is written by iki-xlsx (forms/package.py) from the parts xlsxwriter
assembles: every reader must find in it exactly what xlsxwriter's own zip holds."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

from xlsxwriter import Workbook

from iki_xlsx.forms.package import PackedWorkbook


def _fill(wb) -> None:
    wb.set_properties({"title": "Formulir IKI", "created": datetime(2025, 1, 2, 8, 0)})
    ws = wb.add_worksheet("IKI")
    ws.write(0, 0, "Nama pegawai — Ñ")
    for row, text in enumerate((" spasi di depan", "tab\tdi tengah", "kendali\x01", "a & b < c",
                                "Nama pegawai — Ñ", "<r><t>mentah</t></r>"), start=2):
        ws.write_string(row, 0, text)
    bold = wb.add_format({"bold": True})
    ws.write_rich_string(9, 0, bold, "tebal", " biasa")
    ws.write_formula(1, 0, "=1+1", None, 2)
    ws.protect("rahasia")
    hidden = wb.add_worksheet("_hitung")
    hidden.write_formula(0, 0, '=IF(ISTEXT(IKI!A1),"ya","tidak")')
    hidden.very_hidden()


def test_a_packed_workbook_holds_xlsxwriters_parts_in_its_order(tmp_path):
    plain = tmp_path / "xlsxwriter.xlsx"
    wb = Workbook(str(plain), {"in_memory": True})
    _fill(wb)
    wb.close()
    packed = []
    for name in ("first.xlsx", "again.xlsx"):  # the second from compressed parts kept
        wb = PackedWorkbook(tmp_path / name)
        _fill(wb)
        wb.close()
        packed.append(tmp_path / name)
    assert packed[0].read_bytes() == packed[1].read_bytes()
    with zipfile.ZipFile(plain) as want, zipfile.ZipFile(packed[1]) as got:
        assert got.testzip() is None  # every CRC checks
        assert got.namelist() == want.namelist()
        for name in want.namelist():
            assert got.read(name) == want.read(name), name
        assert [(i.compress_type, i.date_time) for i in got.infolist()] == \
            [(i.compress_type, i.date_time) for i in want.infolist()]


def test_forms_sheets_are_the_xml_xlsxwriter_itself_writes(small_master, tmp_path,
                                                             monkeypatch):
    """The IKI sheet's plain cells (FormSheet._write_cell) are written by iki-xlsx: every sheet of every form of the small
    master is byte for byte what xlsxwriter's own cell writer gives."""
    from xlsxwriter.worksheet import Worksheet

    from iki_xlsx.forms.generate import generate_forms
    from iki_xlsx.forms.workbook import FormSheet
    from iki_xlsx.workspace import Workspace

    def sheets(out: Path) -> dict[str, bytes]:
        ws = Workspace(out / "ws")
        result = generate_forms(small_master, out / "formulir", ws, jobs=1)
        ws.close()
        found = {}
        for form in result.forms:
            with zipfile.ZipFile(form.path) as z:
                for name in z.namelist():
                    if name.startswith("xl/worksheets/"):
                        found[f"{form.form.key} {name}"] = z.read(name)
        return found

    ours = sheets(tmp_path / "a")
    monkeypatch.setattr(FormSheet, "_write_cell", Worksheet._write_cell)
    theirs = sheets(tmp_path / "b")
    assert len(ours) >= 8 and ours.keys() == theirs.keys()
    for name, xml in theirs.items():
        assert ours[name] == xml, name
