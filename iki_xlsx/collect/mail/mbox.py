"""mbox files as Thunderbird, mutt, Apple Mail and Gmail Takeout write them, recognised by
content (Thunderbird's folder files have no extension and may hold dots: ``Inbox``,
``IKI TW.1``) and split into messages without loading the file (memory-mapped).

A message starts at a ``From `` line that follows a blank line, as every writer leaves
one — or at a ``From `` line right after the previous message's last line when it looks
like an envelope (``From - Thu Apr  3 10:15:00 2025``, ``From 17…@xxx Thu Apr 03 …
+0000 2025``) and a header line follows: Thunderbird's own reader accepts such a folder
(it ends a message at any ``From `` line), mutt too (at any envelope-shaped one).
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from pathlib import Path

HEADER_LINE = re.compile(rb"[!-9;-~]{1,100}:")  # a field name (printable, no colon), then ":"
_ENVELOPE = re.compile(
    rb"From \S+ (?=[^\n]*\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b)"
    rb"(?=[^\n]*\b\d{1,2}:\d{2}\b)(?=[^\n]*\b\d{4}\b)[^\n]{0,200}\n")
_QUOTED_FROM = re.compile(rb"(?m)^>(>*From )")


def looks_like_mbox(head: bytes) -> bool:
    """The first bytes of an mbox: a ``From `` line, then a header line."""
    if not head.startswith(b"From "):
        return False
    end = head.find(b"\n")
    return end != -1 and HEADER_LINE.match(head, end + 1) is not None


def iter_mbox(path: Path, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(position from 1, raw message) for each message of an mbox file, memory-mapped: the
    operating system pages it in and out, this process holds one message at a time. A
    message over ``limit`` bytes comes as None, without being copied."""
    with open(path, "rb") as fh:
        try:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return
        with mm:
            yield from split_mbox(mm, limit)


def split_mbox(buf, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """The messages of an mbox held in ``buf`` (bytes or a memory map); ``>From``
    quoting (mboxrd) undone."""
    pos = 0 if buf[:5] == b"From " else _next_separator(buf, 0)
    position = 0
    while pos != -1:
        position += 1
        line_end = buf.find(b"\n", pos)
        body = len(buf) if line_end == -1 else line_end + 1
        nxt = _next_separator(buf, body)
        end = len(buf) if nxt == -1 else nxt
        if end - body > limit:
            yield position, None
        else:
            raw = buf[body:end]
            if b">From " in raw:
                raw = _QUOTED_FROM.sub(rb"\1", raw)
            yield position, raw
        pos = nxt


def _next_separator(buf, start: int) -> int:
    """Where the next message's ``From `` line starts, or -1."""
    i = start - 1
    while True:
        i = buf.find(b"\nFrom ", i + 1)
        if i == -1:
            return -1
        if (i >= 1 and buf[i - 1:i] == b"\n") or (i >= 2 and buf[i - 2:i] == b"\n\r"):
            return i + 1
        if _is_envelope(buf, i + 1):
            return i + 1


def _is_envelope(buf, start: int) -> bool:
    """A ``From `` line with an envelope's date, followed by a header line."""
    line = bytes(buf[start:start + 300]).replace(b"\r\n", b"\n")
    m = _ENVELOPE.match(line)
    return m is not None and HEADER_LINE.match(line, m.end()) is not None
