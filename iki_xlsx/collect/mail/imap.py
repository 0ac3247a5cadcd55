"""Attachments out of an IMAP folder: TLS by default (plaintext only when asked for
explicitly), the folder opened read-only (EXAMINE), each message fetched on its own with
``BODY.PEEK[]`` (nothing is marked as read), sizes checked before fetching.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .inbox import (
    MAX_MESSAGE_BYTES,
    Attachment,
    MailError,
    MailStats,
    message_attachments,
    problem_only,
)


@dataclass
class ImapSpec:
    host: str
    user: str
    password: str = field(default="", repr=False)  # never printed, never stored
    folder: str = "INBOX"
    port: int | None = None
    since: date | None = None
    tls: bool = True  # implicit TLS (993); False only with the explicit plaintext flag
    ca_file: str | None = None  # extra CA (a self-signed office server)
    timeout: float = 60.0

    @property
    def label(self) -> str:
        return f"imap://{self.user}@{self.host}/{self.folder}"


def read_imap(spec: ImapSpec, stats: MailStats) -> Iterator[Attachment]:
    """The attachments of every message of an IMAP folder (since a date): the folder is
    opened read-only (EXAMINE) and messages fetched one at a time with BODY.PEEK (nothing
    is marked as read)."""
    conn = _imap_connect(spec)
    try:
        typ, _ = conn.select(_quote(spec.folder), readonly=True)
        if typ != "OK":
            raise MailError("imap_folder", folder=spec.folder)
        query = f"SINCE {spec.since.day}-{_MONTHS[spec.since.month - 1]}-{spec.since.year}" \
            if spec.since else "ALL"
        typ, data = conn.uid("SEARCH", None, query)
        if typ != "OK":
            raise MailError("imap_folder", folder=spec.folder)
        uids = (data[0] or b"").split()
        for start in range(0, len(uids), 500):
            batch = uids[start:start + 500]
            sizes = _imap_sizes(conn, batch)
            for uid in batch:
                position = int(uid)
                if sizes.get(uid, 0) > MAX_MESSAGE_BYTES:
                    yield from message_attachments(None, spec.label, position, stats)
                    continue
                typ, data = conn.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
                part = next((p for p in data or [] if isinstance(p, tuple)), None)
                if typ != "OK" or part is None:
                    yield problem_only(spec.label, position, "surel_tidak_terbaca",
                                        {"reason": "FETCH"}, stats)
                    continue
                yield from message_attachments(part[1], spec.label, position, stats,
                                               internal_date(part[0]))
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailError("imap_putus", host=spec.host, reason=str(exc)[:200]) from None
    finally:
        try:
            conn.logout()
        except Exception:
            pass


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_INTERNALDATE = re.compile(rb'INTERNALDATE "\s?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) '
                           rb'([+-])(\d\d)(\d\d)"')


def internal_date(head: bytes) -> str:
    """The INTERNALDATE of a FETCH response (when the server took the message) as ISO
    8601, "" when there is none."""
    m = _INTERNALDATE.search(head or b"")
    if not m or m[2].decode().title() not in _MONTHS:
        return ""
    day, mon, year, hh, mm, ss, sign, zh, zm = (x.decode() for x in m.groups())
    month = _MONTHS.index(mon.title()) + 1
    return (f"{year}-{month:02d}-{int(day):02d}T{hh}:{mm}:{ss}{sign}{zh}:{zm}")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_connect(spec: ImapSpec) -> imaplib.IMAP4:
    try:
        if spec.tls:
            ctx = ssl.create_default_context(cafile=spec.ca_file)
            conn = imaplib.IMAP4_SSL(spec.host, spec.port or 993, ssl_context=ctx,
                                     timeout=spec.timeout)
        else:
            conn = imaplib.IMAP4(spec.host, spec.port or 143, timeout=spec.timeout)
    except ssl.SSLError as exc:
        raise MailError("imap_tls", host=spec.host, reason=str(exc)[:200]) from None
    except OSError as exc:
        raise MailError("imap_sambung", host=spec.host, reason=str(exc)[:200]) from None
    try:
        conn.login(spec.user, spec.password)
    except (imaplib.IMAP4.error, OSError) as exc:
        try:
            conn.logout()
        except Exception:
            pass
        raise MailError("imap_masuk", host=spec.host, user=spec.user,
                        reason=str(exc)[:200]) from None
    return conn


_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


def _imap_sizes(conn: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, int]:
    _, data = conn.uid("FETCH", b",".join(uids), "(RFC822.SIZE)")
    out = {}
    for item in data or []:
        text = item[0] if isinstance(item, tuple) else item
        m = _SIZE.search(text or b"")
        if m:
            uid, size = (m[1], m[2]) if m[1] else (m[4], m[3])
            out[uid] = int(size)
    return out
