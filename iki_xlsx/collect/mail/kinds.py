"""What a mail part or a file in a mail folder is, by its content — never by its name,
extension or declared MIME type (a sender controls those):

* a **form** (any zip with a workbook's parts, an ODS, an old ``.xls``, an encrypted
  workbook: the reader judges it and names what is wrong), or an **archive** (a zip of
  other files, opened member by member);
* a **container** of mail: a message (RFC 822 headers), an mbox, Outlook's ``.msg``,
  Apple Mail's ``.emlx``, a TNEF ``winmail.dat``;
* anything else (a photo, a PDF, a signature image): not a form.

For files found in a folder :func:`mail_file_kind` also knows what mail programs write
beside their messages (Apple Mail's ``Info.plist`` and ``table_of_contents``,
Thunderbird's ``.msf`` indexes, an empty Thunderbird folder): listed as skipped, never
judged as a workbook. Only a file whose content is neither a form nor mail is taken
for one by its name.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..container import OLE_MAGIC, WORKBOOK_PARTS
from .mbox import HEADER_LINE, looks_like_mbox
from .tnef import SIGNATURE as TNEF_SIGNATURE

FORM, ARCHIVE, MESSAGE, MBOX, MSG, EMLX, TNEF, OTHER = (
    "form", "archive", "message", "mbox", "msg", "emlx", "tnef", "other")
CONTAINERS = (MESSAGE, MBOX, MSG, EMLX, TNEF)
HEAD = 16 * 1024  # bytes looked at to tell a message by its headers
MAX_OLE_FILE = 64 * 1024 * 1024  # an Outlook message read whole to tell what it is

# Files a mail program or export writes beside its messages (name → why it is skipped).
SIDE_NAMES = {"info.plist": "apple", "table_of_contents": "apple",
              "msgfilterrules.dat": "thunderbird", "popstate.dat": "thunderbird",
              "foldertree.json": "thunderbird", "virtualfolders.dat": "thunderbird",
              "filterlog.html": "thunderbird", "junklog.html": "thunderbird",
              "archive_browser.html": "takeout"}
SIDE_SUFFIXES = {".msf": "thunderbird", ".mbox-cache": "apple"}
_KNOWN_FIELDS = {b"from", b"to", b"cc", b"date", b"subject", b"message-id", b"mime-version",
                 b"received", b"return-path", b"delivered-to", b"content-type", b"reply-to",
                 b"x-mozilla-status", b"dkim-signature", b"x-gm-thrid", b"sender",
                 b"in-reply-to", b"references", b"thread-topic", b"user-agent", b"x-mailer"}
_EMLX_COUNT = re.compile(rb"[ \t]*(\d{1,9})[ \t]*\r?\n")


def kind_of(data: bytes) -> str:
    """What ``data`` is (one of the kinds above)."""
    if data[:2] == b"PK":
        return ARCHIVE if archive_of(data) is not None else FORM
    if data[:8] == OLE_MAGIC:
        return ole_kind(data)
    return _mail_in_head(data[:HEAD]) or OTHER


def _mail_in_head(head: bytes) -> str | None:
    """TNEF, an mbox, a message or an ``.emlx`` by the first bytes of a file; else None."""
    if head[:4] == TNEF_SIGNATURE:
        return TNEF
    if looks_like_mbox(head):
        return MBOX
    if looks_like_message(head):
        return MESSAGE
    if emlx_span(head) is not None:
        return EMLX
    return None


def archive_of(data: bytes) -> zipfile.ZipFile | None:
    """A zip of other files (not a workbook, which is a zip too), open; else None (a
    broken zip is a form: the reader says what is wrong with it)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        if not set(zf.namelist()) & WORKBOOK_PARTS:
            return zf
        zf.close()
    except Exception:
        return None
    return None


def ole_kind(data: bytes) -> str:
    """An OLE compound file: Outlook's message, a spreadsheet (an ``.xls``, an encrypted
    workbook) — or another Office file (a Word ``.doc``): not a form. One olefile cannot
    open is a broken Outlook message when it holds an Outlook property's name, else it is
    left to the reader, which names the problem."""
    import olefile

    from .msg import SUBSTG, is_msg_entries

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            names = {path[0] for path in ole.listdir(streams=True, storages=True)}
    except Exception:
        return MSG if SUBSTG.encode("utf-16-le") in data else FORM
    if is_msg_entries(names):
        return MSG
    if names & {"Workbook", "Book", "EncryptedPackage", "EncryptionInfo"}:
        return FORM
    return OTHER


