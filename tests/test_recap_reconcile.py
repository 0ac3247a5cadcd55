"""Issue 22, item 3: a recap that adds up. The issue's case — a pegawai whose TW II file
the officer set aside — with every other status beside it (lengkap, sebagian, belum,
kosong, a rejected file, a form no longer active); each sheet of the workbook and the
HTML page is summed and cross-checked (tests/recap_sums.py)."""

from __future__ import annotations

import dataclasses

import pytest
import recap_sums as S
from filling import fill
from test_midyear import on_track

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.html import write_recap_html
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import Workspace
from iki_xlsx.year.officer import exclude_file

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")


@pytest.fixture(scope="module")
def year(tmp_path_factory, small_master):
    """TW II of the small master:

    * Andi: TW I and TW II, every indikator (lengkap);
    * the Kepala: TW I, then a TW II file the officer set aside (belum for TW II, a
      capaian s.d. TW II from TW I — the issue's 94,79 "Sangat Baik");
    * Sri (Sekretaris): TW II with one indikator of two (sebagian);
    * Nur Aini: a file with nothing filled (kosong);
    * Sri as Plt.: active TW I only (Selesai TW1), with a TW I file.
    """
    tmp = tmp_path_factory.mktemp("rekon")
    assignments = [dataclasses.replace(a, selesai="TW1") if (a.pegawai.nip, a.kode_iki) == SRI_PLT
                   else a for a in small_master.assignments]
    master = dataclasses.replace(small_master, assignments=assignments)
    ws = Workspace(tmp / "ws")
    forms = {p.form.key: p for p in generate_forms(master, tmp / "forms", ws, jobs=1).forms}

    def send(key, name, periods, only=None):
        p = forms[key]
        values = {}
        for k, (e, ind) in enumerate(zip(p.manifest["indicators"], p.form.iki.indicators)):
            if only is None or k in only:
                for period in periods:
                    values[e["cells"]["realisasi"][period]] = on_track(ind)
        return fill(p.path, tmp / "masuk" / name, values)

    send(ANDI, "andi.xlsx", ("TW1", "TW2"))
    send(KEPALA, "kepala-tw1.xlsx", ("TW1",))
    late = send(KEPALA, "kepala-tw2.xlsx", ("TW1", "TW2"))
    send(SEKRETARIS, "sri.xlsx", ("TW2",), only={0})
    send(NUR, "nur.xlsx", ())
    send(SRI_PLT, "sri-plt.xlsx", ("TW1",))
    collect([tmp / "masuk"], ws, jobs=1)
    exclude_file(ws, str(late), "rekan mengisi formulir yang salah")  # (by its content)
    recap = build_recap(ws, upto="TW2")
    return recap, write_recap_xlsx(recap, tmp / "rekap.xlsx"), \
        write_recap_html(recap, tmp / "rekap.html", detail=True)


def test_the_issue_case_is_counted_everywhere(year):
    recap, _, _ = year
    kepala = next(f for f in recap.forms if (f.nip, f.kode_iki) == KEPALA)
    assert kepala.status == "belum" and kepala.capaian is not None and kepala.excluded == 1
    assert recap.total.forms == recap.total.submitted + recap.total.missing == 4
    assert sum(recap.total.predikat.values()) + recap.total.unrated == 4
    assert recap.total.predikat[kepala.predikat] >= 1
    statuses = {(f.nip, f.kode_iki): f.status for f in recap.forms}
    assert statuses == {ANDI: "lengkap", KEPALA: "belum", SEKRETARIS: "sebagian",
                        NUR: "kosong", SRI_PLT: "tidak_aktif"}


def test_every_sheet_of_the_workbook_adds_up(year):
    S.check_workbook(year[1])


def test_the_html_adds_up_and_details_every_form_with_a_value(year):
    recap = year[0]
    S.check_html(year[2], recap.predikat_labels)


def test_the_late_pegawai_is_explained(year):
    import openpyxl

    rows = S.rows_of(openpyxl.load_workbook(year[1])[S.T("rekap.sheet.belum")])
    kepala = next(r for r in rows if r[S.T("rekap.kolom.nip")] == "19700101 199503 1 001")
    note = kepala[S.T("rekap.kolom.catatan")]
    assert "dikecualikan" in note and "periode sebelumnya" in note
    html = year[2].read_text(encoding="utf-8")
    assert S.T("rekap.html.rincian_belum_periode", periode="TW II") in html


def test_the_recap_tests_scenario_adds_up_too(small_master, tmp_path):
    """test_recap.py's files (a rejected file only, an older revision only, values that
    replace others), summed the same way, workbook and page."""
    from test_recap import setup as scenario

    ws, _ = scenario.__wrapped__(small_master, tmp_path)
    recap = build_recap(ws, upto="TW2")
    S.check_workbook(write_recap_xlsx(recap, tmp_path / "rekap.xlsx"))
    S.check_html(write_recap_html(recap, tmp_path / "rekap.html", detail=True),
                 recap.predikat_labels)


def test_the_example_masters_mid_year_recap_adds_up(tmp_path):
    """Twelve pegawai of the example master (Plt. forms, shared IKI), on track at TW I."""
    from test_example import EXAMPLE
    from test_midyear import run_quarter

    from iki_xlsx.define.master import load_master

    master = load_master(EXAMPLE).master
    _, _, recap = run_quarter(tmp_path, dataclasses.replace(
        master, assignments=master.assignments[:12]))
    S.check_workbook(write_recap_xlsx(recap, tmp_path / "rekap.xlsx"))
    S.check_html(write_recap_html(recap, tmp_path / "rekap.html", detail=True),
                 recap.predikat_labels)
