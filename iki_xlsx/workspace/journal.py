"""The ledger's journal (issue 23): beside the ledger, one line of JSON per thing that a
lost ledger could not otherwise get back from the form files and the stored bytes —
when each revision was issued and became current, each form's Mulai / Selesai, each
withdrawal, each officer's decision, and when and where each file first arrived (with
its verdict, for a file whose bytes are not kept). :mod:`iki_xlsx.year.recovery` replays
it in order, so every file is judged against the revision, the periods and the
withdrawals that stood when it first arrived.

The parts of the workspace :meth:`~.ledger.Ledger.note` a line inside the transaction
that writes the rows; the lines are appended right before it commits (under SQLite's
write lock: lines are in commit order, whatever process wrote them), and the journal's
size is kept in the ledger's ``meta`` — a backup copies exactly the lines of its ledger.
The first line names the ledger (``meta.ledger_id``): a journal of another ledger (a
ledger started anew) is set aside, and a journal missing for a ledger that holds rows
(an older workspace, a restored backup without one) starts with a snapshot of them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..core.clock import normal_time

JOURNAL_FILE = "jurnal.jsonl"
VERSION = 1
HEAD, REVISION, LOG, ACTIVE, FILE, SEEN, DECISION = (
    "jurnal", "revisi", "log", "aktif", "berkas", "lihat", "keputusan")
REVIEW, SETTINGS = "verifikasi", "pengaturan"  # issue 26: review workbooks, master settings
_ORDER = {k: i for i, k in enumerate((REVISION, LOG, ACTIVE, SETTINGS, REVIEW, FILE, SEEN,
                                      DECISION))}
# what a review line keeps of the reviews row (the workbook a returned one is judged by)
REVIEW_FIELDS = ("review_id", "revision", "tahun", "period", "atasan_nip", "atasan_nama",
                 "content_hash", "locked_cells", "manifest", "file_path", "issued_at")
# what a file line keeps of the files row (its values are in its bytes, judged again)
FILE_FIELDS = ("size", "kind", "first_seen", "form_id", "revision", "nip", "tahun",
               "status", "problems", "filled", "last_period", "modified_at", "saved_at",
               "saved_from")


# --------------------------------------------------------------------------- lines

def revision_line(form_id: str, revision: int, at: str, file_path: str) -> dict:
    return {"k": REVISION, "form_id": form_id, "revision": revision, "at": at,
            "file_path": file_path}


def log_line(form_id: str, revision: int | None, status: str, at: str) -> dict:
    return {"k": LOG, "form_id": form_id, "revision": revision, "status": status, "at": at}


def active_line(form_id: str, mulai: str, selesai: str, periods: list, at: str) -> dict:
    return {"k": ACTIVE, "form_id": form_id, "mulai": mulai, "selesai": selesai,
            "periods": list(periods), "at": at}


def decision_line(id_: int, at: str, kind: str, form_id, sha256, revision, indicator,
                  period, value_text, reason: str) -> dict:
    return {"k": DECISION, "id": id_, "at": at, "kind": kind, "form_id": form_id,
            "sha256": sha256, "revision": revision, "indicator": indicator,
            "period": period, "value": value_text, "reason": reason}


def review_line(values: dict) -> dict:
    """A review workbook issued (its ``locked_cells`` and ``manifest`` as JSON text)."""
    return {"k": REVIEW, **{f: values.get(f) for f in REVIEW_FIELDS},
            "at": values.get("issued_at")}


def settings_line(values: dict[str, str], at: str) -> dict:
    return {"k": SETTINGS, "values": dict(values), "at": at}


def file_line(sha256: str, values: dict) -> dict:
    return {"k": FILE, "sha256": sha256, **{f: values.get(f) for f in FILE_FIELDS},
            "at": values.get("first_seen")}


def seen_line(sha256: str, source: str, member: str, seen_at: str, run_id: str,
              origin) -> dict:
    return {"k": SEEN, "sha256": sha256, "source": source, "member": member,
            "at": seen_at, "run_id": run_id, "origin": origin or None}


# --------------------------------------------------------------------------- the file

class Journal:
    """The journal file beside a ledger."""

    def __init__(self, path: Path):
        self.path = path
        self.paused = False
        self._ready: str | None = None  # the ledger id the file was last checked for

    @contextmanager
    def pause(self) -> Iterator[None]:
        """Write nothing meanwhile (recovery rebuilds the ledger from this very file)."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False

    def write(self, db: sqlite3.Connection, notes: list[dict]) -> None:
        """Append ``notes`` (inside the transaction that wrote their rows, before its
        commit) and keep the journal's size in ``meta``."""
        if self.paused:
            return
        ledger = ledger_id(db)
        if self._ready != ledger:
            seeded = self._prepare(db, ledger)
            self._ready = ledger
            if seeded:  # the snapshot holds this transaction's rows already
                return
        with open(self.path, "a", encoding="utf-8", newline="\n") as fh:
            fh.write("".join(_text(n) for n in notes))
            size = fh.tell()
        db.execute("INSERT OR REPLACE INTO meta VALUES ('journal_size', ?)", (str(size),))

    def _prepare(self, db: sqlite3.Connection, ledger: str) -> bool:
        """Make sure the file is this ledger's; True when it was started afresh (with a
        snapshot of what the ledger holds)."""
        head = read_head(self.path)
        if head is not None and head.get("ledger") == ledger:
            return False
        if self.path.exists():  # another ledger's: kept aside, never overwritten
            stamp = (head or {}).get("at", "")[:10] or "lama"
            aside = self.path.with_name(f"jurnal-{stamp}-{uuid.uuid4().hex[:8]}.jsonl.lama")
            os.replace(self.path, aside)
        lines = [{"k": HEAD, "v": VERSION, "ledger": ledger,
                  "at": normal_time(_now())}, *snapshot(db)]
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # names, NIPs
        with open(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("".join(_text(n) for n in lines))
            size = fh.tell()
        os.replace(tmp, self.path)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('journal_size', ?)", (str(size),))
        return True


def _text(line: dict) -> str:
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def ledger_id(db: sqlite3.Connection) -> str:
    """The ledger's own id (``meta.ledger_id``), made on first need."""
    row = db.execute("SELECT value FROM meta WHERE key = 'ledger_id'").fetchone()
    if row:
        return row[0]
    value = uuid.uuid4().hex
    db.execute("INSERT INTO meta VALUES ('ledger_id', ?)", (value,))
    return value


def adopt(db: sqlite3.Connection, ledger: str) -> None:
    """A rebuilt ledger takes the id of the journal it was rebuilt from (it goes on)."""
    db.execute("INSERT OR REPLACE INTO meta VALUES ('ledger_id', ?)", (ledger,))


def read_head(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as fh:
            head = json.loads(fh.readline() or "null")
    except (OSError, ValueError):
        return None
    return head if isinstance(head, dict) and head.get("k") == HEAD else None


@dataclass
class JournalContent:
    FILE: ClassVar[str] = FILE  # the kinds of lines a reader tells apart
    SEEN: ClassVar[str] = SEEN
    DECISION: ClassVar[str] = DECISION

    ledger: str | None  # the ledger it belongs to (None: no journal)
    lines: list[dict] = field(default_factory=list)  # in order, the header left out
    bad: int = 0  # lines that could not be read (a line cut by a crash)


def read_journal(path: Path) -> JournalContent:
    """Every readable line of the journal at ``path``."""
    head = read_head(path)
    if head is None:
        return JournalContent(None)
    out = JournalContent(str(head.get("ledger") or ""))
    with open(path, encoding="utf-8", errors="replace") as fh:
        next(fh, None)
        for text in fh:
            try:
                line = json.loads(text)
            except ValueError:
                out.bad += 1
                continue
            if isinstance(line, dict) and line.get("k") in _ORDER:
                out.lines.append(line)
            else:
                out.bad += 1
    return out


def copy_journal(journal: Path, snapshot: Path, target: Path) -> bool:
    """Copy the lines of ``journal`` that belong to the ledger copy ``snapshot`` (its
    ``meta.journal_size`` bytes) to ``target``; False when there is nothing to copy."""
    db = sqlite3.connect(f"file:{snapshot.as_posix()}?mode=ro", uri=True)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN"
                               " ('ledger_id', 'journal_size')"))
    finally:
        db.close()
    head = read_head(journal)
    if head is None or head.get("ledger") != meta.get("ledger_id") or \
            not str(meta.get("journal_size", "")).isdigit():
        return False
    with open(journal, "rb") as src:
        data = src.read(int(meta["journal_size"]))
    target.write_bytes(data)
    return True