def _ole_file_kind(path: Path) -> str:
    """:func:`ole_kind` of a file (one too large to be a message is left to the reader)."""
    try:
        if path.stat().st_size > MAX_OLE_FILE:
            return FORM
        return ole_kind(path.read_bytes())
    except OSError:
        return FORM


def looks_like_message(head: bytes) -> bool:
    """RFC 822 headers: every line up to the first blank one a header field (or its
    continuation), at least two of them fields every mail has."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    if len(lines) > 1 and len(head) >= HEAD:
        lines = lines[:-1]  # cut by the head's end
    known: set[bytes] = set()
    for i, line in enumerate(lines):
        if not line:
            break
        if line[:1] in (b" ", b"\t") and i:
            continue
        if HEADER_LINE.match(line) is None:
            return False
        known.add(line.split(b":", 1)[0].strip().lower())
    return len(known & _KNOWN_FIELDS) >= 2


def emlx_span(head: bytes) -> tuple[int, int] | None:
    """Apple Mail's ``.emlx``: a line with the message's length, then the message (then
    Apple's own properties); where the message starts and ends (None: not one)."""
    m = _EMLX_COUNT.match(head)
    if m is None or not looks_like_message(head[m.end():]):
        return None
    return m.end(), m.end() + int(m[1])


def mail_file_kind(path: Path) -> str | None:
    """A file in a folder: ``mbox``, ``message`` (an ``.eml``), ``msg``, ``emlx``,
    ``tnef``; ``archive`` for a zip of files with mail among them (read as mail is read,
    its forms too: a zip of saved messages); ``side:<program>`` for what a mail program
    writes beside its messages (and ``side:empty`` for an empty mail folder); None for
    anything else (a form, or a file the reader will name)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD)
    except OSError:
        return None  # the reader says why it cannot be read
    if head[:2] == b"PK":
        if _first_member(head) in WORKBOOK_PARTS:  # a workbook (most files here): its
            return None  # zip's directory need not be read again for mail in it
        return ARCHIVE if _archive_holds_mail(path) else None
    if head[:8] == OLE_MAGIC:
        return MSG if _ole_file_kind(path) == MSG else None
    return _mail_in_head(head) or _by_name(path, head)


MAIL_SUFFIXES = (".eml", ".msg", ".emlx", ".mbox", ".mbx")
MEMBERS_LOOKED_AT = 200  # members of a zip whose first bytes say whether it holds mail


def _first_member(head: bytes) -> str:
    """The name in a zip's first local file header (as Excel, LibreOffice and Google
    Sheets write a workbook: ``[Content_Types].xml`` or ``mimetype`` first); "" when the
    bytes hold none."""
    if head[:4] != b"PK\x03\x04" or len(head) < 30:
        return ""
    size = int.from_bytes(head[26:28], "little")
    return head[30:30 + size].decode("utf-8", "replace")


def _archive_holds_mail(path: Path) -> bool:
    """A zip of other files (not a workbook) with a message, a mailbox, an Outlook item
    or a TNEF part among its first members, by their first bytes (or a mail program's
    name for them: an Outlook item's streams may lie beyond them). Never more than a
    few kilobytes of each member are decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if {i.filename for i in infos} & WORKBOOK_PARTS:
                return False
            for info in infos[:MEMBERS_LOOKED_AT]:
                if not info.file_size:  # a folder, or nothing to look at
                    continue
                if info.filename.lower().endswith(MAIL_SUFFIXES) or \
                        info.filename.lower().rsplit("/", 1)[-1] == "winmail.dat":
                    return True
                with zf.open(info) as fh:
                    head = fh.read(HEAD)
                if _mail_in_head(head) is not None:
                    return True
    except Exception:  # not a zip we can read: the reader names what is wrong
        return False
    return False


def _by_name(path: Path, head: bytes) -> str | None:
    """What only the name can tell, for content that is neither a form nor mail."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if not head and (suffix in (".mbox", ".mbx", ".eml")
                     or path.with_name(path.name + ".msf").exists()):
        return "side:empty"  # an empty folder (Thunderbird keeps its index beside it)
    if name in SIDE_NAMES:
        return f"side:{SIDE_NAMES[name]}"
    if suffix in SIDE_SUFFIXES:
        return f"side:{SIDE_SUFFIXES[suffix]}"
    if suffix == ".eml":
        return MESSAGE  # headers the check above did not recognise: the parser decides
    if suffix in (".mbox", ".mbx") and head.startswith(b"From "):
        return MBOX
    return None
