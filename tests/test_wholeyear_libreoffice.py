"""The quarterly re-issue (issues 11 and 23), with LibreOffice filling every form as a
pegawai would: TW1 and TW2 collected (one pegawai sent TW1 with a value collect refused
and no TW2, one sent nothing, a Plt. counts only TW2–TW3), the forms issued again with
what was counted filled in and locked, the cells nobody filled still open and marked
*terlambat*, the periods outside a form's Mulai / Selesai grey and locked; then TW3 and
the late values typed in LibreOffice into the re-issued forms and collected. The recap
and the form's own live capaian are checked against figures computed here by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from filling import fill, realisasi_ref, saved_on
from libreoffice import fill_and_save, needs_libreoffice

from iki_xlsx.collect import collect
from iki_xlsx.forms.distribution import DISTRIBUTION_FILE
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace

pytestmark = needs_libreoffice

KEPALA = ("197001011995031001", "IKI-KEPALA")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")
YELLOW, LATE, GREY = "FFFFF2CC", "FFF4B183", "FFBFBFBF"


def pct(r: float, t: float, cap: float = 120.0) -> float:
    return min(r / t * 100, cap)


def lo_fill(p, values: dict[tuple[int, str], object], dst: Path, stamp: str) -> Path:
    """Type ``values`` ((indikator index, period) → value) into the form ``p`` (a
    PlannedForm) in LibreOffice, saved as xlsx on ``stamp``."""
    writes = {realisasi_ref(p.manifest, i, per): v for (i, per), v in values.items()}
    dst.parent.mkdir(parents=True, exist_ok=True)
    return saved_on(fill_and_save(p.path, writes, dst, "xlsx", sheet="IKI"), stamp)


@pytest.fixture(scope="module")
def quarter(small_master, tmp_path_factory):
    root = tmp_path_factory.mktemp("triwulan")
    ws = Workspace(root / "ws")
    master = replace(small_master, assignments=[
        replace(a, mulai="TW2", selesai="TW3") if (a.pegawai.nip, a.kode_iki) == SRI_PLT
        else a for a in small_master.assignments])
    first = {p.form.key: p for p in generate_forms(master, root / "f1", ws, jobs=1).forms}
    inbox = root / "masuk"
    lo_fill(first[ANDI], {(0, "TW1"): 3, (1, "TW1"): 70}, inbox / "andi-tw1.xlsx",
            "2025-04-05T09:00:00Z")
    lo_fill(first[ANDI], {(0, "TW1"): 3, (1, "TW1"): 70, (0, "TW2"): 3, (1, "TW2"): 74},
            inbox / "andi-tw2.xlsx", "2025-07-05T09:00:00Z")
    # Nur sends TW1 with a value collect cannot read, and no TW2; Kepala sends nothing
    lo_fill(first[NUR], {(0, "TW1"): 4, (1, "TW1"): "tujuh puluh"}, inbox / "nur.xlsx",
            "2025-04-06T09:00:00Z")
    lo_fill(first[SRI_PLT], {(0, "TW2"): 2, (1, "TW2"): 75}, inbox / "sri-plt.xlsx",
            "2025-07-06T09:00:00Z")
    first_report = collect([inbox], ws, jobs=1)
    again = generate_forms(master, root / "f2", ws, jobs=1, closed_upto="TW2")
    forms = {p.form.key: p for p in again.forms}
    tw3 = root / "masuk-tw3"
    lo = lo_fill(forms[ANDI], {(0, "TW3"): 4, (1, "TW3"): 78}, tw3 / "andi-tw3.xlsx",
                 "2025-10-05T09:00:00Z")
    # the late values, in the cells the re-issue left open, and TW3
    lo_fill(forms[NUR], {(1, "TW1"): 71, (0, "TW2"): 4, (1, "TW2"): 73, (0, "TW3"): 5,
                         (1, "TW3"): 75}, tw3 / "nur-tw3.xlsx", "2025-10-06T09:00:00Z")
    lo_fill(forms[SRI_PLT], {(0, "TW3"): 3, (1, "TW3"): 80}, tw3 / "sri-plt-tw3.xlsx",
            "2025-10-07T09:00:00Z")
    report = collect([tw3], ws, jobs=1)
    yield {"ws": ws, "root": root, "master": master, "again": again, "forms": forms,
           "lo": lo, "first_report": first_report, "report": report,
           "recap": build_recap(ws, upto="TW3")}
    ws.close()


def _cell(p, sheet, index: int, period: str):
    return sheet[realisasi_ref(p.manifest, index, period)]


def _note(sheet) -> str:
    (note,) = [v for row in sheet.iter_rows(values_only=True) for v in row
               if isinstance(v, str) and v.startswith("Formulir terbit ulang")]
    return note


def test_the_reissue_is_not_a_revision(quarter):
    assert {p.status for p in quarter["again"].forms} == {"sama"}
    assert {p.revision for p in quarter["again"].forms} == {1}


def test_counted_values_are_locked_the_rest_stays_open_and_marked_late(quarter):
    first = {Path(r.name).name: [q.code for q in r.problems]
             for r in quarter["first_report"].results}
    assert "realisasi_tidak_terbaca" in first["nur.xlsx"]  # the refused TW1 value
    forms = quarter["forms"]
    andi = openpyxl.load_workbook(forms[ANDI].path)["IKI"]
    for i, want in ((0, {"TW1": 3, "TW2": 3}), (1, {"TW1": 70, "TW2": 74})):
        for period, value in want.items():
            c = _cell(forms[ANDI], andi, i, period)
            assert c.value == value and c.protection.locked
            assert c.fill.fgColor.rgb in (None, "00000000")  # not yellow
        for period in ("TW3", "TW4"):
            c = _cell(forms[ANDI], andi, i, period)
            assert c.value is None and not c.protection.locked and c.fill.fgColor.rgb == YELLOW
    assert _note(andi) == ("Formulir terbit ulang: realisasi TW I, TW II yang sudah"
                           " tercatat diisikan dan dikunci. Isi TW III, TW IV (sel kuning).")
    # Nur: TW1's 4 counted and locked; the refused TW1 value and all of TW2 open, late
    nur = openpyxl.load_workbook(forms[NUR].path)["IKI"]
    c = _cell(forms[NUR], nur, 0, "TW1")
    assert c.value == 4 and c.protection.locked
    for i, period in ((1, "TW1"), (0, "TW2"), (1, "TW2")):
        c = _cell(forms[NUR], nur, i, period)
        assert c.value is None and not c.protection.locked, (i, period)
        assert c.fill.fgColor.rgb == LATE, (i, period)
    assert "TERLAMBAT" in _note(nur) and "TW I (indikator 2); TW II" in _note(nur)
    # Kepala sent nothing: every TW1–TW2 cell late, no period "already counted"
    kepala = openpyxl.load_workbook(forms[KEPALA].path)["IKI"]
    assert all(not _cell(forms[KEPALA], kepala, i, p).protection.locked
               and _cell(forms[KEPALA], kepala, i, p).fill.fgColor.rgb == LATE
               for i in range(4) for p in ("TW1", "TW2"))
    assert _note(kepala).startswith("Formulir terbit ulang. TERLAMBAT")
    assert "sudah tercatat" not in _note(kepala) and "TW I; TW II" in _note(kepala)


def test_periods_outside_mulai_selesai_are_grey_and_locked(quarter):
    p = quarter["forms"][SRI_PLT]  # the Plt. form counts TW2–TW3 only
    sheet = openpyxl.load_workbook(p.path)["IKI"]
    for i in (0, 1):
        for period in ("TW1", "TW4"):
            c = _cell(p, sheet, i, period)
            assert c.protection.locked and c.fill.fgColor.rgb == GREY, (i, period)
        assert _cell(p, sheet, i, "TW3").fill.fgColor.rgb == YELLOW
    assert _cell(p, sheet, 0, "TW2").value == 2 and _cell(p, sheet, 0, "TW2").protection.locked
    assert _note(sheet).endswith("Isi TW III (sel kuning).")
    guide = [r[0].value or "" for r in openpyxl.load_workbook(p.path)["Petunjuk"].iter_rows()]
    assert any("Sel abu-abu (TW I, TW IV)" in line for line in guide)
    # the first issue (not re-issued) greys them too
    first = next(f for f in (quarter["root"] / "f1").rglob("*.xlsx")
                 if "Plt" in f.name)
    sheet = openpyxl.load_workbook(first)["IKI"]
    assert _cell(p, sheet, 0, "TW4").fill.fgColor.rgb == GREY
    assert _cell(p, sheet, 0, "TW2").fill.fgColor.rgb == YELLOW


def test_the_guide_and_the_distribution_list_say_what_to_do(quarter):
    p = quarter["forms"][NUR]
    guide = [r[0].value or "" for r in openpyxl.load_workbook(p.path)["Petunjuk"].iter_rows()]
    line = next(x for x in guide if "terbit ulang" in x)
    assert "masih dapat diisi walau terlambat (sel jingga): TW I (indikator 2); TW II" in line
    assert any("buka lagi berkas yang sama" in x for x in guide)
    sheet = openpyxl.load_workbook(quarter["root"] / "f2" / DISTRIBUTION_FILE).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    head, rows = rows[0], rows[1:]
    status, todo = head.index("Status"), head.index("Yang dilakukan")
    assert {r[status] for r in rows} == {"terbit ulang"}  # never "tidak berubah"
    by_name = {r[head.index("Nama")]: r[todo] for r in rows}
    assert "Kirim formulir terbit ulang" in by_name["Nur Aini, A.Md"]
    assert "terlambat, sel jingga): TW I (indikator 2); TW II" in by_name["Nur Aini, A.Md"]
    assert "TW III, TW IV" in by_name["Andi Pratama, S.Kom"]


def test_the_forms_live_capaian_covers_the_year_so_far(quarter):
    p = quarter["forms"][ANDI]
    sheet = openpyxl.load_workbook(quarter["lo"], data_only=True)["IKI"]
    got = [sheet[i["cells"]["capaian"]].value for i in p.manifest["indicators"]]
    assert got == pytest.approx([pct(3 + 3 + 4, 9), pct((70 + 74 + 78) / 3, 70)], abs=0.01)


def test_tw3_and_the_late_values_are_collected_and_counted(quarter):
    results = {Path(r.name).name: r for r in quarter["report"].results}
    for name in ("andi-tw3.xlsx", "nur-tw3.xlsx", "sri-plt-tw3.xlsx"):
        assert results[name].status == "diterima", [q.code for q in results[name].problems]
    recap = quarter["recap"]
    forms = {(f.nip, f.kode_iki): f for f in recap.forms}
    andi = forms[ANDI]
    assert [i.values for i in andi.indicators] == [{"TW1": 3, "TW2": 3, "TW3": 4},
                                                   {"TW1": 70, "TW2": 74, "TW3": 78}]
    assert [i.capaian for i in andi.indicators] == pytest.approx([pct(10, 9), pct(74, 70)])
    nur = forms[NUR]  # the late TW1 and TW2 count
    assert [i.values for i in nur.indicators] == [{"TW1": 4, "TW2": 4, "TW3": 5},
                                                  {"TW1": 71, "TW2": 73, "TW3": 75}]
    assert [i.capaian for i in nur.indicators] == pytest.approx([pct(13, 9), pct(73, 70)])
    assert nur.period_status == {"TW1": "lengkap", "TW2": "lengkap", "TW3": "lengkap"}
    plt = forms[SRI_PLT]
    assert [i.values for i in plt.indicators] == [{"TW1": None, "TW2": 2, "TW3": 3},
                                                  {"TW1": None, "TW2": 75, "TW3": 80}]
    assert [i.capaian for i in plt.indicators] == pytest.approx([pct(5, 9), pct(77.5, 70)])


def test_an_altered_locked_value_is_noted_the_ledgers_stands(quarter, tmp_path):
    p = quarter["forms"][ANDI]
    ref = realisasi_ref(p.manifest, 0, "TW1")
    bad = saved_on(fill(quarter["lo"], tmp_path / "andi-ubah.xlsx", {ref: 30},
                        unprotect=True), "2025-10-08T09:00:00Z")
    ws = quarter["ws"]
    (res,) = collect([bad], ws, jobs=1).results
    assert "terisi_diubah" in [q.code for q in res.problems]
    problem = next(q for q in res.problems if q.code == "terisi_diubah")
    assert problem.cell == ref and "30" in problem.message() and "3" in problem.message()
    andi = next(f for f in build_recap(ws, upto="TW3").forms if (f.nip, f.kode_iki) == ANDI)
    assert andi.indicators[0].values == {"TW1": 3, "TW2": 3, "TW3": 4}


def test_a_period_the_officer_closes_is_locked_even_blank(quarter, tmp_path):
    """--tutup TW1: TW1 locked whole (Kepala cannot report it late); TW2 still late."""
    ws = quarter["ws"]
    shut = generate_forms(quarter["master"], tmp_path / "f3", ws, jobs=1,
                          closed_upto="TW2", shut_upto="TW1")
    p = next(f for f in shut.forms if f.form.key == KEPALA)
    sheet = openpyxl.load_workbook(p.path)["IKI"]
    for i in range(4):
        assert _cell(p, sheet, i, "TW1").protection.locked
        assert _cell(p, sheet, i, "TW1").value is None
        assert _cell(p, sheet, i, "TW1").fill.fgColor.rgb != LATE
        assert not _cell(p, sheet, i, "TW2").protection.locked
    assert p.reissue["terlambat"] == ["TW II"]
    # LibreOffice refuses a block write over the locked cell: TW2 typed alone, then
    # the protection removed to type TW1 anyway — the value is not taken
    lo = lo_fill(p, {(0, "TW2"): 82}, tmp_path / "kepala.xlsx", "2025-10-09T09:00:00Z")
    forced = saved_on(fill(lo, tmp_path / "kepala-paksa.xlsx",
                           {realisasi_ref(p.manifest, 0, "TW1"): 80}, unprotect=True),
                      "2025-10-09T10:00:00Z")
    (res,) = collect([forced], ws, jobs=1).results
    assert "terisi_diubah" in [q.code for q in res.problems]
    kepala = next(f for f in build_recap(ws, upto="TW2").forms
                  if (f.nip, f.kode_iki) == KEPALA)
    assert kepala.indicators[0].values == {"TW1": None, "TW2": 82}
