"""Attachments out of mail: ``.eml`` files, mbox files (Thunderbird, Gmail Takeout, Apple
Mail, mutt), Outlook ``.msg`` files, Apple Mail ``.emlx``, TNEF ``winmail.dat`` and an
IMAP folder (:mod:`.imap`) — streamed (one message in memory at a time) and bounded.

Every form at any depth — nested multiparts, forwarded messages, zips, TNEF, Outlook
items — comes out as an :class:`Attachment` with the provenance of the message it
arrived in (Message-ID, Date, From, Subject, mailbox, place in the message), whatever
its name or declared type (:mod:`.walker` reads each part by content). Nothing is
written to disk and no HTML is rendered: a name is only a name (path separators and
control characters are cleaned and noted). Each message leaves a :class:`MessageRecord`
in :class:`MailStats`: its forms, problems and the attachments that are not forms.

Hostile mail is a named problem for what it cut, never an exception, and what came
before the cut is kept: a message over :data:`MAX_MESSAGE_BYTES` (not opened); a header
block over :data:`MAX_HEADER_BYTES` (the fields needed are kept, the rest dropped, the
attachments read); more than :data:`MAX_PARTS` parts or :data:`MAX_DEPTH` levels (the
parts past the limit are named); more than :data:`MAX_ATTACHMENTS` forms; a form over
the collect file limit (judged from its encoded size, before decoding); MIME or base64
the parser cannot make sense of (RFC 2045: characters outside the alphabet are ignored).
"""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from ...core.show import day
from ..container import MAX_FILE_BYTES
from . import kinds
from . import mbox as _mbox
from .mime import fast_parse as _fast_parse
from .msg import MsgError, MsgMessage, read_msg
from .names import clean_name, decoded_words  # noqa: F401  (clean_name: the public name)
from .tnef import read_tnef
from .walker import Limits, Walker

MAX_MESSAGE_BYTES = 60 * 1024 * 1024  # one raw message (base64 of a 20 MB file + text)
MAX_HEADER_BYTES = 256 * 1024  # the header block of a message
MAX_PARTS = 1000  # MIME parts in one message, all levels
MAX_DEPTH = 8  # multipart / forwarded-message / container nesting
MAX_ATTACHMENTS = 200  # forms in one message; the rest are named
MAX_OTHER_NAMES = 20  # names of other attachments kept per message (all are counted)
MAX_SUBJECT = 4000  # characters of a subject kept (a header is bounded anyway)
# The legacy policy: headers stay text until asked for (the modern one parses every
# header into objects and cost 2 ms a message, twice the reading of the form itself).
_POLICY = email.policy.compat32
_KEPT_FIELDS = {b"content-type", b"content-transfer-encoding", b"content-disposition",
                b"mime-version", b"from", b"sender", b"date", b"subject", b"message-id"}
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


class MailError(Exception):
    """A mailbox as a whole cannot be read (IMAP login, TLS, folder): ``code`` is a key
    of ``surel.galat`` in the templates."""

    def __init__(self, code: str, **params):
        super().__init__(f"{code} {params}")
        self.code, self.params = code, params


@dataclass
class MessageRecord:
    """What one message gave: its forms, its problems, its other attachments."""

    mailbox: str
    position: int
    message_id: str = ""
    sender: str = ""
    date: str = ""
    subject: str = ""
    opened: bool = True
    forms: int = 0
    problems: int = 0
    others: list[str] = field(default_factory=list)  # names (at most MAX_OTHER_NAMES)
    other_count: int = 0

    def other(self, name: str) -> None:
        """An attachment that is not a form (a photo, a PDF, a signature image)."""
        self.other_count += 1
        if len(self.others) < MAX_OTHER_NAMES:
            self.others.append(name)

    def to_dict(self) -> dict:
        return {"kotak": self.mailbox, "posisi": self.position,
                "message_id": self.message_id, "dari": self.sender, "tanggal": self.date,
                "perihal": self.subject, "terbuka": self.opened, "formulir": self.forms,
                "masalah": self.problems, "lampiran_lain": self.other_count,
                "nama_lampiran_lain": list(self.others)}


