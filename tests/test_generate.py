"""Generated workbooks, re-read as a user's Excel would see them (openpyxl, calamine)."""

from __future__ import annotations

import re
import stat
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SMALL_MASTER

from iki_xlsx.collect import read_path, verify_file
from iki_xlsx.collect.reading import sheet_cells
from iki_xlsx.define.master import load_master
from iki_xlsx.forms.generate import generate_forms, safe_name
from iki_xlsx.forms.layout import SHEET_FORM, SHEET_GUIDE, SHEET_HELPER, SHEET_MANIFEST
from iki_xlsx.forms.manifest import reading_view
from iki_xlsx.workspace import Workspace

KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")


def planned(generated, key):
    result, _ = generated
    return next(p for p in result.forms if p.form.key == key)


def values(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row
            if c.value not in (None, "")}


def find(cells: dict[str, object], text: str) -> str:
    hits = [ref for ref, v in cells.items() if v == text]
    assert hits, f"{text!r} not found"
    return hits[0]


def split(ref: str) -> tuple[str, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    return m[1], int(m[2])


def test_official_texts_in_place(generated):
    p = planned(generated, KEPALA)
    ws = openpyxl.load_workbook(p.path)[SHEET_FORM]
    cells = values(ws)
    assert ws["A1"].value == "INDIKATOR KINERJA INDIVIDU (IKI)"
    assert ws["A2"].value == "TAHUN 2025"
    assert ws["A3"].value == "BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA"
    assert ws["A4"].value == "KABUPATEN CONTOH RAYA"
    # Numbered header: number in A, label in B, value in C on the same row, in order.
    rows = {}
    for n, label in enumerate(("PERANGKAT DAERAH", "JABATAN", "TUGAS", "FUNGSI"), start=1):
        col, row = split(find(cells, label))
        assert col == "B" and ws[f"A{row}"].value == f"{n}."
        rows[label] = row
    assert rows["PERANGKAT DAERAH"] < rows["JABATAN"] < rows["TUGAS"] < rows["FUNGSI"]
    assert ws[f"C{rows['JABATAN']}"].value == ": Kepala"
    assert ws[f"C{rows['TUGAS']}"].value.startswith(": Mengkoordinasikan perumusan")
    f = rows["FUNGSI"]
    assert ws[f"C{f}"].value.startswith("a. melaksanakan perumusan alternatif")
    assert ws[f"C{f + 1}"].value.startswith("b. merumuskan")  # letters re-made, not doubled
    assert ws[f"C{f + 2}"].value.startswith("c. mengoordinasikan penyusunan laporan")
    # Identity block: pegawai left, atasan (an external Bupati) right.
    col, row = split(find(cells, "PEGAWAI YANG DINILAI"))
    assert col == "A" and ws[f"F{row}"].value == "PEJABAT PENILAI KINERJA"
    assert ws[f"C{row + 1}"].value == ": Drs. H. Rahmat Wijaya, S.Sos."
    assert ws[f"C{row + 2}"].value == ": 19700101 199503 1 001"
    assert ws[f"C{row + 3}"].value == ": Pembina Tingkat I (IV/b)"
    assert ws[f"H{row + 1}"].value == ": Ir. H. Bupati Contoh, M.Si"
    # Table header and every indicator in its row, in columns C (indikator), F, G.
    col, head = split(find(cells, "INDIKATOR KINERJA"))
    assert col == "C"
    assert [ws.cell(head, c).value for c in range(1, 8)] == [
        "NO", "SASARAN AKTIVITAS", "INDIKATOR KINERJA", "PENJELASAN (FORMULASI PERHITUNGAN)",
        "SUMBER DATA", "SATUAN", "TARGET"]
    assert ws.cell(head, 8).value == "REALISASI"
    assert [ws.cell(head + 1, c).value for c in range(8, 12)] == ["TW I", "TW II", "TW III",
                                                                  "TW IV"]
    assert ws.cell(head, 12).value == "CAPAIAN (%)"
    assert ws.cell(head, 13).value == "KETERANGAN / BUKTI DUKUNG"
    assert [ws[f"A{e['row']}"].value for e in p.manifest["indicators"][:3]] == ["1", "2", "3"]
    for ind, entry in zip(p.form.iki.indicators, p.manifest["indicators"]):
        r = entry["row"]
        assert ws[f"C{r}"].value == ind.indikator
        assert ws[f"D{r}"].value == ind.penjelasan
        assert ws[f"E{r}"].value == ind.sumber_data
        assert ws[f"F{r}"].value == ind.satuan
    # Signature block: one row (never split over pages), atasan left, pegawai right,
    # place and date, names (bold, underlined), pangkat, grouped NIP.
    shown = {r: v.replace("\u200b", "") for r, v in cells.items() if isinstance(v, str)}
    right = [(r, v) for r, v in shown.items()
             if v.startswith("Tenggarong, 2 Januari 2025\nPegawai yang Dinilai,\n")]
    assert len(right) == 1
    col, row = split(right[0][0])
    left = shown[f"A{row}"]
    assert left.startswith("\nPejabat Penilai Kinerja,\n")
    assert "\nIr. H. Bupati Contoh, M.Si\n" in left  # an atasan without NIP (Bupati)
    assert "\nDrs. H. Rahmat Wijaya, S.Sos.\n" in right[0][1]
    assert right[0][1].endswith("\nNIP. 19700101 199503 1 001")
    assert left.count("\n") == right[0][1].count("\n")  # names on the same line
    rich = openpyxl.load_workbook(p.path, rich_text=True)["IKI"][right[0][0]].value
    name = [part for part in rich
            if getattr(part, "text", "").strip("\u200b") == "Drs. H. Rahmat Wijaya, S.Sos."]
    assert name and name[0].font.b and name[0].font.u


def test_sasaran_with_several_indicators_is_merged(generated):
    p = planned(generated, KEPALA)
    ws = openpyxl.load_workbook(p.path)[SHEET_FORM]
    rows = [i["row"] for i in p.manifest["indicators"]]
    merged = {str(m) for m in ws.merged_cells.ranges}
    # Sasaran 3 owns the last two indicators: NO and SASARAN span both rows.
    assert f"A{rows[2]}:A{rows[3]}" in merged
    assert f"B{rows[2]}:B{rows[3]}" in merged
    assert ws[f"B{rows[2]}"].value == "Mewujudkan Tingkat Kepatuhan Atas LHKPN dan LHKASN"
    assert not any(m.startswith(f"B{rows[0]}:") for m in merged)  # single-row sasaran


def test_protection_and_structure_lock(generated):
    p = planned(generated, KEPALA)
    wb = openpyxl.load_workbook(p.path)
    assert wb.sheetnames == [SHEET_FORM, SHEET_GUIDE, SHEET_HELPER, SHEET_MANIFEST]
    ws = wb[SHEET_FORM]
    assert ws.protection.sheet and ws.protection.password
    assert wb.security is not None and wb.security.lockStructure
    assert wb.security.workbookPassword  # hashed "rahasia-uji" from Pengaturan
    assert wb[SHEET_MANIFEST].sheet_state == "veryHidden"
    assert wb[SHEET_HELPER].sheet_state == "veryHidden" and wb[SHEET_HELPER].protection.sheet
    assert wb[SHEET_GUIDE].protection.sheet


def test_only_realisasi_and_keterangan_cells_are_unlocked(generated):
    for key in (KEPALA, SEKRETARIS):
        p = planned(generated, key)
        ws = openpyxl.load_workbook(p.path)[SHEET_FORM]
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row
                    if c.protection.locked is False}
        expected = set()
        for entry in p.manifest["indicators"]:
            expected |= set(entry["cells"]["realisasi"].values())
            expected.add(entry["cells"]["keterangan"])
        assert unlocked == expected
        for ref in expected:
            assert ws[ref].fill.fgColor.rgb.endswith("FFF2CC")  # visible input fill


