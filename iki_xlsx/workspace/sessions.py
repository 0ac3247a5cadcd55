"""The portal officer's sessions, kept on the server: the browser holds a random token,
the ledger only its sha256 (a copy of the ledger opens no session), when it began, when
it was last used and from where, and when and why it ended — at logout, at a password
change, when the officer ends them all, or past the idle and absolute time-outs."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from .ledger import Ledger

KEEP_DAYS = 30  # ended sessions stay this long (the audit log keeps the rest)
TOUCH_SECONDS = 60  # last use is written at most this often (one small write)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _text(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class Sessions:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def start(self, client: str, password_tag: str) -> str:
        """A new session for the officer logged in from ``client``; its token (given to
        the browser only). ``password_tag`` names the password it was opened with: a
        session outlives no password change."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.ledger.transaction() as db:
            db.execute("DELETE FROM portal_sessions WHERE ended_at < ? OR last_seen < ?",
                       (_text(now - timedelta(days=KEEP_DAYS)),) * 2)
            db.execute("INSERT INTO portal_sessions (id, created_at, last_seen, client,"
                       " password_tag) VALUES (?,?,?,?,?)",
                       (_digest(token), _text(now), _text(now), client[:100], password_tag))
        return token

    def check(self, token: str | None, password_tag: str, idle: timedelta,
              absolute: timedelta) -> str:
        """"" when ``token`` opens a live session (its last use is then recorded), else
        why not: ``tidak_ada``, ``berakhir`` (ended), ``diam`` (idle too long), ``lama``
        (older than ``absolute``), ``sandi`` (opened with another password)."""
        if not token:
            return "tidak_ada"
        row = self.ledger.db.execute(
            "SELECT created_at, last_seen, ended_at, ended_why, password_tag"
            " FROM portal_sessions WHERE id = ?", (_digest(token),)).fetchone()
        if row is None:
            return "tidak_ada"
        created, seen, ended, ended_why, tag = row
        now = _now()
        if ended:
            return "sandi" if ended_why == "sandi_diganti" else "berakhir"
        why = "sandi" if tag != password_tag else \
            "lama" if now - datetime.fromisoformat(created) > absolute else \
            "diam" if now - datetime.fromisoformat(seen) > idle else ""
        if why:
            self._end(_digest(token), why)
        elif not why and now - datetime.fromisoformat(seen) > timedelta(seconds=TOUCH_SECONDS):
            with self.ledger.transaction() as db:
                db.execute("UPDATE portal_sessions SET last_seen = ? WHERE id = ?",
                           (_text(now), _digest(token)))
        return why

    def end(self, token: str | None, why: str) -> None:
        """End one session (logout)."""
        if token:
            self._end(_digest(token), why)

    def end_all(self, why: str) -> int:
        """End every live session (a password change, or the officer's own choice): how
        many were open."""
        with self.ledger.transaction() as db:
            return db.execute("UPDATE portal_sessions SET ended_at = ?, ended_why = ?"
                              " WHERE ended_at IS NULL", (_text(_now()), why)).rowcount

    def live(self) -> int:
        """Sessions not ended (some may have timed out without being asked since)."""
        (n,) = self.ledger.db.execute(
            "SELECT COUNT(*) FROM portal_sessions WHERE ended_at IS NULL").fetchone()
        return n

    def _end(self, digest: str, why: str) -> None:
        with self.ledger.transaction() as db:
            db.execute("UPDATE portal_sessions SET ended_at = ?, ended_why = ?"
                       " WHERE id = ? AND ended_at IS NULL", (_text(_now()), why, digest))
