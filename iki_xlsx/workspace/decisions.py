"""The officer's decisions: each with its reason and time, added, never changed — a file
set aside or taken back, a value set, made blank or given back to the files."""

from __future__ import annotations

import json

from ..core.timeline import Decision
from .journal import decision_line
from .ledger import Ledger, now_iso, read_json


class Decisions:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def add(self, kind: str, reason: str, *, form_id: str | None = None,
            sha256: str | None = None, revision: int | None = None,
            indicator: str | None = None, period: str | None = None,
            value: object = None) -> int:
        """Record one decision of the officer (never changed afterwards); its id."""
        stamp = now_iso()
        text = None if value is None else read_json(value)  # "Ya" too: JSON, quoted
        with self.ledger.transaction() as db:
            id_ = db.execute(
                "INSERT INTO decisions (at, kind, form_id, sha256, revision, indicator, period,"
                " value, reason) VALUES (?,?,?,?,?,?,?,?,?)",
                (stamp, kind, form_id, sha256, revision, indicator, period, text,
                 reason)).lastrowid
            self.ledger.note(decision_line(id_, stamp, kind, form_id, sha256, revision,
                                           indicator, period, text, reason))
            return id_

    def by_form(self, form_ids: list[str] | None = None) -> dict[str, list[Decision]]:
        """form id → its decisions (and its files'), in the order they were taken."""
        wanted = None if form_ids is None else set(form_ids)
        out: dict[str, list[Decision]] = {}
        for (id_, at, kind, reason, sha, revision, indicator, period, value,
             form_id) in self.ledger.db.execute(
                "SELECT id, at, kind, reason, sha256, revision, indicator, period, value,"
                " form_id FROM decisions ORDER BY id"):
            if form_id and (wanted is None or form_id in wanted):
                out.setdefault(form_id, []).append(Decision(
                    id_, at, kind, reason, sha, revision, indicator, period,
                    _value(value)))
        return out


def _value(text: str | None) -> object:
    """A decision's value: JSON — or, as earlier versions stored a text value (Ya /
    Tidak) without quotes, that text itself."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