# --------------------------------------------------------------------------- a snapshot

def snapshot(db: sqlite3.Connection) -> list[dict]:
    """What the ledger holds, as journal lines in time order: the start of a journal for
    a ledger that had none."""
    lines: list[dict] = []
    for form_id, rev, at, path in db.execute(
            "SELECT form_id, revision, issued_at, file_path FROM forms ORDER BY rowid"):
        lines.append(revision_line(form_id, rev, at, path))
    for form_id, rev, status, at in db.execute(
            "SELECT form_id, revision, status, at FROM issue_log ORDER BY id"):
        lines.append(log_line(form_id, rev, status, at))
    for form_id, mulai, selesai, periods, at in db.execute(
            "SELECT form_id, mulai, selesai, periods, at FROM active_periods ORDER BY id"):
        lines.append(active_line(form_id, mulai, selesai, json.loads(periods), at))
    cur = db.execute(f"SELECT sha256, {', '.join(FILE_FIELDS)} FROM files"
                     " ORDER BY first_seen, sha256")
    for sha, *values in cur:
        row = dict(zip(FILE_FIELDS, values))
        row["problems"] = json.loads(row["problems"] or "[]")
        lines.append(file_line(sha, row))
    for sha, source, member, seen_at, run_id, origin in db.execute(
            "SELECT sha256, source, member, seen_at, run_id, origin FROM sightings"
            " ORDER BY id"):
        lines.append(seen_line(sha, source, member, seen_at, run_id, origin))
    for row in db.execute("SELECT id, at, kind, form_id, sha256, revision, indicator, period,"
                          " value, reason FROM decisions ORDER BY id"):
        lines.append(decision_line(*row))
    for row in db.execute(f"SELECT {', '.join(REVIEW_FIELDS)} FROM reviews ORDER BY rowid"):
        lines.append(review_line(dict(zip(REVIEW_FIELDS, row))))
    settings = dict(db.execute("SELECT key, value FROM master_settings"))
    if settings:
        first = db.execute("SELECT MIN(issued_at) FROM forms").fetchone()[0]
        lines.append(settings_line(settings, first or _now()))
    order = {id(line): i for i, line in enumerate(lines)}
    return sorted(lines, key=lambda x: (normal_time(x.get("at")), _ORDER[x["k"]],
                                        order[id(x)]))
