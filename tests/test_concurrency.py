"""Concurrency: two collects on overlapping inputs at once, with a reader (current
submissions, recap) polling meanwhile, end with the ledger of one sequential run; nobody
sees "database is locked". Creating a workspace (key, schema) from several processes
at once gives one key and one schema."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from corpus.batch import make_batch, run_collect, snapshot

from iki_xlsx.workspace import FileEntry, Workspace
from iki_xlsx.workspace import ledger as ledger_module
from iki_xlsx.workspace.schema import SCHEMA_VERSION


def split_inbox(inbox: Path, root: Path) -> tuple[Path, Path, Path]:
    """Three folders: A only, B only, and one given to both runs (the overlap)."""
    folders = [root / n for n in ("hanya-a", "hanya-b", "bersama")]
    for f in folders:
        f.mkdir()
    for i, path in enumerate(sorted(inbox.iterdir())):
        shutil.move(str(path), folders[i % 3] / path.name)
    return tuple(folders)


def test_two_collects_and_a_recap_at_once(tmp_path, small_master):
    ws, inbox = make_batch(tmp_path, small_master)
    ws.close()
    a, b, both = split_inbox(inbox, tmp_path)
    pristine = tmp_path / "ws-awal"
    shutil.copytree(ws.path, pristine)

    sequential = tmp_path / "ws-urut"
    shutil.copytree(pristine, sequential)
    for inputs in ([a, both], [both, b]):
        proc = run_collect(sequential, inputs, tmp_path / "lap-urut.xlsx", 1)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), err.decode()[-2000:]
    expected = snapshot(sequential)

    together = tmp_path / "ws-bareng"
    shutil.copytree(pristine, together)
    stop = threading.Event()
    reads: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:  # the officer's recap while collect runs
        try:
            from iki_xlsx.recap.build import build_recap
        except ImportError:
            build_recap = None
        w = Workspace(together)
        try:
            while not stop.is_set():
                reads.append(len(w.files.all()))
                if build_recap is not None and w.files.all():
                    build_recap(w)
                time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)
        finally:
            w.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        procs = [run_collect(together, [a, both], tmp_path / "lap-a.xlsx", 2),
                 run_collect(together, [both, b], tmp_path / "lap-b.xlsx", 1)]
        outcomes = [p.communicate(timeout=180) for p in procs]
    finally:
        stop.set()
        thread.join(60)
    for proc, (_, err) in zip(procs, outcomes):
        text = err.decode()
        assert proc.returncode in (0, 1), text[-2000:]
        assert "locked" not in text and "Traceback" not in text, text[-2000:]
    assert not errors, errors
    assert len(reads) > 3
    assert snapshot(together) == expected


def _open_new_workspace(path: str, barrier, out) -> None:
    barrier.wait()
    try:
        ws = Workspace(path)
        key = ws.key.hex()
        ws.issued.years()  # opens the ledger: schema created by whoever comes first
        ws.sheet_password()
        out.put(("ok", key))
    except BaseException as exc:  # reported to the test
        out.put(("error", repr(exc)))


def test_many_processes_create_one_workspace(tmp_path):
    ctx = multiprocessing.get_context("spawn")  # every platform has it
    n = 8
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_open_new_workspace, args=(str(tmp_path / "ws"), barrier, out))
             for _ in range(n)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    assert [r for r in results if r[0] != "ok"] == []
    assert len({key for _, key in results}) == 1  # one key, whoever won
    assert Workspace(tmp_path / "ws").key.hex() == results[0][1]
    assert sorted(p.name for p in (tmp_path / "ws").iterdir() if p.name.startswith(".")) == []
    db = sqlite3.connect(tmp_path / "ws" / "ledger.sqlite3")
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
        str(SCHEMA_VERSION),)


def test_a_long_write_elsewhere_makes_collect_wait_not_fail(tmp_path, monkeypatch):
    """Past SQLite's busy timeout the write is retried (up to LOCK_WAIT), never a
    'database is locked' for the officer."""
    monkeypatch.setattr(ledger_module, "BUSY_TIMEOUT", 0.1)
    ws = Workspace(tmp_path / "ws")
    ws.issued.years()
    blocker = sqlite3.connect(tmp_path / "ws" / "ledger.sqlite3", isolation_level=None,
                              check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.8, lambda: blocker.execute("COMMIT")).start()
    start = time.monotonic()
    entry = FileEntry("ab" * 32, 1, "other", "ditolak", [], realisasi=None)
    assert ws.files.record([(entry, "/x", "")], "run") == [True]
    assert time.monotonic() - start >= 0.5
    monkeypatch.setattr(ledger_module, "LOCK_WAIT", 0.3)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            ws.files.record([(replace(entry, sha256="cd" * 32), "/y", "")], "run")
    finally:
        blocker.execute("COMMIT")
        blocker.close()
