"""Collected files: every distinct content ever collected (by sha256) with its verdict and
what was read from it, every place and run it was seen in, and the verdicts a rejudge
replaced. (Their bytes are in the store: :mod:`.store`.)"""

from __future__ import annotations

import json
from dataclasses import fields

from ..core import fastjson
from ..core.problems import ACCEPTED, Status
from ..core.timeline import FileInput
from .journal import FILE_FIELDS, file_line, seen_line
from .ledger import Ledger, chunks, from_json, ledger_json, now_iso, read_json
from .rows import CollectedFile, FileEntry, FileGlance, FileMask, Sighting
from .verifications import insert_verifications

_COLUMNS = tuple(f.name for f in fields(CollectedFile))
_SELECT = ", ".join(_COLUMNS)
_SELECT_LIGHT = ", ".join("NULL" if c == "realisasi" else c for c in _COLUMNS)
_JSON = {_COLUMNS.index(c) for c in ("problems", "realisasi", "filled_mask")}


def _file(row) -> CollectedFile:
    return CollectedFile(*(from_json(v) if i in _JSON else v for i, v in enumerate(row)))


def _entry_values(entry: FileEntry) -> tuple:
    """The verdict columns of ``entry``, in the order of the statements below."""
    return (entry.kind, entry.form_id, entry.revision, entry.nip, entry.tahun, entry.status,
            read_json(entry.problems or []),
            read_json(entry.realisasi) if entry.realisasi is not None else None,
            entry.filled, entry.last_period, entry.modified_at, entry.saved_at,
            entry.saved_from,
            read_json(entry.filled_mask) if entry.filled_mask is not None else None,
            entry.arrived_at, entry.trusted_at)


def _plain(entry: FileEntry) -> dict:
    """A new file's verdict as its journal line keeps it (not what was read from it)."""
    return {f: getattr(entry, f) for f in FILE_FIELDS if f != "first_seen"}


