"""The atasan's decisions (issue 26): each decision a returned review workbook carries,
per form × indikator × period, with the atasan's NIP, the file it came in, that file's
saved time and the umpan balik — added with the file, in its transaction, only when the
file is new to the ledger; never changed. Read back as
:class:`iki_xlsx.core.timeline.Verification`, the type the timeline works with."""

from __future__ import annotations

import sqlite3

from ..core.clock import normal_time
from ..core.timeline import KOREKSI, Verification
from .ledger import Ledger, chunks, from_json, read_json
from .rows import VerificationRow


def insert_verifications(db: sqlite3.Connection, sha256: str, saved_at: str | None,
                         rows: list[VerificationRow], stamp: str) -> None:
    """Record the decisions of one new file (inside the caller's transaction). The
    saved time is the file's, never later than ``stamp``: when it reached us."""
    arrived = normal_time(stamp)
    saved = min(saved_at or arrived, arrived) if arrived else saved_at
    db.executemany(
        "INSERT INTO verifications (sha256, review_id, form_id, revision, indicator, period,"
        " kind, value, shown, base, source, note, atasan_nip, saved_at, recorded_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(sha256, r.review_id, r.form_id, r.revision, r.indicator, r.period, r.kind,
          _json(r.value), _json(r.shown), _json(r.base), r.source, r.note, r.atasan_nip,
          saved, stamp) for r in rows])


def _json(value: object) -> str | None:
    return None if value is None else read_json(value)  # "Ya" too: quoted


class Verifications:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def by_form(self, form_ids: list[str] | None = None,
                names: dict[str, str] | None = None) -> dict[str, list[Verification]]:
        """form id → the atasan's decisions about it, in the order recorded. ``names``:
        where each workbook was first seen (sha256 → name), when the caller has it."""
        sql = ("SELECT v.id, v.kind, v.revision, v.indicator, v.period, v.value, v.base,"
               " v.note, v.atasan_nip, v.sha256, v.saved_at, f.first_seen, v.form_id"
               " FROM verifications v LEFT JOIN files f ON f.sha256 = v.sha256")
        out: dict[str, list[Verification]] = {}
        db = self.ledger.db
        if form_ids is None:
            batches = [db.execute(sql + " ORDER BY v.id")]
        else:
            batches = (db.execute(sql + f" WHERE v.form_id IN ({','.join('?' * len(c))})"
                                  " ORDER BY v.id", c) for c in chunks(list(form_ids)))
        for rows in batches:
            for (id_, kind, rev, ind, period, value, base, note, nip, sha, saved, seen,
                 form_id) in rows:
                name = (names or {}).get(sha, "")
                out.setdefault(form_id, []).append(Verification(
                    id_, kind, rev, ind, period, from_json(value), from_json(base), note,
                    nip, sha, saved or "", seen or "", name))
        return out

    def corrected_forms(self) -> set[str]:
        """The forms with a Koreksi of the atasan (a value that may fill a blank)."""
        return {r[0] for r in self.ledger.db.execute(
            "SELECT DISTINCT form_id FROM verifications WHERE kind = ?", (KOREKSI,))}

    def count_of_files(self, shas: list[str]) -> dict[str, int]:
        """sha256 → how many decisions that review workbook recorded."""
        out: dict[str, int] = {}
        for chunk in chunks(list(shas)):
            out.update(self.ledger.db.execute(
                "SELECT sha256, COUNT(*) FROM verifications WHERE sha256 IN"
                f" ({','.join('?' * len(chunk))}) GROUP BY sha256", chunk))
        return out
