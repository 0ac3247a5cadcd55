"""One message walked for its forms, as a mail program shows its attachments: every MIME
part at any depth (multiparts, forwarded messages), each leaf read by content
(:mod:`.kinds`) whatever its name or declared type, and every container inside opened
in turn — zip archives (with collect's archive bounds), TNEF ``winmail.dat``, Outlook
``.msg`` items, messages and mboxes attached as files.

A part whose name or type claims a form (``.xlsx``, ``application/vnd.ms-excel``, …) is
read even when its content is not one, so the reader names what it is; a name never
keeps a part from being read. Limits cut what they must and keep the rest: a part past
:attr:`Limits.parts` or :attr:`Limits.depth` is skipped and named, the forms found
before it are kept; a form past :attr:`Limits.forms` too.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import hashlib
import quopri
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import errors as mail_errors
from pathlib import PurePosixPath

from ..container import OLE_MAGIC
from ..sources import FORM_SUFFIXES, display_name, members_of_archive
from . import kinds
from .msg import MsgError, MsgMessage, read_msg
from .names import clean_name, part_filename, raw_name_with_path
from .tnef import SIGNATURE as TNEF_SIGNATURE
from .tnef import read_tnef

FORM_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/zip": ".zip", "application/x-zip-compressed": ".zip",
    "application/vnd.ms-excel": ".xls",
}
BODY_TYPES = ("text/plain", "text/html")  # without a name: the message's own text
MAX_NAMES = 10  # skipped parts named in one problem; the rest counted
_GARBLED = re.compile(r"[^A-Za-z0-9+/=\s]")  # in base64: more than a blank out of place
_STRUCTURE_DEFECTS = (mail_errors.StartBoundaryNotFoundDefect,
                      mail_errors.MultipartInvariantViolationDefect,
                      mail_errors.NoBoundaryInMultipartDefect)


@dataclass
class Limits:
    parts: int  # parts in one message, all levels and containers
    depth: int  # nesting of multiparts, forwarded messages and containers
    file_bytes: int  # one form
    forms: int  # forms taken from one message
    message_bytes: int  # one message inside a container (mbox, attached message)


class Walker:
    """The forms of one message, as :class:`~.inbox.Attachment` items (made by ``make``:
    ``make(name, member, label, data=…, problem=…, notes=…)``); ``record`` (a
    :class:`~.inbox.MessageRecord`) counts forms, problems and other attachments."""

    def __init__(self, record, make: Callable, limits: Limits, parse: Callable):
        self.record, self.make, self.limits, self.parse = record, make, limits, parse
        self.parts = 0
        self.made = 0  # items made (forms and problems)
        self.limit_hit = ""
        self.skipped: list[str] = []
        self.skipped_count = 0
        self.over: list[str] = []
        self.structure_defect = False

    # ------------------------------------------------------------------ the run
    def run(self, walk: Iterator) -> Iterator:
        """The items of ``walk``, capped, then the problems naming what was left out."""
        def guarded():
            try:
                yield from walk
            except Exception as exc:  # what was found before it is kept
                yield self.problem("", "surel_rusak", {"reason": type(exc).__name__})
            yield from self.closing()

        for item in guarded():
            if item.problem is None:
                if self.record.forms >= self.limits.forms:
                    self.over.append(item.name)
                    continue
                self.record.forms += 1
            else:
                self.record.problems += 1
            yield item
        if self.over:
            self.record.problems += 1
            yield self.problem("", "lampiran_terlalu_banyak", {
                "n": self.limits.forms + len(self.over), "limit": self.limits.forms,
                "dilewati": _names(self.over, len(self.over))})

    def closing(self) -> Iterator:
        if self.limit_hit:
            yield self.problem("", "surel_terlalu_rumit", {
                "limit": self.limit_hit, "dilewati": _names(self.skipped, self.skipped_count)})
        if not self.made and self.structure_defect:
            yield self.problem("", "surel_rusak", {"reason": "struktur MIME"})

    def problem(self, member: str, code: str, params: dict, name: str = "",
                chain: tuple = ()) -> object:
        self.made += 1  # a message's own problems: one place each (one row each)
        return self.make(name, member or f"-/{code}", chain + ((name,) if name else ()),
                         problem=(code, params))

    def form(self, data: bytes, name: str, member: str, chain: tuple,
             unsafe: bool = False) -> object:
        self.made += 1
        member = f"{member}#{hashlib.sha256(data).hexdigest()[:12]}"
        return self.make(name, member, chain + (name,), data=data,
                         notes=["nama_lampiran_tidak_aman"] if unsafe else [])

    def admit(self, depth: int, what) -> bool:
        """Whether one more part may be read; if not, it is named as skipped (``what``:
        its names, or a MIME part whose leaves are named)."""
        self.parts += 1
        if self.parts > self.limits.parts:
            reason = f"{self.limits.parts} bagian"
        elif depth > self.limits.depth:
            reason = f"{self.limits.depth} tingkat"
        else:
            return True
        self.limit_hit = self.limit_hit or reason
        got = what if isinstance(what, list) else _mime_names(what)  # a text has none
        self.skipped_count += len(got)
        self.skipped.extend(got[:max(0, MAX_NAMES - len(self.skipped))])
        return False

    # ------------------------------------------------------------------ MIME
    def walk(self, part, path: str, depth: int, chain: tuple = ()) -> Iterator:
        if not self.admit(depth, part):
            return
        if any(isinstance(d, _STRUCTURE_DEFECTS) for d in part.defects):
            self.structure_defect = True
        if part.is_multipart() and not _encoded_message(part):
            subs = part.get_payload()
            for i, sub in enumerate(subs if isinstance(subs, list) else [subs], 1):
                yield from self.walk(sub, _child(path, i), depth + 1, chain)
            return
        yield from self.leaf(_as_leaf(part) if part.is_multipart() else part, path, depth,
                             chain)

    def leaf(self, part, path: str, depth: int, chain: tuple) -> Iterator:
        name = part_filename(part)
        ctype = part.get_content_type()
        claims = _claims(name) or ctype in FORM_TYPES
        body = not name and (ctype in BODY_TYPES or ctype.startswith("multipart/")) and \
            str(part.get("Content-Disposition", "")).strip().lower()[:10] != "attachment"
        shown = name or f"lampiran-{_leaf(path)}{FORM_TYPES.get(ctype, '')}"
        clean, unsafe = clean_name(raw_name_with_path(part) or shown)
        member = f"{_leaf(path)}/{clean}"
        encoded = part.get_payload(decode=False)
        if not isinstance(encoded, str):
            return
        cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        estimate = len(encoded) * 3 // 4 if cte == "base64" else len(encoded)
        head = _peek(encoded, cte)
        if estimate > self.limits.file_bytes + 4096 and not _container_head(head):
            yield from self.unread(clean, member, chain, estimate, head, claims, body)
            return
        data = part.get_payload(decode=True) or b""
        # RFC 2045: characters outside the alphabet are ignored (trailing blanks, a line
        # end a program mangled); a length no decoder can use is broken, and so is a
        # part garbled by other characters that does not decode to a form
        if any(isinstance(d, mail_errors.InvalidBase64LengthDefect) for d in part.defects) \
                or (any(isinstance(d, mail_errors.InvalidBase64CharactersDefect)
                        for d in part.defects) and _GARBLED.search(encoded)
                    and kinds.kind_of(data) == kinds.OTHER):
            if claims or _form_head(head) or _container_head(head):
                yield self.problem(member, "surel_rusak", {"reason": "base64"}, clean, chain)
            elif not body:
                self.record.other(clean)
            return
        yield from self.blob(data, clean, member, path, depth, chain, claims, body, unsafe)

    def unread(self, name: str, member: str, chain: tuple, size: int, head: bytes,
               claims: bool, body: bool = False) -> Iterator:
        """A part over the file limit, not decoded: a problem when it claims or looks like
        a form, else another attachment."""
        if claims or _form_head(head):
            from ..container import too_large

            big = too_large(size)
            yield self.problem(member, big.code, big.params, name, chain)
        elif not body:
            self.record.other(name)

    # ------------------------------------------------------------------ content
    def blob(self, data: bytes, name: str, member: str, path: str, depth: int, chain: tuple,
             claims: bool, body: bool = False, unsafe: bool = False) -> Iterator:
        kind = kinds.kind_of(data)
        if kind == kinds.ARCHIVE:
            yield from self.archive(data, name, member, chain, depth)
        elif kind in kinds.CONTAINERS:
            before = self.made
            yield from self.container(kind, data, name, member, chain + (name,), depth)
            if self.made == before and not body:
                self.record.other(name)
        elif kind == kinds.FORM or claims:
            if len(data) > self.limits.file_bytes:
                yield from self.unread(name, member, chain, len(data), data[:64], True)
            else:
                yield self.form(data, name, member, chain, unsafe)
        elif not body:
            self.record.other(name)

    def archive(self, data: bytes, name: str, member: str, chain: tuple,
                depth: int) -> Iterator:
        """A zip's members (collect's archive bounds; nested archives followed): forms and
        mail in it are read, other files skipped; a zip without any is another
        attachment."""
        zf = kinds.archive_of(data)
        before = self.made
        top = f"{member}#{hashlib.sha256(data).hexdigest()[:12]}"
        with zf:
            for src in members_of_archive(zf, "", [top], 1, ""):
                inner = src.member.split(" › ")[1:]
                label = chain + (name, *inner)
                if src.problem is not None:
                    self.made += 1
                    yield self.make(inner[-1] if inner else name, src.member, label,
                                    problem=(src.problem.code, src.problem.params))
                    continue
                last = inner[-1] if inner else name
                kind = kinds.kind_of(src.data)
                if kind in kinds.CONTAINERS:
                    yield from self.container(kind, src.data, last, src.member, label, depth + 1)
                elif kind == kinds.FORM or _claims(last):
                    self.made += 1
                    yield self.make(last, src.member, label, data=src.data)
        if self.made == before:
            self.record.other(name)

    def container(self, kind: str, data: bytes, name: str, member: str, chain: tuple,
                  depth: int) -> Iterator:
        """Mail inside mail: a message, an mbox, an ``.emlx``, an Outlook item, TNEF."""
        if kind == kinds.TNEF:
            tnef = read_tnef(data)
            for i, part in enumerate(tnef.parts, 1):
                if self.admit(depth + 1, [part.name]):
                    yield from self.contained(part.data, part.name, _inside(member, i),
                                              chain, depth + 1)
            if tnef.error:
                yield self.problem(member, "surel_rusak", {"reason": f"TNEF: {tnef.error}"},
                                   "", chain)
        elif kind == kinds.MSG:
            try:
                item = read_msg(data, self.limits.file_bytes, self.limits.depth)
            except MsgError as exc:
                yield self.problem(member, "surel_rusak", {"reason": f"Outlook: {exc}"},
                                   "", chain)
                return
            yield from self.outlook(item, member, chain, depth)
        elif kind == kinds.MBOX:
            from .mbox import split_mbox

            for position, raw in split_mbox(data, self.limits.message_bytes):
                if raw is not None:
                    yield from self.message(raw, f"{member} › {position}", chain, depth)
        else:
            start, end = kinds.emlx_span(data[:kinds.HEAD]) if kind == kinds.EMLX \
                else (0, len(data))
            yield from self.message(data[start:end], f"{member} ›", chain, depth)

    def message(self, raw: bytes, path: str, chain: tuple, depth: int) -> Iterator:
        msg = self.parse(raw)
        if msg is None:
            yield self.problem(path, "surel_rusak", {"reason": "pesan terlampir"}, "", chain)
        else:
            yield from self.walk(msg, path, depth + 1, chain)

    def outlook(self, item: MsgMessage, member: str, chain: tuple, depth: int) -> Iterator:
        for i, part in enumerate(item.parts, 1):
            if not self.admit(depth + 1, [part.name]):
                continue
            where = _inside(member, i)
            if part.message is not None:
                clean = clean_name(part.name or "pesan")[0]
                yield from self.outlook(part.message, f"{where}/{clean}", chain + (clean,),
                                        depth + 1)
            elif part.data is None:  # over the limit, or an object without a file
                clean = clean_name(part.name or "lampiran")[0]
                if part.size:
                    yield from self.unread(clean, f"{where}/{clean}", chain, part.size,
                                           part.head, _claims(part.name))
                else:
                    self.record.other(clean)
            else:
                yield from self.contained(part.data, part.name, where, chain, depth + 1)

    def contained(self, data: bytes, name: str, where: str, chain: tuple,
                  depth: int) -> Iterator:
        clean, unsafe = clean_name(name or "lampiran")
        yield from self.blob(data, clean, f"{where}/{clean}", where, depth, chain,
                             _claims(name), unsafe=unsafe)


# ---------------------------------------------------------------------- helpers

def _claims(name: str) -> bool:
    """The name says it is a form (or an archive of forms)."""
    return PurePosixPath(name.replace("\\", "/")).suffix.lower() in FORM_SUFFIXES \
        if name else False


def _inside(member: str, i: int) -> str:
    """The place of the i-th item inside a container (a file given alone: just i)."""
    return f"{member} › {i}" if member else str(i)


def _child(path: str, i: int) -> str:
    if path.endswith("›"):
        return f"{path} {i}"
    return f"{path}.{i}" if path else str(i)


def _leaf(path: str) -> str:
    """The place of a leaf part ("1" for a message that is one part)."""
    if not path:
        return "1"
    return f"{path} 1" if path.endswith("›") else path


def _encoded_message(part) -> bool:
    """A ``message/*`` part in base64 or quoted-printable (RFC 2046 forbids it, senders
    do it): what it holds is a file, whatever it is; the parser took it for a message."""
    return part.get_content_maintype() == "message" and \
        str(part.get("Content-Transfer-Encoding", "")).strip().lower() in (
            "base64", "quoted-printable")


def _as_leaf(part):
    """An encoded ``message/*`` part as the leaf it is: its headers (the type made
    ``application/octet-stream``) and its encoded text, which the parser read as a
    message without headers."""
    leaf = email.message.Message()
    for key, value in part.raw_items():
        if key.lower() == "content-type":
            value = re.sub(r"^\s*message/[^;\s]*", "application/octet-stream", str(value))
        leaf[key] = value
    inner = part.get_payload()
    text = "".join(m.as_string() for m in (inner if isinstance(inner, list) else [inner]))
    leaf.set_payload(text.lstrip("\r\n"))
    return leaf


def _peek(encoded: str, cte: str) -> bytes:
    """The first decoded bytes of a part, without decoding it all."""
    head = encoded[:512]
    try:
        if cte == "base64":
            chars = re.sub(r"[^A-Za-z0-9+/]", "", head)[:88]
            return base64.b64decode(chars[:len(chars) // 4 * 4])
        raw = head.encode("ascii", "surrogateescape")
        return quopri.decodestring(raw)[:64] if cte == "quoted-printable" else raw[:64]
    except (binascii.Error, ValueError, UnicodeError):
        return b""


def _form_head(head: bytes) -> bool:
    return head[:2] == b"PK" or head[:8] == OLE_MAGIC


def _container_head(head: bytes) -> bool:
    """Bytes that may hold forms inside although the whole is large (read it)."""
    return head[:4] == TNEF_SIGNATURE or head[:8] == OLE_MAGIC or head[:2] == b"PK"


def _mime_names(part) -> list[str]:
    """The names of the leaf parts under ``part`` (without recursion: a part skipped for
    being too deep may be deep indeed)."""
    out, stack, seen = [], [part], 0
    while stack and seen < 100_000:
        node = stack.pop()
        seen += 1
        if node.is_multipart():
            subs = node.get_payload()
            stack.extend(reversed(subs if isinstance(subs, list) else [subs]))
        elif node.get_content_type() not in BODY_TYPES or part_filename(node):
            out.append(part_filename(node) or node.get_content_type())
    return out


def _names(names: list[str], total: int) -> str:
    shown = ", ".join(display_name(n) for n in names[:MAX_NAMES])
    return f"{shown} (+{total - MAX_NAMES})" if total > MAX_NAMES else shown