def test_validation_on_every_input(generated):
    p = planned(generated, SEKRETARIS)
    ws = openpyxl.load_workbook(p.path)[SHEET_FORM]
    rules = ws.data_validations.dataValidation

    def rule_for(ref):
        hits = [dv for dv in rules if ref in dv.sqref]
        assert len(hits) == 1, ref
        return hits[0]

    yes_no, numeric = p.manifest["indicators"]
    for ref in yes_no["cells"]["realisasi"].values():
        dv = rule_for(ref)
        assert dv.type == "list" and dv.formula1 == '"Ya,Tidak"'
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
        assert "Ya" in dv.prompt and dv.promptTitle.startswith("Realisasi TW")
    for ref in numeric["cells"]["realisasi"].values():
        dv = rule_for(ref)  # any text (read by the rule table), or a number ≥ 0
        first = str(dv.sqref).split()[0].split(":")[0]  # relative to its first cell
        assert dv.type == "custom" and dv.errorStyle in (None, "stop")
        assert dv.formula1 == f"OR(ISTEXT({first}),AND(ISNUMBER({first}),{first}>=0))"
        assert "negatif" in dv.error and "85,5" in dv.prompt


def test_manifest_signed_and_complete(generated):
    p = planned(generated, ("199005202015031003", "IKI-PENGOLAH"))
    _, ws = generated
    m = read_path(p.path, None, None).manifest  # the whole manifest, as written
    assert read_path(p.path, ws.key, ws.key_id).signature_ok
    assert m["form_id"] == p.form_id and m["revision"] == 1
    assert m["nip"] == "199005202015031003" and m["tahun"] == 2025
    assert m["periode"] == "triwulan" and m["periods"] == ["TW1", "TW2", "TW3", "TW4"]
    assert m["key_id"] == ws.key_id
    first, second = m["indicators"]
    assert first["polaritas"] == "maksimal" and first["agregasi"] == "jumlah"
    assert first["target"]["value"] == 12.0 and first["period_targets"]["TW2"] == 6
    assert second["target"] == {"text": "BB (70)", "value": 70.0, "low": None, "high": None}
    assert set(first["cells"]["realisasi"]) == {"TW1", "TW2", "TW3", "TW4"}
    assert verify_file(p.path, ws.key) == []
    # The ledger keeps what judging a returned file needs of it.
    assert ws.issued.for_reading(p.form_id, 1).reading == reading_view(m)
    # Defined names mark the realisasi ranges.
    wb = openpyxl.load_workbook(p.path)
    rows = [i["row"] for i in m["indicators"]]
    assert wb.defined_names["IKI_REALISASI"].attr_text == f"IKI!$H${rows[0]}:$K${rows[-1]}"
    assert wb.defined_names["IKI_REALISASI_TW3"].attr_text == f"IKI!$J${rows[0]}:$J${rows[-1]}"


