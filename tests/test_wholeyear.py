"""The whole year (issue 11) without LibreOffice: forms that start and end (a Plt. from
TW2 to TW3, a pegawai moving to another position at TW3, a new pegawai from TW2), a
retiree removed from the master (withdrawn), a late file of a withdrawn form, a form
that comes back, ``generate --dry-run``, and the bad Mulai / Selesai of a master.

Every recap figure is computed here by hand from the values typed, never with
capaian.py."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import openpyxl
import pytest
import yaml
from filling import fill, realisasi_ref

from iki_xlsx.collect import collect
from iki_xlsx.define.master import load_master
from iki_xlsx.forms.distribution import DISTRIBUTION_FILE
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.forms.generate_year import dry_run
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import DB_FILE, Workspace

DATA = Path(__file__).parent / "data"
KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI_OLD = ("199005202015031003", "IKI-PENGOLAH")
ANDI_NEW = ("199005202015031003", "IKI-SEKRETARIS")
NUR = ("199107112019032011", "IKI-PENGOLAH")
BUDI = ("196501011990031002", "IKI-PENGOLAH")


def pct(r: float, t: float, cap: float = 120.0) -> float:
    return min(r / t * 100, cap)


def base_master() -> dict:
    return yaml.safe_load((DATA / "master-kecil.yaml").read_text(encoding="utf-8"))


def year_master() -> dict:
    """The small master with the year's movements."""
    data = base_master()
    rows = data["pegawai"]
    rows[2].update(mulai="TW2", selesai="TW III")  # Sri's Plt. form: TW2–TW3
    rows[3].update(selesai="30-06-2025")  # Andi leaves Pengolah Data at the end of June
    andi_new = {**copy.deepcopy(rows[3]), "kode_iki": "IKI-SEKRETARIS", "jabatan": None,
                "nip_atasan": "197001011995031001", "mulai": "1 Juli 2025"}  # TMT → TW3
    andi_new.pop("selesai")
    rows.insert(4, andi_new)
    rows[5].update(mulai="2025-04-01")  # Nur: a new pegawai from TW2
    rows.append({"nip": "196501011990031002", "nama": "Budi Santoso", "golongan": "III/c",
                 "jabatan": "Pengolah Data", "unit_kerja": "Sekretariat",
                 "kode_iki": "IKI-PENGOLAH", "nip_atasan": "198203152006042002"})
    return data


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def master_of(path: Path):
    loaded = load_master(path)
    assert loaded.ok, [p.message() for p in loaded.problems]
    return loaded.master


def by_key(recap, key):
    return next(f for f in recap.forms if (f.nip, f.kode_iki) == key)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("setahun")
    ws = Workspace(root / "ws")
    m1 = master_of(write(root / "m1.yaml", year_master()))
    first = generate_forms(m1, root / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in first.forms}
    typed = {
        SRI_PLT: {(0, "TW1"): 5, (0, "TW2"): 3, (0, "TW3"): 4, (1, "TW2"): 70, (1, "TW3"): 80},
        ANDI_OLD: {(0, "TW1"): 2, (0, "TW2"): 4, (0, "TW3"): 9, (1, "TW1"): 60,
                   (1, "TW2"): 80},
        ANDI_NEW: {(0, "TW3"): "Ya", (1, "TW3"): 85},
        NUR: {(0, "TW2"): 6, (0, "TW3"): 3, (1, "TW2"): 70, (1, "TW3"): 77},
        BUDI: {(0, "TW1"): 3, (0, "TW2"): 3, (0, "TW3"): 3, (1, "TW1"): 50, (1, "TW2"): 50,
               (1, "TW3"): 50},
    }
    inbox = root / "masuk"
    for key, values in typed.items():
        p = forms[key]
        refs = {realisasi_ref(p.manifest, i, per): v for (i, per), v in values.items()}
        fill(p.path, inbox / f"{key[0]}-{key[1]}.xlsx", refs)
    report1 = collect([inbox], ws, jobs=1)
    before = build_recap(ws, upto="TW3")
    # Budi retires: his row is removed from the master
    m2_data = year_master()
    m2_data["pegawai"] = [r for r in m2_data["pegawai"] if r["nama"] != "Budi Santoso"]
    m2 = master_of(write(root / "m2.yaml", m2_data))
    plan = dry_run(m2, ws)
    second = generate_forms(m2, root / "forms2", ws, jobs=1)
    late = inbox.parent / "terlambat"
    p = forms[BUDI]
    fill(p.path, late / "budi-tw4.xlsx", {realisasi_ref(p.manifest, 0, "TW4"): 3})
    report2 = collect([late], ws, jobs=1)
    after = build_recap(ws, upto="TW3")
    write_recap_xlsx(after, root / "rekap.xlsx")
    yield {"root": root, "ws": ws, "first": first, "second": second, "plan": plan,
           "report1": report1, "report2": report2, "before": before, "after": after,
           "m1": m1, "forms": forms}
    ws.close()


