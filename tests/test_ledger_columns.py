"""The forms table keeps its small columns before its JSON (schema 5): a new ledger is made
so, and a ledger of schema 4 (the JSON in the middle, as every earlier version wrote it)
is rebuilt once when opened — the same rows, values, rowids and index, a copy of the old
ledger beside it, compacted after — and collecting into it works as before."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from iki_xlsx.collect import collect
from iki_xlsx.workspace import Workspace

SMALL = ("form_id", "revision", "nip", "kode_iki", "tahun", "nama", "jabatan",
         "perangkat_daerah", "unit_kerja", "atasan_nip", "atasan_nama", "content_hash",
         "file_path", "issued_at", "last_written_at")
JSON = ("reading", "locked_cells", "targets", "form_json", "manifest")
# as schema 4 and every version before it stored them
OLD_ORDER = ("form_id", "revision", "nip", "kode_iki", "tahun", "nama", "jabatan",
             "perangkat_daerah", "unit_kerja", "atasan_nip", "atasan_nama", "content_hash",
             "targets", "form_json", "locked_cells", "manifest", "reading", "file_path",
             "issued_at", "last_written_at")


def columns(db: sqlite3.Connection) -> tuple[str, ...]:
    return tuple(r[1] for r in db.execute("PRAGMA table_info(forms)"))


def rows(db: sqlite3.Connection) -> list[dict]:
    names = ("rowid",) + OLD_ORDER
    return [dict(zip(names, r)) for r in db.execute(
        f"SELECT {', '.join(names)} FROM forms ORDER BY rowid")]


def as_schema_4(path) -> None:
    """Rebuild the forms table in the order schema 4 wrote it (NOT NULL as then; the
    reading column last when it came by ALTER TABLE does not matter here)."""
    db = sqlite3.connect(path)
    cols = ", ".join(OLD_ORDER)
    body = ", ".join(f"{c} {'INTEGER' if c in ('revision', 'tahun') else 'TEXT'}"
                     f"{'' if c == 'reading' else ' NOT NULL'}" for c in OLD_ORDER)
    with db:
        db.execute(f"CREATE TABLE forms_old ({body}, PRIMARY KEY (form_id, revision))")
        db.execute(f"INSERT INTO forms_old (rowid, {cols}) SELECT rowid, {cols} FROM forms")
        db.execute("DROP TABLE forms")
        db.execute("ALTER TABLE forms_old RENAME TO forms")
        db.execute("CREATE INDEX forms_nip ON forms (nip, tahun)")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    db.close()


@pytest.fixture
def old_ledger(generated, tmp_path):
    result, ws = generated
    shutil.copytree(ws.path, tmp_path / "ws")
    path = tmp_path / "ws" / "ledger.sqlite3"
    fresh = sqlite3.connect(path)
    assert columns(fresh) == SMALL + JSON  # a ledger made now has the new order
    fresh.close()
    as_schema_4(path)
    return result, tmp_path / "ws", path


def test_a_ledger_of_schema_4_gets_its_small_columns_first_and_keeps_every_row(old_ledger):
    result, ws_path, path = old_ledger
    db = sqlite3.connect(path)
    assert columns(db) == OLD_ORDER
    before = rows(db)
    db.close()
    assert len(before) == len(result.forms) > 3
    ws = Workspace(ws_path)
    try:
        listed = ws.issued.forms()
        db = ws.ledger.db
        assert columns(db) == SMALL + JSON
        assert rows(db) == before  # every value, in its rowid
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                          ).fetchone() == ("5",)
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                          " AND name = 'forms_nip'").fetchone() == ("forms_nip",)
        assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'forms_new'"
                          ).fetchone() == (0,)
        assert db.execute("PRAGMA freelist_count").fetchone()[0] < 8  # compacted
        assert [f.form_id for f in listed] == [r["form_id"] for r in before]
    finally:
        ws.close()
    (backup,) = ws_path.glob("ledger-v4-*.sqlite3.bak")
    old = sqlite3.connect(backup)
    assert columns(old) == OLD_ORDER and rows(old) == before  # the copy made first
    old.close()
    Workspace(ws_path).close()
    ws = Workspace(ws_path)  # opened again: nothing more to do
    try:
        ws.issued.years()
        assert len(list(ws_path.glob("ledger-v*.sqlite3.bak"))) == 1
        assert rows(ws.ledger.db) == before
    finally:
        ws.close()


def test_a_rebuilt_ledger_judges_a_returned_form_as_before(old_ledger, tmp_path):
    result, ws_path, _ = old_ledger
    form = result.forms[0]
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shutil.copy(form.path, inbox / "kembali.xlsx")
    ws = Workspace(ws_path)
    try:
        report = collect([inbox], ws, jobs=1)
        (res,) = report.results
        assert res.recorded and res.form_id == form.form_id
        assert res.nama == form.form.pegawai.nama
        assert [p.code for p in res.problems] == ["belum_diisi"]
        assert ws.issued.of_nip(form.form.pegawai.nip)[0].form_id == form.form_id
    finally:
        ws.close()


def test_compacting_gives_way_to_a_process_writing_to_the_ledger(tmp_path):
    """The compaction after a rebuild is skipped at once while another process writes
    (had it waited for the lock, it would have compacted once the writer let go)."""
    import threading

    from iki_xlsx.workspace.schema import compact

    path = tmp_path / "ledger.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x TEXT)")
    db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(2000)])
    db.execute("DELETE FROM t WHERE rowid <= 1500")
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    assert free > 0
    db.execute("PRAGMA busy_timeout=60000")
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    done = threading.Timer(3.0, lambda: writer.execute("COMMIT"))
    done.start()
    compact(db)
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == free  # skipped
    assert db.execute("PRAGMA busy_timeout").fetchone() == (60000,)  # as it was
    done.join()
    compact(db)  # nobody writing now: compacted
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    writer.close()
    db.close()