def _rewrite(src: Path, dst: Path, member: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                assert old in data
                data = data.replace(old, new, 1)
            zout.writestr(item, data)


def test_one_byte_of_locked_content_fails_verification(generated, form_copy, tmp_path):
    _, ws = generated
    src = form_copy()
    edited = tmp_path / "edited.xlsx"
    _rewrite(src, edited, "xl/sharedStrings.xml", b"Jumlah laporan pengolahan",
             b"Jumlah laporan pengolaham")
    assert verify_file(edited, ws.key) == ["isi_terkunci_berubah"]
    target = tmp_path / "target.xlsx"  # a number cell: the target 12 → 13
    _rewrite(src, target, "xl/worksheets/sheet1.xml", b"<v>12</v>", b"<v>13</v>")
    assert verify_file(target, ws.key) == ["isi_terkunci_berubah"]
    forged = tmp_path / "forged.xlsx"
    _rewrite(src, forged, "xl/sharedStrings.xml", b'"revision":1', b'"revision":2')
    assert verify_file(forged, ws.key) == ["tanda_tangan_salah"]
    assert verify_file(src, b"\x00" * 32) == ["tanda_tangan_salah"]  # another workspace


def test_print_settings(generated):
    p = planned(generated, KEPALA)
    ws = openpyxl.load_workbook(p.path)[SHEET_FORM]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 14  # F4 (Folio) from Pengaturan
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1) == 1  # OOXML default 1: one page wide
    assert ws.page_setup.fitToHeight == 0  # as many pages tall as needed
    head = p.layout.header_rows
    assert ws.print_title_rows == f"${head[0] + 1}:${head[1] + 1}"
    assert ws.print_area == f"'IKI'!$A$1:$M${p.layout.last_row + 1}"
    assert "Halaman &P dari &N" in ws.oddFooter.right.text
    assert "19700101 199503 1 001" in ws.oddFooter.left.text
    # Rows with wrapped text have explicit heights (Excel does not auto-fit merged cells).
    for entry in p.manifest["indicators"]:
        assert ws.row_dimensions[entry["row"]].height >= 25


