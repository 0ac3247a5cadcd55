"""Outlook's own message file (``.msg``: an OLE compound file, [MS-OXMSG]), read with
``olefile`` (BSD): the message's sender, date, subject and Message-ID, and its
attachments — files, attached Outlook items (a message inside, read the same way) and
workbooks embedded in rich text (their ``Package`` stream; any other object is counted
as an attachment that is not a form).

The layout: properties as streams ``__substg1.0_<id><type>`` (strings in UTF-16, or
8-bit in the message's code page) and fixed-size ones in ``__properties_version1.0``;
each attachment a storage ``__attach_version1.0_#<n>`` with its bytes in
``__substg1.0_37010102`` or an item in the storage ``__substg1.0_3701000D``. A stream
is sized before it is read: one larger than the caller's limit is not read, only its
first bytes (to say what it is).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import olefile

from ..container import OUTLOOK_STREAM
from .names import decode_bytes

ATTACH_PREFIX = "__attach_version1.0_#"
PROPS = "__properties_version1.0"
SUBSTG = OUTLOOK_STREAM
_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


class MsgError(ValueError):
    """Not a readable Outlook message."""


@dataclass
class MsgPart:
    name: str
    data: bytes | None  # None: over the limit (``size`` and ``head`` say what it is)
    size: int = 0
    head: bytes = b""
    mime: str = ""
    message: MsgMessage | None = None  # an attached Outlook item


@dataclass
class MsgMessage:
    subject: str = ""
    message_id: str = ""
    sender: str = ""
    date: str = ""  # ISO 8601, UTC (when it was sent)
    headers: str = ""  # the Internet headers it arrived with (received mail)
    parts: list[MsgPart] = field(default_factory=list)


def is_msg_entries(names: set[str]) -> bool:
    """An OLE file's top-level names are an Outlook message's."""
    return PROPS in names and any(n.startswith(SUBSTG) for n in names)


def read_msg(data: bytes, limit: int, max_depth: int = 8) -> MsgMessage:
    """The message in ``data`` (:class:`MsgError` when it is no Outlook message)."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise MsgError(type(exc).__name__) from None
    try:
        tree: dict[tuple, list[str]] = {}
        for path in ole.listdir(streams=True, storages=True):
            tree.setdefault(tuple(path[:-1]), []).append(path[-1])
        if not is_msg_entries(set(tree.get((), []))):
            raise MsgError("bukan pesan Outlook")
        return _Reader(ole, tree, limit, max_depth).message((), 0)
    except MsgError:
        raise
    except Exception as exc:  # olefile on a broken compound file
        raise MsgError(type(exc).__name__) from None
    finally:
        ole.close()


class _Reader:
    def __init__(self, ole, tree: dict[tuple, list[str]], limit: int, max_depth: int):
        self.ole, self.tree, self.limit, self.max_depth = ole, tree, limit, max_depth

    def message(self, base: tuple, depth: int) -> MsgMessage:
        names = self.tree.get(base, [])
        fixed = self.fixed(base, 32 if not base else 24)
        codepage = _codepage(fixed)
        text = self.texts(base, names, codepage)
        out = MsgMessage(subject=text(0x0037), message_id=text(0x1035),
                         sender=text(0x5D01) or text(0x0C1F) or text(0x0065),
                         headers=text(0x007D), date=_systime(fixed.get(0x0039)))
        attachments = sorted(n for n in names if n.startswith(ATTACH_PREFIX))
        for name in attachments:
            out.parts.append(self.attachment((*base, name), codepage, depth))
        return out

    def attachment(self, base: tuple, codepage: str, depth: int) -> MsgPart:
        names = self.tree.get(base, [])
        streams = _substg(names)
        text = self.texts(base, names, codepage)
        part = MsgPart(text(0x3707) or text(0x3704) or text(0x3001), None,
                       mime=text(0x370E))
        if (0x3701, 0x0102) in streams:
            path = "/".join((*base, streams[(0x3701, 0x0102)]))
            part.size = self.ole.get_size(path)
            part.data, part.head = self.stream(path, part.size)
        elif (0x3701, 0x000D) in streams:
            inner = (*base, streams[(0x3701, 0x000D)])
            inner_names = set(self.tree.get(inner, []))
            if is_msg_entries(inner_names):
                if depth + 1 <= self.max_depth:
                    part.message = self.message(inner, depth + 1)
            elif "Package" in inner_names:  # a file embedded in rich text (OOXML)
                path = "/".join((*inner, "Package"))
                part.size = self.ole.get_size(path)
                part.data, part.head = self.stream(path, part.size)
        return part

    def stream(self, path: str, size: int) -> tuple[bytes | None, bytes]:
        with self.ole.openstream(path) as fh:
            if size > self.limit:
                return None, fh.read(64)
            data = fh.read(self.limit + 1)
        return data[:self.limit], data[:64]

    def texts(self, base: tuple, names: list[str], codepage: str):
        """The string properties of one storage: id → text ("" when absent)."""
        streams = _substg(names)
        return lambda pid: self.text(base, streams, pid, codepage)

    def text(self, base: tuple, streams: dict, pid: int, codepage: str) -> str:
        for ptype in (0x001F, 0x001E):
            name = streams.get((pid, ptype))
            if name is None:
                continue
            path = "/".join((*base, name))
            if self.ole.get_size(path) > 1 << 20:
                return ""
            raw = self.ole.openstream(path).read()
            text = raw.decode("utf-16-le", "replace") if ptype == 0x001F \
                else decode_bytes(raw, codepage)
            return text.rstrip("\0").strip()
        return ""

    def fixed(self, base: tuple, header: int) -> dict[int, bytes]:
        """Fixed-size properties (id → 8 bytes) of ``__properties_version1.0``."""
        if PROPS not in self.tree.get(base, []):
            return {}
        path = "/".join((*base, PROPS))
        if self.ole.get_size(path) > 1 << 20:
            return {}
        data = self.ole.openstream(path).read()
        out = {}
        for pos in range(header, len(data) - 15, 16):
            ptype, pid = struct.unpack_from("<HH", data, pos)
            if ptype in (0x0003, 0x0040):  # a 32-bit integer, a time
                out.setdefault(pid, data[pos + 8:pos + 16])
        return out


def _substg(names: list[str]) -> dict[tuple[int, int], str]:
    """(property id, type) → stream name, for the ``__substg1.0_`` entries."""
    out = {}
    for name in names:
        if name.startswith(SUBSTG) and len(name) >= len(SUBSTG) + 8:
            code = name[len(SUBSTG):len(SUBSTG) + 8]
            try:
                out[(int(code[:4], 16), int(code[4:], 16))] = name
            except ValueError:
                continue
    return out


def _codepage(fixed: dict[int, bytes]) -> str:
    for pid in (0x3FDE, 0x3FFD):  # PR_INTERNET_CPID, PR_MESSAGE_CODEPAGE
        if pid in fixed:
            return f"cp{struct.unpack_from('<I', fixed[pid])[0]}"
    return "cp1252"


def _systime(raw: bytes | None) -> str:
    """A FILETIME (100 ns since 1601, UTC) as ISO 8601, "" when absent or absurd."""
    if not raw:
        return ""
    (ticks,) = struct.unpack_from("<Q", raw)
    try:
        when = _EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        return ""
    return when.isoformat() if 1990 <= when.year <= 2100 else ""