class CollectedFiles:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    # -- recording
    def record(self, items: list[tuple], run_id: str) -> list[bool]:
        """Record files, each ``(entry, source, member[, origin[, verifications]])``, and
        where they were seen, in one transaction: all or none. For each, True when its
        content is new to the ledger (a file seen before under any name only gains a
        sighting). ``origin``: the sighting's provenance as JSON text (mail: message id,
        date, sender), or "". ``verifications``: the atasan's decisions a review workbook
        carries (issue 26), recorded with it when it is new."""
        stamp = now_iso("microseconds")  # orders files collected in one second
        out = []
        note = self.ledger.note
        with self.ledger.transaction() as db:
            for entry, source, member, *rest in items:
                new = db.execute(
                    "INSERT OR IGNORE INTO files (sha256, size, first_seen, kind, form_id,"
                    " revision, nip, tahun, status, problems, realisasi, filled, last_period,"
                    " modified_at, saved_at, saved_from, filled_mask, arrived_at, trusted_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (entry.sha256, entry.size, stamp, *_entry_values(entry))).rowcount == 1
                out.append(new)
                if new:  # the journal: when it first arrived, and its verdict
                    note(file_line(entry.sha256, {**_plain(entry), "first_seen": stamp}))
                if new and len(rest) > 1 and rest[1]:
                    insert_verifications(db, entry.sha256, entry.saved_at, rest[1], stamp)
                origin = (rest[0] if rest else "") or None
                if db.execute("INSERT OR IGNORE INTO sightings (sha256, source, member,"
                              " seen_at, run_id, origin) VALUES (?,?,?,?,?,?)",
                              (entry.sha256, source, member, stamp, run_id,
                               origin)).rowcount == 1:
                    note(seen_line(entry.sha256, source, member, stamp, run_id, origin))
        return out

    def replace_verdict(self, entry: FileEntry, verifications=None) -> None:
        """A stored file judged again: its old row goes to ``rejudged``, the new verdict
        takes its place (what was seen, where and when stays). A review workbook whose
        decisions were never recorded (refused before) gets them now (issue 26)."""
        with self.ledger.transaction() as db:
            cur = db.execute("SELECT * FROM files WHERE sha256 = ?", (entry.sha256,))
            row = cur.fetchone()
            if row is None:
                return
            old = dict(zip([d[0] for d in cur.description], row))
            db.execute("INSERT INTO rejudged (sha256, at, old) VALUES (?,?,?)",
                       (entry.sha256, now_iso(), ledger_json(old)))
            # what it gave may change: the values kept for its forms are made again
            db.execute("DELETE FROM form_values WHERE form_id IN (?, ?)",
                       (old.get("form_id") or "", entry.form_id or ""))
            db.execute(
                "UPDATE files SET kind = ?, form_id = ?, revision = ?, nip = ?, tahun = ?,"
                " status = ?, problems = ?, realisasi = ?, filled = ?, last_period = ?,"
                " modified_at = ?, saved_at = COALESCE(?, saved_at),"
                " saved_from = COALESCE(?, saved_from), filled_mask = ?,"
                " arrived_at = COALESCE(?, arrived_at), trusted_at = COALESCE(?, trusted_at)"
                " WHERE sha256 = ?",
                (*_entry_values(entry), entry.sha256))
            if verifications and db.execute("SELECT 1 FROM verifications WHERE sha256 = ?"
                                            " LIMIT 1", (entry.sha256,)).fetchone() is None:
                insert_verifications(db, entry.sha256, old.get("saved_at"), verifications,
                                     old["first_seen"])

    # -- reading
    def known_shas(self, limit: int = 200_000) -> set[str] | None:
        """The sha256 of every file in the ledger, or None when there are more than
        ``limit`` (a set that large is not worth its memory)."""
        db = self.ledger.db
        (count,) = db.execute("SELECT COUNT(*) FROM files").fetchone()
        if count > limit:
            return None
        return {r[0] for r in db.execute("SELECT sha256 FROM files")}

    def get(self, sha256: str) -> CollectedFile | None:
        row = self.ledger.db.execute(f"SELECT {_SELECT} FROM files WHERE sha256 = ?",
                                     (sha256,)).fetchone()
        return _file(row) if row else None

    def all(self, *, light: bool = False) -> list[CollectedFile]:
        """Every collected file, in the order collected; ``light``: without what was read
        from it (``realisasi`` None)."""
        return [_file(r) for r in self.ledger.db.execute(
            f"SELECT {_SELECT_LIGHT if light else _SELECT} FROM files"
            " ORDER BY first_seen, sha256")]

    def latest(self, tahun: int | None, count: int) -> list[CollectedFile]:
        """The last ``count`` files collected (read ``light``) of ``tahun`` or of no year,
        in the order collected."""
        rows = self.ledger.db.execute(
            f"SELECT {_SELECT_LIGHT} FROM files WHERE tahun IS NULL OR tahun = ?"
            " ORDER BY first_seen DESC, sha256 DESC LIMIT ?", (tahun, count)).fetchall()
        return [_file(r) for r in reversed(rows)]

    def glances(self) -> list[FileGlance]:
        """Every collected file of a form, as :class:`FileGlance`, in the order
        collected."""
        return [FileGlance(*r) for r in self.ledger.db.execute(
            "SELECT form_id, status, revision, last_period, first_seen FROM files"
            " WHERE form_id IS NOT NULL AND form_id != '' ORDER BY first_seen, sha256")]

    def with_problems(self) -> list[CollectedFile]:
        """The files (read ``light``) that were rejected or have problems, in the order
        collected."""
        return [f for f in map(_file, self.ledger.db.execute(
            f"SELECT {_SELECT_LIGHT} FROM files WHERE status = ? OR (problems IS NOT NULL"
            " AND problems NOT IN ('[]', 'null', '')) ORDER BY first_seen, sha256",
            (Status.REJECTED.value,))) if f.status == Status.REJECTED or f.problems]

    def sightings(self, sha256: str) -> list[Sighting]:
        return [Sighting(*row[:6], from_json(row[6])) for row in self.ledger.db.execute(
            "SELECT id, sha256, source, member, seen_at, run_id, origin FROM sightings"
            " WHERE sha256 = ? ORDER BY id", (sha256,))]

    def first_sightings(self, shas: list[str]) -> dict[str, Sighting]:
        """sha256 → where and how each file was first seen (path or archive member, and
        its mail or upload provenance): what a decision about the file names."""
        out = {}
        for chunk in chunks(sorted(set(shas))):
            for row in self.ledger.db.execute(
                    "SELECT id, sha256, source, member, seen_at, run_id, origin FROM sightings"
                    " WHERE id IN (SELECT MIN(id) FROM sightings WHERE sha256 IN"
                    f" ({','.join('?' * len(chunk))}) GROUP BY sha256)", chunk):
                out[row[1]] = Sighting(*row[:6], from_json(row[6]))
        return out

    def first_names(self) -> dict[str, str]:
        """sha256 → where the file was first seen (path, or "archive › member")."""
        out = {}
        for sha, source, member in self.ledger.db.execute(
                "SELECT sha256, source, member FROM sightings WHERE id IN"
                " (SELECT MIN(id) FROM sightings GROUP BY sha256)"):
            out[sha] = f"{source} › {member}" if member else source
        return out

    # -- the year
    def year_files(self, form_ids: list[str], names: dict[str, str] | None = None, *,
                   light: bool = False) -> dict[str, list[FileInput]]:
        """form id → its accepted files (what each gave, when it was saved and
        collected, where it was first seen: ``names``, :meth:`first_names` when the
        caller has it); ``light``: without what they gave (:meth:`realisasi_of`)."""
        where = " WHERE status IN (?, ?) AND form_id IN ({})"
        if names is None:  # where these files were first seen (not every file's)
            names = {sha: s.where for sha, s in self.first_sightings([
                r[0] for chunk in chunks(list(form_ids)) for r in self.ledger.db.execute(
                    "SELECT sha256 FROM files" + where.format(",".join("?" * len(chunk))),
                    (*ACCEPTED, *chunk))]).items()}
        out: dict[str, list] = {}
        for chunk in chunks(list(form_ids)):
            cur = self.ledger.db.execute(
                "SELECT sha256, form_id, revision, saved_at, first_seen,"
                f" {'NULL' if light else 'realisasi'}, trusted_at FROM files"
                + where.format(",".join("?" * len(chunk))),
                (*ACCEPTED, *chunk))
            for sha, form_id, rev, saved, seen, real, trusted in cur:
                if rev is not None:
                    out.setdefault(form_id, []).append(_year_input(
                        sha, rev, saved, seen, trusted, names.get(sha, sha[:12]), real))
        return out

    def realisasi_of(self, shas: list[str]) -> dict[str, dict]:
        """sha256 → what each of these files gave (as :class:`FileInput` holds it)."""
        out = {}
        for chunk in chunks(sorted(set(shas))):
            for sha, real in self.ledger.db.execute(
                    "SELECT sha256, realisasi FROM files WHERE sha256 IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                out[sha] = fastjson.loads(real) if real else {}
        return out

    def year_orders(self, form_ids: list[str]) -> dict[str, list[tuple[FileInput, dict | None]]]:
        """form id → each accepted file, without what it gave (``realisasi`` empty, no
        name), and the bits of the indikator it filled per period: the order of a form's
        files and which of them filled a cell, without decoding what they gave."""
        out: dict[str, list] = {}
        mask_of = _masks()
        for chunk in chunks(list(form_ids)):
            for sha, form_id, rev, saved, seen, trusted, mask in self.ledger.db.execute(
                    "SELECT sha256, form_id, revision, saved_at, first_seen, trusted_at,"
                    " filled_mask FROM files WHERE status IN (?, ?)"
                    f" AND form_id IN ({','.join('?' * len(chunk))})", (*ACCEPTED, *chunk)):
                if rev is not None:
                    out.setdefault(form_id, []).append((
                        _year_input(sha, rev, saved, seen, trusted), mask_of(mask)))
        return out

    def year_inputs(self, shas: list[str], *, named: bool = True) -> dict[str, FileInput]:
        """sha256 → the accepted file as :meth:`year_files` gives it (what it gave, where
        it was first seen), for these files only; ``named=False``: without where it was
        first seen (its name is the start of its sha256)."""
        names = {sha: s.where for sha, s in self.first_sightings(shas).items()} \
            if named else {}
        out = {}
        for chunk in chunks(sorted(set(shas))):
            for sha, rev, saved, seen, real, trusted in self.ledger.db.execute(
                    "SELECT sha256, revision, saved_at, first_seen, realisasi, trusted_at"
                    f" FROM files WHERE status IN (?, ?) AND sha256 IN"
                    f" ({','.join('?' * len(chunk))})", (*ACCEPTED, *chunk)):
                if rev is not None:
                    out[sha] = _year_input(sha, rev, saved, seen, trusted,
                                           names.get(sha, sha[:12]), real)
        return out

    def year_masks(self) -> dict[str, list[FileMask]]:
        """form id → the revision and the bits of the indikator filled per period of each
        accepted file: the statuses per period, without reading what the files gave."""
        out: dict[str, list] = {}
        mask_of = _masks()
        for form_id, rev, mask in self.ledger.db.execute(
                "SELECT form_id, revision, filled_mask FROM files"
                " WHERE status IN (?, ?) AND form_id IS NOT NULL", ACCEPTED):
            out.setdefault(form_id, []).append(FileMask(rev, mask_of(mask)))
        return out


def _masks():
    """:func:`from_json` for ``filled_mask`` texts, each distinct text decoded once (a
    year's files repeat a few masks: every cell filled up to a period); every row gets
    a dict of its own."""
    decoded: dict[str, dict] = {}

    def mask_of(text: str | None):
        mask = decoded.get(text) if text is not None else None
        if mask is None:
            mask = from_json(text)
            if not isinstance(mask, dict) or \
                    not all(type(bits) is int for bits in mask.values()):
                return mask  # not a plain mask: decoded each time, shared with no one
            decoded[text] = mask
        return dict(mask)
    return mask_of


def _year_input(sha: str, revision: int, saved: str | None, seen: str | None,
                trusted: str | None, name: str = "", realisasi: str | None = None
                ) -> FileInput:
    """An accepted file's ledger row as the timeline meets it: in the order of the time
    we trust it was saved (else its own claim), with what it gave (``realisasi``, the
    stored JSON text; none: not decoded)."""
    return FileInput(sha, revision, trusted or saved or "", seen or "", name,
                     fastjson.loads(realisasi) if realisasi else {}, saved or "")
