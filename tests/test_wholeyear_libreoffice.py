"""The quarterly re-issue (issue 11), with LibreOffice filling the form as a pegawai
would: TW1 and TW2 collected, the forms issued again with TW1–TW2 filled in and locked,
TW3 typed in LibreOffice into the re-issued form and collected. The recap and the
form's own live capaian are checked against figures computed here by hand."""

from __future__ import annotations

import openpyxl
import pytest
from filling import fill, realisasi_ref, saved_on
from libreoffice import fill_and_save, needs_libreoffice

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace

pytestmark = needs_libreoffice

ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")


def pct(r: float, t: float, cap: float = 120.0) -> float:
    return min(r / t * 100, cap)


@pytest.fixture(scope="module")
def quarter(small_master, tmp_path_factory):
    root = tmp_path_factory.mktemp("triwulan")
    ws = Workspace(root / "ws")
    first = {p.form.key: p for p in generate_forms(small_master, root / "f1", ws,
                                                   jobs=1).forms}
    inbox = root / "masuk"
    for key, values, stamp in (
            (ANDI, {(0, "TW1"): 3, (1, "TW1"): 70}, "2025-04-05T09:00:00Z"),
            (ANDI, {(0, "TW1"): 3, (1, "TW1"): 70, (0, "TW2"): 3, (1, "TW2"): 74},
             "2025-07-05T09:00:00Z"),
            (NUR, {(0, "TW1"): 4, (1, "TW1"): 72}, "2025-04-06T09:00:00Z")):
        p = first[key]
        refs = {realisasi_ref(p.manifest, i, per): v for (i, per), v in values.items()}
        saved_on(fill(p.path, inbox / f"{key[0]}-{stamp[:10]}.xlsx", refs), stamp)
    collect([inbox], ws, jobs=1)
    again = generate_forms(small_master, root / "f2", ws, jobs=1, closed_upto="TW2")
    forms = {p.form.key: p for p in again.forms}
    andi = forms[ANDI]
    tw3 = root / "masuk-tw3"
    lo = fill_and_save(andi.path, {realisasi_ref(andi.manifest, 0, "TW3"): 4,
                                   realisasi_ref(andi.manifest, 1, "TW3"): 78},
                       tw3 / "andi-tw3.xlsx", "xlsx", sheet="IKI")
    saved_on(lo, "2025-10-05T09:00:00Z")
    report = collect([tw3], ws, jobs=1)
    yield {"ws": ws, "again": again, "forms": forms, "lo": lo, "report": report,
           "recap": build_recap(ws, upto="TW3")}
    ws.close()


def test_the_reissue_is_not_a_revision(quarter):
    assert {p.status for p in quarter["again"].forms} == {"sama"}
    assert {p.revision for p in quarter["again"].forms} == {1}


def test_closed_periods_are_filled_and_locked_open_ones_yellow(quarter):
    p = quarter["forms"][ANDI]
    sheet = openpyxl.load_workbook(p.path)["IKI"]
    cells = p.manifest["indicators"]
    for i, want in ((0, {"TW1": 3, "TW2": 3}), (1, {"TW1": 70, "TW2": 74})):
        for period, value in want.items():
            c = sheet[cells[i]["cells"]["realisasi"][period]]
            assert c.value == value and c.protection.locked
            assert c.fill.fgColor.rgb in (None, "00000000")  # not yellow
        for period in ("TW3", "TW4"):
            c = sheet[cells[i]["cells"]["realisasi"][period]]
            assert c.value is None and not c.protection.locked
            assert c.fill.fgColor.rgb == "FFFFF2CC"  # yellow
    nur = openpyxl.load_workbook(quarter["forms"][NUR].path)["IKI"]
    ref = quarter["forms"][NUR].manifest["indicators"][0]["cells"]["realisasi"]
    assert nur[ref["TW1"]].value == 4 and nur[ref["TW2"]].value is None
    assert nur[ref["TW2"]].protection.locked  # closed even when nothing was sent
    guide = [r[0].value or "" for r in openpyxl.load_workbook(p.path)["Petunjuk"].iter_rows()]
    assert any("terbit ulang" in line and "Isi hanya TW III, TW IV" in line
               for line in guide)
    assert any("buka lagi berkas yang sama" in line for line in guide)
    note = [v for row in sheet.iter_rows(values_only=True) for v in row
            if isinstance(v, str) and v.startswith("Formulir terbit ulang")]
    assert note == ["Formulir terbit ulang: realisasi TW I, TW II sudah tercatat dan"
                    " dikunci. Isi hanya TW III, TW IV (sel kuning)."]


def test_the_forms_live_capaian_covers_the_year_so_far(quarter):
    p = quarter["forms"][ANDI]
    sheet = openpyxl.load_workbook(quarter["lo"], data_only=True)["IKI"]
    got = [sheet[i["cells"]["capaian"]].value for i in p.manifest["indicators"]]
    assert got == pytest.approx([pct(3 + 3 + 4, 9), pct((70 + 74 + 78) / 3, 70)], abs=0.01)


def test_tw3_from_libreoffice_is_collected_and_counted(quarter):
    (res,) = quarter["report"].results
    assert res.status == "diterima", [p.code for p in res.problems]
    andi = next(f for f in quarter["recap"].forms if (f.nip, f.kode_iki) == ANDI)
    assert [i.values for i in andi.indicators] == [{"TW1": 3, "TW2": 3, "TW3": 4},
                                                   {"TW1": 70, "TW2": 74, "TW3": 78}]
    cap = [pct(10, 9), pct(74, 70)]
    assert [i.capaian for i in andi.indicators] == pytest.approx(cap)
    assert andi.period_status == {"TW1": "lengkap", "TW2": "lengkap", "TW3": "lengkap"}


def test_an_altered_filled_in_value_is_noted_the_ledgers_stands(quarter, tmp_path):
    p = quarter["forms"][ANDI]
    ref = realisasi_ref(p.manifest, 0, "TW1")
    bad = saved_on(fill(quarter["lo"], tmp_path / "andi-ubah.xlsx", {ref: 30},
                        unprotect=True), "2025-10-06T09:00:00Z")
    ws = quarter["ws"]
    (res,) = collect([bad], ws, jobs=1).results
    assert "terisi_diubah" in [q.code for q in res.problems]
    problem = next(q for q in res.problems if q.code == "terisi_diubah")
    assert problem.cell == ref and "30" in problem.message() and "3" in problem.message()
    andi = next(f for f in build_recap(ws, upto="TW3").forms if (f.nip, f.kode_iki) == ANDI)
    assert andi.indicators[0].values == {"TW1": 3, "TW2": 3, "TW3": 4}
