"""Collect: files in (any name, folders, zips), verdicts, values and the ledger out."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace

import openpyxl
import pytest
from filling import fill, realisasi_ref, rewrite_member, zip_of
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import check_file, collect, read_path
from iki_xlsx.core.timeline import load_years
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

runner = CliRunner()
KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
PENGOLAH = ("199005202015031003", "IKI-PENGOLAH")


@pytest.fixture
def issued(tmp_path, small_master):
    """A fresh workspace with the small master's forms issued: (workspace, {key: form})."""
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    return ws, {p.form.key: p for p in result.forms}


def by_name(report, name: str):
    hits = [r for r in report.results if r.name.endswith(name)]
    assert len(hits) == 1, [r.name for r in report.results]
    return hits[0]


def codes(result) -> list[tuple[str, str]]:
    return [(p.code, p.cell) for p in result.problems]


def test_values_as_people_type_them(issued, tmp_path):
    ws, forms = issued
    p = forms[KEPALA]
    m = p.manifest
    inbox = tmp_path / "masuk"
    fill(p.path, inbox / "IKI pak kepala FINAL (2).xlsx", {
        realisasi_ref(m, 0, "TW1"): "85,5",            # decimal comma
        realisasi_ref(m, 0, "TW2"): "1.234",           # thousands dot → absurd? no: 1234
        realisasi_ref(m, 2, "TW1"): "85%",             # percent text = 85 points
        realisasi_ref(m, 3, "TW1"): 0.9,               # percent-formatted cell = 90
        realisasi_ref(m, 1, "TW1"): 0,                 # zero is a value, not blank
        m["indicators"][0]["cells"]["keterangan"]: "'=HYPERLINK(\"http://x\",\"y\")",
    }, percent=(realisasi_ref(m, 3, "TW1"),))
    report = collect([inbox], ws, jobs=1)
    r = by_name(report, "IKI pak kepala FINAL (2).xlsx")
    assert r.status == "diterima", codes(r)
    assert r.form_id == p.form_id and r.nip == KEPALA[0]
    values = {k: v["realisasi"] for k, v in r.realisasi.items()}
    assert values["01"] == {"TW1": 85.5, "TW2": 1234.0, "TW3": None, "TW4": None}
    assert values["02"]["TW1"] == 0.0 and values["03"]["TW1"] == 85.0
    assert values["04"]["TW1"] == 90.0
    assert r.realisasi["01"]["keterangan"] == '=HYPERLINK("http://x","y")'  # text, as typed
    assert r.filled == 5 and r.last_period == 1


def test_problem_values_are_reported_never_zero(issued, tmp_path):
    ws, forms = issued
    p = forms[SEKRETARIS]
    m = p.manifest
    yes_no, rng = m["indicators"][0], m["indicators"][1]
    fill(p.path, tmp_path / "in" / "x.xlsx", {
        yes_no["cells"]["realisasi"]["TW1"]: "mungkin",
        rng["cells"]["realisasi"]["TW1"]: "delapan puluh",
        rng["cells"]["realisasi"]["TW2"]: -5,
        rng["cells"]["realisasi"]["TW3"]: 95000,     # > 1000 × target 90
        rng["cells"]["realisasi"]["TW4"]: 85,
    })
    r = by_name(collect([tmp_path / "in"], ws, jobs=1), "x.xlsx")
    assert r.status == "diterima_catatan"
    got = {(p.code, p.cell): p for p in r.problems}
    ref = rng["cells"]["realisasi"]
    assert set(got) == {("realisasi_ya_tidak", yes_no["cells"]["realisasi"]["TW1"]),
                        ("realisasi_tidak_terbaca", ref["TW1"]),
                        ("realisasi_negatif", ref["TW2"]),
                        ("realisasi_tidak_wajar", ref["TW3"])}
    p = got[("realisasi_tidak_terbaca", ref["TW1"])]
    assert p.indicator == "Persentase realisasi penyerapan anggaran"
    assert p.message() == "Realisasi TW1 'delapan puluh' bukan angka; tidak dipakai."
    assert "85,5" in p.advice()
    assert r.realisasi["02"]["realisasi"] == {"TW1": None, "TW2": None, "TW3": None, "TW4": 85.0}


