"""The year's edges (issue 23) that need no spreadsheet program: ``generate`` beside an
existing workspace stops and names it instead of signing forms with a new key; the
ledger's journal at its edges (a workspace without one, another ledger's, a line cut by
a crash, a file whose bytes are gone, what a backup carries, recovery without it)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import JOURNAL_FILE, KEY_FILE, STORE_DIR, Workspace

DATA = Path(__file__).parent / "data"
MASTER = DATA / "master-kecil.yaml"
runner = CliRunner()


def _snapshot(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.mark.parametrize("where, run_in, args", [
    # the workspace sits in a parent folder of where the command runs
    ("iki-workspace", "2025/output", ["-o", "forms"]),
    # … in a child folder (one level below)
    ("kantor/iki-workspace", ".", ["-o", "forms"]),
    # … beside the output folder written into (run from elsewhere)
    ("dinas/iki-workspace", "lain", ["-o", "../dinas/output/forms"]),
    # --workspace names a folder that is not one, next to one that is
    ("iki-2025", ".", ["-o", "forms", "-w", "iki-2025-baru"]),
])
def test_generate_beside_a_workspace_stops_and_names_it(small_master, tmp_path, monkeypatch,
                                                        where, run_in, args):
    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    existing = tmp_path / where
    ws = Workspace(existing)
    generate_forms(small_master, tmp_path / "asli", ws, jobs=1)
    ws.close()
    key = (existing / KEY_FILE).read_bytes()
    (tmp_path / run_in).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path / run_in)
    before = _snapshot(tmp_path)
    got = runner.invoke(app, ["generate", str(MASTER), *args])
    assert got.exit_code == 2, got.output
    assert str(existing.name) in got.output and str(existing.parent.name) in got.output
    assert "--ruang-kerja-baru" in got.output and "--workspace" in got.output
    assert "Ruang kerja baru dibuat" not in got.output
    assert _snapshot(tmp_path) == before  # no key, no ledger, no form written
    # --dry-run stops too: its "all new" would be a false picture
    got = runner.invoke(app, ["generate", str(MASTER), *args, "--dry-run"])
    assert got.exit_code == 2 and _snapshot(tmp_path) == before
    # on purpose: a new workspace, said in one line; the existing one untouched
    got = runner.invoke(app, ["generate", str(MASTER), *args, "--ruang-kerja-baru"])
    assert got.exit_code == 0, got.output
    assert got.output.count("Ruang kerja baru dibuat") == 1
    assert (existing / KEY_FILE).read_bytes() == key


def test_the_existing_workspace_itself_is_used_quietly(small_master, tmp_path, monkeypatch):
    """Run where the workspace is: nothing nearby stops it, nothing new is made."""
    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kantor").mkdir()
    ws = Workspace(tmp_path / "kantor" / "iki-workspace")
    generate_forms(small_master, tmp_path / "kantor" / "f", ws, jobs=1)
    ws.close()
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms",
                              "-w", str(tmp_path / "kantor" / "iki-workspace")])
    assert got.exit_code == 0, got.output
    assert "Ruang kerja" not in got.output
    assert "0 baru" in got.output


def test_the_help_names_the_option(tmp_path):
    got = runner.invoke(app, ["generate", "--help"])
    assert got.exit_code == 0 and "--ruang-kerja-baru" in got.output
    assert "--ledger-baru" in got.output


# --------------------------------------------------------------------------- the journal

def _year(small_master, root: Path):
    """A small year without a spreadsheet program: forms, two returned files, a
    decision. Returns (workspace path, forms folder, inbox)."""
    from filling import fill, realisasi_ref

    from iki_xlsx.collect import collect
    from iki_xlsx.year.officer import exclude_file

    ws = Workspace(root / "iki-workspace")
    result = generate_forms(small_master, root / "forms", ws, jobs=1)
    inbox = root / "masuk"
    for i, p in enumerate(result.forms[3:5]):
        fill(p.path, inbox / f"kiriman-{i}.xlsx", {realisasi_ref(p.manifest, 0, "TW1"): 3 + i})
    collect([inbox], ws, jobs=1)
    exclude_file(ws, str(inbox / "kiriman-1.xlsx"), "diisi rekan")
    ws.close()
    return root / "iki-workspace", root / "forms", inbox


def _view(ws_path: Path) -> dict:
    ws = Workspace(ws_path)
    db = ws.db
    out = {"files": [(r.sha256, r.status, r.first_seen, [s.where for s in
                                                         ws.files.sightings(r.sha256)])
                     for r in ws.files.all()],
           "forms": [f.form_id for f in ws.issued.forms()],
           "log": db.execute("SELECT form_id, revision, status, at FROM issue_log"
                             " ORDER BY id").fetchall(),
           "decisions": db.execute("SELECT * FROM decisions ORDER BY id").fetchall()}
    ws.close()
    return out


def _lose(ws_path: Path) -> None:
    for p in ws_path.glob("ledger.sqlite3*"):
        p.unlink()


def _recover(ws_path: Path, forms: Path, *more: str):
    return runner.invoke(app, ["recover", str(forms), *more, "-w", str(ws_path)])


def test_a_workspace_without_a_journal_starts_one_with_what_it_holds(small_master, tmp_path):
    """An older workspace (no journal yet): its next write starts the journal with a
    snapshot of the ledger, from which recovery rebuilds it whole."""
    from iki_xlsx.year.officer import exclude_file

    ws_path, forms, inbox = _year(small_master, tmp_path)
    (ws_path / JOURNAL_FILE).unlink()
    ws = Workspace(ws_path)
    ws.db.execute("DELETE FROM meta WHERE key IN ('ledger_id', 'journal_size')")
    assert not ws.issued.is_empty() and not (ws_path / JOURNAL_FILE).exists()
    exclude_file(ws, str(inbox / "kiriman-1.xlsx"), "sertakan lagi", include=True)
    ws.close()
    assert (ws_path / JOURNAL_FILE).is_file()
    if os.name == "posix":
        assert (ws_path / JOURNAL_FILE).stat().st_mode & 0o077 == 0  # names, NIPs: 0600
    before = _view(ws_path)
    _lose(ws_path)
    got = _recover(ws_path, forms)
    assert got.exit_code == 0, got.output
    assert _view(ws_path) == before


def test_another_ledgers_journal_is_set_aside(small_master, tmp_path):
    """A ledger started anew (--ledger-baru) neither writes into nor replays the old
    ledger's journal: it is kept aside, untouched."""
    ws_path, forms, _ = _year(small_master, tmp_path)
    old = (ws_path / JOURNAL_FILE).read_bytes()
    _lose(ws_path)
    got = runner.invoke(app, ["generate", str(MASTER), "-o", str(tmp_path / "baru"),
                              "--ledger-baru", "-w", str(ws_path)])
    assert got.exit_code == 0, got.output
    (aside,) = ws_path.glob("jurnal-*.jsonl.lama")
    assert aside.read_bytes() == old
    assert (ws_path / JOURNAL_FILE).read_bytes() != old


