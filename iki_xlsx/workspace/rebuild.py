"""What recovery writes into a new ledger from the journal (:mod:`.journal`), with the
original times and ids: revisions (their rows come from the form files), the issue log,
Mulai / Selesai, decisions, the atasan's review workbooks and the master's run-time
settings (issue 26: the returned review workbooks, judged again, bring back the atasan's
decisions); and, after a file was judged again, when and where it first
arrived. A file whose bytes are gone gets back its journalled verdict (without values).
Only :mod:`iki_xlsx.year.recovery` calls this, on a ledger that was lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from . import reviews, settings
from .journal import ACTIVE, DECISION, LOG, REVIEW, REVIEW_FIELDS, REVISION, SETTINGS, adopt
from .ledger import Ledger, ledger_json, read_json
from .rows import NewRevision


class Rebuild:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def adopt(self, ledger_id: str) -> None:
        """The rebuilt ledger is the journal's ledger again: the journal goes on."""
        with self.ledger.transaction() as db:
            adopt(db, ledger_id)

    def events(self, lines: list[dict], rows: Mapping[tuple[str, int], NewRevision]) -> list:
        """Apply journal lines that are not about files, in order, in one transaction.
        Returns the (form id, revision) of revisions whose rows are in no form file."""
        missing = []
        with self.ledger.transaction() as db:
            for line in lines:
                kind = line["k"]
                if kind == REVISION:
                    row = rows.get((line["form_id"], line["revision"]))
                    if row is None:
                        missing.append((line["form_id"], line["revision"]))
                    else:
                        _revision(db, row, line["at"], line.get("file_path") or row.file_path)
                elif kind == LOG:
                    db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                               " VALUES (?,?,?,?)", (line["form_id"], line["revision"],
                                                     line["status"], line["at"]))
                elif kind == ACTIVE:
                    db.execute("INSERT INTO active_periods (form_id, mulai, selesai, periods,"
                               " at) VALUES (?,?,?,?,?)",
                               (line["form_id"], line["mulai"], line["selesai"],
                                json.dumps(list(line["periods"])), line["at"]))
                elif kind == REVIEW:  # issue 26: what a returned one is judged by
                    db.execute(reviews.UPSERT, tuple(line[k] for k in REVIEW_FIELDS))
                elif kind == SETTINGS:
                    db.executemany(settings.UPSERT, list(dict(line["values"]).items()))
                elif kind == DECISION:
                    db.execute("INSERT OR REPLACE INTO decisions (id, at, kind, form_id,"
                               " sha256, revision, indicator, period, value, reason)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?)",
                               tuple(line[k] for k in ("id", "at", "kind", "form_id",
                                                       "sha256", "revision", "indicator",
                                                       "period", "value", "reason")))
        return missing

    def arrival(self, line: dict, seen: list[dict], problems: list | None,
                saved: tuple[str, str] | None) -> None:
        """A file judged again: its first arrival (``line``, a journal file line), the
        places it was seen until then (``seen``), its problems with the names it was
        judged under replaced (``problems``), and its saved time when the content did
        not say and the journal does (``saved``: saved_at, saved_from)."""
        sha = line["sha256"]
        with self.ledger.transaction() as db:
            db.execute("UPDATE files SET first_seen = ? WHERE sha256 = ?", (line["at"], sha))
            if problems is not None:
                db.execute("UPDATE files SET problems = ? WHERE sha256 = ?",
                           (read_json(problems), sha))
            if saved is not None:
                db.execute("UPDATE files SET saved_at = ?, saved_from = ? WHERE sha256 = ?",
                           (*saved, sha))
            db.execute("DELETE FROM sightings WHERE sha256 = ?", (sha,))  # the replay's own
            _sightings(db, seen)

    def lost(self, line: dict, seen: list[dict]) -> None:
        """A file whose bytes are in no store and no folder given: its journalled
        verdict, where it was seen (what it gave cannot be read again)."""
        with self.ledger.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO files (sha256, size, first_seen, kind, form_id,"
                " revision, nip, tahun, status, problems, filled, last_period, modified_at,"
                " saved_at, saved_from) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (line["sha256"], line["size"] or 0, line["at"], line["kind"] or "other",
                 line["form_id"], line["revision"], line["nip"], line["tahun"],
                 line["status"], read_json(line["problems"] or []), line["filled"] or 0,
                 -1 if line["last_period"] is None else line["last_period"],
                 line["modified_at"], line["saved_at"], line["saved_from"]))
            _sightings(db, seen)

    def sightings(self, seen: list[dict]) -> None:
        """Later sightings of files already there (seen again in later runs)."""
        with self.ledger.transaction() as db:
            _sightings(db, seen)


def _revision(db, r: NewRevision, at: str, file_path: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO forms (form_id, revision, nip, kode_iki, tahun, nama, jabatan,"
        " perangkat_daerah, unit_kerja, atasan_nip, atasan_nama, content_hash, targets,"
        " form_json, locked_cells, manifest, reading, file_path, issued_at, last_written_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (r.form_id, r.revision, r.nip, r.kode_iki, r.tahun, r.nama, r.jabatan,
         r.perangkat_daerah, r.unit_kerja, r.atasan_nip, r.atasan_nama, r.content_hash,
         ledger_json(r.targets), ledger_json(r.form_json), ledger_json(r.locked_cells),
         ledger_json(r.manifest), ledger_json(r.reading) if r.reading is not None else None,
         file_path, at, at))


def _sightings(db, seen: list[dict]) -> None:
    for s in seen:
        db.execute("INSERT OR IGNORE INTO sightings (sha256, source, member, seen_at, run_id,"
                   " origin) VALUES (?,?,?,?,?,?)",
                   (s["sha256"], s["source"], s.get("member") or "", s["at"], s["run_id"],
                    s.get("origin")))