def test_a_ledger_from_an_earlier_version_still_judges(issued, tmp_path):
    """Forms issued before the ledger kept a reading view (the column is added on open,
    empty): their files are judged from the issued manifest, with the same result."""
    import sqlite3

    ws, forms = issued
    p = forms[KEPALA]
    ws.close()
    db = sqlite3.connect(ws.path / "ledger.sqlite3")
    db.execute("ALTER TABLE forms DROP COLUMN reading")
    db.commit()
    db.close()
    old = Workspace(ws.path)
    assert old.issued.for_reading(p.form_id, p.revision).reading is None
    f = fill(p.path, tmp_path / "masuk" / "lama.xlsx",
             {realisasi_ref(p.manifest, 0, "TW1"): "85,5"})
    r = collect([f.parent], old, jobs=1).results[0]
    assert r.status == "diterima" and codes(r) == []
    assert r.realisasi[p.manifest["indicators"][0]["id"]]["realisasi"]["TW1"] == 85.5


def test_cell_details_whatever_the_sheet_spelling(issued, tmp_path):
    """Percent formats, formulas and errors are found per cell however a writer spells
    the sheet: a row styled like a percent cell does not make its cells percent, and
    cells written with attributes in another order are read the same."""
    import re
    import zipfile

    ws, forms = issued
    p = forms[KEPALA]
    m = p.manifest
    pct, plain, formula = (realisasi_ref(m, 0, "TW1"), realisasi_ref(m, 1, "TW1"),
                           realisasi_ref(m, 2, "TW1"))
    base = fill(p.path, tmp_path / "isi.xlsx", {pct: 0.9, plain: 50, formula: 7},
                percent=(pct,))
    sheet = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(base).read(sheet)
    style = re.search(rb'<c r="%s" s="([0-9]+)"' % pct.encode(), xml)[1]
    row = re.search(rb"[0-9]+", plain.encode())[0]
    cell = re.search(rb'<c r="%s"[^>]*><v>7</v></c>' % formula.encode(), xml)[0]
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    rewrite_member(base, inbox / "baris-persen.xlsx", sheet, b'<row r="%s"' % row,
                   b'<row r="%s" s="%s" customFormat="1"' % (row, style))
    swapped = re.sub(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', rb'<c s="\2" r="\1"', xml)
    with zipfile.ZipFile(base) as zin, \
            zipfile.ZipFile(inbox / "urutan-atribut.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data = swapped if item.filename == sheet else zin.read(item.filename)
            out.writestr(item, data)
    formula_cell = re.sub(rb"<v>7</v>", b"<f>3+4</f><v>7</v>", cell)
    rewrite_member(base, inbox / "rumus.xlsx", sheet, cell, formula_cell)
    report = collect([inbox], ws, jobs=1)
    ids = [e["id"] for e in m["indicators"]]
    for name in ("baris-persen.xlsx", "urutan-atribut.xlsx", "rumus.xlsx"):
        r = by_name(report, name)
        got = [r.realisasi[i]["realisasi"]["TW1"] for i in ids[:3]]
        assert got == [90.0, 50.0, 7.0], (name, got)
        expect = [("realisasi_rumus", formula)] if name == "rumus.xlsx" else []
        assert codes(r) == expect, name
    # the reader's own account: only the percent-formatted cell is a percent cell
    raw = read_path(inbox / "baris-persen.xlsx", ws.key, ws.key_id)
    assert {ref for ref, info in raw.cell_info.items() if info.percent} == {pct}


def test_any_file_name_folders_and_nested_zips(issued, tmp_path):
    ws, forms = issued
    a = fill(forms[KEPALA].path, tmp_path / "a.xlsx",
             {realisasi_ref(forms[KEPALA].manifest, 0, "TW1"): 80})
    b = fill(forms[PENGOLAH].path, tmp_path / "b.xlsx",
             {realisasi_ref(forms[PENGOLAH].manifest, 0, "TW1"): 3})
    inner = zip_of({"dari pak andi.xlsx": b.read_bytes()})
    archive = tmp_path / "lampiran-email.zip"
    archive.write_bytes(zip_of({"folder/Kepala.xlsx": a.read_bytes(),
                                "../../keluar.xlsx": a.read_bytes(),
                                "arsip-dalam.zip": inner}))
    before = hashlib.sha256(archive.read_bytes()).hexdigest()
    report = collect([archive], ws, jobs=1)
    names = sorted(r.name for r in report.results)
    assert names == [f"{archive} › ../../keluar.xlsx",
                     f"{archive} › arsip-dalam.zip › dari pak andi.xlsx",
                     f"{archive} › folder/Kepala.xlsx"]
    assert by_name(report, "folder/Kepala.xlsx").status == "diterima"
    assert by_name(report, "dari pak andi.xlsx").nip == PENGOLAH[0]
    dup = by_name(report, "keluar.xlsx")
    assert dup.duplicate_of and dup.duplicate_of.endswith("folder/Kepala.xlsx")
    assert not (tmp_path.parent / "keluar.xlsx").exists()  # nothing extracted anywhere
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == before  # input untouched
    missing = {f.nip for f in report.not_submitted}
    assert KEPALA[0] not in missing and "199107112019032011" in missing


def test_a_zip_entry_named_like_a_folder_that_holds_a_form_is_read(issued, tmp_path):
    """A sender's zip may name a member "/" or "Formulir/" and still put a form (or a
    zip of one) in it: what it holds decides, so the form is recorded, not lost."""
    ws, forms = issued
    b = fill(forms[PENGOLAH].path, tmp_path / "b.xlsx",
             {realisasi_ref(forms[PENGOLAH].manifest, 0, "TW1"): 3})
    archive = tmp_path / "kiriman.zip"
    archive.write_bytes(zip_of({"/": zip_of({"Formulir/": b.read_bytes()}), "kosong/": b""}))
    report = collect([archive], ws, jobs=1)
    assert [(r.name, r.status, r.nip) for r in report.results] == [
        (f"{archive} › / › Formulir/", "diterima", PENGOLAH[0])]


@pytest.mark.parametrize("name, content, code", [
    ("kosong.xlsx", b"", "berkas_kosong"),
    ("teks.xlsx", b"ini bukan excel", "bukan_spreadsheet"),
    ("scan.xlsx", b"%PDF-1.4\n...", "format_pdf"),
    ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "format_xls"),
    ("sandi.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
     + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512, "berkas_terenkripsi"),
    ("makro.xlsm", zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
                           "xl/vbaProject.bin": b"\0"}), "format_xlsm"),
    ("dokumen.xlsx", zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<d/>"}),
     "bukan_spreadsheet"),
])
def test_rejections_name_their_reason(issued, tmp_path, name, content, code):
    ws, _ = issued
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / name).write_bytes(content)
    r = collect([inbox], ws, jobs=1).results[0]
    assert r.status == "ditolak" and codes(r) == [(code, "")]
    assert r.problems[0].message() and r.problems[0].advice()