@dataclass
class Attachment:
    name: str  # the attachment's file name, cleaned ("" for a message-level problem)
    key: str  # the message's identity: "surel:<Message-ID>" (or a hash of the message)
    member: str  # where inside the message: "2.1/IKI Budi.xlsx#<sha256[:12]>"
    shown: str  # the message as a person reads it: mailbox › pesan #n (from, date)
    origin: dict  # provenance: message_id, date, from, subject, mailbox, position, path
    data: bytes | None = None
    problem: tuple[str, dict] | None = None
    notes: list[str] = field(default_factory=list)
    label: str = ""  # the row's name: the message, then the attachment's place in it
    record: MessageRecord | None = field(default=None, repr=False, compare=False)


class MailStats:
    """Every message read (a :class:`MessageRecord` each) and the counts of a run."""

    def __init__(self):
        self.records: list[MessageRecord] = []

    def add(self, record: MessageRecord) -> MessageRecord:
        self.records.append(record)
        return record

    @property
    def messages(self) -> int:
        return len(self.records)

    @property
    def with_forms(self) -> int:  # holding at least one form (or a form's problem)
        return sum(1 for r in self.records if r.opened and (r.forms or r.problems))

    @property
    def without_form(self) -> int:  # opened, nothing form-like in it (counted, not an error)
        return sum(1 for r in self.records if r.opened and not (r.forms or r.problems))

    @property
    def problems(self) -> int:  # rows with a problem (a message or a part of it)
        return sum(r.problems for r in self.records)

    @property
    def attachments(self) -> int:  # forms found
        return sum(r.forms for r in self.records)

    def to_dict(self) -> dict:
        return {"messages": self.messages, "with_forms": self.with_forms,
                "without_form": self.without_form, "problems": self.problems,
                "attachments": self.attachments}


# --------------------------------------------------------------------------- mailboxes

def read_mail_file(path: Path, stats: MailStats, kind: str | None = None
                   ) -> Iterator[Attachment]:
    """The attachments of a mail file: one message (``.eml``, ``.emlx``, ``.msg``, TNEF)
    or many (an mbox). ``kind``: from :func:`~.kinds.mail_file_kind`, when known."""
    label = str(path)
    kind = kind or kinds.mail_file_kind(path) or kinds.MESSAGE
    if kind == kinds.MBOX:
        yield from _mbox_file(path, stats)
        return
    try:
        data = None if path.stat().st_size > MAX_MESSAGE_BYTES else path.read_bytes()
    except OSError as exc:
        yield problem_only(label, 1, "surel_tidak_terbaca", {"reason": exc.strerror or ""},
                            stats)
        return
    if data is None or kind == kinds.MESSAGE:
        yield from message_attachments(data, label, 0, stats)
    elif kind == kinds.EMLX:
        start, end = kinds.emlx_span(data[:kinds.HEAD]) or (0, len(data))
        yield from message_attachments(data[start:end], label, 0, stats)
    else:
        yield from container_message(data, kind, label, stats)


def _mbox_file(path: Path, stats: MailStats) -> Iterator[Attachment]:
    label, count = str(path), 0
    try:
        for position, raw in iter_mbox(path):
            count += 1
            yield from message_attachments(raw, label, position, stats)
        empty = not count and path.stat().st_size > 0
    except OSError as exc:
        yield problem_only(label, count + 1, "surel_tidak_terbaca",
                            {"reason": exc.strerror or ""}, stats)
        return
    if empty:  # named as mail (an .mbox) but no message in it
        yield problem_only(label, 1, "surel_rusak", {"reason": "tanpa pesan"}, stats)


