"""Messages and mailboxes in the bytes mail programs write them, built here (no fixture
copied from anywhere): Outlook's .eml (plain and rich text, whose attachments travel in
a TNEF ``winmail.dat``), Outlook's own .msg (an OLE compound file: :mod:`cfb`), Apple
Mail's .eml, .emlx and mailbox export (``Name.mbox/`` with ``mbox``, ``Info.plist`` and
``table_of_contents``), Gmail Takeout's mbox, Thunderbird's folder files (no extension,
dots allowed, with and without a blank line before ``From -``, an ``.msf`` index beside),
forwards and zips; and parts with the names and types senders really use."""

from __future__ import annotations

import base64
import io
import struct
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cfb import write_cfb

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = "Thu, 03 Apr 2025 10:15:00 +0800"


@dataclass
class Part:
    """One attachment as a sender's program writes it: ``name`` None for no name at all;
    ``charset`` how a non-ASCII name is encoded (RFC 2047 with that charset; "raw": 8-bit
    UTF-8 bytes; "rfc2231": ``filename*=``)."""

    data: bytes
    name: str | None = "IKI.xlsx"
    ctype: str = XLSX
    disposition: str | None = "attachment"
    charset: str = "utf-8"
    trailing_spaces: bool = False  # base64 lines ending in blanks (RFC 2045: ignored)
    forwarded: bool = False  # a message forwarded as itself: its text, not base64


# --------------------------------------------------------------------------- MIME parts

def b64_lines(data: bytes, width: int = 76) -> list[str]:
    text = base64.b64encode(data).decode()
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def encoded_name(name: str, charset: str) -> str:
    """A name as a header parameter value, encoded the way senders do."""
    try:
        name.encode("ascii")
        return f'"{name}"'
    except UnicodeEncodeError:
        pass
    if charset == "raw":
        return f'"{name}"'
    codec = {"x-bogus": "utf-8", "x-mac-roman": "mac_roman", "iso-8859-8-i": "iso8859_8",
             "windows-874": "cp874"}.get(charset, charset)
    raw = name.encode(codec, "replace")
    return f'"=?{charset}?B?{base64.b64encode(raw).decode()}?="'


def part_lines(part: Part, boundary: str) -> list[str]:
    lines = [f"--{boundary}"]
    ctype = part.ctype
    if part.name is not None and part.charset == "rfc2231":
        from urllib.parse import quote

        lines.append(f"Content-Type: {ctype}")
        lines.append(f"Content-Disposition: {part.disposition or 'attachment'};\r\n"
                     f"\tfilename*=utf-8''{quote(part.name)}")
    else:
        value = f"; name={encoded_name(part.name, part.charset)}" if part.name is not None \
            else ""
        lines.append(f"Content-Type: {ctype}{value}")
        if part.disposition:
            fname = f";\r\n\tfilename={encoded_name(part.name, part.charset)}" \
                if part.name is not None else ""
            lines.append(f"Content-Disposition: {part.disposition}{fname}")
    if part.forwarded:  # message/rfc822 holding the message's own text
        return lines + ["", part.data.decode("utf-8", "surrogateescape")
                        .replace("\r\n", "\n").replace("\n", "\r\n").rstrip("\r\n")]
    lines += ["Content-Transfer-Encoding: base64", ""]
    lines += [line + ("   " if part.trailing_spaces else "") for line in b64_lines(part.data)]
    return lines


def message(sender: str, parts: list[Part], *, subject: str = "Formulir IKI",
            msgid: str | None = None, date: str = DATE, mailer: str = "",
            extra: list[str] = ()) -> bytes:
    """A multipart/mixed message with a text part and ``parts`` (CRLF line ends)."""
    boundary = f"----=_Part_{uuid.uuid4().hex[:16]}"
    head = [f"From: {sender}", "To: iki@contoh.go.id", f"Subject: {subject}", f"Date: {date}",
            f"Message-ID: {msgid or f'<{uuid.uuid4().hex}@contoh.go.id>'}", "MIME-Version: 1.0",
            *([f"X-Mailer: {mailer}"] if mailer else []), *extra,
            f'Content-Type: multipart/mixed; boundary="{boundary}"', "",
            f"--{boundary}", "Content-Type: text/plain; charset=UTF-8", "", "Terlampir.", ""]
    for part in parts:
        head += part_lines(part, boundary)
    head += [f"--{boundary}--", ""]
    return "\r\n".join(head).encode("utf-8", "surrogateescape")


