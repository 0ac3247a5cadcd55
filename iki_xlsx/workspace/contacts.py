"""Each pegawai's contact (e-mail, mobile number) and the master's optional SMTP rows of
Pengaturan (host, port, user, sender — never a password), kept in the ledger: written by
``generate`` (the master is the truth: a blank cell clears), read by distribute, remind
and collect's "sender is not the registered address" note."""

from __future__ import annotations

from ..core.model import Contact, Master


def record_contacts(ws, master: Master) -> int:
    """Store the master's contacts (a blank cell clears the stored value: the master is
    the truth). Returns how many pegawai have an e-mail."""
    ws.save_contacts({nip: (c.email, c.no_hp) for nip, c in master.contacts.items()},
                     dict(master.mail_settings))
    return sum(1 for c in master.contacts.values() if c.email)


def load_contacts(ws) -> dict[str, Contact]:
    """NIP → contact, as last recorded."""
    return {nip: Contact(email, hp) for nip, (email, hp) in ws.contacts().items()}


def load_mail_settings(ws) -> dict[str, str]:
    """The master's SMTP rows of Pengaturan, as last recorded (host, port, user, sender)."""
    return ws.mail_settings()
