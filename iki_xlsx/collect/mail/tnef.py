"""The attachments of a TNEF stream (``winmail.dat``, ``application/ms-tnef``): what
Outlook sends when a message is written in rich text, with every attachment inside it.

A small bounded reader of the format ([MS-OXTNEF]; the LGPL ``tnefparse`` would not fit
the MIT licence): the stream is a signature, then attributes (level, id, length, data,
checksum). An attachment starts at ``attAttachRenddata``; its bytes are in
``attAttachData`` and its long name among the MAPI properties of ``attAttachment``
(``PR_ATTACH_LONG_FILENAME``), else ``attAttachTitle`` (8.3). An attached Outlook item
(``PR_ATTACH_DATA_OBJ``) is a TNEF stream itself: its bytes are returned, and the caller
reads them by content as any other. Checksums are not enforced (Outlook's own reader
does not refuse a message for them); every length is checked against the stream.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .names import decode_bytes

SIGNATURE = b"\x78\x9f\x3e\x22"
MAX_ATTRIBUTES = 100_000
MAX_PROPERTIES = 10_000

# attribute ids (low word; the high word is the attribute's type)
ATT_ATTACH_RENDDATA, ATT_ATTACH_TITLE, ATT_ATTACH_DATA = 0x9002, 0x8010, 0x800F
ATT_ATTACHMENT, ATT_OEM_CODEPAGE, ATT_MSG_PROPS, ATT_SUBJECT = 0x9005, 0x9007, 0x9003, 0x8004
# MAPI property ids
PR_ATTACH_DATA, PR_ATTACH_FILENAME, PR_ATTACH_LONG_FILENAME = 0x3701, 0x3704, 0x3707
PR_DISPLAY_NAME, PR_ATTACH_MIME_TAG, PR_SUBJECT = 0x3001, 0x370E, 0x0037
PR_INTERNET_MESSAGE_ID = 0x1035
# MAPI property types: fixed sizes as written in TNEF (padded to 4 bytes)
_FIXED = {0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000A: 4,
          0x000B: 4, 0x0014: 8, 0x0040: 8, 0x0048: 16, 0x0001: 0}
_VARIABLE = (0x001E, 0x001F, 0x0102, 0x000D, 0x00FB)
PT_STRING8, PT_UNICODE, PT_OBJECT = 0x001E, 0x001F, 0x000D


class TnefError(ValueError):
    """The stream cannot be read (what was read before it is kept by the caller)."""


@dataclass
class TnefPart:
    name: str
    data: bytes
    mime: str = ""


@dataclass
class TnefMessage:
    parts: list[TnefPart] = field(default_factory=list)
    subject: str = ""
    message_id: str = ""
    error: str = ""  # the stream broke off here (parts read before it are kept)


def read_tnef(data: bytes) -> TnefMessage:
    """Every attachment of a TNEF stream, in order. A stream that breaks off keeps the
    attachments read before (``error`` says where it broke)."""
    out = TnefMessage()
    if not data.startswith(SIGNATURE) or len(data) < 6:
        out.error = "tanda TNEF"
        return out
    codepage = "cp1252"
    current: dict | None = None
    pos, count = 6, 0
    try:
        while pos + 9 <= len(data):
            count += 1
            if count > MAX_ATTRIBUTES:
                raise TnefError(f"lebih dari {MAX_ATTRIBUTES} atribut")
            level, att, length = struct.unpack_from("<BII", data, pos)
            start = pos + 9
            end = start + length
            if end + 2 > len(data):
                raise TnefError("atribut terpotong")
            value = data[start:end]
            pos = end + 2  # the checksum
            kind = att & 0xFFFF
            if level == 1:
                if kind == ATT_OEM_CODEPAGE and len(value) >= 4:
                    codepage = f"cp{struct.unpack_from('<I', value)[0]}"
                elif kind == ATT_SUBJECT:
                    out.subject = decode_bytes(value.rstrip(b"\0"), codepage)
                elif kind == ATT_MSG_PROPS:
                    props = mapi_properties(value, codepage)
                    out.subject = out.subject or _text(props.get(PR_SUBJECT))
                    out.message_id = _text(props.get(PR_INTERNET_MESSAGE_ID))
                continue
            if kind == ATT_ATTACH_RENDDATA or current is None:
                _finish(out, current)
                current = {}
            if kind == ATT_ATTACH_TITLE:
                current["title"] = decode_bytes(value.rstrip(b"\0"), codepage)
            elif kind == ATT_ATTACH_DATA:
                current["data"] = value
            elif kind == ATT_ATTACHMENT:
                current["props"] = mapi_properties(value, codepage)
    except (TnefError, struct.error) as exc:
        out.error = str(exc) or "struktur"
    _finish(out, current)
    return out


def _finish(out: TnefMessage, att: dict | None) -> None:
    """An attachment complete: its name (long name, display name, 8.3 title) and bytes
    (attAttachData, else the data property; an attached item's TNEF after its IID)."""
    if not att:
        return
    props = att.get("props", {})
    name = _text(props.get(PR_ATTACH_LONG_FILENAME)) or _text(props.get(PR_DISPLAY_NAME)) \
        or _text(props.get(PR_ATTACH_FILENAME)) or att.get("title", "")
    data = att.get("data")
    if data is None:
        value = props.get(PR_ATTACH_DATA)
        if isinstance(value, tuple):  # (type, bytes)
            kind, raw = value
            data = raw[16:] if kind == PT_OBJECT else raw
    if data is not None:
        out.parts.append(TnefPart(name, data, _text(props.get(PR_ATTACH_MIME_TAG))))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def mapi_properties(data: bytes, codepage: str) -> dict:
    """A MAPI property list as TNEF writes it: id → value (text for strings, (type,
    bytes) for binary and objects, the raw bytes for fixed-size values). Named
    properties are skipped (nothing here needs them)."""
    out: dict = {}
    (count,) = struct.unpack_from("<I", data, 0)
    if count > MAX_PROPERTIES:
        raise TnefError(f"lebih dari {MAX_PROPERTIES} properti")
    pos = 4
    for _ in range(count):
        ptype, pid = struct.unpack_from("<HH", data, pos)
        pos += 4
        named = pid >= 0x8000
        if named:  # GUID, kind, then an id or a name
            (kind,) = struct.unpack_from("<I", data, pos + 16)
            pos += 20
            if kind == 0:
                pos += 4
            else:
                (size,) = struct.unpack_from("<I", data, pos)
                pos += 4 + _pad(size)
        multi = bool(ptype & 0x1000)
        base = ptype & 0x0FFF
        if base in _VARIABLE or multi:
            (values,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if values > MAX_PROPERTIES:
                raise TnefError("properti terlalu banyak nilai")
            items = []
            for _ in range(values):
                if base in _VARIABLE:
                    (size,) = struct.unpack_from("<I", data, pos)
                    items.append(data[pos + 4:pos + 4 + size])
                    pos += 4 + _pad(size)
                else:
                    items.append(data[pos:pos + _FIXED[base]])
                    pos += _FIXED[base]
            if pos > len(data):
                raise TnefError("properti terpotong")
            if not named and not multi and items:
                out[pid] = _value(base, items[0], codepage)
        elif base in _FIXED:
            if not named:
                out[pid] = data[pos:pos + _FIXED[base]]
            pos += _FIXED[base]
        else:
            raise TnefError(f"jenis properti {ptype:#06x}")
        if pos > len(data):
            raise TnefError("properti terpotong")
    return out


def _value(ptype: int, raw: bytes, codepage: str):
    if ptype == PT_UNICODE:
        return raw.decode("utf-16-le", "replace").rstrip("\0")
    if ptype == PT_STRING8:
        return decode_bytes(raw.rstrip(b"\0"), codepage)
    return ptype, raw


def _pad(size: int) -> int:
    return (size + 3) // 4 * 4