def test_capaian_formulas_with_blank_cached_values(generated):
    p = planned(generated, KEPALA)
    wb = openpyxl.load_workbook(p.path)
    ws = wb[SHEET_FORM]
    for entry in p.manifest["indicators"]:
        assert ws[entry["cells"]["capaian"]].value.startswith("=IF(")
    from python_calamine import CalamineWorkbook

    # A value reader sees the cached results: blank, not 0.
    values = sheet_cells(CalamineWorkbook.from_path(str(p.path)).get_sheet_by_name("IKI"))
    for entry in p.manifest["indicators"]:
        assert values.get(entry["cells"]["capaian"]) in (None, "")


def test_regenerate_reuses_ids_and_revises_changed_iki(tmp_path, small_master):
    ws = Workspace(tmp_path / "ws")
    first = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    again = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    assert [p.status for p in again.forms] == ["sama"] * len(first.forms)
    assert [(p.form_id, p.revision) for p in again.forms] == \
        [(p.form_id, p.revision) for p in first.forms]
    # Change one target of IKI-PENGOLAH: its three forms get revision 2, others unchanged.
    from dataclasses import replace

    d = small_master.iki["IKI-PENGOLAH"]
    ind = replace(d.indicators[1], target=replace(d.indicators[1].target, text="BB (75)",
                                                   value=75.0))
    changed = replace(small_master, iki={**small_master.iki,
                                         "IKI-PENGOLAH": replace(d, indicators=(d.indicators[0],
                                                                                ind))})
    third = generate_forms(changed, tmp_path / "forms", ws, jobs=1)
    status = {p.form.key: (p.status, p.revision) for p in third.forms}
    assert status[("199005202015031003", "IKI-PENGOLAH")] == ("revisi", 2)
    assert status[("198203152006042002", "IKI-PENGOLAH")] == ("revisi", 2)
    assert status[KEPALA] == ("sama", 1)
    fid = next(p.form_id for p in third.forms if p.form.key == ("199005202015031003",
                                                                  "IKI-PENGOLAH"))
    assert ws.issued.form(fid, 1).targets["02"]["target"]["value"] == 70.0
    assert ws.issued.form(fid).targets["02"]["target"]["value"] == 75.0
    m = read_path(next(p.path for p in third.forms if p.form_id == fid), None, None).manifest
    assert m["revision"] == 2 and m["form_id"] == fid


def test_file_names_are_windows_safe(generated):
    result, _ = generated
    names = [p.path.relative_to(result.out_dir) for p in result.forms]
    for rel in names:
        for part in rel.parts:
            assert not re.search(r'[<>:"/\\|?*]', part) and not part.endswith((".", " "))
    plt = [n.name for n in names if n.name.startswith("198203152006042002")]
    assert sorted(plt) == [
        "198203152006042002_Sri Lestari, S.E., M.M._Plt. Kepala Bidang Mutasi Promosi.xlsx",
        "198203152006042002_Sri Lestari, S.E., M.M.xlsx"]
    assert safe_name("CON") == "_CON" and safe_name("a/b: c?. ") == "a b c"
    assert safe_name("Drs. H. Suhartono, S.Sos.") == "Drs. H. Suhartono, S.Sos"


def test_distribution_list(generated):
    result, _ = generated
    ws = openpyxl.load_workbook(result.distribution).active
    header = [c.value for c in ws[3]]
    assert header[:4] == ["No", "NIP", "Nama", "Jabatan"] and "ID Formulir" in header
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[0].value]
    assert len(rows) == len(result.forms)
    by_nip = {r[1]: r for r in rows}
    assert by_nip["19900520 201503 1 003"][2] == "Andi Pratama, S.Kom"
    files = {r[header.index("Berkas")] for r in rows}
    assert all((result.out_dir / f).is_file() for f in files)
    assert ws.auto_filter.ref.startswith("A3:")


def test_zip_per_perangkat_daerah(tmp_path, small_master):
    result = generate_forms(small_master, tmp_path / "f", Workspace(tmp_path / "w"), jobs=1,
                            make_zip=True)
    assert len(result.zips) == 1
    with zipfile.ZipFile(result.zips[0]) as zf:
        assert len(zf.namelist()) == len(result.forms)


def test_pool_writes_the_same_forms(tmp_path, small_master):
    from dataclasses import replace

    many = replace(small_master, assignments=small_master.assignments * 4)
    result = generate_forms(many, tmp_path / "f", Workspace(tmp_path / "w"), jobs=2)
    assert len({p.path for p in result.forms}) == 20
    ws = Workspace(tmp_path / "w")
    assert all(verify_file(p.path, ws.key) == [] for p in result.forms)


