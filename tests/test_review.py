"""The atasan's review workbooks (issue 26): one per pejabat penilai and period, what
each row shows, the locked layout and print setup, the signed manifest, revisions;
collected like the forms — each decision recorded with the atasan's NIP, the file, its
saved time and the note — and every bad input named with its code, sheet and cell while
nothing else is lost. (Filled with openpyxl here; with LibreOffice in
test_review_libreoffice.py.)"""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
from mailtools import master_with_contacts
from reviewkit import (
    ANDI,
    BUPATI,
    KEPALA_NIP,
    NUR,
    SRI_DECISIONS,
    SRI_NIP,
    block_of,
    build_world,
    fill_review,
    manifest_of,
    review_fixtures,
    sri_filled,
)

from iki_xlsx.collect import collect
from iki_xlsx.core.timeline import load_years
from iki_xlsx.forms import generate_reviews
from iki_xlsx.workspace import Workspace

world, w = review_fixtures()


def recorded(ws) -> list[tuple]:
    return sorted((form, v.indicator or "", v.period, v.kind, v.value, v.note, v.atasan_nip)
                  for form, vs in ws.verifications.by_form().items() for v in vs)


def form_id(w, key) -> str:
    return w["forms"][key].form_id


# --------------------------------------------------------------------------- the workbooks

def test_one_workbook_per_atasan_with_each_bawahan_active_in_the_period(world):
    books = world["books"]
    assert set(books) == {KEPALA_NIP, SRI_NIP, BUPATI}  # the Bupati has no NIP
    sheets = {k: [b["sheet"] for b in manifest_of(r)["blocks"]] for k, r in books.items()}
    assert sheets[SRI_NIP] == ["1. Andi Pratama, S.Kom", "2. Nur Aini, A.Md"]
    assert sheets[KEPALA_NIP] == ["1. Sri Lestari, S.E., M.M.", "2. Sri Lestari, S.E., M.M."]
    assert sheets[BUPATI] == ["1. Drs. H. Rahmat Wijaya, S.Sos"]  # ≤ 31 characters
    assert world["run"].bawahan == 5 and not world["run"].plan.without_atasan
    assert books[SRI_NIP].path.endswith("198203152006042002_Sri Lestari, S.E., M.M.xlsx")


def test_each_row_shows_the_value_counted_now_and_where_it_came_from(world):
    book = world["books"][SRI_NIP]
    wb = openpyxl.load_workbook(book.path)
    assert wb.sheetnames == ["Petunjuk", "1. Andi Pratama, S.Kom", "2. Nur Aini, A.Md",
                             "_manifest"]
    assert wb["_manifest"].sheet_state == "veryHidden"
    ws = wb["1. Andi Pratama, S.Kom"]
    cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert cells["A1"] == "VERIFIKASI REALISASI INDIKATOR KINERJA INDIVIDU"
    assert cells["A2"] == "TAHUN 2025 — TW II"
    assert ": Sri Lestari, S.E., M.M." in cells.values()  # PEJABAT PENILAI KINERJA
    block = block_of(manifest_of(book), "Andi")
    rows = [int(re.sub(r"\D", "", r["cells"][0])) for r in block["rows"]]
    first = [ws.cell(rows[0], c).value for c in range(1, 10)]
    assert first[:5] == ["1", "Jumlah laporan pengolahan data yang tersusun", "laporan",
                         "6", 4]  # the period's target (s.d. TW II) and its realisasi
    assert first[5] == pytest.approx((3 + 4) / 6 * 100, abs=0.005)  # s.d. TW II, jumlah
    assert first[6].startswith("199005202015031003-IKI-PENGOLAH.xlsx (disimpan 01-07-2025")
    assert first[8] == "Menunggu verifikasi"
    assert [ws.cell(rows[1], c).value for c in (4, 5)] == ["BB (70)", 74]
    # which value each row showed is in the signed manifest (and the ledger's copy)
    assert [(r["id"], r["shown"], r["base"]) for r in block["rows"]] == [
        ("01", 4, 4), ("02", 74, 74)]