def test_truncated_and_unsigned_files(issued, tmp_path):
    ws, forms = issued
    src = forms[KEPALA].path
    inbox = tmp_path / "in"
    inbox.mkdir()
    data = src.read_bytes()
    (inbox / "terpotong.xlsx").write_bytes(data[: len(data) // 2])
    wb = openpyxl.load_workbook(src)
    del wb["_manifest"]
    wb.save(inbox / "tanpa-manifest.xlsx")
    rewrite_member(src, inbox / "dipalsukan.xlsx", "xl/sharedStrings.xml",
                   b'"revision":1', b'"revision":7')
    report = collect([inbox], ws, jobs=1)
    assert codes(by_name(report, "terpotong.xlsx")) == [("zip_rusak", "")]
    assert codes(by_name(report, "tanpa-manifest.xlsx")) == [("tanpa_manifest", "")]
    assert codes(by_name(report, "dipalsukan.xlsx")) == [("tanda_tangan_salah", "")]


def test_other_workspace_old_revision_and_other_year(tmp_path, small_master):
    ws = Workspace(tmp_path / "ws")
    first = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f1", ws,
                                                   jobs=1).forms}
    d = small_master.iki["IKI-PENGOLAH"]
    changed = replace(small_master, iki={**small_master.iki, "IKI-PENGOLAH": replace(
        d, tugas=d.tugas + " dan pelaporan")})
    generate_forms(changed, tmp_path / "f2", ws, jobs=1)
    older = replace(small_master, settings=replace(small_master.settings, tahun=2024))
    y2024 = {p.form.key: p for p in generate_forms(older, tmp_path / "f3", ws, jobs=1).forms}
    other = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f4",
                                                   Workspace(tmp_path / "ws2"), jobs=1).forms}
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(first[PENGOLAH].path, inbox / "lama.xlsx")
    shutil.copy(y2024[KEPALA].path, inbox / "2024.xlsx")
    shutil.copy(other[KEPALA].path, inbox / "lain.xlsx")
    report = collect([inbox], ws, tahun=2025, jobs=1)
    r = by_name(report, "lama.xlsx")
    # An earlier revision is accepted with a note: its values count for the indikator the
    # current revision still has (this one is blank, so it is also noted as empty).
    assert codes(r) == [("revisi_lama", ""), ("belum_diisi", "")]
    assert r.status == "diterima_catatan"
    assert r.problems[0].message().startswith("Ini formulir revisi 1; yang berlaku revisi 2.")
    assert codes(by_name(report, "2024.xlsx")) == [("tahun_lain", "")]
    assert codes(by_name(report, "lain.xlsx")) == [("ruang_kerja_lain", "")]