def forward_as_attachment(sender: str, inner: bytes, *, name: str = "Formulir IKI.eml",
                          ctype: str = "message/rfc822", msgid: str | None = None) -> bytes:
    """Thunderbird's "forward as attachment" (``message/rfc822``), or a message saved and
    attached as a file (``ctype`` application/octet-stream: then base64)."""
    boundary = f"------------{uuid.uuid4().hex[:24]}"
    lines = [f"From: {sender}", "To: iki@contoh.go.id", "Subject: Fwd: Formulir IKI",
             f"Date: {DATE}", f"Message-ID: {msgid or f'<fwd{uuid.uuid4().hex}@x.id>'}",
             "MIME-Version: 1.0", f'Content-Type: multipart/mixed; boundary="{boundary}"', "",
             f"--{boundary}", "Content-Type: text/plain; charset=UTF-8", "", "Diteruskan.", "",
             f"--{boundary}", f'Content-Type: {ctype}; name="{name}"',
             f'Content-Disposition: attachment; filename="{name}"']
    if ctype == "message/rfc822":
        lines += ["", inner.decode("utf-8", "surrogateescape").replace("\r\n", "\n")
                  .replace("\n", "\r\n")]
    else:
        lines += ["Content-Transfer-Encoding: base64", "", *b64_lines(inner)]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------- programs

def outlook_eml(sender: str, parts: list[Part], *, subject: str = "RE: Formulir IKI",
                msgid: str | None = None) -> bytes:
    """Outlook (HTML mail): multipart/mixed around multipart/alternative, Thread-Index,
    attachments with size and dates in Content-Disposition."""
    outer, alt = f"_004_{uuid.uuid4().hex[:20]}_", f"_000_{uuid.uuid4().hex[:20]}_"
    msgid = msgid or f"<SG2PR06MB{uuid.uuid4().hex[:10].upper()}@SG2PR06MB.apcprd06.prod>"
    lines = [f"From: Pegawai <{sender}>", "To: BKPSDM <iki@contoh.go.id>",
             f"Subject: {subject}", "Thread-Topic: Formulir IKI",
             "Thread-Index: AdmkLm2F0xPqY7s1QyqPq5bZ7mV1Rw==", f"Date: {DATE}",
             f"Message-ID: {msgid}", "Accept-Language: id-ID, en-US",
             "Content-Language: id-ID", "X-MS-Has-Attach: yes", "X-MS-TNEF-Correlator:",
             f'Content-Type: multipart/mixed; boundary="{outer}"', "MIME-Version: 1.0", "",
             f"--{outer}", f'Content-Type: multipart/alternative; boundary="{alt}"', "",
             f"--{alt}", 'Content-Type: text/plain; charset="us-ascii"',
             "Content-Transfer-Encoding: quoted-printable", "", "Terlampir formulir saya.", "",
             f"--{alt}", 'Content-Type: text/html; charset="us-ascii"',
             "Content-Transfer-Encoding: quoted-printable", "",
             '<html><body><p class=3D"MsoNormal">Terlampir formulir saya.</p></body></html>',
             "", f"--{alt}--", ""]
    for part in parts:
        name = encoded_name(part.name or "", part.charset)
        lines += [f"--{outer}", f"Content-Type: {part.ctype};\r\n\tname={name}",
                  f"Content-Description: {part.name}",
                  f"Content-Disposition: attachment;\r\n\tfilename={name}; size={len(part.data)};"
                  '\r\n\tcreation-date="Thu, 03 Apr 2025 02:10:00 GMT";'
                  '\r\n\tmodification-date="Thu, 03 Apr 2025 02:15:00 GMT"',
                  "Content-Transfer-Encoding: base64", "", *b64_lines(part.data), ""]
    lines += [f"--{outer}--", ""]
    return "\r\n".join(lines).encode("utf-8")


