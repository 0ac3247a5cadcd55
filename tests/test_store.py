"""The store of collected bytes (``berkas/``) failing under a running process (issue 20,
item 5): a workspace rebuilt at the same path, the store folder removed or replaced by a
file in the middle of a collect, and a portal whose store vanished between two uploads.
Whatever happens, each file of a run ends with its bytes in the store or named with
``berkas_tidak_tersimpan`` (on the file in the ledger, in the report and its summary,
and the run exits 1); collecting the same files again once the store works keeps them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from filling import fill, realisasi_ref
from portalkit import (
    ANDI,
    KEPALA,
    NUR,
    Client,
    copy_world,
    filled,
    make_world,
    portal,
    text_of,
)
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect, summary_counts
from iki_xlsx.core.texts import get_texts
from iki_xlsx.core.timeline import load_years
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import STORE_DIR, Workspace

NOT_KEPT = "berkas_tidak_tersimpan"
T = get_texts().t


@pytest.fixture(scope="module")
def issued(tmp_path_factory, small_master):
    """A workspace right after generate (copied by each test) and five filled forms."""
    root = tmp_path_factory.mktemp("store")
    ws = Workspace(root / "ws")
    result = generate_forms(small_master, root / "forms", ws, jobs=1)
    ws.close()
    inbox = root / "masuk"
    for i, p in enumerate(sorted(result.forms, key=lambda p: p.form.key)):
        fill(p.path, inbox / f"{i + 1}-{p.form.pegawai.nip}.xlsx",
             {realisasi_ref(p.manifest, 0, "TW1"): 10 + i})
    assert len(list(inbox.iterdir())) == 5
    return root / "ws", inbox


def sha_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fate(ws: Workspace, inbox) -> dict[str, str]:
    """Each file of ``inbox``: "stored" (its bytes in the store, no problem), "named"
    (not in the store, the ledger row says berkas_tidak_tersimpan) or what else."""
    out = {}
    for path in sorted(inbox.iterdir()):
        row = ws.files.get(sha_of(path))
        stored = ws.store.kept(row.sha256, row.kind) is not None
        named = row.has_problem(NOT_KEPT)
        out[path.name] = "stored" if stored and not named else \
            "named" if named and not stored else f"stored={stored} named={named}"
    return out


def verdicts(ws: Workspace) -> dict[str, tuple]:
    return {r.sha256: (r.status, sorted(p["code"] for p in r.problems), r.realisasi)
            for r in ws.files.all()}


def year_values(ws: Workspace) -> dict[tuple[str, str, str], object]:
    """(form id, indikator, period) → the value that counts."""
    years = load_years(ws, 2025, ws.issued.forms(2025))
    return {(fid, *key): v.value for fid, y in years.items() for key, v in y.values.items()}


def break_store_after(n: int, ws_path, how):
    """A progress callback that breaks the store once ``n`` files have been judged."""
    def progress(done: int, total: int) -> None:
        if done == n:
            how(ws_path / STORE_DIR)
    return progress


def remove(store):
    shutil.rmtree(store)


def replace_by_a_file(store):
    """The folder gone and a file in its place: no write can make it again (as a full or
    read-only disk, even for root)."""
    shutil.rmtree(store, ignore_errors=True)
    store.write_bytes(b"bukan folder")


def test_a_workspace_rebuilt_at_the_same_path_stores_every_file(issued, tmp_path):
    """One process, two workspaces one after the other at the same path (what a restore,
    a benchmark's rounds or a long-running portal meet): the second keeps every file."""
    pristine, inbox = issued
    for _ in range(2):
        shutil.rmtree(tmp_path / "ws", ignore_errors=True)
        ws = Workspace(copy_world(pristine, tmp_path / "ws"))
        report = collect([inbox], ws, jobs=1)
        assert report.not_kept == 0
        assert set(fate(ws, inbox).values()) == {"stored"}
        ws.close()


def test_the_store_removed_in_the_middle_of_a_collect(issued, tmp_path):
    """Files judged before the folder went are named (their bytes went with it); files
    read after it are stored (the folder is made again)."""
    pristine, inbox = issued
    ws_path = copy_world(pristine, tmp_path / "ws")
    ws = Workspace(ws_path)
    report = collect([inbox], ws, jobs=1, progress=break_store_after(2, ws_path, remove))
    assert list(fate(ws, inbox).values()) == ["named", "named", "stored", "stored", "stored"]
    assert report.not_kept == 2 and report.exit_code == 1
    named = [Path(r.source).name for r in report.results
             if any(p.code == NOT_KEPT for p in r.problems)]
    assert named == sorted(p.name for p in inbox.iterdir())[:2]
    assert all(str(r.status) == "diterima_catatan" for r in report.results[:2])


def test_an_unwritable_store_names_every_file_and_a_second_run_keeps_them(issued,
                                                                          tmp_path):
    pristine, inbox = issued
    clean = Workspace(copy_world(pristine, tmp_path / "bersih"))  # the store never broken
    collect([inbox], clean, jobs=1)
    ws_path = copy_world(pristine, tmp_path / "ws")
    ws = Workspace(ws_path)
    report = collect([inbox], ws, jobs=1,
                     progress=break_store_after(1, ws_path, replace_by_a_file))
    assert set(fate(ws, inbox).values()) == {"named"}
    assert report.not_kept == 5 and report.exit_code == 1
    assert summary_counts(report)["not_kept"] == 5
    # what the files gave still counts: only their copies are missing
    assert year_values(ws) == year_values(clean) != {}
    # the store works again: collecting the same files keeps them and the note goes —
    # the verdicts are those of a collect that never met a broken store; every verdict
    # replaced stays in the ledger (the first file's when the run found its bytes gone,
    # then the five noted ones)
    (ws_path / STORE_DIR).unlink()
    again = collect([inbox], ws, jobs=1)
    assert set(fate(ws, inbox).values()) == {"stored"}
    assert again.not_kept == 0
    assert verdicts(ws) == verdicts(clean)
    assert ws.db.execute("SELECT COUNT(*) FROM rejudged").fetchone() == (6,)


def test_the_collect_command_exits_1_and_its_summary_says_so(issued, tmp_path):
    pristine, inbox = issued
    ws_path = copy_world(pristine, tmp_path / "ws")
    replace_by_a_file(ws_path / STORE_DIR)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(app, ["collect", str(inbox), "-w", "ws", "-j", "1",
                                     "--report", "lap.xlsx"])
    finally:
        os.chdir(here)
    assert r.exit_code == 1, r.output
    out = " ".join(r.output.split())
    assert "5 berkas tidak tersimpan di folder berkas ruang kerja" in out
    as_json = CliRunner().invoke(app, ["collect", str(inbox), "-w", str(ws_path), "-j", "1",
                                       "--report", str(tmp_path / "lap2.xlsx"), "--json"])
    assert as_json.exit_code == 1
    assert '"tidak_tersimpan": 5' in as_json.output


def test_a_portal_whose_store_vanishes_keeps_or_names_every_upload(small_master,
                                                                    tmp_path):
    ws_path, forms = make_world(tmp_path / "dunia", small_master)
    ws_path = copy_world(ws_path, tmp_path / "ws")
    andi = filled(forms[ANDI], tmp_path / "andi.xlsx", {(0, "TW1"): 12})
    nur = filled(forms[NUR], tmp_path / "nur.xlsx", {(0, "TW1"): 7})
    kepala = filled(forms[KEPALA], tmp_path / "kepala.xlsx", {(0, "TW1"): 80})
    ws = Workspace(ws_path)
    with portal(ws_path) as running:
        client = Client(running.url)
        assert client.upload(andi).status_code == 200
        shutil.rmtree(ws_path / STORE_DIR)  # gone under the running server
        for path in (andi, nur):  # the same file again, and another one
            page = text_of(client.upload(path).text)
            assert T("masalah.berkas_tidak_tersimpan") not in page
            row = ws.files.get(sha_of(path))
            assert ws.store.kept(row.sha256, row.kind) is not None
            assert not row.has_problem(NOT_KEPT)
        replace_by_a_file(ws_path / STORE_DIR)  # and now it cannot be made again
        page = text_of(client.upload(kepala).text)
        assert T("masalah.berkas_tidak_tersimpan") in page
    row = ws.files.get(sha_of(kepala))
    assert row.has_problem(NOT_KEPT) and str(row.status) == "diterima_catatan"
