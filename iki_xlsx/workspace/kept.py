"""Each form's values as its files give them, kept (issue 25): one row per form, what
:func:`iki_xlsx.core.timeline.meet` gave for its files, as :mod:`iki_xlsx.core.kept`
writes it. A new file is met with these values instead of its form's earlier files; a
recap reads them instead of every file's values.

Derived data, never the truth: a row says which files it was made of (a fingerprint),
and whoever reads it uses it only when those are still the first of the form's files
(else the files are met again, and the row made again). A rejudged file can change what
it gave without changing the files: a row made before a file of its form was rejudged
(the ``rejudged`` table's ids) is not handed out. Not journaled (recovery makes it again
from the files)."""

from __future__ import annotations

from .ledger import Ledger, chunks, now_iso


class KeptValues:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def of(self, form_ids: list[str]) -> tuple[int, dict[str, tuple[int, str]]]:
        """(the ledger's mark — hand it back to :meth:`keep` —, form id → (the revision
        its values are of, what was kept)) for the forms that have a row no rejudge has
        voided since."""
        db = self.ledger.db
        (mark,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM rejudged").fetchone()
        out: dict[str, tuple[int, str]] = {}
        if self.ledger.read_only and not _has_table(db):  # a ledger nobody upgraded yet
            return mark, out
        older: dict[str, int] = {}
        for chunk in chunks(list(form_ids)):
            for form_id, revision, seen, state in db.execute(
                    "SELECT form_id, revision, rejudged, state FROM form_values"
                    f" WHERE form_id IN ({','.join('?' * len(chunk))})", chunk):
                out[form_id] = (revision, state)
                if seen < mark:
                    older[form_id] = seen
        if older:  # a file of the form rejudged after its row was made: not handed out
            for form_id, at in db.execute(
                    "SELECT f.form_id, r.id FROM rejudged r JOIN files f"
                    " ON f.sha256 = r.sha256 WHERE r.id > ?", (min(older.values()),)):
                if form_id in older and at > older[form_id]:
                    out.pop(form_id, None)
        return mark, out

    def forms(self) -> set[str]:
        """The forms that have a row (whether it still matches their files or not)."""
        return {r[0] for r in self.ledger.db.execute("SELECT form_id FROM form_values")}

    def keep(self, rows: list[tuple[str, int, str]], mark: int) -> None:
        """Keep each ``(form id, revision, state)``, made from what the ledger held at
        ``mark`` (:meth:`of`), in one transaction; nothing when the ledger is opened to
        read only."""
        if not rows or self.ledger.read_only:
            return
        stamp = now_iso()
        with self.ledger.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO form_values (form_id, revision, rejudged,"
                           " state, at) VALUES (?,?,?,?,?)",
                           [(fid, rev, mark, state, stamp) for fid, rev, state in rows])


def _has_table(db) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                      " AND name = 'form_values'").fetchone() is not None
