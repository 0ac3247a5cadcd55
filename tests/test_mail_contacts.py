"""Contacts: optional Email / No HP columns (workbook and YAML), validated, normalised,
kept per NIP in the ledger at generate time; a changed address changes no form."""

from __future__ import annotations

import pytest
from mailtools import master_with_contacts
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.core.contacts import normalize_email, normalize_hp, show_hp
from iki_xlsx.define.master import load_master
from iki_xlsx.define.masterbook import write_master
from iki_xlsx.workspace import Workspace


@pytest.mark.parametrize("raw, number", [
    ("0812-3456-7890", "6281234567890"),
    ("+62 812 3456 7890", "6281234567890"),
    ("62 812 3456 789", "628123456789"),
    ("+62 (0) 812 3456 7890", "6281234567890"),
    ("8123456789", "628123456789"),  # Excel dropped the leading 0
    (81234567890.0, "6281234567890"),  # …and stored a number
    ("", ""),
    ("0541 123456", None),  # a landline
    ("0812", None),
    ("0812-3456-7890 / 0813", None),
    ("HP 0812", None),
])
def test_indonesian_mobile_numbers(raw, number):
    assert normalize_hp(raw) == number


@pytest.mark.parametrize("raw, address", [
    ("Andi@Contoh.GO.ID", "Andi@contoh.go.id"),
    (" <nur.aini@kukarkab.go.id> ", "nur.aini@kukarkab.go.id"),
    ("mailto:sri@contoh.go.id", "sri@contoh.go.id"),
    ("", ""),
    ("nur aini@contoh.go.id", None),
    ("andi@contoh", None),
    ("andi..p@contoh.go.id", None),
    ("a@b.id; c@d.id", None),
])
def test_email_syntax(raw, address):
    assert normalize_email(raw) == address


def test_show_hp():
    assert show_hp("6281234567890") == "0812-3456-7890"


def test_contacts_from_yaml_and_workbook_with_warnings_by_cell(tmp_path):
    src = master_with_contacts(tmp_path / "m.yaml",
                               emails=["rahmat@contoh.go.id", "sri@contoh", "", "", ""],
                               hps=["0811-111-2222", "", "", "0541 123456", ""])
    loaded = load_master(src)
    assert loaded.ok  # warnings only: the forms are still made
    warned = [(p.code, p.row, p.column) for p in loaded.problems]
    assert warned == [("email_tidak_valid", 2, "Email"), ("no_hp_tidak_valid", 4, "No HP")]
    contacts = loaded.master.contacts
    assert contacts["197001011995031001"].email == "rahmat@contoh.go.id"
    assert contacts["197001011995031001"].no_hp == "628111112222"
    assert contacts["198203152006042002"].email == ""  # invalid: not used
    # the same master as a workbook: the columns round-trip, the cell is named
    book = tmp_path / "m.xlsx"
    write_master(book, loaded.master)
    import openpyxl
    wb = openpyxl.load_workbook(book)
    ws = wb["Pegawai"]
    header = [c.value for c in ws[1]]
    col = header.index("Email") + 1
    ws.cell(row=3, column=col, value="bukan alamat")
    wb.save(book)
    again = load_master(book)
    assert again.master.contacts["197001011995031001"] == contacts["197001011995031001"]
    bad = [p for p in again.problems if p.code == "email_tidak_valid"]
    assert len(bad) == 1 and bad[0].cell == f"{openpyxl.utils.get_column_letter(col)}3"
    assert "bukan alamat" in bad[0].message()


def test_generate_records_contacts_and_an_address_change_is_no_revision(tmp_path):
    src = master_with_contacts(tmp_path / "m.yaml")
    ws_dir = tmp_path / "ws"
    runner = CliRunner()
    res = runner.invoke(app, ["generate", str(src), "-o", str(tmp_path / "forms"), "-w",
                              str(ws_dir)])
    assert res.exit_code == 0, res.output
    ws = Workspace(ws_dir)
    assert ws.mail.contacts()["199005202015031003"].email == "andi@contoh.go.id"
    changed = master_with_contacts(tmp_path / "m2.yaml",
                                   emails=["", "", "", "andi.baru@contoh.go.id", ""])
    res = runner.invoke(app, ["generate", str(changed), "-o", str(tmp_path / "forms"), "-w",
                              str(ws_dir)])
    assert "0 revisi" in res.output and "5 tidak berubah" in res.output, res.output
    assert ws.mail.contacts()["199005202015031003"].email == "andi.baru@contoh.go.id"
    assert ws.mail.contacts()["197001011995031001"].email == ""  # the master is the truth