def iter_mbox(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(position from 1, raw message) for each message of an mbox file (None: a message
    over :data:`MAX_MESSAGE_BYTES`), one message in memory at a time."""
    return _mbox.iter_mbox(path, MAX_MESSAGE_BYTES)


# --------------------------------------------------------------------------- one message

def message_attachments(raw: bytes | None, mailbox: str, position: int,
                        stats: MailStats, received: str = "") -> Iterator[Attachment]:
    """The forms of one raw message (None: over the size limit). ``received``: when our
    mailbox took it (IMAP's INTERNALDATE), else its topmost Received header says."""
    if raw is None or len(raw) > MAX_MESSAGE_BYTES:
        yield problem_only(mailbox, position, "surel_terlalu_besar",
                            {"limit": MAX_MESSAGE_BYTES // 2**20}, stats)
        return
    if not raw.strip():
        yield problem_only(mailbox, position, "surel_rusak", {"reason": "kosong"}, stats)
        return
    m = _BLANK_LINE.search(raw)
    cut = (m.start() if m else len(raw)) > MAX_HEADER_BYTES
    if cut:
        raw = _reduced_header(raw, m.start() if m else len(raw))
    msg = _parse(raw)
    if msg is None:
        yield problem_only(mailbox, position, "surel_rusak", {"reason": "MIME"}, stats,
                            raw=raw)
        return
    origin = _origin(msg, raw, mailbox, position, received)
    walker = _walker(origin, stats)
    first = [walker.problem("", "surel_kepala_besar", {"limit": MAX_HEADER_BYTES // 1024})] \
        if cut else []
    yield from walker.run(chain(first, walker.walk(msg, "", 0)))


def container_message(data: bytes, kind: str, mailbox: str, stats: MailStats
                      ) -> Iterator[Attachment]:
    """An Outlook ``.msg`` or a TNEF ``winmail.dat`` given as a file: one message."""
    if kind == kinds.MSG:
        try:
            item = read_msg(data, MAX_FILE_BYTES, MAX_DEPTH)
        except MsgError as exc:
            yield problem_only(mailbox, 1, "surel_rusak", {"reason": f"Outlook: {exc}"},
                                stats, raw=data)
            return
        walker = _walker(_origin(_outlook_headers(item), data, mailbox, 0), stats)
        yield from walker.run(walker.outlook(item, "", (), 0))
        return
    tnef = read_tnef(data)
    head = email.message.Message()
    head["Message-ID"], head["Subject"] = tnef.message_id, tnef.subject
    walker = _walker(_origin(head, data, mailbox, 0), stats)
    yield from walker.run(walker.container(kinds.TNEF, data, Path(mailbox).name, "", (), 0))


def _walker(origin: dict, stats: MailStats) -> Walker:
    """A walker over one message, with this module's limits as they are now."""
    public = origin["public"]
    record = stats.add(MessageRecord(public["mailbox"], public["position"],
                                     public["message_id"], public["from"], public["date"],
                                     public["subject"]))

    def make(name: str, member: str, place: tuple, data: bytes | None = None,
             problem: tuple[str, dict] | None = None, notes=()) -> Attachment:
        return Attachment(name, origin["key"], member, origin["shown"],
                          {**public, "path": member, "lampiran": " › ".join(place)}, data,
                          problem, list(notes), " › ".join([origin["shown"], *place]),
                          record)

    limits = Limits(MAX_PARTS, MAX_DEPTH, MAX_FILE_BYTES, MAX_ATTACHMENTS, MAX_MESSAGE_BYTES)
    return Walker(record, make, limits, _parse)


def _parse(raw: bytes):
    """The message tree (the fast path for well-formed MIME, else the lenient standard
    parser); None when even that fails."""
    try:
        return _fast_parse(raw, 0) or email.message_from_bytes(raw, policy=_POLICY)
    except Exception:
        return None


def _reduced_header(raw: bytes, end: int) -> bytes:
    """A message whose header block is over the limit, with only the fields needed to
    read it (each at most 16 KB) kept: its forms can still be found."""
    fields: list[list[bytes]] = []
    current: list[bytes] | None = None
    for line in raw[:end].splitlines():
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(line)
            continue
        current = [line] if line.split(b":", 1)[0].strip().lower() in _KEPT_FIELDS else None
        if current is not None:
            fields.append(current)
    kept = [b"\r\n".join(f) for f in fields if sum(map(len, f)) <= 16384]
    return b"\r\n".join(kept) + (raw[end:] if end < len(raw) else b"\r\n\r\n")


def _outlook_headers(item: MsgMessage) -> email.message.Message:
    """An Outlook item's Internet headers (received mail keeps them), else its
    properties as headers."""
    head = email.message_from_string(item.headers, policy=_POLICY) if item.headers \
        else email.message.Message()
    for name, value in (("Message-ID", item.message_id), ("From", item.sender),
                        ("Subject", item.subject), ("Date", item.date)):
        if value and not head.get(name):
            del head[name]
            head[name] = value
    return head


def _header(msg, name: str) -> str:
    """A header's text, decoded (RFC 2047, or raw 8-bit bytes: read before the parser
    turns them into U+FFFD)."""
    try:
        lower = name.lower()
        value = next((v for k, v in msg.raw_items() if k.lower() == lower), None)
        if value is None:
            return ""
        if not isinstance(value, str):  # a header object
            value = str(value)
        return " ".join(decoded_words(value).split())
    except Exception:
        return ""


def _when(text: str) -> str:
    """A Date header (or an ISO time) as ISO 8601, "" when it is no date."""
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except Exception:
        pass
    try:
        from datetime import datetime

        return datetime.fromisoformat(text).isoformat() if text else ""
    except ValueError:
        return ""


def _received(msg) -> str:
    """When our mail server took the message: the date of its topmost Received header
    (written by the last server, ours; the sender's own Date is a claim)."""
    top = _header(msg, "Received")
    return _when(top.rsplit(";", 1)[1].strip()) if ";" in top else ""


def _origin(msg, raw: bytes, mailbox: str, position: int, received: str = "") -> dict:
    mid = _header(msg, "Message-ID").strip()[:500]
    key = f"surel:{mid}" if mid else \
        f"surel:sha256:{hashlib.sha256(raw).hexdigest()[:32]}"
    sender = ""
    try:
        sender = email.utils.parseaddr(_header(msg, "From"))[1].lower() or \
            _header(msg, "From").lower()[:200]
    except Exception:
        pass
    when = _when(_header(msg, "Date"))
    shown = f"{mailbox_name(mailbox)} › pesan #{position or 1}" + \
        (f" ({sender}{', ' + day(when) if when else ''})" if sender or when else "")
    public = {"message_id": mid, "date": when, "from": sender, "mailbox": mailbox,
              "position": position, "subject": _header(msg, "Subject")[:MAX_SUBJECT],
              "received": received or _received(msg)}
    return {"key": key, "shown": shown, "public": public}


def mailbox_name(mailbox: str) -> str:
    """A mailbox as a person names it: the file's name (an Apple Mail export's ``mbox``
    by its folder, ``Kotak Masuk.mbox``), or the IMAP folder."""
    if mailbox.startswith("imap://"):
        return mailbox
    path = Path(mailbox)
    return path.parent.name if path.name == "mbox" and path.parent.name else path.name


def problem_only(mailbox: str, position: int, code: str, params: dict, stats: MailStats,
                  raw: bytes | None = None) -> Attachment:
    """A message that could not be opened at all: identified by its place (and bytes)."""
    record = stats.add(MessageRecord(mailbox, position, opened=False, problems=1))
    digest = hashlib.sha256(raw).hexdigest()[:32] if raw else \
        hashlib.sha256(f"{mailbox}\0{position}".encode()).hexdigest()[:32]
    shown = f"{mailbox_name(mailbox)} › pesan #{position or 1}"
    return Attachment("", f"surel:sha256:{digest}", "-", shown,
                      {"message_id": "", "date": "", "from": "", "mailbox": mailbox,
                       "position": position, "path": ""}, problem=(code, params),
                      label=shown, record=record)
