"""A fast path for well-formed MIME: the message tree the standard parser builds
(:mod:`email`, legacy policy), with bodies cut at their boundaries by ``bytes.find``
instead of being fed through the parser line by line. Anything unusual — no closing
delimiter, a header the parser flags, too deep — returns None, and the caller uses the
lenient standard parser, which turns broken MIME into defects.
"""

from __future__ import annotations

import email.parser
import email.policy
import re

_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)


def _delimiters(body: bytes, token: bytes) -> list[tuple[int, int, bool]]:
    """(line start, next line start, closing?) of each boundary delimiter line: the token
    at the start of a line, optionally ``--``, then only blanks to the end of the line."""
    out, pos = [], 0
    while True:
        i = body.find(token, pos)
        if i == -1:
            return out
        pos = i + 1
        if i and body[i - 1:i] != b"\n":
            continue
        j = i + len(token)
        close = body[j:j + 2] == b"--"
        eol = body.find(b"\n", j)
        rest = body[j + 2 * close:len(body) if eol == -1 else eol]
        if rest.strip(b" \t\r"):
            continue
        out.append((i, len(body) if eol == -1 else eol + 1, close))
_FIRST_BLANK = re.compile(rb"\r?\n\r?\n")


def fast_parse(raw: bytes, depth: int, max_depth: int = 8):
    """The message tree the standard parser would build, for well-formed MIME only (None
    for anything else, which then goes to the lenient standard parser): header blocks are
    parsed by the email package, bodies are cut at their boundaries with one regular
    expression instead of being fed through the parser line by line (a form in base64 is
    ~400 lines: this made reading a mailbox three times faster)."""
    if depth > max_depth:
        return None
    try:
        if raw[:1] == b"\n" or raw[:2] == b"\r\n":  # a part without headers
            head, body = b"", raw[1 if raw[:1] == b"\n" else 2:]
        else:
            m = _FIRST_BLANK.search(raw)
            if m is None:
                return None
            head, body = raw[:m.start()], raw[m.end():]
        msg = _HEADERS.parsebytes(head + b"\n\n")
        if msg.defects:
            return None
        if msg.get_content_maintype() == "multipart":
            boundary = msg.get_boundary()
            if not boundary:
                return None
            marks = _delimiters(body, b"--" + boundary.encode("utf-8", "surrogateescape"))
            if len(marks) < 2 or not marks[-1][2] or any(k[2] for k in marks[:-1]):
                return None  # no closing delimiter, or one before the end
            children = []
            for a, b in zip(marks, marks[1:]):
                start, end = a[1], b[0]
                end -= 2 if body[end - 2:end] == b"\r\n" else 1 if body[end - 1:end] == b"\n" else 0
                child = fast_parse(body[start:max(start, end)], depth + 1, max_depth)
                if child is None:
                    return None
                children.append(child)
            msg.set_payload(children)
            return msg
        if msg.get_content_type() == "message/rfc822":
            inner = fast_parse(body, depth + 1, max_depth)
            if inner is None:
                return None
            msg.set_payload([inner])
            return msg
        msg.set_payload(body.decode("ascii", "surrogateescape"))
        return msg
    except Exception:
        return None
