"""Contact syntax: e-mail addresses and Indonesian mobile numbers (→ ``62…``), as the
master gives them and as people read them. Pure functions: the master reader validates
with them, remind shows numbers with them; the contacts themselves are kept in the
workspace (:mod:`iki_xlsx.workspace.mail`)."""

from __future__ import annotations

import re

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
