"""Review workbooks (issue 26): every one issued to an atasan for a period, one row per
content (its revision: the same content keeps its number), with its locked cells and
the signed manifest that says which value each row showed; and what making them needs
of the issued forms (who each is for, who assesses it)."""

from __future__ import annotations

import json
import sqlite3

from .journal import REVIEW_FIELDS, review_line
from .ledger import Ledger, from_json, ledger_json, now_iso
from .rows import FormPeople, IssuedReview, NewReview, ReviewRevisions

_COLUMNS = ("review_id, revision, tahun, period, atasan_nip, atasan_nama, locked_cells,"
            " manifest, file_path, issued_at")


# a content issued again keeps its row; only where it was written changes
UPSERT = (f"INSERT INTO reviews ({', '.join(REVIEW_FIELDS)}) VALUES"
          f" ({','.join('?' * len(REVIEW_FIELDS))}) ON CONFLICT (review_id, revision)"
          " DO UPDATE SET file_path = excluded.file_path")


def _issued(row) -> IssuedReview:
    return IssuedReview(*row[:6], json.loads(row[6]), json.loads(row[7]), *row[8:])


class Reviews:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def record(self, reviews: list[NewReview]) -> None:
        """Insert the review workbooks written; one already issued with the same content
        only gets its new path. One transaction."""
        stamp = now_iso()
        rows = [(r.review_id, r.revision, r.tahun, r.period, r.atasan_nip, r.atasan_nama,
                 r.content_hash, ledger_json(r.locked_cells), ledger_json(r.manifest),
                 r.file_path, stamp) for r in reviews]
        with self.ledger.transaction() as db:
            db.executemany(UPSERT, rows)
            for row in rows:  # the journal: what recovery judges returned ones by
                self.ledger.note(review_line(dict(zip(REVIEW_FIELDS, row))))

    def revisions_of(self, review_ids: list[str]) -> dict[str, ReviewRevisions]:
        """For each review id already issued: every content's revision."""
        wanted = set(review_ids)
        known: dict[str, dict[str, int]] = {}
        for review_id, rev, digest in self.ledger.db.execute(
                "SELECT review_id, revision, content_hash FROM reviews ORDER BY revision"):
            if review_id in wanted:
                known.setdefault(review_id, {})[digest] = rev
        return {rid: ReviewRevisions(rid, hashes, max(hashes.values()))
                for rid, hashes in known.items()}

    def issued(self, review_id: str, revision: int) -> IssuedReview | None:
        row = self.ledger.db.execute(
            f"SELECT {_COLUMNS} FROM reviews WHERE review_id = ? AND revision = ?",
            (review_id, revision)).fetchone()
        return _issued(row) if row else None

    def is_known(self, review_id: str) -> bool:
        return self.ledger.db.execute("SELECT 1 FROM reviews WHERE review_id = ? LIMIT 1",
                                      (review_id,)).fetchone() is not None

    def latest(self, tahun: int | None = None,
               period: str | None = None) -> list[IssuedReview]:
        """The latest revision of every review workbook (of ``tahun`` and ``period``), in
        the order issued."""
        sql = (f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))}"
               " FROM reviews r JOIN (SELECT review_id, MAX(revision) AS revision FROM"
               " reviews GROUP BY review_id) m ON r.review_id = m.review_id AND"
               " r.revision = m.revision")
        clauses, args = [], []
        if tahun is not None:
            clauses.append("r.tahun = ?")
            args.append(tahun)
        if period is not None:
            clauses.append("r.period = ?")
            args.append(period)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return [_issued(r) for r in self.ledger.db.execute(sql + " ORDER BY r.rowid", args)]

    def people(self, form_ids: list[str]) -> dict[str, FormPeople]:
        """form id → the pegawai and atasan of its current revision, as issued (SQLite
        cuts the two out of the form JSON; without its JSON functions, decoded here)."""
        wanted = set(form_ids)
        db = self.ledger.db
        current = ("SELECT l.form_id, l.revision FROM issue_log l JOIN (SELECT form_id,"
                   " MAX(id) AS id FROM issue_log GROUP BY form_id) last ON l.id = last.id")
        try:
            rows = db.execute(
                "SELECT f.form_id, json_extract(f.form_json, '$.pegawai'),"
                " json_extract(f.form_json, '$.atasan') FROM forms f"
                f" JOIN ({current}) m ON f.form_id = m.form_id AND f.revision = m.revision"
            ).fetchall()
            decoded = ((f, json.loads(p), json.loads(a)) for f, p, a in rows if f in wanted)
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            rows = db.execute(f"SELECT f.form_id, f.form_json FROM forms f JOIN ({current})"
                              " m ON f.form_id = m.form_id AND f.revision = m.revision"
                              ).fetchall()
            decoded = ((f, d["pegawai"], d["atasan"]) for f, d in (
                (f, from_json(t)) for f, t in rows if f in wanted))
        return {f: FormPeople(f, p, a) for f, p, a in decoded}
