"""The year's edges (issue 23) on a year whose every returned form was filled and saved
by a real LibreOffice: a revision, a Plt. form (TW2–TW3) with a value typed outside it,
a late file of the old revision, a colleague's values set aside by the officer, a value
set by the officer, a retiree withdrawn and a late file of his withdrawn form. Every
generate writes into the same forms folder, as an officer does (the revision's files
replace the first ones).

* a withdrawn form's values, capaian and predikat in Selesai - Ditarik, and ``riwayat``
  for its NIP (item 3);
* every decision names its file, in ``riwayat``, the recap's Riwayat and the portal; the
  values of a file set aside are *dikecualikan* with the reason, apart from replaced
  ones (item 4);
* the ledger deleted and rebuilt with ``recover``: the recap after it equals the recap
  before, every sheet and every note (the time it was made aside), the files' verdicts
  and notes, names and arrival times too; and the same from a backup (item 2).

Figures are computed here by hand, never with capaian.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from filling import realisasi_ref, saved_on
from libreoffice import fill_and_save, needs_libreoffice
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.define.master import load_master
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.html import write_recap_html
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import JOURNAL_FILE, Workspace
from iki_xlsx.year.backup import backup, restore

pytestmark = needs_libreoffice

DATA = Path(__file__).parent / "data"
KEPALA = ("197001011995031001", "IKI-KEPALA")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")
BUDI = ("196501011990031002", "IKI-PENGOLAH")
runner = CliRunner()


def pct(r: float, t: float, cap: float = 120.0) -> float:
    return min(r / t * 100, cap)


def master_data(revised: bool = False, budi: bool = True) -> dict:
    data = yaml.safe_load((DATA / "master-kecil.yaml").read_text(encoding="utf-8"))
    if revised:  # Sri's Plt. form, found to run TW2–TW3 only when the master is revised
        data["pegawai"][2].update(mulai="TW2", selesai="TW3")
    if budi:
        data["pegawai"].append({"nip": BUDI[0], "nama": "Budi Santoso", "golongan": "III/c",
                                "jabatan": "Pengolah Data", "unit_kerja": "Sekretariat",
                                "kode_iki": "IKI-PENGOLAH", "nip_atasan": KEPALA[0]})
    if revised:  # the Perubahan Perjanjian Kinerja: a new target for IKI-PENGOLAH
        first = next(i for i in data["iki"] if i["kode"] == "IKI-PENGOLAH")["indikator"][0]
        first.update(target="16 laporan", target_periode={"TW1": 4, "TW2": 8, "TW3": 12,
                                                           "TW4": 16})
    return data


def master(root: Path, name: str, data: dict):
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    loaded = load_master(path)
    assert loaded.ok, [p.message() for p in loaded.problems]
    return loaded.master, path


def lo_fill(form: Path, manifest: dict, values: dict, dst: Path, stamp: str) -> Path:
    """Type ``values`` ((indikator index, period) → value) into ``form`` in LibreOffice,
    save as xlsx on ``stamp``."""
    writes = {realisasi_ref(manifest, i, p): v for (i, p), v in values.items()}
    dst.parent.mkdir(parents=True, exist_ok=True)
    return saved_on(fill_and_save(form, writes, dst, "xlsx", sheet="IKI"), stamp)


def handed_out(result, folder: Path) -> dict:
    """The forms as the pegawai keep them (a copy: the next generate replaces the files
    in the forms folder): key → (path, manifest)."""
    out = {}
    for p in result.forms:
        dst = folder / p.path.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p.path, dst)
        out[p.form.key] = (dst, p.manifest)
    return out


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("tepi")
    ws_path = root / "iki-workspace"
    ws = Workspace(ws_path)
    forms = root / "output" / "forms"
    m1, _ = master(root, "m1", master_data())
    rev1 = handed_out(generate_forms(m1, forms, ws, jobs=1), root / "terkirim-1")
    inbox = root / "masuk"

    # ---- TW1 (April); Sri's Plt. form is active all year as yet
    lo_fill(*rev1[KEPALA], {(0, "TW1"): 80, (1, "TW1"): 0, (2, "TW1"): 90, (3, "TW1"): 100},
            inbox / "tw1" / "kepala.xlsx", "2025-04-05T09:00:00Z")
    lo_fill(*rev1[ANDI], {(0, "TW1"): 3, (1, "TW1"): 70}, inbox / "tw1" / "andi.xlsx",
            "2025-04-06T09:00:00Z")
    nur_tw1 = lo_fill(*rev1[NUR], {(0, "TW1"): 4, (1, "TW1"): 72}, inbox / "tw1" / "nur.xlsx",
                      "2025-04-07T09:00:00Z")
    lo_fill(*rev1[BUDI], {(0, "TW1"): 3, (1, "TW1"): 50}, inbox / "tw1" / "budi.xlsx",
            "2025-04-08T09:00:00Z")
    sri_tw1 = lo_fill(*rev1[SRI_PLT], {(0, "TW1"): 5}, inbox / "tw1" / "sri-plt.xlsx",
                      "2025-04-09T09:00:00Z")
    collect([inbox / "tw1"], ws, jobs=1)

    # ---- the revision (July), into the same forms folder
    m2, _ = master(root, "m2", master_data(revised=True))
    rev2 = handed_out(generate_forms(m2, forms, ws, jobs=1), root / "terkirim-2")

    # ---- TW2 (July)
    tw2 = inbox / "tw2"
    lo_fill(*rev2[ANDI], {(0, "TW2"): 5, (1, "TW2"): 74}, tw2 / "andi-tw2.xlsx",
            "2025-07-03T09:00:00Z")
    lo_fill(nur_tw1, rev1[NUR][1], {(0, "TW2"): 4, (1, "TW2"): 76}, tw2 / "nur-lama.xlsx",
            "2025-07-04T09:00:00Z")  # late, on the old revision
    keliru = lo_fill(*rev2[NUR], {(0, "TW1"): 4, (1, "TW1"): 72, (0, "TW2"): 5,
                                  (1, "TW2"): 74}, tw2 / "nur-diisi-andi.xlsx",
                     "2025-07-09T09:00:00Z")  # a colleague's values in Nur's form
    lo_fill(*rev2[BUDI], {(0, "TW1"): 3, (1, "TW1"): 50, (0, "TW2"): 2, (1, "TW2"): 55},
            tw2 / "budi-tw2.xlsx", "2025-07-05T09:00:00Z")
    # Sri goes on in her first file: TW1 is now outside the Plt. form's periods
    lo_fill(sri_tw1, rev1[SRI_PLT][1], {(0, "TW2"): 2, (1, "TW2"): 75},
            tw2 / "sri-plt-tw2.xlsx", "2025-07-06T09:00:00Z")
    lo_fill(*rev1[KEPALA], {(0, "TW1"): 80, (1, "TW1"): 0, (2, "TW1"): 90, (3, "TW1"): 100,
                            (0, "TW2"): 84, (1, "TW2"): 1, (2, "TW2"): 95, (3, "TW2"): 100},
            tw2 / "kepala-tw2.xlsx", "2025-07-07T09:00:00Z")
    collect([tw2], ws, jobs=1)
    w = ["-w", str(ws_path)]
    got = runner.invoke(app, ["kecualikan", str(keliru), "--alasan",
                              "diisi rekan (nilai Andi) di formulir Nur", *w])
    assert got.exit_code == 0, got.output
    got = runner.invoke(app, ["nilai", KEPALA[0], "2", "TW2", "--isi", "0", "--alasan",
                              "surat koreksi 12/7", *w])
    assert got.exit_code == 0, got.output

    # ---- Budi retires (September): his row leaves the master
    m3, m3_path = master(root, "m3", master_data(revised=True, budi=False))
    third = generate_forms(m3, forms, ws, jobs=1)
    assert [f.nama for f in third.withdrawn] == ["Budi Santoso"]

    # ---- TW3 (October): Budi's late file of his withdrawn form, Andi, Sri's Plt.
    tw3 = inbox / "tw3"
    lo_fill(*rev2[BUDI], {(0, "TW3"): 3, (1, "TW3"): 60}, tw3 / "budi-tw3.xlsx",
            "2025-10-03T09:00:00Z")
    lo_fill(root / "masuk" / "tw2" / "andi-tw2.xlsx", rev2[ANDI][1],
            {(0, "TW3"): 6, (1, "TW3"): 78}, tw3 / "andi-tw3.xlsx", "2025-10-04T09:00:00Z")
    lo_fill(*rev2[SRI_PLT], {(0, "TW2"): 2, (1, "TW2"): 75, (0, "TW3"): 3, (1, "TW3"): 80},
            tw3 / "sri-plt-tw3.xlsx", "2025-10-05T09:00:00Z")
    late = collect([tw3], ws, jobs=1)
    recap = build_recap(ws, upto="TW3")
    out = {"root": root, "ws_path": ws_path, "forms": forms, "inbox": inbox, "m3": m3,
           "m3_path": m3_path, "keliru": keliru, "late": late, "recap": recap,
           "xlsx": write_recap_xlsx(recap, root / "rekap-sebelum.xlsx"),
           "html": write_recap_html(recap, root / "rekap-sebelum.html"),
           "ledger": ledger_view(ws)}
    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.portal.status import overview

    out["portal"] = overview(ws, get_texts(), "TW3")
    out["riwayat"] = {nip: runner.invoke(app, ["riwayat", nip, *w]).output
                      for nip in (NUR[0], BUDI[0])}
    out["backup"] = backup(ws, root / "cadangan.zip").path
    ws.close()
    yield out


def ledger_view(ws: Workspace) -> dict:
    """What the ledger says, in the order it says it (times and ids included): every
    file's verdict, notes, arrival and the places it was seen; the issue log, Mulai /
    Selesai and the decisions."""
    db = ws.db
    files = [(r.sha256, r.status, [p.get("code") for p in r.problems], r.first_seen,
              r.saved_at, r.form_id, r.revision, [s.where for s in ws.files.sightings(r.sha256)])
             for r in ws.files.all()]
    return {"files": files,
            "forms": [f.form_id for f in ws.issued.forms()],
            "log": db.execute("SELECT form_id, revision, status, at FROM issue_log"
                              " ORDER BY id").fetchall(),
            "active": db.execute("SELECT form_id, mulai, selesai, periods, at FROM"
                                 " active_periods ORDER BY id").fetchall(),
            "decisions": db.execute("SELECT * FROM decisions ORDER BY id").fetchall()}


def by_key(recap, key):
    return next(f for f in recap.forms if (f.nip, f.kode_iki) == key)


def sheets(path: Path, made: str) -> dict[str, list]:
    """Every cell of every sheet; the time the recap was made written as <dibuat>."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[(str(v).replace(made, "<dibuat>") if isinstance(v, str) else v)
                        for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets}


