"""Attachments out of mail: ``.eml`` files, ``.mbox`` files (Thunderbird, Gmail Takeout)
and an IMAP folder (:mod:`.imap`) — streamed (one message in memory at a time) and bounded.

Every form-like attachment (``.xlsx``, ``.ods``, ``.zip``, and the formats collect
refuses with a reason: ``.xls``, ``.xlsm``, ``.xlsb``) at any depth — nested multiparts,
forwarded messages (``message/rfc822``) — comes out as an :class:`Attachment` with the
provenance of the message it arrived in (Message-ID, Date, From, mailbox, path inside the
message). Nothing is written to disk and no HTML is rendered: an attachment name is only
a name (path separators and control characters are cleaned and noted).

Hostile mail is one named problem for that message (or attachment), never an exception:
a message over :data:`MAX_MESSAGE_BYTES`, a header block over :data:`MAX_HEADER_BYTES`,
more than :data:`MAX_PARTS` parts or :data:`MAX_DEPTH` levels, more than
:data:`MAX_ATTACHMENTS` form attachments, an attachment over the collect file limit
(judged from its encoded size, before decoding), MIME the parser cannot make sense of.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import hashlib
import mmap
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import errors as mail_errors
from pathlib import Path, PurePosixPath

from ..container import MAX_FILE_BYTES, too_large
from ..sources import FORM_SUFFIXES
from .mime import fast_parse as _fast_parse

MAX_MESSAGE_BYTES = 60 * 1024 * 1024  # one raw message (base64 of a 20 MB file + text)
MAX_HEADER_BYTES = 256 * 1024  # the header block of a message
MAX_PARTS = 1000  # MIME parts in one message, all levels
MAX_DEPTH = 8  # multipart / forwarded-message nesting
MAX_ATTACHMENTS = 200  # form-like attachments in one message; the rest are reported
FORM_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/zip": ".zip", "application/x-zip-compressed": ".zip",
    "application/vnd.ms-excel": ".xls",
}
# The legacy policy: headers stay text until asked for (the modern one parses every
# header into objects and cost 2 ms a message, twice the reading of the form itself);
# names and subjects are decoded here (RFC 2231 by the parser, RFC 2047 by _decoded).
_POLICY = email.policy.compat32
_STRUCTURE_DEFECTS = (mail_errors.StartBoundaryNotFoundDefect,
                      mail_errors.MultipartInvariantViolationDefect,
                      mail_errors.NoBoundaryInMultipartDefect)
_BASE64_DEFECTS = (mail_errors.InvalidBase64CharactersDefect,
                   mail_errors.InvalidBase64LengthDefect)


class MailError(Exception):
    """A mailbox as a whole cannot be read (IMAP login, TLS, folder): ``code`` is a key
    of ``surel.galat`` in the templates."""

    def __init__(self, code: str, **params):
        super().__init__(f"{code} {params}")
        self.code, self.params = code, params


@dataclass
class Attachment:
    name: str  # the attachment's file name, cleaned ("" for a message-level problem)
    key: str  # the message's identity: "surel:<Message-ID>" (or a hash of the message)
    member: str  # where inside the message: "2.1/IKI Budi.xlsx"
    shown: str  # the message as a person reads it: mailbox › pesan #n (from, date)
    origin: dict  # provenance: message_id, date, from, mailbox, position, path
    data: bytes | None = None
    problem: tuple[str, dict] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class MailStats:
    messages: int = 0  # messages read
    with_forms: int = 0  # messages holding at least one form-like attachment
    without_form: int = 0  # messages without any (counted, not an error)
    problems: int = 0  # messages (or attachments) reported with a problem
    attachments: int = 0  # form-like attachments found

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# --------------------------------------------------------------------------- mailboxes

def is_mail_file(path: Path) -> bool:
    """``.eml`` / ``.mbox`` by name, or an mbox without a suffix (Thunderbird's ``Inbox``)
    by its first bytes."""
    suffix = path.suffix.lower()
    if suffix in (".eml", ".mbox", ".mbx"):
        return True
    if suffix:
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"From "
    except OSError:
        return False


def read_mail_file(path: Path, stats: MailStats) -> Iterator[Attachment]:
    """The attachments of an ``.eml`` (one message) or an mbox (many) file."""
    label = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
    except OSError as exc:
        yield problem_only(label, 1, "surel_tidak_terbaca", {"reason": exc.strerror or ""},
                            stats)
        return
    if path.suffix.lower() == ".eml" and head != b"From ":
        yield from message_attachments(_bounded_file(path), label, 0, stats)
        return
    for position, raw in iter_mbox(path):
        yield from message_attachments(raw, label, position, stats)


def _bounded_file(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_MESSAGE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return b""


def iter_mbox(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(position from 1, raw message) for each message of an mbox file. The file is
    memory-mapped and scanned for separators (a ``From `` line after a blank line): the
    operating system pages it in and out, and this process holds one message at a time.
    A message over :data:`MAX_MESSAGE_BYTES` comes as None, without being copied.
    ``>From `` quoting (mboxrd) is undone."""
    with open(path, "rb") as fh:
        try:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return
        with mm:
            pos = 0 if mm[:5] == b"From " else _next_separator(mm, 0)
            position = 0
            while pos != -1:
                position += 1
                line_end = mm.find(b"\n", pos)
                body = len(mm) if line_end == -1 else line_end + 1
                nxt = _next_separator(mm, body)
                end = len(mm) if nxt == -1 else nxt
                if end - body > MAX_MESSAGE_BYTES:
                    yield position, None
                else:
                    raw = mm[body:end]
                    if b">From " in raw:
                        raw = _QUOTED_FROM.sub(rb"\1", raw)
                    yield position, raw
                pos = nxt


_QUOTED_FROM = re.compile(rb"(?m)^>(>*From )")


def _next_separator(mm, start: int) -> int:
    """Where the next ``From `` separator line starts (after a blank line), or -1."""
    i = start - 1
    while True:
        i = mm.find(b"\nFrom ", i + 1)
        if i == -1:
            return -1
        if (i >= 1 and mm[i - 1:i] == b"\n") or (i >= 2 and mm[i - 2:i] == b"\n\r"):
            return i + 1


# --------------------------------------------------------------------------- one message

def message_attachments(raw: bytes | None, mailbox: str, position: int,
                        stats: MailStats) -> Iterator[Attachment]:
    """The form-like attachments of one raw message (None: over the size limit)."""
    stats.messages += 1
    if raw is None:
        yield problem_only(mailbox, position, "surel_terlalu_besar",
                            {"limit": MAX_MESSAGE_BYTES // 2**20}, stats)
        return
    if not raw.strip():
        yield problem_only(mailbox, position, "surel_rusak", {"reason": "kosong"}, stats)
        return
    end = _header_end(raw)
    if end is None or end > MAX_HEADER_BYTES:
        yield problem_only(mailbox, position, "surel_kepala_besar",
                            {"limit": MAX_HEADER_BYTES // 1024}, stats, raw=raw)
        return
    try:
        msg = _fast_parse(raw, 0) or email.message_from_bytes(raw, policy=_POLICY)
        origin = _origin(msg, raw, mailbox, position)
    except Exception as exc:  # the parser is lenient; anything left is one problem
        yield problem_only(mailbox, position, "surel_rusak",
                            {"reason": type(exc).__name__}, stats, raw=raw)
        return
    walker = _Walker(origin, stats)
    try:
        items = list(walker.walk(msg, "", 0))
    except _TooComplex as exc:
        items = [walker.problem("", "surel_terlalu_rumit", {"limit": str(exc)})]
    except Exception as exc:
        items = [walker.problem("", "surel_rusak", {"reason": type(exc).__name__})]
    forms = [i for i in items if i.problem is None]
    if len(forms) > MAX_ATTACHMENTS:
        items = forms[:MAX_ATTACHMENTS] + [walker.problem(
            "", "lampiran_terlalu_banyak", {"n": len(forms), "limit": MAX_ATTACHMENTS})]
    if not items and walker.structure_defect:
        items = [walker.problem("", "surel_rusak", {"reason": "struktur MIME"})]
    if not items:
        stats.without_form += 1
        return
    stats.with_forms += 1
    for item in items:
        if item.problem is not None:
            stats.problems += 1
        else:
            stats.attachments += 1
        yield item


class _TooComplex(Exception):
    pass


class _Walker:
    def __init__(self, origin: dict, stats: MailStats):
        self.origin, self.stats = origin, stats
        self.parts = 0
        self.structure_defect = False

    def walk(self, part, path: str, depth: int) -> Iterator[Attachment]:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _TooComplex(f"{MAX_PARTS} bagian")
        if depth > MAX_DEPTH:
            raise _TooComplex(f"{MAX_DEPTH} tingkat")
        if any(isinstance(d, _STRUCTURE_DEFECTS) for d in part.defects):
            self.structure_defect = True
        ctype = part.get_content_type()
        if part.is_multipart():
            if ctype == "message/rfc822" or part.get_content_maintype() == "message":
                inner = part.get_payload()
                for i, sub in enumerate(inner if isinstance(inner, list) else [inner], 1):
                    yield from self.walk(sub, f"{path}.{i}" if path else str(i), depth + 1)
                return
            subs = part.get_payload()
            for i, sub in enumerate(subs if isinstance(subs, list) else [], 1):
                yield from self.walk(sub, f"{path}.{i}" if path else str(i), depth + 1)
            return
        name = _filename(part)
        suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower() if name else ""
        if suffix not in FORM_SUFFIXES:
            if name or ctype not in FORM_TYPES:
                return
            name, suffix = f"lampiran-{path or 1}{FORM_TYPES[ctype]}", FORM_TYPES[ctype]
        clean, unsafe = clean_name(_raw_name_with_path(part) or name)
        member = f"{path or '1'}/{clean}"
        encoded = part.get_payload(decode=False)
        if isinstance(encoded, str):
            cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
            estimate = len(encoded) * 3 // 4 if cte == "base64" else len(encoded)
            if estimate > MAX_FILE_BYTES + 4096:
                big = too_large(estimate)
                yield self.problem(member, big.code, big.params, clean)
                return
        data = part.get_payload(decode=True) or b""
        # The content's hash in the place: a second message forging a known Message-ID
        # (with another file under the same name) is a second source, never dropped.
        member = f"{member}#{hashlib.sha256(data).hexdigest()[:12]}"
        if any(isinstance(d, _BASE64_DEFECTS) for d in part.defects):
            yield self.problem(member, "surel_rusak", {"reason": "base64"}, clean)
            return
        if len(data) > MAX_FILE_BYTES:
            big = too_large(len(data))
            yield self.problem(member, big.code, big.params, clean)
            return
        yield Attachment(clean, self.origin["key"], member, self.origin["shown"],
                         {**self.origin["public"], "path": member}, data,
                         notes=["nama_lampiran_tidak_aman"] if unsafe else [])

    def problem(self, member: str, code: str, params: dict, name: str = "") -> Attachment:
        return Attachment(name, self.origin["key"], member or "-", self.origin["shown"],
                          {**self.origin["public"], "path": member}, problem=(code, params))


def _filename(part) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
        if isinstance(name, tuple):  # an RFC 2231 value get_param left undecoded
            name = email.utils.collapse_rfc2231_value(name)
        return _decoded(str(name))
    except Exception:  # a header the parser chokes on: no usable name
        return ""


def _decoded(text: str) -> str:
    """RFC 2047 encoded words (``=?UTF-8?B?…?=``, as Gmail writes names) decoded."""
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except Exception:
        return text


def _raw_name_with_path(part) -> str:
    """The raw ``filename`` / ``name`` parameter when it holds a backslash or slash ("" if
    not): the parser reads ``\\`` in a quoted name as an escape and drops it, so
    ``"..\\..\\x.xlsx"`` would otherwise look like the harmless ``....x.xlsx``."""
    try:
        for key, value in part.raw_items():
            if key.lower() not in ("content-disposition", "content-type") or ";" not in value:
                continue
            params = str(value).split(";", 1)[1]
            m = re.search(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))', params)
            raw = (m[1] if m and m[1] is not None else m[2] if m else "") or ""
            if "\\" in raw or "/" in raw:
                return raw
    except Exception:
        return ""
    return ""


def clean_name(name: str) -> tuple[str, bool]:
    """(a safe file name, whether the given one was unsafe): only the last path component
    (``..\\..\\x.xlsx`` → ``x.xlsx``), control and direction characters → ``_``, at most
    200 characters (the suffix kept)."""
    unsafe = False
    last = re.split(r"[\\/]", name)[-1]
    if last != name:
        unsafe = True
    chars = []
    for ch in last:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co"):
            chars.append("_")
            unsafe = True
        else:
            chars.append(ch)
    out = "".join(chars).strip().strip(".")
    if not out:  # "", ".", "..": no name at all
        out, unsafe = "lampiran", True
    if len(out) > 200:
        stem, suffix = out[:-5], out[-5:]
        out = stem[:195] + suffix
    return out, unsafe


def _header_end(raw: bytes) -> int | None:
    """Where the header block ends, looking no further than the limit (+1 byte)."""
    head = raw[:MAX_HEADER_BYTES + 4]
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    if ends:
        return min(ends)
    return len(raw) if len(raw) <= MAX_HEADER_BYTES else None


def _header(msg, name: str) -> str:
    try:
        value = msg.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):  # an undecodable header object
            value = str(value)
        return " ".join(_decoded(value).split())
    except Exception:
        return ""


def _origin(msg, raw: bytes, mailbox: str, position: int) -> dict:
    mid = _header(msg, "Message-ID").strip()[:500]
    key = f"surel:{mid}" if mid else \
        f"surel:sha256:{hashlib.sha256(raw).hexdigest()[:32]}"
    sender = ""
    try:
        sender = email.utils.parseaddr(_header(msg, "From"))[1].lower()
    except Exception:
        pass
    when = ""
    try:
        parsed = email.utils.parsedate_to_datetime(_header(msg, "Date"))
        when = parsed.isoformat()
    except Exception:
        pass
    where = f"{Path(mailbox).name if not mailbox.startswith('imap://') else mailbox}"
    shown = f"{where} › pesan #{position or 1}" + \
        (f" ({sender}{', ' + when[:10] if when else ''})" if sender or when else "")
    public = {"message_id": mid, "date": when, "from": sender, "mailbox": mailbox,
              "position": position, "subject": _header(msg, "Subject")[:200]}
    return {"key": key, "shown": shown, "public": public}


def problem_only(mailbox: str, position: int, code: str, params: dict, stats: MailStats,
                  raw: bytes | None = None) -> Attachment:
    """A message that could not be opened at all: identified by its place (and bytes)."""
    stats.problems += 1
    digest = hashlib.sha256(raw).hexdigest()[:32] if raw else \
        hashlib.sha256(f"{mailbox}\0{position}".encode()).hexdigest()[:32]
    where = Path(mailbox).name if not mailbox.startswith("imap://") else mailbox
    return Attachment("", f"surel:sha256:{digest}", "-", f"{where} › pesan #{position or 1}",
                      {"message_id": "", "date": "", "from": "", "mailbox": mailbox,
                       "position": position, "path": ""}, problem=(code, params))