def test_only_the_decision_cells_are_editable_with_their_choices(world):
    book = world["books"][SRI_NIP]
    wb = openpyxl.load_workbook(book.path)
    block = block_of(manifest_of(book), "Nur")
    ws = wb[block["sheet"]]
    assert ws.protection.sheet
    inputs = {ref for r in block["rows"] for ref in r["cells"]} | {block["note"]}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=12):
        for c in row:
            if c.coordinate in inputs:
                assert not c.protection.locked, c.coordinate
            elif c.value is not None:
                assert c.protection.locked, c.coordinate
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert '"Setuju,Kembalikan,Koreksi"' in lists
    with zipfile.ZipFile(book.path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    assert 'lockStructure="1"' in workbook


def test_review_workbooks_print_on_the_masters_paper(world):
    from test_printouts import assert_prints_sensibly

    for book in world["books"].values():  # the small master prints on F4
        manifest_sheet = f"sheet{len(manifest_of(book)['blocks']) + 2}.xml"
        assert_prints_sensibly(book.path, 14, skip=(manifest_sheet,))


def test_the_fast_cell_writer_writes_the_very_xml_xlsxwriter_writes(w, tmp_path, monkeypatch):
    """Review sheets store plain cells without xlsxwriter's per-cell calls (the
    DirectSheet of forms/sheetxml.py): every part of the workbook is byte for byte what
    xlsxwriter's own calls make (a different zip is fine; its members are not)."""
    from test_package import _xlsxwriter_stores_the_cells

    def members(path):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    fast = generate_reviews(w["ws"], "TW2", tmp_path / "cepat", jobs=1).results
    _xlsxwriter_stores_the_cells(monkeypatch)
    slow = generate_reviews(w["ws"], "TW2", tmp_path / "lambat", jobs=1).results
    assert len(fast) == len(slow) == 3
    for a, b in zip(fast, slow):
        got, want = members(a.path), members(b.path)
        assert got.keys() == want.keys()
        assert [n for n in want if got[n] != want[n]] == []
        assert b'<c r="J' in got["xl/worksheets/sheet2.xml"]  # input cells are in there


def test_the_same_content_keeps_its_revision_and_new_values_make_a_new_one(w, tmp_path):
    ws = w["ws"]
    again = generate_reviews(ws, "TW II", tmp_path / "lagi", jobs=1)
    assert {r.status for r in again.results} == {"sama"}
    assert {r.revision for r in again.results} == {1}
    sri_filled(w, tmp_path / "sri.xlsx")
    collect([tmp_path / "sri.xlsx"], ws, jobs=1)
    third = {r.ledger_row.atasan_nip: r for r in generate_reviews(
        ws, "TW2", tmp_path / "ketiga", jobs=1).results}
    assert (third[SRI_NIP].status, third[SRI_NIP].revision) == ("berubah", 2)
    assert third[KEPALA_NIP].status == "sama"
    # the new workbook says where each value stands now, and shows the correction
    block = block_of(json.loads(third[SRI_NIP].ledger_row.manifest), "Andi")
    assert [(r["shown"], r["base"]) for r in block["rows"]] == [(4, 4), (72.5, 74)]
    ws_nur = openpyxl.load_workbook(third[SRI_NIP].path)["2. Nur Aini, A.Md"]
    statuses = [c.value for c in ws_nur["I"] if c.value]
    assert "Dikembalikan: Lampirkan bukti 2 laporan TW II" in statuses


# --------------------------------------------------------------------------- collecting

def test_decisions_are_recorded_with_the_atasan_the_file_its_time_and_the_note(w, tmp_path):
    ws = w["ws"]
    path = sri_filled(w, tmp_path / "balasan sri.xlsx")
    report = collect([path], ws, jobs=1)
    (res,) = report.results
    assert (str(res.status), res.problems) == ("diterima", [])
    assert (res.nip, res.nama, res.filled) == (SRI_NIP, "Sri Lestari, S.E., M.M.", 3)
    andi, nur = form_id(w, ANDI), form_id(w, NUR)
    assert recorded(ws) == sorted([
        (andi, "01", "TW2", "setuju", 4, "", SRI_NIP),
        (andi, "02", "TW2", "koreksi", 72.5, "", SRI_NIP),
        (nur, "01", "TW2", "kembalikan", None, "Lampirkan bukti 2 laporan TW II", SRI_NIP),
        (nur, "", "TW2", "catatan", None, "Perbaiki TW II", SRI_NIP)])
    v = ws.verifications.by_form([andi])[andi][0]
    assert (v.sha256, v.saved_at) == (res.sha256, "2025-07-20T09:00:00.000000Z")
    forms = [f for f in ws.issued.forms() if f.form_id in (andi, nur)]
    years = load_years(ws, None, forms)
    assert years[andi].value("02", "TW2") == 72.5 and years[andi].own[("02", "TW2")].value == 74
    assert years[andi].verification_status("TW2", ["01", "02"]) == "terverifikasi"
    assert years[nur].verification_status("TW2", ["01", "02"]) == "dikembalikan"
    # collecting the same file again records nothing more
    collect([path, tmp_path / "balasan sri.xlsx"], ws, jobs=1)
    assert len(recorded(ws)) == 4


def test_a_review_saved_by_another_atasan_of_an_older_content_still_counts(w, tmp_path):
    """An older revision of the workbook, returned after a newer one was made: its
    decisions apply to what its rows showed."""
    ws = w["ws"]
    generate_reviews(ws, "TW2", tmp_path / "baru", jobs=1)  # same content: no new revision
    path = sri_filled(w, tmp_path / "lama.xlsx", decisions={("Nur", 1): ("Setuju", None, None)},
                      notes={})
    collect([path], ws, jobs=1)
    assert recorded(ws) == [(form_id(w, NUR), "02", "TW2", "setuju", 76, "", SRI_NIP)]


# --------------------------------------------------------------------------- bad input

def _edit_cell(nama, ref_of, value):
    def edit(wb, manifest):
        block = block_of(manifest, nama)
        wb[block["sheet"]][ref_of(block)] = value
    return edit


def _shown_cell(block):  # REALISASI shown in the first row (column E)
    return "E" + re.sub(r"\D", "", block["rows"][0]["cells"][0])


BAD = {
    # name: (decisions, edit, code, sheet, cell of the block, status, recorded forms)
    "terkunci_diubah": (SRI_DECISIONS, _edit_cell("Andi", _shown_cell, 9),
                        "verifikasi_terkunci_berubah", "1. Andi Pratama, S.Kom",
                        _shown_cell, "diterima_catatan", {NUR}),
    "periode_lain": (SRI_DECISIONS, _edit_cell("Nur", lambda b: "A2", "TAHUN 2025 — TW I"),
                     "verifikasi_periode_lain", "2. Nur Aini, A.Md", lambda b: "A2",
                     "diterima_catatan", {ANDI}),
    "atasan_lain": (SRI_DECISIONS, _edit_cell(
        "Andi", lambda b: b["identity"]["atasan_nama"], ": Drs. H. Rahmat Wijaya, S.Sos."),
                    "verifikasi_atasan_tidak_cocok", "1. Andi Pratama, S.Kom",
                    lambda b: b["identity"]["atasan_nama"], "ditolak", set()),
    "kembalikan_tanpa_umpan_balik": ({("Nur", 0): ("Kembalikan", None, None),
                                      ("Andi", 0): ("Setuju", None, None)}, None,
                                     "verifikasi_tanpa_umpan_balik", "2. Nur Aini, A.Md",
                                     lambda b: b["rows"][0]["cells"][2], "diterima_catatan",
                                     {ANDI, NUR}),  # Nur's overall note still counts
    "koreksi_tanpa_nilai": ({("Andi", 1): ("Koreksi", None, None),
                             ("Nur", 1): ("Setuju", None, None)}, None,
                            "verifikasi_koreksi_kosong", "1. Andi Pratama, S.Kom",
                            lambda b: b["rows"][1]["cells"][1], "diterima_catatan", {NUR}),
    "koreksi_bukan_angka": ({("Andi", 1): ("Koreksi", "tujuh puluh", None)}, None,
                            "verifikasi_koreksi_salah", "1. Andi Pratama, S.Kom",
                            lambda b: b["rows"][1]["cells"][1], "diterima_catatan", {NUR}),
    "keputusan_asing": ({("Nur", 1): ("Mungkin", None, None)}, None,
                        "verifikasi_keputusan_tidak_dikenal", "2. Nur Aini, A.Md",
                        lambda b: b["rows"][1]["cells"][0], "diterima_catatan", {NUR}),
    "tanpa_keputusan": ({("Andi", 0): (None, None, "cek lagi")}, None,
                        "verifikasi_tanpa_keputusan", "1. Andi Pratama, S.Kom",
                        lambda b: b["rows"][0]["cells"][0], "diterima_catatan", {NUR}),
    "lembar_dihapus": (SRI_DECISIONS, lambda wb, m: wb.remove(wb["1. Andi Pratama, S.Kom"]),
                       "verifikasi_lembar_hilang", "1. Andi Pratama, S.Kom", lambda b: "",
                       "diterima_catatan", {NUR}),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_review_workbooks_name_the_problem_and_lose_nothing_else(w, tmp_path, case):
    decisions, edit, code, sheet, cell_of, status, kept = BAD[case]
    book = w["books"][SRI_NIP]
    manifest = manifest_of(book)
    path = fill_review(w["paths"][SRI_NIP], tmp_path / f"{case}.xlsx", manifest, decisions,
                       {"Nur": "catatan umum"},
                       edit=(lambda wb: edit(wb, manifest)) if edit else None)
    (res,) = collect([path], w["ws"], jobs=1).results
    got = [(p.code, p.sheet, p.cell) for p in res.problems]
    block = next(b for b in manifest["blocks"] if b["sheet"] == sheet)
    assert (code, sheet, cell_of(block)) in got, got
    assert str(res.status) == status
    if case == "kembalikan_tanpa_umpan_balik":
        assert res.problems[0].message().startswith("Keputusan Kembalikan tanpa umpan balik")
        assert "UMPAN BALIK" in res.problems[0].advice()
    forms = {v[0] for v in recorded(w["ws"])}
    assert forms == {form_id(w, k) for k in kept}, got


def test_a_workbook_with_no_decision_says_so(w, tmp_path):
    path = sri_filled(w, tmp_path / "kosong.xlsx", decisions={}, notes={})
    (res,) = collect([path], w["ws"], jobs=1).results
    assert [p.code for p in res.problems] == ["verifikasi_kosong"]


def test_a_setuju_with_a_value_is_recorded_and_the_value_named(w, tmp_path):
    path = sri_filled(w, tmp_path / "nilai.xlsx", decisions={("Andi", 1): ("setuju", 80, None)},
                      notes={})
    (res,) = collect([path], w["ws"], jobs=1).results
    block = block_of(manifest_of(w["books"][SRI_NIP]), "Andi")
    assert [(p.code, p.cell) for p in res.problems] == [
        ("verifikasi_nilai_diabaikan", block["rows"][1]["cells"][1])]
    assert recorded(w["ws"]) == [(form_id(w, ANDI), "02", "TW2", "setuju", 74, "", SRI_NIP)]


def test_a_tampered_manifest_is_refused(w, tmp_path):
    def edit(wb):
        sheet = wb["_manifest"]
        sheet["A2"] = sheet["A2"].value.replace('"Andi Pratama, S.Kom"', '"Andi P."', 1)

    path = sri_filled(w, tmp_path / "palsu.xlsx", edit=edit)
    (res,) = collect([path], w["ws"], jobs=1).results
    assert ([p.code for p in res.problems], str(res.status)) == (["tanda_tangan_salah"],
                                                                 "ditolak")
    assert recorded(w["ws"]) == []


def test_another_workspaces_review_workbook_is_refused(w, tmp_path):
    other = build_world(tmp_path / "lain", master_with_contacts(tmp_path / "m.yaml"),
                        fill_forms=False)
    book = other["books"][SRI_NIP]
    path = fill_review(book.path, tmp_path / "lain.xlsx", manifest_of(book), SRI_DECISIONS)
    (res,) = collect([path], w["ws"], jobs=1).results
    assert [p.code for p in res.problems] == ["ruang_kerja_lain"]
    assert recorded(w["ws"]) == []


def test_a_review_workbook_the_ledger_never_issued_is_refused(w, tmp_path):
    ws = w["ws"]
    before = tmp_path / "ledger-sebelum.sqlite3"
    ws.ledger.backup(before)
    made = generate_reviews(ws, "TW1", tmp_path / "tw1", jobs=1).results
    book = next(r for r in made if r.ledger_row.atasan_nip == SRI_NIP)
    ws.close()
    for suffix in ("", "-wal", "-shm"):
        (ws.path / f"ledger.sqlite3{suffix}").unlink(missing_ok=True)
    before.replace(ws.path / "ledger.sqlite3")
    path = fill_review(book.path, tmp_path / "tw1.xlsx", json.loads(book.ledger_row.manifest),
                       {("Andi", 0): ("Setuju", None, None)})
    (res,) = collect([path], Workspace(ws.path), jobs=1).results
    assert [p.code for p in res.problems] == ["verifikasi_tidak_dikenal"]


def test_decisions_of_a_bawahan_now_assessed_by_another_atasan_are_not_recorded(w, tmp_path):
    """Nur's atasan becomes the Kepala (a revision): Sri's workbook still carries her
    sheet; its decisions are named, Andi's recorded."""
    import yaml

    from iki_xlsx.core.texts import YamlLoader
    from iki_xlsx.define.master import load_master
    from iki_xlsx.forms.generate import generate_forms

    data = yaml.load(w["master"].read_text(encoding="utf-8"), Loader=YamlLoader)
    for person in data["pegawai"]:
        if person["nip"] == NUR[0]:
            person["nip_atasan"] = KEPALA_NIP
    changed = tmp_path / "master-baru.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    generate_forms(load_master(changed).master, tmp_path / "forms2", w["ws"], jobs=1)
    (res,) = collect([sri_filled(w, tmp_path / "sri.xlsx")], w["ws"], jobs=1).results
    assert [(p.code, p.sheet) for p in res.problems] == [
        ("verifikasi_bukan_atasan", "2. Nur Aini, A.Md")]
    assert "Drs. H. Rahmat Wijaya" in res.problems[0].message()
    assert {v[0] for v in recorded(w["ws"])} == {form_id(w, ANDI)}