def test_tampering_is_recorded_and_issued_content_wins(issued, tmp_path):
    ws, forms = issued
    p = forms[PENGOLAH]
    m = p.manifest
    target_cell = f"G{m['indicators'][0]['row']}"
    sasaran_cell = f"B{m['indicators'][0]['row']}"
    fill(p.path, tmp_path / "in" / "t.xlsx", {
        target_cell: 1, sasaran_cell: "Sasaran yang diubah",
        realisasi_ref(m, 0, "TW1"): 3, "P40": "catatan di luar tabel"}, unprotect=True)
    r = by_name(collect([tmp_path / "in"], ws, jobs=1), "t.xlsx")
    assert r.status == "diterima_catatan"
    found = {p.code: p for p in r.problems}
    assert set(found) == {"target_diubah", "isi_terkunci_berubah", "isian_di_luar",
                          "proteksi_dibuka"}
    assert found["target_diubah"].cell == target_cell
    assert found["target_diubah"].params == {"found": "1", "issued": "12 laporan"}
    assert found["isi_terkunci_berubah"].params["cells"] == [sasaran_cell]
    assert found["isian_di_luar"].params["cells"] == ["P40"]
    assert r.realisasi["01"]["realisasi"]["TW1"] == 3.0
    # The ledger keeps the issued target for the recap, whatever the file says.
    assert ws.issued.form(p.form_id).targets["01"]["target"]["value"] == 12.0


def test_inserted_row_is_rejected_not_misread(issued, tmp_path):
    ws, forms = issued
    p = forms[KEPALA]
    wb = openpyxl.load_workbook(p.path)
    wb["IKI"].insert_rows(p.manifest["indicators"][0]["row"])
    (tmp_path / "in").mkdir()
    wb.save(tmp_path / "in" / "baris.xlsx")
    r = collect([tmp_path / "in"], ws, jobs=1).results[0]
    assert r.status == "ditolak" and r.problems[0].code == "baris_bergeser"
    assert r.problems[0].cell == f"C{p.manifest['indicators'][0]['row']}"