def test_mulai_selesai_are_read_as_periods(year):
    got = {(a.pegawai.nip, a.kode_iki): (a.mulai, a.selesai) for a in year["m1"].assignments}
    assert got[SRI_PLT] == ("TW2", "TW3")
    assert got[ANDI_OLD] == ("", "TW2")  # 30-06-2025 falls in TW2
    assert got[ANDI_NEW] == ("TW3", "")  # TMT 1 Juli 2025
    assert got[NUR] == ("TW2", "")
    assert got[KEPALA] == ("", "")


def test_each_form_counts_only_in_its_periods(year):
    recap = year["after"]
    plt = by_key(recap, SRI_PLT)
    assert plt.period_status["TW1"] == "tidak_aktif" and plt.active
    assert plt.indicators[0].values == {"TW1": None, "TW2": 3, "TW3": 4}  # TW1's 5: not counted
    cap_plt = [pct(3 + 4, 9), pct((70 + 80) / 2, 70)]
    assert [i.capaian for i in plt.indicators] == pytest.approx(cap_plt)

    old = by_key(recap, ANDI_OLD)  # ended at TW2: shown, its capaian s.d. TW2, not counted
    assert not old.active and old.status == "tidak_aktif"
    assert old.period_status == {"TW1": "lengkap", "TW2": "lengkap", "TW3": "tidak_aktif"}
    assert old.indicators[0].values == {"TW1": 2, "TW2": 4, "TW3": None}
    assert [i.capaian for i in old.indicators] == pytest.approx([pct(6, 6), pct(70, 70)])

    new = by_key(recap, ANDI_NEW)  # the same pegawai's new form from TW3
    assert new.active and new.period_status == {"TW1": "tidak_aktif", "TW2": "tidak_aktif",
                                                "TW3": "lengkap"}
    assert [i.capaian for i in new.indicators] == pytest.approx([100, 100])  # Ya; 85 in 80–90

    nur = by_key(recap, NUR)
    cap_nur = [pct(6 + 3, 9), pct((70 + 77) / 2, 70)]
    assert [i.capaian for i in nur.indicators] == pytest.approx(cap_nur)

    t = recap.total  # Kepala, Sri ×2, Andi's new form, Nur — not Andi's old one, not Budi
    assert (t.people, t.forms, t.submitted, t.missing) == (4, 5, 3, 2)
    means = [sum(cap_plt) / 2, 100.0, sum(cap_nur) / 2]
    assert t.average == pytest.approx(sum(means) / 3)
    assert {(f.nip, f.kode_iki) for f in recap.not_submitted} == {KEPALA, SEKRETARIS}
    assert ANDI_OLD not in {(f.nip, f.kode_iki) for f in recap.missing("TW3")}


def test_values_typed_outside_the_active_periods_are_noted(year):
    codes = {Path(r.name).stem: [p.code for p in r.problems] for r in year["report1"].results}
    assert "periode_tidak_aktif" in codes[f"{SRI_PLT[0]}-{SRI_PLT[1]}"]  # TW1 typed
    assert "periode_tidak_aktif" in codes[f"{ANDI_OLD[0]}-{ANDI_OLD[1]}"]  # TW3 typed
    assert "periode_tidak_aktif" not in codes[f"{NUR[0]}-{NUR[1]}"]


