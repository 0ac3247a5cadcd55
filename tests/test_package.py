"""A form's zip is written by iki-xlsx (forms/package.py) from the parts xlsxwriter
assembles: every reader must find in it exactly what xlsxwriter's own zip holds."""

from __future__ import annotations

import zipfile
from datetime import datetime

from xlsxwriter import Workbook

from iki_xlsx.forms.package import PackedWorkbook


def _fill(wb) -> None:
    wb.set_properties({"title": "Formulir IKI", "created": datetime(2025, 1, 2, 8, 0)})
    ws = wb.add_worksheet("IKI")
    ws.write(0, 0, "Nama pegawai — Ñ")
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