def outlook_rich_text(sender: str, files: list[tuple[str, bytes]], *,
                      items: list[bytes] = (), msgid: str | None = None,
                      subject: str = "RE: Formulir IKI") -> bytes:
    """Outlook's rich-text mail: the text, and every attachment inside ``winmail.dat``
    (``application/ms-tnef``); ``items`` are attached Outlook items (TNEF streams)."""
    boundary = f"_002_{uuid.uuid4().hex[:20]}_"
    msgid = msgid or f"<{uuid.uuid4().hex[:16]}@EXCH01.contoh.go.id>"
    lines = [f"From: Pegawai <{sender}>", "To: iki@contoh.go.id", f"Subject: {subject}",
             "Thread-Topic: Formulir IKI", f"Date: {DATE}", f"Message-ID: {msgid}",
             "X-MS-Has-Attach: yes", f"X-MS-TNEF-Correlator: {msgid}", "MIME-Version: 1.0",
             f'Content-Type: multipart/mixed; boundary="{boundary}"', "",
             f"--{boundary}", 'Content-Type: text/plain; charset="us-ascii"',
             "Content-Transfer-Encoding: quoted-printable", "", "Terlampir formulir saya.", "",
             f"--{boundary}", 'Content-Type: application/ms-tnef; name="winmail.dat"',
             'Content-Disposition: attachment; filename="winmail.dat"',
             "Content-Transfer-Encoding: base64", "",
             *b64_lines(tnef_stream(files, subject=subject, items=items)), "",
             f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("utf-8")


def apple_mail_eml(sender: str, files: list[tuple[str, bytes]], *, msgid: str | None = None,
                   subject: str = "Formulir IKI") -> bytes:
    """Apple Mail: ``Apple-Mail=_`` boundary, ``x-unix-mode`` on each attachment."""
    boundary = f"Apple-Mail=_{str(uuid.uuid4()).upper()}"
    lines = [f"From: Pegawai <{sender}>", f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"',
             "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.500.171.1.1\\))",
             f"Subject: {subject}", f"Date: {DATE}",
             f"Message-Id: {msgid or f'<{str(uuid.uuid4()).upper()}@contoh.go.id>'}",
             "To: iki@contoh.go.id", "X-Mailer: Apple Mail (2.3774.500.171.1.1)", "",
             f"--{boundary}", "Content-Transfer-Encoding: 7bit",
             "Content-Type: text/plain;\r\n\tcharset=us-ascii", "", "Terlampir.", ""]
    for name, data in files:
        lines += [f"--{boundary}", "Content-Disposition: attachment;\r\n"
                  f'\tfilename="{name}"', f"Content-Type: {XLSX};\r\n\tx-unix-mode=0644;\r\n"
                  f'\tname="{name}"', "Content-Transfer-Encoding: base64", "",
                  *b64_lines(data), ""]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("utf-8")


def emlx(raw: bytes) -> bytes:
    """Apple Mail's own store (``.emlx``): the length, the message, Apple's properties."""
    return (f"{len(raw)}        \n".encode() + raw
            + b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
            b"<key>flags</key><integer>8590195713</integer></dict></plist>\n")


# --------------------------------------------------------------------------- mailboxes

def mbox_bytes(messages: list[bytes], *, envelope: str = "From - Thu Apr  3 10:15:00 2025",
               blank_line: bool = True, crlf: bool = False, head: list[str] = ()) -> bytes:
    """An mbox: each message after an envelope line (``From `` in bodies quoted as
    ``>From``); ``blank_line`` False: the next envelope right after the last line."""
    eol = b"\r\n" if crlf else b"\n"
    out = []
    for raw in messages:
        lines = raw.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
        lines = [b">" + line if line.lstrip(b">").startswith(b"From ") else line
                 for line in lines]
        block = [envelope.encode(), *(h.encode() for h in head), *lines]
        out.append(eol.join(block) + eol + (eol if blank_line else b""))
    return b"".join(out)


def thunderbird_folder(folder: Path, name: str, messages: list[bytes], *,
                       blank_line: bool = True, crlf: bool = False) -> Path:
    """A Thunderbird folder file (no extension; ``IKI TW.1`` is a valid name) with its
    Mork index ``<name>.msf`` beside it, and the X-Mozilla headers Thunderbird adds."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(mbox_bytes(messages, blank_line=blank_line, crlf=crlf, head=[
        "X-Mozilla-Status: 0001", "X-Mozilla-Status2: 00000000",
        "X-Mozilla-Keys:" + " " * 80]))
    (folder / f"{name}.msf").write_bytes(
        b'// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> // (f=iso-8859-1)\n  (B8=Subject)>\n')
    return path


def gmail_takeout(path: Path, messages: list[bytes]) -> Path:
    """Gmail Takeout's ``All mail Including Spam and Trash.mbox``: an envelope with the
    message's Gmail id and a date with a zone, the labels as headers, CRLF kept."""
    out = []
    for i, raw in enumerate(messages):
        gid = 1790000000000000000 + i
        out.append(mbox_bytes([raw], envelope=f"From {gid}@xxx Thu Apr 03 02:15:00 +0000 2025",
                              crlf=True, head=[f"X-GM-THRID: {gid}",
                                               "X-Gmail-Labels: Inbox,Opened,Kategori Pribadi"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(out))
    return path


def apple_mail_export(folder: Path, name: str, messages: list[bytes]) -> Path:
    """Mailbox › Export Mailbox in Apple Mail: ``<name>.mbox/`` holding ``mbox`` (no
    extension), ``Info.plist`` and ``table_of_contents`` (binary)."""
    box = folder / f"{name}.mbox"
    box.mkdir(parents=True, exist_ok=True)
    (box / "mbox").write_bytes(mbox_bytes(
        messages, envelope="From andi@contoh.go.id Thu Apr  3 10:15:00 2025"))
    (box / "Info.plist").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST '
        b'1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n'
        b"<dict>\n\t<key>LocalFileSystemStorage</key>\n\t<true/>\n</dict>\n</plist>\n")
    (box / "table_of_contents").write_bytes(
        struct.pack(">II", 0x00000003, len(messages)) + bytes(range(40)) * len(messages))
    return box


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------- TNEF

IID_IMESSAGE = bytes.fromhex("0703020000000000c000000000000046")


def _attr(level: int, att: int, data: bytes) -> bytes:
    return struct.pack("<BII", level, att, len(data)) + data + \
        struct.pack("<H", sum(data) & 0xFFFF)


def _props(props: list[tuple[int, int, bytes]]) -> bytes:
    """A MAPI property list as TNEF writes it: (type, id, value)."""
    out = [struct.pack("<I", len(props))]
    for ptype, pid, value in props:
        out.append(struct.pack("<HH", ptype, pid))
        if ptype in (0x001E, 0x001F, 0x0102, 0x000D):
            out.append(struct.pack("<II", 1, len(value)) + value + b"\0" * (-len(value) % 4))
        else:
            out.append(value)
    return b"".join(out)


def tnef_stream(files: list[tuple[str, bytes]], *, subject: str = "RE: Formulir IKI",
                items: list[bytes] = ()) -> bytes:
    """``winmail.dat`` as Outlook writes it for rich-text mail: version, code page,
    message class, the message's MAPI properties (subject, compressed RTF body), then
    per attachment its rendering, 8.3 title, dates, bytes and MAPI properties (long
    name, extension, method, MIME tag); ``items`` attached as Outlook items."""
    out = [b"\x78\x9f\x3e\x22", struct.pack("<H", 0x1A2B),
           _attr(1, 0x00089006, b"\x00\x00\x01\x00"),
           _attr(1, 0x00069007, struct.pack("<II", 1252, 0)),
           _attr(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")]
    rtf = rb"{\rtf1\ansi\ansicpg1252 Terlampir formulir saya.\par}"
    body = struct.pack("<II", len(rtf) + 12, len(rtf)) + b"MELA" + b"\0" * 4 + rtf
    out.append(_attr(1, 0x00069003, _props([
        (0x001F, 0x0037, (subject + "\0").encode("utf-16-le")),
        (0x0003, 0x3FDE, struct.pack("<I", 1252)), (0x0102, 0x1009, body)])))
    dtr = struct.pack("<7H", 2025, 4, 3, 10, 15, 0, 4)
    for name, data in files:
        short = (name.rsplit(".", 1)[0][:6].upper() + "~1." + name.rsplit(".", 1)[-1][:3]
                 .upper()) if "." in name else name[:8].upper()
        out += [_attr(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)),
                _attr(2, 0x00018010, short.encode("cp1252", "replace") + b"\0"),
                _attr(2, 0x00038013, dtr), _attr(2, 0x0006800F, data),
                _attr(2, 0x00069005, _props([
                    (0x001F, 0x3707, (name + "\0").encode("utf-16-le")),
                    (0x001E, 0x3703, ("." + name.rsplit(".", 1)[-1] + "\0").encode("cp1252",
                                                                                  "replace")),
                    (0x0003, 0x3705, struct.pack("<I", 1)),
                    (0x001F, 0x370E, (XLSX + "\0").encode("utf-16-le")),
                    (0x0003, 0x370B, struct.pack("<i", -1))]))]
    for item in items:
        out += [_attr(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)),
                _attr(2, 0x00018010, b"Formulir IKI\0"),
                _attr(2, 0x00069005, _props([
                    (0x001F, 0x3001, "Formulir IKI\0".encode("utf-16-le")),
                    (0x0003, 0x3705, struct.pack("<I", 5)),
                    (0x000D, 0x3701, IID_IMESSAGE + item)]))]
    return b"".join(out)


# --------------------------------------------------------------------------- .msg

MSG_CLSID = bytes.fromhex("0b0d020000000000c000000000000046")


def _u16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _fixed(entries: list[tuple[int, int, bytes]]) -> bytes:
    """Entries of ``__properties_version1.0``: (type, id, 8-byte value)."""
    return b"".join(struct.pack("<HHI", t, i, 6) + v.ljust(8, b"\0") for t, i, v in entries)


def _strings(props: dict[int, str]) -> tuple[dict, list]:
    streams, entries = {}, []
    for pid, text in props.items():
        streams[f"__substg1.0_{pid:04X}001F"] = _u16(text)
        entries.append((0x001F, pid, struct.pack("<I", len(_u16(text)) + 2)))
    return streams, entries


def msg_storage(sender: str, files: list[tuple[str, bytes]], *, subject: str,
                msgid: str, items: list[dict] = (), embedded: bool = False) -> dict:
    """The storages and streams of an Outlook message ([MS-OXMSG]): ``items`` are
    attached Outlook items (storages from this function, ``embedded=True``)."""
    headers = (f"Received: from mail.contoh.go.id by EXCH01; {DATE}\r\nFrom: Pegawai "
               f"<{sender}>\r\nTo: iki@contoh.go.id\r\nSubject: {subject}\r\nDate: {DATE}\r\n"
               f"Message-ID: {msgid}\r\nMIME-Version: 1.0\r\n\r\n")
    streams, entries = _strings({0x001A: "IPM.Note", 0x0037: subject, 0x0C1A: "Pegawai",
                                 0x0C1F: sender, 0x5D01: sender, 0x1035: msgid,
                                 0x1000: "Terlampir formulir saya.", 0x007D: headers})
    filetime = struct.pack("<Q", 133881201000000000)  # 2025-04-03 02:15 UTC
    entries += [(0x0040, 0x0039, filetime), (0x0040, 0x0E06, filetime),
                (0x0003, 0x0E07, struct.pack("<I", 0x11)),
                (0x0003, 0x3FDE, struct.pack("<I", 65001))]
    count = len(files) + len(items)
    head = b"\0" * 8 + struct.pack("<IIII", 1, count, 1, count) + (b"" if embedded else b"\0" * 8)
    tree = {"__properties_version1.0": head + _fixed(entries), **streams,
            "__recip_version1.0_#00000000": {
                "__substg1.0_3001001F": _u16("BKPSDM"),
                "__substg1.0_3003001F": _u16("iki@contoh.go.id"),
                "__properties_version1.0": b"\0" * 8 + _fixed([(0x0003, 0x0C15,
                                                               struct.pack("<I", 1))])}}
    if not embedded:
        tree["__nameid_version1.0"] = {"__substg1.0_00020102": b"",
                                       "__substg1.0_00030102": b"",
                                       "__substg1.0_00040102": b""}
    for n, (name, data) in enumerate(files):
        att_streams, att_entries = _strings({0x3707: name, 0x3001: name, 0x370E: XLSX,
                                             0x3703: "." + name.rsplit(".", 1)[-1]})
        att_streams["__substg1.0_37010102"] = data
        att_entries += [(0x0102, 0x3701, struct.pack("<I", len(data))),
                        (0x0003, 0x3705, struct.pack("<I", 1)),
                        (0x0003, 0x0E20, struct.pack("<I", len(data)))]
        tree[f"__attach_version1.0_#{n:08X}"] = {
            "__properties_version1.0": b"\0" * 8 + _fixed(att_entries), **att_streams}
    for n, item in enumerate(items, len(files)):
        tree[f"__attach_version1.0_#{n:08X}"] = {
            "__properties_version1.0": b"\0" * 8 + _fixed([(0x0003, 0x3705,
                                                           struct.pack("<I", 5))]),
            "__substg1.0_3001001F": _u16("Formulir IKI"), "__substg1.0_3701000D": item}
    return tree


def outlook_msg(sender: str, files: list[tuple[str, bytes]], *, subject: str = "Formulir IKI",
                msgid: str | None = None, items: list[dict] = ()) -> bytes:
    """An Outlook ``.msg`` (File › Save As, or dragged out of Outlook)."""
    msgid = msgid or f"<{uuid.uuid4().hex[:16]}@EXCH01.contoh.go.id>"
    return write_cfb(msg_storage(sender, files, subject=subject, msgid=msgid, items=items),
                     MSG_CLSID)