def test_the_retiree_is_withdrawn_everywhere(year):
    before, after = year["before"], year["after"]
    assert before.total.forms == 6 and before.total.people == 5
    assert BUDI not in {(f.nip, f.kode_iki) for f in after.forms}
    budi_cap = [pct(9, 9), pct(50, 70)]
    assert before.total.average == pytest.approx(
        (sum(after.total.average for _ in range(3)) + sum(budi_cap) / 2) / 4)
    assert [(w.nama, w.kode_iki) for w in year["second"].withdrawn] == \
        [("Budi Santoso", "IKI-PENGOLAH")]
    assert [w.nama for w in year["plan"].withdrawn] == ["Budi Santoso"]
    # the distribution list says so
    ws = openpyxl.load_workbook(year["root"] / "forms2" / DISTRIBUTION_FILE).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    budi = [r for r in rows if r[2] == "Budi Santoso"]
    assert len(budi) == 1 and "DITARIK" in budi[0][10]
    # the recap keeps his data in the Selesai - Ditarik sheet, with Andi's ended form
    closed = {(c["nama"], c["kode_iki"]): c for c in after.closed}
    assert closed[("Budi Santoso", "IKI-PENGOLAH")]["alasan"] == "ditarik"
    assert closed[("Budi Santoso", "IKI-PENGOLAH")]["berkas"] == 2  # his TW1–3 and the late one
    assert closed[("Andi Pratama, S.Kom", "IKI-PENGOLAH")]["alasan"] == "selesai"
    wb = openpyxl.load_workbook(year["root"] / "rekap.xlsx")
    sheet = wb["Selesai - Ditarik"]
    names = [sheet.cell(r, 3).value for r in range(3, 5)]
    assert names == ["Andi Pratama, S.Kom", "Budi Santoso"] and sheet.cell(5, 3).value is None
    assert sheet.cell(3, 8).value == "Selesai" and sheet.cell(4, 8).value == "Ditarik"
    assert sheet.cell(3, 10).value == pytest.approx(100.0)
    # issue 23: the withdrawn form's figures s.d. TW3 (withdrawn after the year's end)
    budi_cap = [pct(9, 9), pct(50, 70)]
    assert sheet.cell(4, 10).value == pytest.approx(sum(budi_cap) / 2)
    assert sheet.cell(4, 11).value == "Baik"


def test_a_late_file_of_a_withdrawn_form_is_noted_and_recorded(year):
    (res,) = year["report2"].results
    assert res.status == "diterima_catatan" and res.recorded
    assert [p.code for p in res.problems] == ["formulir_ditarik"]
    assert year["after"].total.forms == 5


def test_a_withdrawn_form_that_comes_back_is_issued_again(year, tmp_path):
    ws = year["ws"]
    again = generate_forms(year["m1"], tmp_path / "forms3", ws, jobs=1)
    budi = next(p for p in again.forms if p.form.key == BUDI)
    assert budi.status == "aktif_lagi" and budi.revision == 1
    assert [h.status for h in ws.issued.history(budi.form_id)] == ["baru", "ditarik",
                                                                     "aktif_lagi"]
    recap = build_recap(ws, upto="TW3")
    assert by_key(recap, BUDI).indicators[0].values == {"TW1": 3, "TW2": 3, "TW3": 3}
    # and out again, for the other tests of this module
    m2 = master_of(year["root"] / "m2.yaml")
    generate_forms(m2, tmp_path / "forms4", ws, jobs=1)
    assert BUDI not in {(f.nip, f.kode_iki) for f in build_recap(ws, upto="TW3").forms}


def test_dry_run_says_what_would_change_and_records_nothing(year, tmp_path):
    ws = year["ws"]
    data = yaml.safe_load((year["root"] / "m2.yaml").read_text(encoding="utf-8"))
    pengolah = next(i for i in data["iki"] if i["kode"] == "IKI-PENGOLAH")
    pengolah["indikator"][0]["target"] = "16 laporan"  # a revision: the indikator matches
    data["pegawai"] = [r for r in data["pegawai"] if r["nama"] != "Nur Aini, A.Md"]
    data["pegawai"].append({"nip": "199501012020121001", "nama": "Citra Dewi",
                            "kode_iki": "IKI-KEPALA", "nip_atasan": "197001011995031001"})
    master = master_of(write(tmp_path / "m.yaml", data))
    ledger = ws.path / DB_FILE
    digest = hashlib.sha256(ledger.read_bytes()).hexdigest()
    plan = dry_run(master, ws)
    assert hashlib.sha256(ledger.read_bytes()).hexdigest() == digest
    status = {(f.nip, f.kode_iki): f.status for f in plan.forms}
    assert status[("199501012020121001", "IKI-KEPALA")] == "baru"
    assert status[SRI_PLT] == "revisi" and status[ANDI_OLD] == "revisi"
    assert status[KEPALA] == "sama"
    plt = next(f for f in plan.forms if (f.nip, f.kode_iki) == SRI_PLT)
    assert (plt.previous, plt.revision) == (1, 2)
    assert plt.matching.pairs == {"01": "01", "02": "02"} and not plt.matching.new
    assert [w.nama for w in plan.withdrawn] == ["Nur Aini, A.Md"]


