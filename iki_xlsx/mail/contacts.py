"""Contacts: e-mail syntax, Indonesian mobile numbers (→ ``62…``), and the small ledger
table that keeps them per NIP (written at generate time, read by distribute, remind and
collect's "sender is not the registered address" note), and the master's optional SMTP
rows of Pengaturan (``mail_settings``: host, port, user, sender — never a password).

The table lives in the workspace's ledger but is this module's own (created here, never
touched by the rest of the ledger code): ``mail_contacts (nip, email, no_hp, updated_at)``.
"""

from __future__ import annotations

import re

from ..core.model import Contact, Master

# Deliberately plain: local@domain.tld, no quoted local parts, no IP literals, no spaces.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
                    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}$")


def normalize_email(raw: object) -> str | None:
    """The address (domain lower-cased), "" when blank, None when it is not one."""
    text = str(raw or "").strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not text:
        return ""
    if not _EMAIL.match(text) or ".." in text or text.split("@")[0].startswith(".") \
            or text.split("@")[0].endswith("."):
        return None
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def normalize_hp(raw: object) -> str | None:
    """An Indonesian mobile number as ``62…`` digits: ``0812-3456-789``, ``+62 812 …``,
    ``62812…``, ``812…`` (Excel dropped the 0) → ``62812…``. "" when blank, None when it is
    not a mobile number (a landline ``0541…``, too short or long, letters)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw or "").strip()
    if not text:
        return ""
    if re.search(r"[^\d\s+().\-/]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("62"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = digits[1:]
    elif digits.startswith("8"):
        rest = digits
    else:
        return None
    if rest.startswith("0"):
        rest = rest[1:]  # +62 (0)812…
    if not rest.startswith("8") or not 9 <= len(rest) <= 12:
        return None
    return "62" + rest


def show_hp(number: str) -> str:
    """``6281234567890`` → ``0812-3456-7890`` (as people read it)."""
    if not number.startswith("62"):
        return number
    local = "0" + number[2:]
    return "-".join([local[:4], local[4:8], local[8:]]).rstrip("-")


# --------------------------------------------------------------------------- ledger

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
