"""Settings of the master that commands read at run time, from the ledger: ``generate``
records them (the master is the truth: each run replaces them), the recap reads
``hanya_terverifikasi`` (issue 26) without the master at hand."""

from __future__ import annotations

from .journal import settings_line
from .ledger import Ledger, now_iso


UPSERT = ("INSERT INTO master_settings (key, value) VALUES (?, ?)"
          " ON CONFLICT (key) DO UPDATE SET value = excluded.value")


class MasterSettings:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def record(self, values: dict[str, str]) -> None:
        """Store ``values`` (key → text), replacing what was recorded for those keys."""
        with self.ledger.transaction() as db:
            db.executemany(UPSERT, list(values.items()))
            self.ledger.note(settings_line(values, now_iso()))

    def get(self, key: str, default: str = "") -> str:
        row = self.ledger.db.execute("SELECT value FROM master_settings WHERE key = ?",
                                     (key,)).fetchone()
        return row[0] if row else default