def test_collecting_again_changes_nothing_and_newest_content_wins(issued, tmp_path):
    ws, forms = issued
    p = forms[PENGOLAH]
    m = p.manifest
    inbox = tmp_path / "in"
    tw2 = fill(p.path, inbox / "pengolah-tw2.xlsx",
               {realisasi_ref(m, 0, "TW1"): 3, realisasi_ref(m, 0, "TW2"): 4})
    tw1 = fill(p.path, inbox / "z-pengolah-tw1.xlsx", {realisasi_ref(m, 0, "TW1"): 3})
    assert tw1.name > tw2.name  # the TW1 file is read last: order must not matter
    collect([inbox], ws, jobs=1)
    files_before = ws.files.all()
    again = collect([inbox], ws, jobs=1)
    assert ws.files.all() == files_before
    assert all(not r.new and not r.duplicate_of for r in again.results)
    year = load_years(ws, 2025, ws.issued.forms(2025))[p.form_id]
    assert (year.value("01", "TW1"), year.value("01", "TW2")) == (3.0, 4.0)  # values, not files
    shutil.copy(tw2, inbox / "salinan.xlsx")  # the same content under another name
    third = collect([inbox], ws, jobs=1)
    dup = by_name(third, "salinan.xlsx")
    assert dup.duplicate_of.endswith("pengolah-tw2.xlsx") and not dup.new
    assert len(ws.files.all()) == len(files_before)
    assert len(ws.files.sightings(dup.sha256)) == 2


