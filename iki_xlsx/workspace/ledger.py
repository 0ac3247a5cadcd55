"""The ledger: one SQLite file in WAL mode (readers never wait for a writer), opened on
first use with its schema created or brought up to date (:mod:`.schema`); writes in
transactions that wait — never fail — while another process writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..core.canonical import canonical_text
from .journal import JOURNAL_FILE, Journal
from .private import create_private, is_private, private_dir, tighten_workspace
from .schema import (
    backup_before_upgrade,
    compact,
    create_tables,
    has_schema,
    needs_upgrade,
    upgrade,
)

BUSY_TIMEOUT = 30.0  # seconds SQLite itself waits for a lock, per statement
LOCK_WAIT = 600.0  # seconds a write waits in all before giving up (then: a clear error)


def now_iso(timespec: str = "seconds") -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec=timespec)


class Ledger:
    """The SQLite ledger at ``path``: nothing is created before it is first used.
    ``read_only``: opened to read an existing ledger only (a recap's worker process):
    nothing is created, upgraded or written."""

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None
        self.journal = Journal(path.with_name(JOURNAL_FILE))  # what recovery replays
        self._notes: list[dict] | None = None  # journal lines of the open transaction

    @property
    def db(self) -> sqlite3.Connection:
        """The connection: WAL, a busy timeout, and the schema created in one immediate
        transaction (two processes opening a new workspace at once both succeed)."""
        if self._db is None and self.read_only:
            # as_uri: a folder named with "#", "?" or "%" (or a Windows drive) stays a path
            db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                                 timeout=BUSY_TIMEOUT, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            self._db = db
        if self._db is None:
            self._make_private()
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            try:
                db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
                retry_locked(lambda: db.execute("PRAGMA journal_mode=WAL").fetchone())
                db.execute("PRAGMA synchronous=NORMAL")  # WAL: consistent after a crash
                db.execute("PRAGMA foreign_keys=ON")
                if not has_schema(db):
                    with _immediate(db):
                        create_tables(db)
                if needs_upgrade(db):
                    backup_before_upgrade(db, self.path)
                    with _immediate(db):
                        rebuilt = upgrade(db, now_iso())
                    if rebuilt:
                        compact(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _make_private(self) -> None:
        """A new ledger is created readable by its owner only (SQLite gives its WAL and
        shared-memory files the same mode); the folder of a ledger made before modes
        were private is tightened, all of it, once."""
        folder = private_dir(self.path.parent)
        try:
            os.close(create_private(self.path))
        except FileExistsError:
            if not is_private(self.path):
                tighten_workspace(folder)

    def exists(self) -> bool:
        """True when the ledger file is there (asking never creates it)."""
        return self.path.is_file()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction. Another process writing (a second collect, a generate)
        makes this one wait — up to :data:`LOCK_WAIT` seconds in all — never fail. The
        journal lines noted meanwhile (:meth:`note`) are appended before it commits."""
        with _immediate(self.db) as db:
            self._notes = []
            try:
                yield db
                if self._notes:
                    self.journal.write(db, self._notes)
            finally:
                self._notes = None

    def note(self, line: dict) -> None:
        """A journal line (:mod:`.journal`) for what the open transaction writes."""
        if self._notes is not None:
            self._notes.append(line)

    def backup(self, target: Path) -> None:
        """A consistent copy of the ledger at ``target`` (SQLite's online backup: other
        processes may read and write meanwhile)."""
        copy = sqlite3.connect(target)
        try:
            retry_locked(lambda: self.db.backup(copy))
        finally:
            copy.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    retry_locked(lambda: db.execute("BEGIN IMMEDIATE"))
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    retry_locked(lambda: db.execute("COMMIT"))


def retry_locked(action, wait: float | None = None):
    """Run ``action``; while SQLite says the database is locked or busy (a long write by
    another process outlasting the busy timeout), try again until :data:`LOCK_WAIT`."""
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    pause = 0.05
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def check_ledger_file(path: Path) -> str:
    """"" when ``path`` is a sound ledger (SQLite's integrity check passes and it has the
    ledger's tables), else what is wrong (for a restore to refuse it)."""
    try:
        db = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            return str(result)
        if not has_schema(db):
            return "bukan ledger iki-xlsx"
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        db.close()
    return ""


# --------------------------------------------------------------------------- columns

def ledger_json(value) -> str:
    """Canonical JSON for a column; text already serialised (by a worker) passes as is."""
    if isinstance(value, str):
        return value
    return canonical_text(value)


# What was read from a file (problems, realisasi) is stored as built — in manifest and
# period order — without sorting: sorting buys nothing here (no hash is taken of it).
read_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                             check_circular=False).encode


def from_json(text: str | None):
    """A JSON column decoded (None stays None)."""
    return json.loads(text) if text is not None else None


def chunks(items: list, n: int = 500):
    """``items`` in slices of ``n``: SQLite limits the parameters of one statement."""
    for i in range(0, len(items), n):
        yield items[i:i + n]
