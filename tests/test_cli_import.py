"""`iki-xlsx import` as the officer runs it: documents in, a reviewable master out."""

from __future__ import annotations

import openpyxl
from test_import_seeds import seed
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.define.master import load_master


def test_import_command_writes_master_with_review_sheet(tmp_path):
    out = tmp_path / "master.xlsx"
    result = CliRunner().invoke(app, ["import", str(seed("sampang-bkd.txt")), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "15 dokumen IKI" in result.output and "46 indikator" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Tinjauan"
    assert {"Pengaturan", "Pegawai", "IKI", "Indikator"} <= set(wb.sheetnames)
    loaded = load_master(out)
    # Targets are not in these documents: the master is invalid until the officer fills
    # them, and validation says exactly that.
    assert {p.code for p in loaded.errors} >= {"target_kosong"}


def test_import_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["import", str(tmp_path / "tidak-ada.txt"), "-o",
                                      str(tmp_path / "m.xlsx")])
    assert result.exit_code == 2 and "tidak ditemukan" in result.output