def test_forked_and_spawned_workers_write_the_forms_one_process_writes(tmp_path,
                                                                       small_master,
                                                                       monkeypatch):
    """Forked workers take their jobs from the memory they inherit (batches name them by
    index), spawned ones get them pickled: both write, form for form, the parts one
    process writes (all but the time in docProps/core.xml), every form unchanged."""
    import multiprocessing
    from dataclasses import replace

    from iki_xlsx.forms import generate

    many = replace(small_master, assignments=small_master.assignments * 4)
    ws = Workspace(tmp_path / "w")
    pools = []
    real_pool = generate.ProcessPoolExecutor

    def pool(**kwargs):
        pools.append(kwargs)
        return real_pool(**kwargs)

    monkeypatch.setattr(generate, "ProcessPoolExecutor", pool)

    def parts(out: str) -> dict[str, dict[str, bytes]]:
        result = generate_forms(many, tmp_path / out, ws, jobs=1 if out == "one" else 2)
        assert len(result.forms) == 20 and {p.status for p in result.forms} <= {"baru", "sama"}
        found = {}
        for form in result.forms:
            with zipfile.ZipFile(form.path) as z:
                found[str(form.path.relative_to(tmp_path / out))] = {
                    name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}
        return found

    one = parts("one")
    runs = {"spawned": lambda: multiprocessing.get_context("spawn")}
    if "fork" in multiprocessing.get_all_start_methods():
        runs["forked"] = lambda: multiprocessing.get_context("fork")
    for out, context in runs.items():
        monkeypatch.setattr(generate, "worker_context", context)
        assert parts(out) == one, out
        forked = out == "forked"
        assert (pools[-1]["initializer"] is generate._inherit) is forked, out
    ws.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_workspace_secrets_are_private(tmp_path):
    loaded = load_master(SMALL_MASTER)
    from dataclasses import replace

    master = replace(loaded.master, settings=replace(loaded.master.settings, sandi=""))
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(master, tmp_path / "f", ws, jobs=1)
    assert stat.S_IMODE(ws.key_path.stat().st_mode) == 0o600
    assert result.password_file and stat.S_IMODE(result.password_file.stat().st_mode) == 0o600
    password = result.password_file.read_text().strip()
    assert len(password) == 12
    # The same random password is reused on the next run.
    assert ws.sheet_password("")[0] == password


def test_user_templates_override_texts(tmp_path, small_master):
    """A user's templates folder replaces only the keys and documents it defines."""
    own = tmp_path / "templat"
    own.mkdir()
    (own / "label.yaml").write_text('form:\n  judul: "IKI PEGAWAI {{ 1 + 1 }}"\n',
                                    encoding="utf-8")
    (own / "petunjuk.txt.j2").write_text("PETUNJUK KHUSUS {{ form.pegawai.nama }}\n",
                                         encoding="utf-8")
    result = generate_forms(small_master, tmp_path / "f", Workspace(tmp_path / "w"), jobs=1,
                            templates_dir=str(own))
    wb = openpyxl.load_workbook(result.forms[0].path)
    assert wb["IKI"]["A1"].value == "IKI PEGAWAI 2"
    assert wb["IKI"]["A2"].value == "TAHUN 2025"  # not overridden: the bundled text
    assert wb["Petunjuk"]["A1"].value == f"PETUNJUK KHUSUS {result.forms[0].form.pegawai.nama}"


def test_text_that_looks_like_xml_stays_text(tmp_path, small_master):
    """xlsxwriter writes '<r>…</r>' strings unescaped; master text must not inject XML."""
    from dataclasses import replace

    evil = '<r><t>x</t></r><r><t>y</t></r>'
    d = small_master.iki["IKI-PENGOLAH"]
    master = replace(small_master, iki={**small_master.iki, "IKI-PENGOLAH": replace(
        d, tugas=evil, indicators=(replace(d.indicators[0], sumber_data=evil),
                                   *d.indicators[1:]))})
    result = generate_forms(master, tmp_path / "f", Workspace(tmp_path / "w"), jobs=1)
    p = next(p for p in result.forms if p.form.key == ("199005202015031003", "IKI-PENGOLAH"))
    ws = openpyxl.load_workbook(p.path)["IKI"]
    cells = values(ws)
    assert f": {evil}" in cells.values()
    assert ws[f"E{p.manifest['indicators'][0]['row']}"].value == evil
    assert verify_file(p.path, Workspace(tmp_path / "w").key) == []