# --------------------------------------------------------------------------- the year

def test_the_years_notes_are_there_to_be_kept(year):
    """What recovery must keep, each judged as things stood when the file came: a late
    old-revision file; a TW1 value, fine in April, outside the Plt. form's periods once
    they were set in July; a late file of a withdrawn form."""
    view = {Path(f[7][0]).name: f[2] for f in year["ledger"]["files"]}
    assert view["nur-lama.xlsx"] == ["revisi_lama"]
    assert view["sri-plt.xlsx"] == []
    assert sorted(view["sri-plt-tw2.xlsx"]) == ["periode_tidak_aktif", "revisi_lama"]
    assert view["budi-tw3.xlsx"] == ["formulir_ditarik"]


# --------------------------------------------------------------------------- item 3

def test_a_withdrawn_form_shows_its_values_capaian_and_predikat(year):
    recap = year["recap"]
    assert BUDI not in {(f.nip, f.kode_iki) for f in recap.forms}
    (budi,) = [c for c in recap.closed if c["alasan"] == "ditarik"]
    # revision 2 (16 laporan, TW3 target 12): TW1 3 and TW2 2 counted; TW3's late file not
    cap = [pct(3 + 2, 12), pct((50 + 55) / 2, 70)]
    assert [i.values for i in budi["form"].indicators] == [
        {"TW1": 3, "TW2": 2, "TW3": None}, {"TW1": 50, "TW2": 55, "TW3": None}]
    assert [i.capaian for i in budi["form"].indicators] == pytest.approx(cap)
    assert budi["capaian"] == pytest.approx(sum(cap) / 2)
    assert budi["predikat"] == "Kurang"
    sheet = openpyxl.load_workbook(year["xlsx"])["Selesai - Ditarik"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(r for r in rows if r[2] == "Budi Santoso")
    assert head[7] == "Ditarik" and head[9] == pytest.approx(sum(cap) / 2)
    assert head[10] == "Kurang" and "2 berkas diterima" not in (head[11] or "")
    values = [r for r in rows if r[1] == "Budi Santoso" and isinstance(r[0], int)]
    assert [r[4:8] for r in values] == [[3, 2, None, pytest.approx(cap[0])],
                                        [50, 55, None, pytest.approx(cap[1])]]


def test_riwayat_works_for_a_withdrawn_nip(year):
    out = year["riwayat"][BUDI[0]]
    assert "Budi Santoso" in out and "DITARIK" in out
    assert "budi-tw2.xlsx" in out and "Tidak ada formulir" not in out
    got = runner.invoke(app, ["riwayat", "199901012020121009", "-w", str(year["ws_path"])])
    assert got.exit_code == 2 and "tidak pernah menerbitkan formulir" in got.output


# --------------------------------------------------------------------------- item 4

def test_every_decision_names_its_file_and_excluded_values_say_so(year):
    ws = Workspace(year["ws_path"])
    keliru = year["keliru"]
    import hashlib

    sha = hashlib.sha256(keliru.read_bytes()).hexdigest()
    label = f"nur-diisi-andi.xlsx · sha256 {sha[:12]}"
    out = year["riwayat"][NUR[0]]
    assert f"Petugas mengecualikan berkas: {label}" in out
    excluded = [line for line in out.splitlines() if "nur-diisi-andi.xlsx (disimpan" in line]
    assert len(excluded) == 4 and all(
        "DIKECUALIKAN: berkasnya dikecualikan petugas (diisi rekan (nilai Andi) di formulir"
        " Nur)" in line for line in excluded)
    replaced = [line for line in out.splitlines() if "/nur.xlsx (disimpan" in line
                and line.startswith("0")]
    assert len(replaced) == 2 and all("— diganti: yang dipakai" in line and "nur-lama.xlsx"
                                      in line for line in replaced)
    # the recap's Riwayat: the Berkas column of the decision names it
    sheet = openpyxl.load_workbook(year["xlsx"])["Riwayat"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    (row,) = [r for r in rows if r[3] == "Petugas mengecualikan berkas"]
    assert row[2] == "Nur Aini, A.Md" and label in row[9] and row[10].startswith("diisi rekan")
    (value,) = [r for r in rows if r[3] == "Petugas menetapkan nilai"]
    assert value[8] == 0 and "surat koreksi 12/7" in value[10]
    # the portal's list of decisions
    named = {d["kind"]: d["berkas"] for d in year["portal"].decisions}
    assert label in named["kecualikan"]
    assert named["tetapkan"] == "indikator 2, TW II: 0"
    ws.close()


# --------------------------------------------------------------------------- item 2

def _lose_ledger(ws_path: Path) -> None:
    for p in ws_path.glob("ledger.sqlite3*"):
        p.unlink()


def _recovered_equals_before(year, ws_path: Path, tag: str) -> None:
    got = runner.invoke(app, ["recover", str(year["forms"]), "--kembali", str(year["inbox"]),
                              "-w", str(ws_path)])
    assert got.exit_code == 0, got.output
    assert "diputar ulang dari jurnal" in got.output and "generate" not in got.output.split(
        "diputar ulang")[1].split("Tidak perlu")[0]
    ws = Workspace(ws_path)
    assert ledger_view(ws) == year["ledger"]  # verdicts, notes, names, times, history
    recap = build_recap(ws, upto="TW3")
    root = year["root"]
    xlsx = write_recap_xlsx(recap, root / f"rekap-{tag}.xlsx")
    html = write_recap_html(recap, root / f"rekap-{tag}.html")
    before_made = year["recap"].generated_at.strftime("%d-%m-%Y %H:%M")
    after_made = recap.generated_at.strftime("%d-%m-%Y %H:%M")
    before, after = sheets(year["xlsx"], before_made), sheets(xlsx, after_made)
    assert list(after) == list(before)
    for name in before:  # sheet by sheet, row by row: every note too
        assert after[name] == before[name], name
    assert html.read_text(encoding="utf-8").replace(after_made, "<dibuat>") == \
        year["html"].read_text(encoding="utf-8").replace(before_made, "<dibuat>")
    # the same master again: nothing revised, nobody withdrawn again
    again = generate_forms(year["m3"], root / f"lagi-{tag}", ws, jobs=1)
    assert {p.status for p in again.forms} == {"sama"} and not again.withdrawn
    ws.close()


def test_recovery_rebuilds_the_ledger_as_it_was(year, tmp_path):
    ws_path = tmp_path / "iki-workspace"
    shutil.copytree(year["ws_path"], ws_path)  # the workspace as it stood
    _lose_ledger(ws_path)
    assert (ws_path / JOURNAL_FILE).is_file()
    _recovered_equals_before(year, ws_path, "pulih")


def test_recovery_from_a_backup_keeps_the_arrivals(year, tmp_path):
    """The backup carries the journal: restored, its ledger lost again, rebuilt."""
    restored = restore(year["backup"], tmp_path / "iki-workspace").path
    assert (restored / JOURNAL_FILE).is_file()
    _lose_ledger(restored)
    _recovered_equals_before(year, restored, "cadangan")
