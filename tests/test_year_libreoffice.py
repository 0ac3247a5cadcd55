"""A year of realisasi, end to end, with forms filled and saved by a real LibreOffice.

TW1 → a target revision (one pegawai also moves to another unit, another gets a new
atasan) → TW2 with a fresh form carrying only TW2, a late file of the old revision, a
correction sent the next day, a value typed in the wrong period column, a colleague's
values typed into another pegawai's form (then set aside by the officer), a returned
form with nothing filled → TW3 and TW4 → the master edit undone (the old revision's
content again). Every recap figure is computed here by hand, never with capaian.py.

The day each file was saved is set in the file itself (``docProps/core.xml``), as if
the pegawai had saved it on that day: the order of saving, not of collecting, counts.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from filling import realisasi_ref, saved_on
from libreoffice import fill_and_save, needs_libreoffice

from iki_xlsx.collect import collect
from iki_xlsx.core.model import Target
from iki_xlsx.core.timeline import CLEAR
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import Workspace
from iki_xlsx.year.officer import decide_value, exclude_file, find_value

pytestmark = needs_libreoffice

KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")


def lo_fill(src: Path, dst: Path, values: dict[tuple[int, str], object], manifest: dict,
            stamp: str) -> Path:
    """Type ``values`` ((indikator index, period) → value) in LibreOffice, save as xlsx,
    saved on ``stamp``."""
    writes = {realisasi_ref(manifest, i, p): v for (i, p), v in values.items()}
    dst.parent.mkdir(parents=True, exist_ok=True)
    fill_and_save(src, writes, dst, "xlsx", sheet="IKI")
    return saved_on(dst, stamp)


def pct(r: float, t: float, cap: float = 120.0) -> float:
    return min(r / t * 100, cap)


def by_key(recap, key):
    return next(f for f in recap.forms if (f.nip, f.kode_iki) == key)


@pytest.fixture(scope="module")
def year(small_master, tmp_path_factory):
    root = tmp_path_factory.mktemp("tahun")
    ws = Workspace(root / "ws")
    out = {}
    rev1 = {p.form.key: p for p in generate_forms(small_master, root / "f1", ws, jobs=1).forms}
    m = {k: p.manifest for k, p in rev1.items()}

    # ---- TW1 (April)
    tw1 = root / "masuk-tw1"
    lo_fill(rev1[KEPALA].path, tw1 / "kepala.xlsx",
            {(0, "TW1"): 80, (1, "TW1"): 0, (2, "TW1"): 90, (3, "TW1"): 100},
            m[KEPALA], "2025-04-05T09:00:00Z")
    lo_fill(rev1[ANDI].path, tw1 / "andi.xlsx", {(0, "TW1"): 3, (1, "TW1"): 70},
            m[ANDI], "2025-04-06T09:00:00Z")
    nur_tw1 = lo_fill(rev1[NUR].path, tw1 / "nur.xlsx", {(0, "TW1"): 4, (1, "TW1"): 72},
                      m[NUR], "2025-04-07T09:00:00Z")
    lo_fill(rev1[SEKRETARIS].path, tw1 / "sekretaris.xlsx",
            {(0, "TW1"): "Ya", (1, "TW1"): 85}, m[SEKRETARIS], "2025-04-08T09:00:00Z")
    out["tw1"] = collect([tw1], ws, jobs=1)
    out["recap_tw1"] = build_recap(ws, upto="TW1")

    # ---- the revision (July): a new target for IKI-PENGOLAH, Andi moves to another
    # unit, Nur gets another atasan
    pengolah = small_master.iki["IKI-PENGOLAH"]
    first = pengolah.indicators[0]
    revised_iki = replace(pengolah, indicators=(replace(
        first, target=Target("16 laporan", value=16.0),
        period_targets={"TW1": 4.0, "TW2": 8.0, "TW3": 12.0, "TW4": 16.0}),
        *pengolah.indicators[1:]))
    people = []
    for a in small_master.assignments:
        if (a.pegawai.nip, a.kode_iki) == ANDI:
            a = replace(a, pegawai=replace(a.pegawai, unit_kerja="Bidang Mutasi"))
        if (a.pegawai.nip, a.kode_iki) == NUR:
            a = replace(a, atasan_nip=KEPALA[0])
        people.append(a)
    revised = replace(small_master, assignments=people,
                      iki={**small_master.iki, "IKI-PENGOLAH": revised_iki})
    gen2 = generate_forms(revised, root / "f2", ws, jobs=1)
    out["gen2"] = gen2
    rev2 = {p.form.key: p for p in gen2.forms}
    m2 = {k: p.manifest for k, p in rev2.items()}

    # ---- TW2 (July)
    tw2 = root / "masuk-tw2"
    # a fresh revision-2 form carrying only TW2 (TW1 left blank)
    lo_fill(rev2[ANDI].path, tw2 / "andi-tw2.xlsx", {(0, "TW2"): 5, (1, "TW2"): 74},
            m2[ANDI], "2025-07-03T09:00:00Z")
    # a complete TW1–TW2 file of the old revision, arriving late
    lo_fill(nur_tw1, tw2 / "nur-lama.xlsx", {(0, "TW2"): 4, (1, "TW2"): 76}, m[NUR],
            "2025-07-04T09:00:00Z")
    # Kepala: a file, then its correction the next day (02: 1 → 0)
    kepala_tw2 = {(0, "TW1"): 80, (1, "TW1"): 0, (2, "TW1"): 90, (3, "TW1"): 100,
                  (0, "TW2"): 84, (1, "TW2"): 1, (2, "TW2"): 95, (3, "TW2"): 100}
    lo_fill(rev1[KEPALA].path, tw2 / "kepala-tw2.xlsx", kepala_tw2, m[KEPALA],
            "2025-07-05T09:00:00Z")
    lo_fill(rev1[KEPALA].path, tw2 / "kepala-tw2-koreksi.xlsx",
            {**kepala_tw2, (1, "TW2"): 0}, m[KEPALA], "2025-07-06T09:00:00Z")
    # Sekretaris types 88 in the TW II column by mistake; the next day moves it to TW I
    lo_fill(rev1[SEKRETARIS].path, tw2 / "sekretaris-salah.xlsx",
            {(0, "TW1"): "Ya", (1, "TW1"): 85, (1, "TW2"): 88}, m[SEKRETARIS],
            "2025-07-07T09:00:00Z")
    lo_fill(rev1[SEKRETARIS].path, tw2 / "sekretaris-benar.xlsx",
            {(0, "TW1"): "Ya", (1, "TW1"): 88}, m[SEKRETARIS], "2025-07-08T09:00:00Z")
    # a colleague types Andi's TW2 values into Nur's (revision 2) form
    out["keliru"] = lo_fill(rev2[NUR].path, tw2 / "nur-diisi-andi.xlsx",
                            {(0, "TW1"): 4, (1, "TW1"): 72, (0, "TW2"): 5, (1, "TW2"): 74},
                            m2[NUR], "2025-07-09T09:00:00Z")
    # Sri as Plt. returns her form with nothing filled
    shutil.copy(rev2[SRI_PLT].path, tw2 / "sri-plt-kosong.xlsx")
    out["tw2"] = collect([tw2], ws, jobs=1)
    out["recap_tw2_before"] = build_recap(ws, upto="TW2")
    # the officer decides, on the record
    exclude_file(ws, str(out["keliru"]), "diisi rekan (nilai Andi) di formulir Nur")
    decide_value(ws, find_value(ws, SEKRETARIS[0], "2", "TW II", kode_iki="IKI-SEKRETARIS"),
                 CLEAR, "salah kolom; sudah dipindah ke TW I")
    out["recap_tw2"] = build_recap(ws, upto="TW2")

    # ---- TW3 (October): Kepala only; TW4 (January): Kepala and Andi
    tw34 = root / "masuk-tw34"
    kepala_tw3 = {**kepala_tw2, (1, "TW2"): 0, (0, "TW3"): 86, (1, "TW3"): 0,
                  (2, "TW3"): 100, (3, "TW3"): 100}
    lo_fill(rev1[KEPALA].path, tw34 / "kepala-tw3.xlsx", kepala_tw3, m[KEPALA],
            "2025-10-05T09:00:00Z")
    out["recap_tw3"] = build_recap(ws, upto="TW3") if collect([tw34], ws, jobs=1) else None
    lo_fill(rev1[KEPALA].path, tw34 / "kepala-tw4.xlsx",
            {**kepala_tw3, (0, "TW4"): 88, (1, "TW4"): 0, (2, "TW4"): 100, (3, "TW4"): 100},
            m[KEPALA], "2026-01-05T09:00:00Z")
    lo_fill(rev2[ANDI].path, tw34 / "andi-tw4.xlsx", {(0, "TW4"): 6, (1, "TW4"): 80},
            m2[ANDI], "2026-01-06T09:00:00Z")
    collect([tw34], ws, jobs=1)
    out["recap_tw4"] = build_recap(ws, upto="TW4")
    out["xlsx"] = write_recap_xlsx(out["recap_tw4"], root / "rekap-tw4.xlsx")

    # ---- the master edit undone: revision 1's content again
    out["gen3"] = generate_forms(small_master, root / "f3", ws, jobs=1)
    out["recap_undone"] = build_recap(ws, upto="TW4")
    out["ws"], out["rev1"], out["rev2"] = ws, rev1, rev2
    return out


def test_tw1(year):
    recap = year["recap_tw1"]
    assert all(r.status == "diterima" for r in year["tw1"].results)
    andi = by_key(recap, ANDI)
    assert andi.period_status == {"TW1": "lengkap"}
    assert [i.capaian for i in andi.indicators] == pytest.approx([3 / 3 * 100, 70 / 70 * 100])
    assert by_key(recap, SRI_PLT).period_status == {"TW1": "belum"}


def test_the_revision_matches_every_indikator(year):
    gen = {p.form.key: p for p in year["gen2"].forms}
    for key in (ANDI, NUR, SRI_PLT):
        assert (gen[key].status, gen[key].revision) == ("revisi", 2)
        assert gen[key].matching.pairs == {"01": "01", "02": "02"}
        assert gen[key].matching.new == gen[key].matching.removed == []
    assert (gen[KEPALA].status, gen[SEKRETARIS].status) == ("sama", "sama")


def test_tw2_report_says_what_changed(year):
    report = year["tw2"]
    by = {Path(r.name).name: r for r in report.results}
    late = by["nur-lama.xlsx"]
    assert late.status == "diterima_catatan" and [p.code for p in late.problems] == [
        "revisi_lama"]
    assert [p.code for p in by["sri-plt-kosong.xlsx"].problems] == ["belum_diisi"]
    changes = {(f.nip, e.kind, e.indicator, e.period,
                e.old.value if e.old else None, e.new.value if e.new else None)
               for f, e in report.changes}
    assert (KEPALA[0], "diganti", "02", "TW2", 1, 0) in changes  # the correction
    assert (SEKRETARIS[0], "diganti", "02", "TW1", 85, 88) in changes
    assert (SEKRETARIS[0], "dikosongkan", "02", "TW2", 88, None) in changes
    assert (NUR[0], "diganti", "01", "TW2", 4, 5) in changes  # a colleague's values
    assert (NUR[0], "diganti", "02", "TW2", 76, 74) in changes
    assert (ANDI[0], "dikosongkan", "01", "TW1", 3, None) in changes  # TW2-only form
    # before the officer's decisions, the colleague's values count for Nur
    nur = by_key(year["recap_tw2_before"], NUR)
    assert nur.indicators[1].values == {"TW1": 72, "TW2": 74}


def test_tw2_recap_cell_by_cell(year):
    recap = year["recap_tw2"]
    assert (recap.upto, recap.provisional) == ("TW2", True)
    andi = by_key(recap, ANDI)  # revision 2, moved, TW1 from the old revision kept
    assert (andi.revision, andi.unit_kerja) == (2, "Bidang Mutasi")
    assert andi.indicators[0].values == {"TW1": 3, "TW2": 5}
    assert andi.indicators[0].target == "16 laporan"
    cap_andi = [pct(3 + 5, 8), pct((70 + 74) / 2, 70)]
    assert [i.capaian for i in andi.indicators] == pytest.approx(cap_andi)
    assert andi.capaian == pytest.approx(sum(cap_andi) / 2)
    assert andi.period_status == {"TW1": "lengkap", "TW2": "lengkap"}

    nur = by_key(recap, NUR)  # the colleague's file set aside: her own values back
    assert nur.atasan_nip == KEPALA[0]
    assert [i.values for i in nur.indicators] == [{"TW1": 4, "TW2": 4},
                                                  {"TW1": 72, "TW2": 76}]
    cap_nur = [pct(8, 8), pct(74, 70)]
    assert [i.capaian for i in nur.indicators] == pytest.approx(cap_nur)

    kepala = by_key(recap, KEPALA)
    assert [i.values["TW2"] for i in kepala.indicators] == [84, 0, 95, 100]
    cap_k = [pct((80 + 84) / 2, 85), 100.0, 95.0, 100.0]  # minimal, target 0, R = 0 → 100
    assert [i.capaian for i in kepala.indicators] == pytest.approx(cap_k)
    assert kepala.capaian == pytest.approx(sum(cap_k) / 4)
    assert kepala.predikat == "Sangat Baik"

    sek = by_key(recap, SEKRETARIS)  # TW2 cleared by the officer, TW1 corrected
    assert sek.indicators[1].values == {"TW1": 88, "TW2": None}
    assert [i.capaian for i in sek.indicators] == pytest.approx([100, 100])  # 88 in 80–90
    assert sek.period_status == {"TW1": "lengkap", "TW2": "belum"}

    plt = by_key(recap, SRI_PLT)
    assert plt.period_status == {"TW1": "kosong", "TW2": "kosong"} and not plt.submitted
    assert {f.nama for f in recap.missing("TW2")} == {"Sri Lestari, S.E., M.M."}
    assert len(recap.missing("TW2")) == 2  # Sekretaris (cleared) and the Plt. form
    assert recap.total.submitted == 3 and recap.total.missing == 2


def test_tw3_a_sum_that_stopped_is_behind(year):
    andi = by_key(year["recap_tw3"], ANDI)
    assert andi.period_status["TW3"] == "belum" and not andi.submitted
    # jumlah s.d. TW3 compares 3 + 5 with the TW3 target 12, not with TW2's 8
    assert andi.indicators[0].capaian == pytest.approx(pct(8, 12))


def test_tw4_recap_and_workbook(year):
    import openpyxl

    recap = year["recap_tw4"]
    assert recap.provisional is False
    andi = by_key(recap, ANDI)
    assert andi.period_status == {"TW1": "lengkap", "TW2": "lengkap", "TW3": "belum",
                                  "TW4": "lengkap"}
    assert andi.indicators[0].capaian == pytest.approx(pct(3 + 5 + 6, 16))
    assert andi.indicators[1].capaian == pytest.approx(pct((70 + 74 + 80) / 3, 70))
    kepala = by_key(recap, KEPALA)
    assert kepala.indicators[0].capaian == pytest.approx(pct((80 + 84 + 86 + 88) / 4, 85))
    wb = openpyxl.load_workbook(year["xlsx"])
    assert {"Per Atasan", "Riwayat"} <= set(wb.sheetnames)
    riwayat = [[c.value for c in row] for row in wb["Riwayat"].iter_rows(min_row=3)]
    text = " | ".join(str(v) for row in riwayat for v in row if v is not None)
    assert "diisi rekan (nilai Andi) di formulir Nur" in text
    assert "salah kolom; sudah dipindah ke TW I" in text
    assert "revisi lama" in text
    per_indikator = [[c.value for c in row] for row in wb["Per Indikator"].iter_rows(min_row=2)]
    head = per_indikator[0]
    src = head.index("Sumber Nilai")
    andi_rows = [r for r in per_indikator[1:] if r[1] == "Andi Pratama, S.Kom"]
    assert "andi.xlsx" in andi_rows[0][src] and "andi-tw2.xlsx" in andi_rows[0][src]


def test_undoing_the_edit_reuses_revision_1(year):
    gen = {p.form.key: p for p in year["gen3"].forms}
    for key in (ANDI, NUR, SRI_PLT):
        assert (gen[key].status, gen[key].revision) == ("kembali", 1)
    andi = by_key(year["recap_undone"], ANDI)
    assert andi.revision == 1 and andi.indicators[0].target == "12 laporan"
    assert andi.indicators[0].values == {"TW1": 3, "TW2": 5, "TW3": None, "TW4": 6}
    assert andi.indicators[0].capaian == pytest.approx(pct(14, 12))  # period target TW4: 12
