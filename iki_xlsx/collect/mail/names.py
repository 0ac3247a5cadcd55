"""Names as mail programs write them, decoded with fallbacks: RFC 2047 encoded words
(``=?windows-874?B?…?=``), RFC 2231 parameters (``filename*=x-mac-roman''…``), raw 8-bit
names, and charsets Python does not know by the name a sender used (``x-mac-roman``,
``iso-8859-8-i``, ``windows-874``, ``x-bogus``). A name is only ever shown and stored: it
never decides whether a part is read (:mod:`.inbox` reads every part by content).
"""

from __future__ import annotations

import codecs
import email.header
import email.message
import email.utils
import re
import unicodedata

# Names senders use for charsets Python knows under another name.
_ALIASES = {
    "x-sjis": "shift_jis", "x-user-defined": "latin-1", "gb2312": "gb18030",
    "x-gbk": "gbk", "x-euc-jp": "euc_jp", "x-mac-ce": "mac_latin2", "unicode": "utf-16",
    "ansi_x3.4-1968": "ascii", "us": "ascii", "x-iscii": "latin-1",
}


def charset_codec(charset: str | None) -> str | None:
    """The codec Python knows for a charset as a mail names it, or None (unknown): case
    and ``x-`` prefixes ignored, ``windows-874`` → ``cp874``, ``x-mac-roman`` →
    ``mac_roman``, ``iso-8859-8-i`` → ``iso-8859-8`` (the same bytes, logical order)."""
    if not charset:
        return None
    name = str(charset).strip().strip('"').lower()
    candidates = [name]
    bare = name
    while bare.startswith("x-"):
        bare = bare[2:]
        candidates.append(bare)
    candidates.append(_ALIASES.get(name, ""))
    candidates.append(_ALIASES.get(bare, ""))
    m = re.fullmatch(r"(?:windows|win|ms|cp)[-_]?(\d{3,5})", bare)
    if m:
        candidates.append(f"cp{m[1]}")
    if bare.startswith("mac-") or bare.startswith("mac"):
        candidates.append("mac_" + bare[3:].lstrip("-_"))
    m = re.fullmatch(r"(iso[-_]?8859[-_]\d+)[-_][ie]", bare)
    if m:
        candidates.append(m[1])
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return codecs.lookup(candidate).name
        except (LookupError, ValueError):
            continue
    return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes as text: the declared charset when it is known and fits, else UTF-8, else
    Windows-1252 (what Outlook writes without saying so), else Latin-1 (never fails)."""
    tried = []
    codec = charset_codec(charset)
    for name in (codec, "utf-8", "cp1252", "latin-1"):
        if not name or name in tried:
            continue
        tried.append(name)
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def decoded_words(text: str) -> str:
    """RFC 2047 encoded words (``=?UTF-8?B?…?=``) decoded, each with its own charset
    and the fallbacks of :func:`decode_bytes`; raw 8-bit text (which the parser keeps as
    escaped bytes) decoded as UTF-8 or Windows-1252."""
    text = _raw_8bit(text)
    if "=?" not in text:
        return text
    try:
        chunks = email.header.decode_header(text)
    except Exception:  # a malformed encoded word: the text as written
        return text
    out = []
    for chunk, charset in chunks:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return "".join(out)


def _raw_8bit(text: str) -> str:
    """Header text parsed from bytes keeps non-ASCII bytes as surrogates: decoded here."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"))


def part_filename(part) -> str:
    """A MIME part's file name (``filename`` of Content-Disposition, else ``name`` of
    Content-Type; RFC 2231 and RFC 2047 decoded with fallbacks), "" when it has none."""
    part = _decoded_headers(part)
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        try:
            value = part.get_param(param, header=header)
        except Exception:  # a header the parser chokes on: try the other one
            continue
        if not value:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
            charset, _, raw = value
            try:
                text = decode_bytes(bytes(raw, "raw-unicode-escape"), charset)
            except (UnicodeEncodeError, ValueError):
                text = raw
        else:
            text = email.utils.unquote(str(value))
        name = " ".join(decoded_words(text).split())
        if name:
            return name
    return ""


def _decoded_headers(part):
    """The part itself, or — when its Content-Type or Content-Disposition holds raw 8-bit
    bytes (which the parser would hand back as U+FFFD) — a stand-in holding those two
    headers decoded."""
    try:
        raw = [(k, v) for k, v in part.raw_items()
               if k.lower() in ("content-type", "content-disposition")]
    except Exception:
        return part
    if not any(isinstance(v, str) and _raw_8bit(v) != v for _, v in raw):
        return part
    stand_in = email.message.Message()
    for key, value in raw:
        stand_in[key] = _raw_8bit(str(value))
    return stand_in


def raw_name_with_path(part) -> str:
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
                return decoded_words(raw)
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