@pytest.mark.parametrize("mulai, selesai, code, field", [
    ("TW3", "TW2", "mulai_setelah_selesai", "mulai"),
    ("S1", "", "aktif_periode_salah", "mulai"),
    ("", "TW5", "aktif_periode_salah", "selesai"),
    ("01-03-2024", "", "aktif_di_luar_tahun", "mulai"),
    ("", "31-02-2025", "aktif_tanggal_salah", "selesai"),
])
def test_bad_mulai_selesai_is_named_on_its_row(tmp_path, mulai, selesai, code, field):
    data = base_master()
    data["pegawai"][3].update(mulai=mulai, selesai=selesai)
    loaded = load_master(write(tmp_path / "m.yaml", data))
    problems = [p for p in loaded.problems if p.code == code]
    assert len(problems) == 1
    p = problems[0]
    assert (p.row, p.column) == (4, field.capitalize())
    assert p.message() and "{{" not in p.message()
    assert [r.nama for r in loaded.rejected] == ["Andi Pratama, S.Kom"]


def test_mulai_selesai_columns_in_a_workbook_master(tmp_path):
    """The workbook master: the optional columns, a real date cell as TMT."""
    from datetime import datetime

    from iki_xlsx.define.masterbook import write_master

    src = load_master(DATA / "master-kecil.yaml").master
    path = tmp_path / "master.xlsx"
    write_master(path, src)
    wb = openpyxl.load_workbook(path)
    ws = wb["Pegawai"]
    heads = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    header_row = 1
    if "Mulai" not in heads:  # headers may sit lower (a title row)
        for r in range(1, 6):
            heads = {ws.cell(r, c).value: c for c in range(1, ws.max_column + 1)}
            if "Mulai" in heads:
                header_row = r
                break
    assert "Mulai" in heads and "Selesai" in heads
    ws.cell(header_row + 4, heads["Mulai"]).value = datetime(2025, 8, 1)
    ws.cell(header_row + 4, heads["Selesai"]).value = "TW IV"
    wb.save(path)
    loaded = load_master(path)
    assert loaded.ok, [p.message() for p in loaded.problems]
    got = [(a.pegawai.nama, a.mulai, a.selesai) for a in loaded.master.assignments
           if a.mulai or a.selesai]
    assert len(got) == 1 and got[0][1:] == ("TW3", "TW4")


def test_reminders_skip_forms_not_active_in_the_period(year):
    from iki_xlsx.core.model import PeriodScheme
    from iki_xlsx.mail.remind import not_submitted

    ws = year["ws"]
    forms = ws.issued.forms(2025)
    late = {(f.nip, f.kode_iki) for f in not_submitted(ws, forms, "TW1",
                                                              PeriodScheme.TRIWULAN, 2025)}
    assert NUR not in late and SRI_PLT not in late and ANDI_NEW not in late
    assert KEPALA in late and SEKRETARIS in late


def test_the_html_recap_says_not_active(year, tmp_path):
    from iki_xlsx.recap.html import write_recap_html

    page = write_recap_html(year["after"], tmp_path / "rekap.html")
    text = Path(page).read_text(encoding="utf-8")
    assert "Tidak berlaku" in text and "tidak_aktif" not in text
    section = text[text.index("<h2>Selesai - Ditarik</h2>"):]
    section = section[: section.index("</table>")]
    assert section.count("<tr>") == 3  # head, Andi's ended form, Budi withdrawn
    assert "Budi Santoso" in section and "Ditarik" in section and ">100<" in section


def test_the_collect_report_knows_the_active_periods(year):
    """A later run (only Budi's late file) computes the other forms' statuses from what
    their files filled, without resolving them: Mulai / Selesai still count."""
    report = year["report2"]
    ids = {p.form.key: p.form_id for p in year["first"].forms}
    assert report.statuses[ids[NUR]]["TW1"] == "tidak_aktif"
    assert report.statuses[ids[ANDI_NEW]]["TW2"] == "tidak_aktif"
    assert report.statuses[ids[SRI_PLT]]["TW1"] == "tidak_aktif"
    assert ids[NUR] not in {f.form_id for f in report.missing.get("TW1", ())}


def test_the_portal_overview_leaves_out_forms_not_active(year):
    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.portal.status import overview

    view = overview(year["ws"], get_texts(), "TW1")
    names = [row["nama"] for g in view.units for row in g.forms]
    assert "Nur Aini, A.Md" not in names  # from TW2
    assert names.count("Andi Pratama, S.Kom") == 1  # the old form only (new from TW3)
    assert sum(view.totals.values()) == len(names)


def test_the_officer_page_shows_what_resolving_every_form_shows(year):
    """Revisions, a withdrawn form, Mulai / Selesai, the officer's decisions: the page's
    statuses from the bits of what files filled are those of every form's year."""
    from overviewkit import assert_same_page

    assert_same_page(year["ws"])
