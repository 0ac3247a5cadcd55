"""Recap from the ledger: capaian recomputed s.d. a period, who has not submitted, which
files had problems, and the workbook people read (values checked cell by cell).

Expected capaian are worked out by hand here from domain.md's rules (not by calling
iki_xlsx.core.capaian), for the small master in tests/data/master-kecil.yaml.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import openpyxl
import pytest
from libreoffice import cells, needs_libreoffice

from iki_xlsx.core.show import number_format
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import FileEntry, Workspace

KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
SCRIPT = "<script>document.title='DIRETAS'</script>"
# xlsxwriter writes a string shaped like this as raw XML unless the caller prevents it.
RICH = ('<r><t>a</t></r></is></c><c r="Z1"><f>1+1</f></c>'
        '<c r="Z2" t="inlineStr"><is><r><t>b</t></r>')
PERIODS = ("TW1", "TW2", "TW3", "TW4")

# openpyxl does not read Excel 2010 data-bar extensions (solid bars); the test only reads.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


def _values(*vals):
    return {p: (vals[i] if i < len(vals) else None) for i, p in enumerate(PERIODS)}


def record(ws: Workspace, form, realisasi: dict | None, *, status="diterima",
           problems=(), source="masuk/berkas.xlsx", member="", revision=None,
           salt="") -> str:
    """Record one collected file of ``form`` (a PlannedForm) as the collector would."""
    body = json.dumps([form.form_id if form else None, realisasi, status, salt],
                      sort_keys=True)
    sha = hashlib.sha256(body.encode()).hexdigest()
    filled, last = 0, -1
    for entry in (realisasi or {}).values():
        for i, p in enumerate(PERIODS):
            if entry["realisasi"].get(p) is not None:
                filled += 1
                last = max(last, i)
    entry = FileEntry(
        sha256=sha, size=1000, kind="xlsx",
        form_id=form.form_id if form else None,
        revision=(form.revision if revision is None else revision) if form else None,
        nip=form.form.pegawai.nip if form else None,
        tahun=form.form.settings.tahun if form else None, status=status,
        problems=list(problems), realisasi=realisasi, filled=filled,
        last_period=last, modified_at=None)
    ws.files.record([(entry, source, member)], "run-1")
    return sha


def problem(code, message, severity="error", **where):
    return {"code": code, "params": {}, "file": where.get("file", ""),
            "sheet": where.get("sheet", ""), "cell": where.get("cell", ""),
            "row": where.get("row"), "column": where.get("column", ""),
            "indicator": where.get("indicator", ""), "severity": severity,
            "message": message, "advice": where.get("advice", "")}


def entry(*vals, keterangan=None):
    return {"realisasi": _values(*vals), "keterangan": keterangan}


@pytest.fixture
def setup(small_master, tmp_path):
    """Forms of the small master, and submissions:

    * Kepala: TW1/TW2 filled (indikator 03 left blank), diterima;
    * Sekretaris (Sri): diterima_catatan with a warning, keterangan that look like formulas;
    * Andi: two files — the newer by content (TW2) collected *first*, the older (TW1 only)
      collected later: the TW2 one must win;
    * Nur Aini: only a rejected file (with values that must appear nowhere but Masalah);
    * Sri as Plt. (IKI-PENGOLAH): an accepted file of an older revision only.
    """
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in result.forms}
    record(ws, forms[KEPALA], {
        "01": entry(80, 90, keterangan=SCRIPT),     # rata-rata 85 vs 85 → 100
        "02": entry(1, 0, keterangan=RICH),         # minimal, T = 0, last 0 → 100
        "03": entry(),                              # nothing → not counted
        "04": entry(50, 150),                       # terakhir 150 vs 100 → 150, cap 120
    }, source="kiriman/kepala.xlsx")
    record(ws, forms[SEKRETARIS], {
        "01": entry("Ya", keterangan=HYPERLINK),    # ya/tidak → 100
        "02": entry(None, 95, keterangan=DDE),      # rentang 80–90, 95 → 95/90 = 105.56
    }, status="diterima_catatan",
        problems=[problem("realisasi_melebihi", "Realisasi 95 jauh di atas rentang target.",
                          "warning", sheet="IKI", cell="L15",
                          indicator="Persentase realisasi penyerapan anggaran")],
        source="kiriman.zip", member="sekretaris/IKI Sri.xlsx")
    ws.andi_newer = record(ws, forms[ANDI], {
        "01": entry(3, 4),       # jumlah 7 vs target s.d. TW2 = 6 → 116.67
        "02": entry(60, 80),     # rata-rata 70 vs BB (70) → 100
    }, source="kiriman/andi-baru.xlsx")
    ws.andi_older = record(ws, forms[ANDI], {
        "01": entry(3),          # older content: TW1 only
        "02": entry(60),
    }, source="kiriman/andi-lama.xlsx")
    record(ws, forms[NUR], {"01": entry(999, 999), "02": entry(999, 999)}, status="ditolak",
           problems=[problem("sel_terkunci_diubah", "Sel terkunci C12 diubah.", cell="C12",
                             sheet="IKI")],
           source="kiriman/nur.xlsx")
    record(ws, forms[SRI_PLT], {"01": entry(1), "02": entry(50)}, revision=0,
           source="kiriman/sri-plt-lama.xlsx")
    return ws, forms


def by_key(recap, key):
    nip, kode = key
    return next(f for f in recap.forms if f.nip == nip and f.kode_iki == kode)


# --------------------------------------------------------------------------- data


def test_default_period_is_latest_with_realisasi(setup):
    ws, _ = setup
    recap = build_recap(ws)
    assert recap.tahun == 2025
    assert (recap.upto, recap.upto_auto) == ("TW2", True)
    assert recap.periods == ["TW1", "TW2"]


def test_capaian_recomputed_by_hand(setup):
    ws, _ = setup
    recap = build_recap(ws)
    kepala = by_key(recap, KEPALA)
    assert [i.capaian for i in kepala.indicators] == pytest.approx([100, 100, None, 120])
    assert [i.status for i in kepala.indicators] == ["terisi", "terisi", "kosong", "terisi"]
    assert kepala.capaian == pytest.approx((100 + 100 + 120) / 3)
    assert (kepala.predikat, kepala.filled, kepala.total) == ("Sangat Baik", 3, 4)

    sek = by_key(recap, SEKRETARIS)
    assert [i.capaian for i in sek.indicators] == pytest.approx([100, 95 / 90 * 100])
    assert sek.capaian == pytest.approx((100 + 95 / 90 * 100) / 2)
    # Status per period (TW1: only indikator 01, TW2: only 02): a submission, not whole
    assert sek.status == "sebagian"
    assert sek.period_status == {"TW1": "sebagian", "TW2": "sebagian"}

    andi = by_key(recap, ANDI)  # the newer content wins though it was collected first
    assert andi.indicators[0].total == 7
    assert [i.capaian for i in andi.indicators] == pytest.approx([7 / 6 * 100, 100])
    # values, not files: TW1 (the same 3 in both) and TW2 (only in the TW2 file)
    assert andi.indicators[0].sources["TW2"].sha256 == ws.andi_newer != ws.andi_older
    assert andi.indicators[0].values == {"TW1": 3, "TW2": 4}

    for key in (NUR, SRI_PLT):
        f = by_key(recap, key)
        assert not f.submitted and f.capaian is None and f.predikat is None
        assert {i.status for i in f.indicators} == {"belum"}
    assert by_key(recap, NUR).rejected == 1
    assert by_key(recap, SRI_PLT).old_revision == 0


@pytest.mark.parametrize("text", ["TW1", "TW I", "1", "triwulan 1", " tw1 "])
def test_period_spellings(setup, text):
    ws, _ = setup
    recap = build_recap(ws, upto=text)
    assert (recap.upto, recap.upto_auto, recap.periods) == ("TW1", False, ["TW1"])
    kepala = by_key(recap, KEPALA)
    # TW1: 80/85 · minimal T=0 with R=1 → 0 · blank · 50/100
    assert [i.capaian for i in kepala.indicators] == pytest.approx([80 / 85 * 100, 0, None, 50])
    assert kepala.capaian == pytest.approx((80 / 85 * 100 + 0 + 50) / 3)
    assert kepala.predikat == "Sangat Kurang"
    andi = by_key(recap, ANDI)  # 3 vs s.d. TW1 target 3 → 100; 60/70
    assert [i.capaian for i in andi.indicators] == pytest.approx([100, 60 / 70 * 100])


@pytest.mark.parametrize("text", ["TW II", "2", "tw2", "S1", "Semester I"])
def test_tw2_spellings_and_semester_on_a_quarterly_ledger(setup, text):
    ws, _ = setup
    recap = build_recap(ws, upto=text)
    assert recap.periods == ["TW1", "TW2"]  # S1 ends when TW2 ends
    assert by_key(recap, KEPALA).capaian == pytest.approx((100 + 100 + 120) / 3)


@pytest.mark.parametrize("text", ["TW5", "5", "kemarin", ""])
def test_unknown_period_is_an_indonesian_error(setup, text):
    ws, _ = setup
    with pytest.raises(ValueError, match="tidak dikenal") as err:
        build_recap(ws, upto=text)
    assert "TW1, TW2, TW3, TW4" in str(err.value)


def test_empty_ledger(tmp_path):
    with pytest.raises(ValueError, match="Belum ada formulir"):
        build_recap(Workspace(tmp_path / "kosong"))


def test_default_period_follows_realisasi(small_master, tmp_path):
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in result.forms}
    recap = build_recap(ws)  # nothing collected: first period, every form missing
    assert recap.upto == "TW1" and recap.total.missing == 5
    record(ws, forms[ANDI], {"01": entry(3, None, 5), "02": entry()})
    recap = build_recap(ws)
    assert recap.upto == "TW3" and recap.periods == ["TW1", "TW2", "TW3"]
    # jumlah 8 vs s.d. TW3 target 9; indikator 02 blank
    assert by_key(recap, ANDI).capaian == pytest.approx(8 / 9 * 100)


def test_cli_summary_line(small_master, tmp_path):
    """The line recap prints: the mean capaian with its percent sign, or a bare dash
    when no realisasi has come in yet (never "-%")."""
    from typer.testing import CliRunner

    from iki_xlsx.cli import app

    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in result.forms}
    args = ["recap", "-w", str(ws.path), "-o", str(tmp_path / "rekap.xlsx")]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0 and "rata-rata capaian -." in out.output, out.output
    record(ws, forms[ANDI], {"01": entry(3, None, 5), "02": entry()})
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0 and re.search(r"rata-rata capaian [0-9]+,[0-9]{2}%\.",
                                            out.output), out.output


def test_summary_counts(setup):
    ws, _ = setup
    recap = build_recap(ws)
    units = {(u.perangkat_daerah, u.unit_kerja): u for u in recap.units}
    pd = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    sek = units[(pd, "Sekretariat")]  # Sri (Sekretaris), Andi, Nur Aini
    assert (sek.people, sek.forms, sek.submitted, sek.missing) == (3, 3, 2, 1)
    assert sek.average == pytest.approx(((100 + 95 / 90 * 100) / 2
                                           + (7 / 6 * 100 + 100) / 2) / 2)
    assert sek.predikat["Sangat Baik"] == 2
    mutasi = units[(pd, "Bidang Mutasi")]
    assert (mutasi.forms, mutasi.submitted, mutasi.missing, mutasi.average) == (1, 0, 1, None)
    t = recap.total
    assert (t.people, t.forms, t.submitted, t.missing) == (4, 5, 3, 2)
    assert t.predikat == {"Sangat Baik": 3, "Baik": 0, "Cukup": 0, "Kurang": 0,
                          "Sangat Kurang": 0}
    assert [f.nama for f in recap.not_submitted] == ["Sri Lestari, S.E., M.M.",
                                                      "Nur Aini, A.Md"]


def test_build_twice_gives_the_same_numbers(setup):
    ws, _ = setup
    a, b = build_recap(ws), build_recap(ws)
    assert [(f.form_id, f.capaian, f.status) for f in a.forms] == [
        (f.form_id, f.capaian, f.status) for f in b.forms]


# --------------------------------------------------------------------------- workbook


@pytest.fixture
def workbook(setup, tmp_path):
    ws, _ = setup
    path = write_recap_xlsx(build_recap(ws, upto="TW II"), tmp_path / "out" / "rekap-TW2.xlsx")
    return path


def rows_of(sheet, header_row: int = 2) -> list[dict]:
    head = [c.value for c in sheet[header_row]]
    return [dict(zip(head, (c.value for c in row)))
            for row in sheet.iter_rows(min_row=header_row + 1)]


def test_workbook_sheets_and_per_pegawai(workbook):
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == ["Ringkasan", "Per Pegawai", "Per Indikator",
                             "Belum Mengumpulkan", "Per Atasan", "Riwayat", "Masalah"]
    rows = rows_of(wb["Per Pegawai"])
    assert len(rows) == 5  # one row per form: Sri Lestari has two
    sri = [r for r in rows if r["Nama"] == "Sri Lestari, S.E., M.M."]
    assert [r["Jabatan"] for r in sri] == ["Sekretaris", "Plt. Kepala Bidang Mutasi/Promosi"]
    kepala = next(r for r in rows if r["NIP"] == "19700101 199503 1 001")
    assert kepala["Rata-rata Capaian (%)"] == pytest.approx((100 + 100 + 120) / 3)
    assert (kepala["Indikator Terisi"], kepala["Jumlah Indikator"]) == (3, 4)
    assert (kepala["Predikat"], kepala["Status"]) == ("Sangat Baik", "Sebagian")
    assert (kepala["Status TW I"], kepala["Status TW II"]) == ("Sebagian", "Sebagian")
    assert kepala["Atasan"] == "Ir. H. Bupati Contoh, M.Si"
    assert kepala["Terakhir Mengirim"] is not None
    assert sri[0]["Status"] == "Sebagian"
    assert sri[0]["Atasan"] == "Drs. H. Rahmat Wijaya, S.Sos. (19700101 199503 1 001)"
    assert sri[1]["Status"] == "Belum mengumpulkan" and sri[1]["Predikat"] is None
    nur = next(r for r in rows if r["Nama"] == "Nur Aini, A.Md")
    assert nur["Status"] == "Belum mengumpulkan"
    assert nur["Terakhir Mengirim"] is not None  # a rejected file was sent


def test_workbook_per_indikator(workbook):
    wb = openpyxl.load_workbook(workbook)
    rows = rows_of(wb["Per Indikator"])
    assert len(rows) == 4 + 2 + 2 * 3
    assert list(rows[0])[:10] == ["NIP", "Nama", "Unit Kerja", "No", "Sasaran",
                                  "Indikator Kinerja", "Satuan", "Target", "Polaritas",
                                  "Agregasi"]
    assert list(rows[0])[10:] == ["Realisasi TW I", "Realisasi TW II",
                                  "Realisasi s.d. TW II", "Capaian (%)",
                                  "Capaian thd Target Tahunan (%)", "Status",
                                  "Keterangan / Bukti Dukung", "Sumber Nilai"]
    andi = [r for r in rows if r["Nama"] == "Andi Pratama, S.Kom"]
    assert [(r["Realisasi TW I"], r["Realisasi TW II"], r["Realisasi s.d. TW II"])
            for r in andi] == [(3, 4, 7), (60, 80, 70)]
    assert [r["Capaian (%)"] for r in andi] == pytest.approx([7 / 6 * 100, 100])
    # against the yearly target (12 laporan; 70 for BB (70)): progress, not the rating
    assert [r["Capaian thd Target Tahunan (%)"] for r in andi] == pytest.approx(
        [7 / 12 * 100, 100])
    # the continuation indicator carries its sasaran's number and text
    assert andi[1]["No"] == "1" and andi[1]["Sasaran"].startswith("Tersusunnya laporan")
    assert (andi[1]["Target"], andi[1]["Polaritas"], andi[1]["Agregasi"]) == (
        "BB (70)", "maksimal", "rata-rata")
    kepala = [r for r in rows if r["NIP"] == "19700101 199503 1 001"]
    assert [r["Status"] for r in kepala] == ["Terisi", "Terisi", "Belum diisi", "Terisi"]
    assert kepala[3]["Capaian (%)"] == 120  # capped
    assert kepala[2]["Capaian (%)"] is None
    sek = [r for r in rows if r["NIP"] == "19820315 200604 2 002"][:2]
    assert [r["Realisasi TW I"] for r in sek] == ["Ya", None]
    assert [r["Realisasi s.d. TW II"] for r in sek] == ["Ya", 95]
    nur = [r for r in rows if r["Nama"] == "Nur Aini, A.Md"]
    assert {r["Status"] for r in nur} == {"Belum mengumpulkan"}
    assert all(r["Realisasi TW I"] is None and r["Capaian (%)"] is None for r in nur)


def test_rejected_file_only_in_masalah(workbook):
    wb = openpyxl.load_workbook(workbook)
    for name in ("Ringkasan", "Per Pegawai", "Per Indikator", "Belum Mengumpulkan"):
        values = [c.value for row in wb[name].iter_rows() for c in row]
        assert 999 not in values, name
    rows = rows_of(wb["Masalah"])
    nur = [r for r in rows if r["Nama"] == "Nur Aini, A.Md"]
    assert len(nur) == 1
    assert (nur[0]["Status Berkas"], nur[0]["Dipakai dalam Rekap"], nur[0]["Tingkat"],
            nur[0]["Sel"], nur[0]["Berkas"]) == ("Ditolak", "Tidak", "GALAT", "C12",
                                                 "kiriman/nur.xlsx")
    assert nur[0]["Masalah"] == "Sel terkunci C12 diubah."
    sek = next(r for r in rows if r["NIP"] == "19820315 200604 2 002")
    assert (sek["Status Berkas"], sek["Dipakai dalam Rekap"], sek["Tingkat"]) == (
        "Diterima dengan catatan", "Ya", "PERINGATAN")
    assert sek["Berkas"] == "kiriman.zip › sekretaris/IKI Sri.xlsx"
    assert sek["Indikator Kinerja"] == "Persentase realisasi penyerapan anggaran"
    assert len(rows) == 2  # files without problems are not listed


def test_not_submitted_sheet(workbook):
    rows = rows_of(openpyxl.load_workbook(workbook)["Belum Mengumpulkan"])
    # per period: the recap's period first, then each earlier one
    assert [(r["Periode"], r["Nama"], r["Jabatan"]) for r in rows] == [
        ("TW II", "Sri Lestari, S.E., M.M.", "Plt. Kepala Bidang Mutasi/Promosi"),
        ("TW II", "Nur Aini, A.Md", "Pengolah Data"),
        ("TW I", "Sri Lestari, S.E., M.M.", "Plt. Kepala Bidang Mutasi/Promosi"),
        ("TW I", "Nur Aini, A.Md", "Pengolah Data")]
    assert {r["Status"] for r in rows} == {"Belum mengumpulkan"}
    assert "revisi lama" in rows[0]["Catatan"]
    assert rows[1]["Catatan"] == "1 berkas ditolak (lihat sheet Masalah)"


def test_user_text_stays_text(workbook):
    wb = openpyxl.load_workbook(workbook)
    ket = [r["Keterangan / Bukti Dukung"] for r in rows_of(wb["Per Indikator"])]
    for text in (HYPERLINK, DDE, SCRIPT, RICH):
        assert text in ket
    sheet = wb["Per Indikator"]
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if cell.value in (HYPERLINK, DDE, RICH):
                assert cell.data_type in ("s", "inlineStr") and isinstance(cell.value, str)
    with zipfile.ZipFile(workbook) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
                assert "<hyperlink" not in xml, name
        assert not any("hyperlink" in n.lower() for n in z.namelist())


def test_summary_sheet_notes_charts_and_numbers(workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Ringkasan"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "REKAPITULASI CAPAIAN INDIKATOR KINERJA INDIVIDU TAHUN 2025" in texts
    note = "\n".join(texts)
    assert "s.d. TW II" in note and "Batas capaian per indikator: 120%" in note
    assert "> 90 Sangat Baik; > 75 Baik; > 65 Cukup; > 50 Kurang; ≤ 50 Sangat Kurang" in note
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Unit Kerja")
    titles = [c.value for c in ws[head]]
    units = {}
    r = head + 1
    while ws.cell(r, 1).value:
        units[ws.cell(r, 2).value] = dict(zip(titles, (c.value for c in ws[r])))
        r += 1
    assert set(units) == {"Pimpinan", "Sekretariat", "Bidang Mutasi"}
    sek = units["Sekretariat"]
    assert (sek["Pegawai"], sek["Formulir"], sek["Sudah Mengumpulkan"],
            sek["Belum Mengumpulkan"]) == (3, 3, 2, 1)
    assert sek["% Terkumpul"] == pytest.approx(2 / 3)
    assert sek["Sangat Baik"] == 2
    total = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, 1).value == "JUMLAH")
    assert [ws.cell(total, c).value for c in range(3, 7)] == [4, 5, 3, 2]
    assert ws.freeze_panes == f"C{head + 1}"
    assert ws.auto_filter.ref.startswith(f"A{head}:")
    with zipfile.ZipFile(workbook) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names and "xl/charts/chart2.xml" in names
        predikat = z.read("xl/charts/chart1.xml").decode()
        capaian = z.read("xl/charts/chart2.xml").decode()
    assert '<c:barDir val="col"/>' in predikat and "Ringkasan!$I$" in predikat
    assert '<c:barDir val="bar"/>' in capaian and "Ringkasan!$H$" in capaian


def test_formats_filters_and_conditional_formatting(workbook):
    wb = openpyxl.load_workbook(workbook)
    for name, freeze in (("Per Pegawai", "D3"), ("Per Indikator", "C3"),
                         ("Belum Mengumpulkan", "D3"), ("Masalah", "C3")):
        ws = wb[name]
        assert ws.freeze_panes == freeze, name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:"), name
        assert ws.print_title_rows == "$2:$2", name
        assert ws.page_setup.orientation == "landscape", name
    assert wb["Ringkasan"].page_setup.paperSize == 14  # F4, as the forms
    with zipfile.ZipFile(workbook) as z:
        sheets = {n: z.read(n).decode() for n in z.namelist()
                  if re.match(r"xl/worksheets/sheet\d+\.xml", n)}
    pegawai = sheets["xl/worksheets/sheet2.xml"]
    assert "<dataBar" in pegawai
    assert pegawai.count('type="cellIs"') >= 5  # one colour per predikat + belum
    assert '<formula>"Sangat Baik"</formula>' in pegawai
    assert "<dataBar" in sheets["xl/worksheets/sheet3.xml"]
    ws = wb["Per Pegawai"]
    head = [c.value for c in ws[2]]
    cap = ws.cell(3, head.index("Rata-rata Capaian (%)") + 1)
    # shown as the text reads it: 90, 85,5, 86,42 (the separators are the locale's)
    assert cap.number_format == number_format(cap.value)
    when = ws.cell(3, head.index("Terakhir Mengirim") + 1)
    assert when.is_date and when.number_format == "dd-mm-yyyy hh:mm"


def test_write_is_atomic_and_overwrites(setup, tmp_path):
    ws, _ = setup
    recap = build_recap(ws)
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"old")
    write_recap_xlsx(recap, path)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    write_recap_xlsx(recap, path)  # twice in one process
    assert openpyxl.load_workbook(path).sheetnames[0] == "Ringkasan"


def test_semester_master(small_master, tmp_path):
    """A semester master: periods S1/S2, and 'TW2' maps onto S1."""
    from dataclasses import replace

    from iki_xlsx.core.model import PeriodScheme

    master = replace(small_master, settings=replace(small_master.settings,
                                                    periode=PeriodScheme.SEMESTER))
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(master, tmp_path / "forms", ws, jobs=1)
    kepala = next(p for p in result.forms if p.form.key == KEPALA)
    record(ws, kepala, {"01": {"realisasi": {"S1": 85, "S2": None}, "keterangan": None}})
    recap = build_recap(ws)
    assert (recap.upto, recap.periods) == ("S1", ["S1"])
    assert by_key(recap, KEPALA).indicators[0].capaian == pytest.approx(100)
    assert build_recap(ws, upto="TW2").periods == ["S1"]
    assert build_recap(ws, upto="2").upto == "S2"
    path = write_recap_xlsx(recap, tmp_path / "sem.xlsx")
    head = [c.value for c in openpyxl.load_workbook(path)["Per Indikator"][2]]
    assert "Realisasi SEM I" in head and "Realisasi s.d. SEM I" in head


ODD = ["\x01bel\x1f", "_x0041_ bukan A", "  spasi di depan dan belakang  ", "a & b < c > d",
       "baris\npertama\r\nkedua", "emoji 😀 dan 中文\tdan tab", "x" * 40_000]


@pytest.fixture
def odd_workbook(small_master, tmp_path):
    """Keterangan that XML and Excel treat specially, written by the fast row writer."""
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in result.forms}
    record(ws, forms[KEPALA], {f"{i + 1:02d}": entry(1, keterangan=ODD[i]) for i in range(4)})
    record(ws, forms[ANDI], {"01": entry(1, keterangan=ODD[4]),
                             "02": entry(1, keterangan=ODD[5])})
    record(ws, forms[SEKRETARIS], {"01": entry("Ya", keterangan=ODD[6])})
    return write_recap_xlsx(build_recap(ws), tmp_path / "odd.xlsx")


def _keterangan_column(path) -> str:
    head = [c.value for c in openpyxl.load_workbook(path)["Per Indikator"][2]]
    return openpyxl.utils.get_column_letter(head.index("Keterangan / Bukti Dukung") + 1)


def test_odd_text_round_trips(odd_workbook):
    rows = rows_of(openpyxl.load_workbook(odd_workbook)["Per Indikator"])
    got = [r["Keterangan / Bukti Dukung"] for r in rows if r["Keterangan / Bukti Dukung"]]
    assert len(got) == 7
    assert got[2:4] == [ODD[2], ODD[3]]  # spaces kept, & < > as typed
    assert got[4] == "x" * 32_767  # Excel's limit per cell
    assert got[6] == ODD[5]


@needs_libreoffice
def test_odd_text_as_libreoffice_reads_it(odd_workbook):
    """Control characters and text that looks like Excel's _xHHHH_ escape come back as
    typed (XML keeps no carriage return: CR LF reads as LF)."""
    col = _keterangan_column(odd_workbook)
    got = cells(odd_workbook, [f"'Per Indikator'!{col}3:{col}14"], calculate=False)
    texts = [c.string for c in got.values() if c.type != "empty"]
    assert all(c.type in ("empty", "text") for c in got.values())
    expected = ODD[:4] + [ODD[6][:32_767], ODD[4].replace("\r\n", "\n"), ODD[5]]
    assert [t[:40] for t in texts] == [e[:40] for e in expected][: len(texts)]
    assert texts[0] == "\x01bel\x1f" and texts[1] == "_x0041_ bukan A"
    assert len(texts[4]) == 32_767 and texts[6] == ODD[5]


def test_revised_iki_uses_the_latest_revision(small_master, tmp_path):
    """Regenerating with a changed target makes revision 2 of those forms: the recap uses
    the new target, and the values of a file of revision 1 still count (with it)."""
    from dataclasses import replace

    from iki_xlsx.core.model import Target

    ws = Workspace(tmp_path / "ws")
    first = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f1", ws,
                                                   jobs=1).forms}
    iki = small_master.iki["IKI-SEKRETARIS"]
    changed = replace(iki, indicators=(iki.indicators[0], replace(
        iki.indicators[1], target=Target("70 - 80", low=70.0, high=80.0))))
    master = replace(small_master, iki={**small_master.iki, "IKI-SEKRETARIS": changed})
    second = {p.form.key: p for p in generate_forms(master, tmp_path / "f2", ws,
                                                    jobs=1).forms}
    assert (first[SEKRETARIS].revision, second[SEKRETARIS].revision) == (1, 2)
    assert second[KEPALA].revision == 1
    record(ws, first[SEKRETARIS], {"02": entry(None, 75)}, source="lama.xlsx")
    recap = build_recap(ws)
    sek = by_key(recap, SEKRETARIS)
    assert (sek.revision, sek.submitted, sek.old_revision) == (2, True, 1)
    assert sek.indicators[1].target == "70 - 80"
    assert sek.indicators[1].capaian == pytest.approx(100)  # 75 inside the new 70–80
    record(ws, second[SEKRETARIS], {"02": entry(None, 96)}, source="baru.xlsx")
    sek = by_key(build_recap(ws), SEKRETARIS)
    assert sek.submitted and sek.indicators[1].capaian == pytest.approx(96 / 80 * 100)


@needs_libreoffice
def test_libreoffice_reads_the_recap(workbook):
    """LibreOffice opens the workbook (fast-written rows included) and sees numbers as
    numbers and every typed text as text — recalculating turns none into a formula."""
    got = cells(workbook, ["'Per Indikator'!A3:Q14", "'Per Pegawai'!J3:J7"])
    assert not [a for a, c in got.items() if c.type == "formula"]
    texts = {c.string for c in got.values() if c.type == "text"}
    assert {HYPERLINK, DDE, SCRIPT, RICH} <= texts
    assert got["'Per Indikator'!N6"].value == 120  # Kepala, indicator 04: capped
    assert got["'Per Indikator'!A3"].type == "text"  # NIP as text
    assert got["'Per Pegawai'!J3"].value == pytest.approx((100 + 100 + 120) / 3)
    assert got["'Per Pegawai'!J5"].type == "empty"  # Sri as Plt.: not submitted


def test_sqlite_without_json_functions(setup):
    """Where SQLite has no json_extract, the forms' JSON is decoded in Python instead:
    same recap."""
    import sqlite3

    ws, _ = setup

    class NoJson:
        def __init__(self, db):
            self._db = db

        def execute(self, sql, *args):
            if "json_extract" in sql:
                raise sqlite3.OperationalError("no such function: json_extract")
            return self._db.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._db, name)

    class Plain(Workspace):
        @property
        def db(self):
            return NoJson(super().db)

    plain = Plain(ws.path)
    a, b = build_recap(ws), build_recap(plain)
    assert [(f.form_id, f.capaian, f.predikat, [i.target for i in f.indicators])
            for f in a.forms] == [(f.form_id, f.capaian, f.predikat,
                                   [i.target for i in f.indicators]) for f in b.forms]