def test_cli_exit_status_and_reports(issued, tmp_path):
    ws, forms = issued
    p = forms[KEPALA]
    good = tmp_path / "good"
    fill(p.path, good / "ok.xlsx", {realisasi_ref(p.manifest, 0, "TW1"): 80})
    report_path = tmp_path / "lap.xlsx"
    args = ["collect", str(good), "-w", str(ws.path), "--report", str(report_path), "-j", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 diterima" in result.output and report_path.is_file()
    (good / "rusak.xlsx").write_bytes(b"PK\x03\x04 rusak")
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 1
    import json

    data = json.loads(result.output)
    assert data["ringkasan"]["ditolak"] == 1 and data["ringkasan"]["belum_mengumpulkan"] == 4
    rejected = next(f for f in data["berkas"] if f["status"] == "ditolak")
    assert rejected["masalah"][0]["code"] == "zip_rusak"
    wb = openpyxl.load_workbook(report_path)
    assert wb.sheetnames == ["Berkas", "Belum Mengumpulkan", "Perubahan Nilai"]
    assert wb["Belum Mengumpulkan"].max_row == 5
    empty = runner.invoke(app, ["collect", str(good), "-w", str(tmp_path / "kosong")])
    # issue 11: a workspace that does not exist is named, never created empty
    assert empty.exit_code == 2 and "Ruang kerja tidak ditemukan" in empty.output
    assert not (tmp_path / "kosong").exists()


def test_an_archive_under_any_name_is_opened_in_place(issued, tmp_path):
    """A zip of forms saved as 'IKI.xlsx' is still an archive: its members are read where
    it stands in the folder, and check says what it is instead of 'not a workbook'."""
    ws, forms = issued
    a = fill(forms[KEPALA].path, tmp_path / "a.xlsx",
             {realisasi_ref(forms[KEPALA].manifest, 0, "TW1"): 80})
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shutil.copy(a, inbox / "1 pertama.xlsx")
    (inbox / "2 kiriman WA.xlsx").write_bytes(zip_of({"IKI Pengolah.xlsx": fill(
        forms[PENGOLAH].path, tmp_path / "b.xlsx",
        {realisasi_ref(forms[PENGOLAH].manifest, 0, "TW1"): 3}).read_bytes()}))
    (inbox / "3 terakhir.txt").write_bytes(b"catatan")
    report = collect([inbox], ws, jobs=1)
    assert [r.name.rsplit("/", 1)[-1] for r in report.results] == [
        "1 pertama.xlsx", "2 kiriman WA.xlsx › IKI Pengolah.xlsx", "3 terakhir.txt"]
    assert [r.status for r in report.results] == ["diterima", "diterima", "ditolak"]
    checked = check_file(inbox / "2 kiriman WA.xlsx", ws)
    assert codes(checked) == [("arsip_zip", "")] and checked.status == "ditolak"


def test_check_one_file_with_and_without_the_key(issued, tmp_path):
    ws, forms = issued
    p = forms[KEPALA]
    f = fill(p.path, tmp_path / "IKI Budi (revisi).xlsx",
             {realisasi_ref(p.manifest, 0, "TW1"): "abc"})
    r = check_file(f, ws)
    assert [c for c, _ in codes(r)] == ["realisasi_tidak_terbaca", "belum_diisi"]
    assert ws.files.all() == []  # check records nothing
    bare = check_file(f, None)
    assert [c for c, _ in codes(bare)] == ["tanpa_kunci", "realisasi_tidak_terbaca",
                                           "belum_diisi"]
    out = runner.invoke(app, ["check", str(f), "-w", str(tmp_path / "tanpa-kunci")])
    assert out.exit_code == 1 and "Kunci ruang kerja tidak tersedia" in out.output
    assert "'abc' bukan angka" in out.output


def test_a_broken_installation_is_not_recorded_as_broken_files(issued, tmp_path, monkeypatch):
    """A missing dependency once made every file 'berkas rusak' — and froze that verdict
    in the ledger. An ImportError now stops collect with nothing recorded."""
    import iki_xlsx.collect.reading as read

    ws, forms = issued
    fill(forms[KEPALA].path, tmp_path / "in" / "a.xlsx",
         {realisasi_ref(forms[KEPALA].manifest, 0, "TW1"): 80})

    def missing(*args, **kwargs):
        raise ImportError("No module named 'defusedxml'")

    monkeypatch.setattr(read, "_read", missing)
    with pytest.raises(ImportError):
        collect([tmp_path / "in"], ws, jobs=1)
    assert ws.files.all() == []


def test_what_clients_change_on_resave_is_not_an_edit_but_a_real_edit_is(issued, tmp_path):
    """Gnumeric drops a trailing space, other clients add spaces or store a whole number
    as text: none of that is an edit of locked content. A changed word or
    digit in the same cells still is."""
    ws, forms = issued
    p = forms[PENGOLAH]
    m = p.manifest
    row = m["indicators"][0]["row"]
    locked = ws.issued.form(p.form_id).locked_cells
    penjelasan, no, sasaran = f"D{row}", f"A{row}", f"B{row}"
    assert isinstance(locked[no], (int, float)) or str(locked[no]).isdigit()
    assert " " in locked[sasaran]
    resaved = {penjelasan: locked[penjelasan] + "  ", no: str(int(float(locked[no]))),
               sasaran: " " + locked[sasaran] + " ",
               realisasi_ref(m, 0, "TW1"): 3}
    fill(p.path, tmp_path / "in" / "resave.xlsx", resaved, unprotect=True)
    r = by_name(collect([tmp_path / "in"], ws, jobs=1), "resave.xlsx")
    assert codes(r) == [("proteksi_dibuka", "")]
    edited = {penjelasan: locked[penjelasan] + " (diubah)",
              no: int(float(locked[no])) + 1, realisasi_ref(m, 0, "TW1"): 3}
    fill(p.path, tmp_path / "in2" / "edit.xlsx", edited)
    r = by_name(collect([tmp_path / "in2"], ws, jobs=1), "edit.xlsx")
    assert codes(r) == [("isi_terkunci_berubah", f"A{row}")]
    assert r.problems[0].params["cells"] == [f"A{row}", penjelasan]
