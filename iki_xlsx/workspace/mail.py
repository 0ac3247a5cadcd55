"""E-mail records: each pegawai's contact (e-mail, mobile number) and the master's
optional SMTP rows of Pengaturan (host, port, user, sender — never a password), written
by ``generate`` (the master is the truth: a blank cell clears) and read by distribute,
remind and collect's "sender is not the registered address" note; and the send log (one
row per form, revision and kind of message: running again sends what was not sent)."""

from __future__ import annotations

from ..core.model import Contact, Master
from .ledger import Ledger, now_iso
from .rows import SendLogEntry


class MailRecords:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def record_contacts(self, master: Master) -> int:
        """Store the master's contacts and its SMTP rows, replacing what was recorded (a
        blank cell clears the stored value). Returns how many pegawai have an e-mail."""
        stamp = now_iso()
        with self.ledger.transaction() as db:
            for nip, c in master.contacts.items():
                db.execute("INSERT INTO mail_contacts (nip, email, no_hp, updated_at)"
                           " VALUES (?,?,?,?) ON CONFLICT (nip) DO UPDATE SET"
                           " email = excluded.email, no_hp = excluded.no_hp,"
                           " updated_at = excluded.updated_at", (nip, c.email, c.no_hp, stamp))
            db.execute("DELETE FROM mail_settings")
            for key, value in dict(master.mail_settings).items():
                db.execute("INSERT INTO mail_settings VALUES (?, ?)", (key, value))
        return sum(1 for c in master.contacts.values() if c.email)

    def contacts(self) -> dict[str, Contact]:
        """NIP → contact, as last recorded."""
        return {nip: Contact(email, hp) for nip, email, hp in
                self.ledger.db.execute("SELECT nip, email, no_hp FROM mail_contacts")}

    def settings(self) -> dict[str, str]:
        """The master's SMTP rows, as last recorded (smtp_host, smtp_port, smtp_user,
        email_pengirim)."""
        return dict(self.ledger.db.execute("SELECT key, value FROM mail_settings"))

    def sent_keys(self, status: str) -> set[tuple[str, int, str]]:
        """(form id, revision, kind) of every message whose last try ended ``status``."""
        return {(f, r, k) for f, r, k in self.ledger.db.execute(
            "SELECT form_id, revision, kind FROM mail_sends WHERE status = ?", (status,))}

    def log_send(self, key: tuple[str, int, str], recipient: str, status: str,
                 message_id: str, error: str = "") -> None:
        with self.ledger.transaction() as db:
            db.execute("INSERT INTO mail_sends (form_id, revision, kind, recipient, status,"
                       " error, message_id, attempts, at) VALUES (?,?,?,?,?,?,?,1,?)"
                       " ON CONFLICT (form_id, revision, kind) DO UPDATE SET"
                       " recipient = excluded.recipient, status = excluded.status,"
                       " error = excluded.error, attempts = mail_sends.attempts + 1,"
                       " at = excluded.at",
                       (*key, recipient, status, error[:500], message_id, now_iso()))

    def send_log(self) -> list[SendLogEntry]:
        return [SendLogEntry(*row) for row in self.ledger.db.execute(
            "SELECT form_id, revision, kind, recipient, status, error, message_id, attempts,"
            " at FROM mail_sends ORDER BY at, form_id")]