def test_a_cut_line_and_a_file_whose_bytes_are_gone_are_named(small_master, tmp_path):
    """A journal line cut by a power failure is skipped and counted; a journalled file
    whose bytes are in no store and no folder given gets its verdict back, by name."""
    ws_path, forms, inbox = _year(small_master, tmp_path)
    before = _view(ws_path)
    with open(ws_path / JOURNAL_FILE, "a", encoding="utf-8") as fh:
        fh.write('{"k":"keputusan","id":99,"at":"2025-')  # the last line, cut
    shutil.rmtree(ws_path / STORE_DIR)
    (inbox / "kiriman-0.xlsx").unlink()  # kiriman-1 is still in the inbox
    _lose(ws_path)
    got = _recover(ws_path, forms, "--kembali", str(inbox))
    assert got.exit_code == 1, got.output
    assert "1 baris jurnal tidak terbaca" in got.output
    assert "kiriman-0.xlsx" in got.output and "Salinan berkas tidak ada" in got.output
    assert _view(ws_path) == before  # both files, their arrivals, names and the decision


def test_a_backup_carries_exactly_its_ledgers_lines(small_master, tmp_path):
    from iki_xlsx.year.backup import backup
    from iki_xlsx.year.officer import exclude_file

    ws_path, forms, inbox = _year(small_master, tmp_path)
    ws = Workspace(ws_path)
    archive = backup(ws, tmp_path / "cadangan.zip").path
    exclude_file(ws, str(inbox / "kiriman-1.xlsx"), "sesudah cadangan", include=True)
    ws.close()
    with zipfile.ZipFile(archive) as zf:
        journal = zf.read(JOURNAL_FILE)
        (tmp_path / "l.sqlite3").write_bytes(zf.read("ledger.sqlite3"))
    db = sqlite3.connect(tmp_path / "l.sqlite3")
    meta = dict(db.execute("SELECT key, value FROM meta"))
    db.close()
    assert len(journal) == int(meta["journal_size"])
    assert (ws_path / JOURNAL_FILE).read_bytes().startswith(journal)
    lines = [json.loads(x) for x in journal.decode("utf-8").splitlines()]
    assert [x.get("reason") for x in lines if x["k"] == "keputusan"] == ["diisi rekan"]


def test_without_a_journal_the_forms_keep_the_masters_order(small_master, tmp_path):
    ws_path, forms, inbox = _year(small_master, tmp_path)
    order = _view(ws_path)["forms"]
    (ws_path / JOURNAL_FILE).unlink()
    _lose(ws_path)
    got = _recover(ws_path, forms, "--kembali", str(inbox))
    assert got.exit_code == 0, got.output
    assert "jurnal.jsonl) tidak ada" in got.output and "generate" in got.output
    assert _view(ws_path)["forms"] == order


def test_the_distribution_list_says_what_each_pegawai_must_do(small_master, tmp_path,
                                                              monkeypatch):
    """Item 1's list, without a re-issue: new forms are sent, unchanged ones need not be;
    --tutup names a period of the year or stops."""
    import openpyxl

    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)

    def rows(folder: str) -> dict:
        sheet = openpyxl.load_workbook(tmp_path / folder / "daftar-distribusi.xlsx").active
        values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
        head = values[0]
        return {r[head.index("Nama")]: (r[head.index("Status")], r[head.index("Yang dilakukan")])
                for r in values[1:]}

    assert runner.invoke(app, ["generate", str(MASTER), "-o", "f1"]).exit_code == 0
    assert set(rows("f1").values()) == {
        ("baru", "Kirim formulir ini; pegawai mengisi realisasi setiap periode di sel kuning.")}
    assert runner.invoke(app, ["generate", str(MASTER), "-o", "f2"]).exit_code == 0
    assert {s for s, _ in rows("f2").values()} == {"tidak berubah"}
    assert all(todo.startswith("Tidak perlu dikirim ulang") for _, todo in rows("f2").values())
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "f3", "--tutup", "S1"])
    assert got.exit_code == 2 and "S1" in got.output and not (tmp_path / "f3").exists()
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "f3", "--tutup", "TW1"])
    assert got.exit_code == 0, got.output
    assert "semua sel dikunci, juga yang kosong" in got.output
    assert {s for s, _ in rows("f3").values()} == {"terbit ulang"}
