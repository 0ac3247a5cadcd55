"""The year's rules without LibreOffice: collection order never matters (property test),
a workspace of the previous version migrates in place, the officer's decisions through
the CLI, history, re-judging stored files, and the bad inputs of a year."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from filling import fill, realisasi_ref, saved_on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from yearkit import ANDI, ORDER_FILES, two_forms_files

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.core.matching import match_indicators
from iki_xlsx.core.timeline import load_years
from iki_xlsx.define.master import load_master
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace
from iki_xlsx.workspace.schema import SCHEMA_VERSION

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def figures(ws: Workspace) -> list:
    """What a recap says, form by form (values, capaian, status per period)."""
    recap = build_recap(ws, upto="TW2")
    return [(f.form_id, f.status, sorted(f.period_status.items()), f.capaian,
             [(i.id, sorted(i.values.items()), i.capaian) for i in f.indicators])
            for f in recap.forms]


# --------------------------------------------------------------------------- order

@pytest.fixture(scope="module")
def many_files(small_master, tmp_path_factory):
    """Eight files of two forms: TW1 files, their corrections, TW2 files, a TW2-only form
    and a blank one, each saved at its own time; plus a workspace they were issued by."""
    return two_forms_files(small_master, tmp_path_factory.mktemp("urutan"), ORDER_FILES)


@settings(max_examples=12, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_order_and_any_split_of_runs_gives_the_same_recap(many_files, tmp_path_factory,
                                                              data):
    ws_path, files = many_files
    order = data.draw(st.permutations(files))
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(files) - 1), max_size=3))))
    runs = [order[i:j] for i, j in zip([0, *cuts], [*cuts, len(files)])]

    def collected(batches) -> list:
        root = tmp_path_factory.mktemp("run")
        shutil.copytree(ws_path, root / "ws")
        ws = Workspace(root / "ws")
        for batch in batches:
            inbox = root / f"in{len(list(root.iterdir()))}"
            inbox.mkdir()
            for f in batch:
                shutil.copy(f, inbox / f.name)
            collect([inbox], ws, jobs=1)
        try:
            return figures(ws)
        finally:
            ws.close()

    got = collected(runs)
    assert got == collected([files])
    kepala = next(f for f in got if f[4][0][0] == "01" and len(f[4]) == 4)
    # the file saved last gives each value: k4's 91 for TW2, k2's 0 (not k1's 2) for TW1
    assert kepala[4][0][1] == [("TW1", 81.0), ("TW2", 91.0)]
    assert kepala[4][1][1] == [("TW1", 0.0), ("TW2", None)]


# --------------------------------------------------------------------------- migration

def test_a_workspace_of_the_previous_version_migrates_in_place(tmp_path, small_master):
    shutil.copytree(DATA / "ledger-v1", tmp_path / "v1")
    ws = Workspace(tmp_path / "v1")
    before = sqlite3.connect(tmp_path / "v1" / "ledger.sqlite3").execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert before == ("1",)
    years = load_years(ws, 2025, ws.issued.forms(2025))
    backups = list((tmp_path / "v1").glob("ledger-v1-*.sqlite3.bak"))
    assert len(backups) == 1  # a copy of the old ledger, made before anything changed
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
    assert old.execute("SELECT COUNT(*) FROM files").fetchone() == (3,)
    assert ws.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
        str(SCHEMA_VERSION),)
    # what the old version collected counts: the three files' TW1 values
    filled = {fid: y.values for fid, y in years.items() if y.values}
    assert len(filled) == 3
    for (ind, period), v in next(iter(filled.values())).items():
        assert period == "TW1" and v.saved_at and v.value is not None
    recap = build_recap(ws, upto="TW1")
    assert sum(1 for f in recap.forms if f.submitted) == 3
    # the same files again: nothing new; a new generate with the same master: no revision
    again = collect([tmp_path / "v1" / "masuk"], ws, jobs=1)
    assert all(not r.new for r in again.results) and again.changes == []
    # generating again with this version: the form layout changed since, so every form
    # is a new revision, and what the old version collected still counts for it
    before = [(f.nip, f.kode_iki, [i.values for i in f.indicators]) for f in recap.forms]
    gen = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    assert {p.status for p in gen.forms} <= {"revisi", "sama"}
    assert all(p.matching is None or not p.matching.removed for p in gen.forms)
    after = build_recap(ws, upto="TW1")
    assert [(f.nip, f.kode_iki, [i.values for i in f.indicators]) for f in after.forms] \
        == before
    Workspace(tmp_path / "v1").db  # opening again: no second backup
    assert len(list((tmp_path / "v1").glob("ledger-v1-*.sqlite3.bak"))) == 1


# --------------------------------------------------------------------------- decisions

@pytest.fixture
def collected(small_master, tmp_path):
    ws = Workspace(tmp_path / "ws")
    forms = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f", ws,
                                                    jobs=1).forms}
    a = forms[ANDI]
    inbox = tmp_path / "masuk"
    own = saved_on(fill(a.path, inbox / "andi.xlsx",
                        {realisasi_ref(a.manifest, 0, "TW1"): 3}), "2025-04-01T08:00:00Z")
    other = saved_on(fill(a.path, inbox / "keliru.xlsx",
                          {realisasi_ref(a.manifest, 0, "TW1"): 9}), "2025-04-02T08:00:00Z")
    report = collect([inbox], ws, jobs=1)
    return ws, forms, own, other, report


def value_of(ws, key, ind="01", period="TW1"):
    forms = [f for f in ws.issued.forms() if (f.nip, f.kode_iki) == key]
    return load_years(ws, None, forms)[forms[0].form_id].value(ind, period)


def test_exclude_include_set_clear_release_each_with_a_reason(collected):
    ws, forms, own, other, report = collected
    w = ["-w", str(ws.path)]
    assert value_of(ws, ANDI) == 9  # the later-saved file counts …
    assert any(e.kind == "diganti" for _, e in report.changes)  # … and the report says so
    r = runner.invoke(app, ["kecualikan", str(other), *w])
    assert r.exit_code == 2 and "Alasan wajib" in r.output and value_of(ws, ANDI) == 9
    r = runner.invoke(app, ["kecualikan", str(other), "--alasan", "diisi rekan", *w])
    assert r.exit_code == 0, r.output
    assert value_of(ws, ANDI) == 3
    sha = report.results[1].sha256 if report.results[1].name.endswith("keliru.xlsx") \
        else report.results[0].sha256
    r = runner.invoke(app, ["sertakan", sha[:10], "--alasan", "ternyata benar", *w])
    assert r.exit_code == 0 and value_of(ws, ANDI) == 9
    r = runner.invoke(app, ["nilai", ANDI[0], "1", "TW I", "--isi", "4,5", "--alasan",
                            "surat koreksi", *w])
    assert r.exit_code == 0, r.output
    assert value_of(ws, ANDI) == 4.5
    r = runner.invoke(app, ["nilai", ANDI[0], "1", "TW1", "--kosongkan", "--alasan", "batal",
                            *w])
    assert r.exit_code == 0 and value_of(ws, ANDI) is None
    r = runner.invoke(app, ["nilai", ANDI[0], "1", "TW1", "--lepas", "--alasan", "kembali",
                            *w])
    assert r.exit_code == 0 and value_of(ws, ANDI) == 9
    decisions = ws.decisions.by_form()[forms[ANDI].form_id]
    assert [d.kind for d in decisions] == ["kecualikan", "sertakan", "tetapkan",
                                              "kosongkan", "lepas"]
    assert [d.reason for d in decisions][0] == "diisi rekan"
    # mistakes are Indonesian, exit 2, and record nothing
    for args, text in ((["nilai", ANDI[0], "9", "TW1", "--isi", "1"], "Indikator '9'"),
                       (["nilai", ANDI[0], "1", "TW7", "--isi", "1"], "Periode 'TW7'"),
                       (["nilai", ANDI[0], "1", "TW1", "--isi", "abc"], "'abc'"),
                       (["nilai", "123", "1", "TW1", "--isi", "1"], "NIP 123"),
                       (["nilai", ANDI[0], "1", "TW1"], "Pilih tepat satu"),
                       (["kecualikan", "ffffffffff"], "tidak tercatat")):
        r = runner.invoke(app, [*args, "--alasan", "x", *w])
        assert r.exit_code == 2 and text in r.output, (args, r.output)
    assert len(ws.decisions.by_form()[forms[ANDI].form_id]) == 5
    # the history shows both files, which one counts, and every decision with its reason
    r = runner.invoke(app, ["riwayat", ANDI[0], *w])
    assert r.exit_code == 0, r.output
    assert "andi.xlsx" in r.output and "keliru.xlsx" in r.output
    assert "surat koreksi" in r.output
    # issue 23: andi.xlsx's TW1 is replaced by the later keliru.xlsx (taken back), named
    assert "— diganti: yang dipakai 9 dari" in r.output
    # every decision about a file names it: its own name and the start of its sha256
    assert f"keliru.xlsx · sha256 {sha[:12]}" in r.output
    # one date format (06-12-2026 12:34) and a decimal comma, everywhere it says a time
    assert re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}", r.output), r.output
    assert not re.search(r"\d{4}-\d{2}-\d{2}", r.output), r.output
    assert not re.search(r"\d\.\d", r.output.replace("S.Kom", "")), r.output


def test_a_ya_tidak_value_set_by_the_officer_reads_back(collected):
    """``nilai … --isi Ya`` on a ya/tidak indikator: the decision reads back as "Ya" (it
    was stored without JSON quotes and every later read of the decisions failed), and a
    value stored that way by an earlier version still reads."""
    ws = collected[0]
    w = ["-w", str(ws.path)]
    key = ("198203152006042002", "IKI-SEKRETARIS")
    r = runner.invoke(app, ["nilai", key[0], "1", "TW2", "--kode", key[1], "--isi", "ya",
                            "--alasan", "surat LKjIP", *w])
    assert r.exit_code == 0, r.output
    assert value_of(ws, key, "01", "TW2") == "Ya"
    ws.db.execute("UPDATE decisions SET value = 'Tidak'")  # as an earlier version stored it
    assert value_of(ws, key, "01", "TW2") == "Tidak"
    assert runner.invoke(app, ["riwayat", key[0], *w]).exit_code == 0


def test_rejudge_keeps_the_old_verdict_and_reports_changes(collected, monkeypatch):
    ws, forms, own, other, report = collected
    # the evidence outlives the inbox: every collected file is kept in the workspace
    for r in report.results:
        assert ws.store.path_of(r.sha256, "xlsx").read_bytes() == \
            (own if r.name.endswith("andi.xlsx") else other).read_bytes()
    own.unlink()
    other.unlink()
    r = runner.invoke(app, ["collect", "--rejudge", "-w", str(ws.path)])
    assert r.exit_code == 0 and "0 berubah, 2 tetap" in r.output
    # a "newer version" reading values differently: one verdict changes, the old is kept
    import iki_xlsx.collect.realisasi as realisasi

    real = realisasi.read_realisasi
    monkeypatch.setattr(realisasi, "plain_number", lambda value, limit, low=0.0: None)
    monkeypatch.setattr(realisasi, "read_realisasi", lambda value, info, ctx: real(
        "abc" if value == 9 else value, info, ctx))
    r = runner.invoke(app, ["collect", "--rejudge", "-w", str(ws.path)])
    assert r.exit_code == 0 and "1 berubah, 1 tetap" in r.output, r.output
    assert ws.db.execute("SELECT COUNT(*) FROM rejudged").fetchone() == (1,)
    assert value_of(ws, ANDI) == 3  # the re-read file gives nothing now


# --------------------------------------------------------------------------- bad input

def test_same_saved_time_different_values_is_named(small_master, tmp_path):
    ws = Workspace(tmp_path / "ws")
    a = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f", ws,
                                                jobs=1).forms}[ANDI]
    ref = realisasi_ref(a.manifest, 0, "TW1")
    for name, v in (("x.xlsx", 3), ("y.xlsx", 4)):
        saved_on(fill(a.path, tmp_path / "in" / name, {ref: v}), "2025-04-01T08:00:00Z")
    report = collect([tmp_path / "in"], ws, jobs=1)
    assert [e.kind for _, e in report.changes] == ["waktu_sama"]
    assert value_of(ws, ANDI) in (3, 4)
    for r in report.results:  # each file says so, with the other file and both values
        note = next(p for p in r.problems if p.code == "waktu_simpan_sama")
        assert r.status == "diterima_catatan" and "3" in note.message() and \
            "4" in note.message() and note.advice().startswith("Tanyakan")


def test_a_revision_the_ledger_never_issued(small_master, tmp_path):
    """A form of revision 2 met by a ledger restored from before revision 2 existed."""
    ws = Workspace(tmp_path / "ws")
    generate_forms(small_master, tmp_path / "f1", ws, jobs=1)
    ws.close()
    shutil.copytree(tmp_path / "ws", tmp_path / "cadangan")
    from dataclasses import replace

    d = small_master.iki["IKI-PENGOLAH"]
    changed = replace(small_master, iki={**small_master.iki, "IKI-PENGOLAH": replace(
        d, tugas=d.tugas + " dan pelaporan")})
    ws = Workspace(tmp_path / "ws")
    new = {p.form.key: p for p in generate_forms(changed, tmp_path / "f2", ws, jobs=1).forms}
    assert new[ANDI].revision == 2
    old_ws = Workspace(tmp_path / "cadangan")
    report = collect([new[ANDI].path], old_ws, jobs=1)
    r = report.results[0]
    assert r.status == "ditolak" and [p.code for p in r.problems] == ["revisi_tidak_dikenal"]
    assert "revisi 2" in r.problems[0].message() and r.problems[0].advice()


def test_edited_wording_keeps_identity_by_position_and_sasaran():
    old = [{"no": "1", "sasaran": "Tersusunnya laporan", "indikator": "Jumlah laporan"},
           {"no": "", "sasaran": "", "indikator": "Nilai kualitas data"},
           {"no": "2", "sasaran": "Pelayanan", "indikator": "Indeks  kepuasan!"}]
    new = [{"no": "1", "sasaran": "Tersusunnya laporan", "indikator": "Jumlah laporan yang"
            " disusun"},
           {"no": "", "sasaran": "", "indikator": "nilai KUALITAS data"},
           {"no": "2", "sasaran": "Pelayanan", "indikator": "Indeks Kepuasan"},
           {"no": "3", "sasaran": "Baru", "indikator": "Indikator baru"}]
    m = match_indicators(old, new)
    assert m.pairs == {"01": "01", "02": "02", "03": "03"}
    assert m.by_text == {"02", "03"} and m.new == ["04"] and m.removed == []
    moved = match_indicators(old, [new[2], new[1]])  # order changed, one removed
    assert moved.pairs == {"03": "01", "02": "02"} and moved.removed == ["01"]


def test_jumlah_is_refused_for_ya_tidak_by_validate(tmp_path):
    text = (DATA / "master-kecil.yaml").read_text(encoding="utf-8")
    bad = text.replace("target: \"Ya\"\n        polaritas: ya/tidak\n        agregasi: terakhir",
                       "target: \"Ya\"\n        polaritas: ya/tidak\n        agregasi: jumlah")
    assert bad != text
    (tmp_path / "m.yaml").write_text(bad, encoding="utf-8")
    loaded = load_master(tmp_path / "m.yaml")
    codes = [p.code for p in loaded.problems]
    assert any("ya_tidak" in c or "agregasi" in c for c in codes), codes


def test_collect_report_json_has_the_year(collected):
    ws, forms, own, other, report = collected
    from iki_xlsx.collect.report import to_json

    data = json.loads(to_json(report))
    assert data["periode"] == "TW1"
    assert data["perubahan"][0]["kejadian"] == "diganti"
    assert forms[ANDI].form_id not in data["belum_per_periode"]["TW1"]
    assert data["status_per_periode"][forms[ANDI].form_id] == {"TW1": "sebagian"}
