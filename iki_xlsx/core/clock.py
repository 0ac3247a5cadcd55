"""The trusted clock (issue 21): a file's own saved time is a claim. A saved time never
counts as later than the moment the file first reached us (the first sighting, or the
topmost Received header of the message that brought it), nor earlier than its form was
issued; what it claimed is kept beside what counts. Also how every stored time is
written (:func:`normal_time`: UTC, ISO 8601, to the second or finer).

Pure functions over text: callers give the times they saw."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone


_STAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
                    r"\s*(Z|[+-]\d\d:?\d\d)?$")
# The two shapes most times arrive in, read without the general pattern: normal_time's
# own (``2026-12-07T03:59:30.000000Z``) and an ISO time in UTC as Python writes it
# (``2026-12-07T03:59:30+00:00``, with or without microseconds).
_NORMAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?\+00:00")


def _valid(text: str) -> bool:
    """Whether an ISO date and time of the shapes above names a real moment."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def normal_time(text: object) -> str:
    """A saved time as one sortable text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC ("" when
    it cannot be read). A time without a zone (LibreOffice's ODS, zip entries) is taken
    as UTC: the pegawai's own zone is not known."""
    text = str(text or "").strip()
    if _NORMAL.fullmatch(text):  # already normal (most times stored and compared)
        return text if _valid(text[:-1]) else ""
    if _UTC.fullmatch(text):  # written by this program in UTC (issued_at, first_seen)
        return f"{text[:19]}.{text[20:26] if text[19] == '.' else '000000'}Z" \
            if _valid(text[:-6]) else ""
    m = _STAMP.match(text)
    if not m:
        return ""
    y, mo, d, h, mi, sec, frac, zone = m.groups()
    try:
        t = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0),
                     int((frac or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc)
    except ValueError:
        return ""
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        try:
            t -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        except OverflowError:  # before year 1 or after 9999 in UTC: not a time
            return ""
    return _text(t)


# Clocks disagree a little (a PC a few minutes fast) or by a time zone (a saved time
# written without one, or a PC set to the wrong zone): a claim is clamped always, but
# noted only past these margins.
SKEW_ZONED = timedelta(minutes=10)
SKEW_ZONELESS = timedelta(hours=14)  # local time taken as UTC: up to UTC+14 ahead
BEFORE_ISSUE = timedelta(days=1)  # a form's own file claims when it was generated
FUTURE, BEFORE_ISSUED = "masa_depan", "sebelum_terbit"  # why a saved time was clamped


def trusted_time(claimed: str, arrived: str, issued: str = "", tahun: int | None = None,
                 zoned: bool = True) -> tuple[str, str]:
    """(the saved time that counts, why it differs from ``claimed``: "" or
    :data:`FUTURE` / :data:`BEFORE_ISSUED` when the difference is worth a note).

    All times are :func:`normal_time` texts. ``arrived``: the moment the file first
    reached us (an upload received, a message as our mail server dated it, the collect
    run that first saw it) — a file cannot have been saved after it. ``issued``: when its
    revision was issued, trusted no later than the start of its year (a workspace
    rebuilt by ``recover`` records a later time) — a file cannot have been saved a day
    before that. A file that says nothing counts from its arrival."""
    if not claimed:
        return arrived, ""
    at = _parse(claimed)
    low = _lower_bound(issued, tahun)
    trusted, why = claimed, ""
    if low is not None and at < low:
        trusted, why = _text(low), BEFORE_ISSUED
    if arrived and trusted > arrived:
        margin = SKEW_ZONED if zoned else SKEW_ZONELESS
        why = FUTURE if at > _parse(arrived) + margin else why
        trusted = arrived
    return trusted, why


def _lower_bound(issued: str, tahun: int | None) -> datetime | None:
    bounds = [_parse(issued)] if issued else []
    if tahun:
        bounds.append(datetime(int(tahun), 1, 1, tzinfo=timezone.utc))
    return min(bounds) - BEFORE_ISSUE if bounds else None


def _parse(text: str) -> datetime:
    """A :func:`normal_time` text as a moment (read by the C parser)."""
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc)


def _text(t: datetime) -> str:
    """A moment in UTC as a :func:`normal_time` text, its year in four digits (``0999``:
    strftime would write ``999``, which neither sorts nor reads back)."""
    return t.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def claim_has_zone(saved_from: str | None, modified_at: str | None) -> bool:
    """Whether a saved time says its zone: the document's own time when it was written
    with one (``Z``, ``+07:00``), the file's time on disk always; a zip entry's never."""
    if saved_from == "dokumen":
        m = _STAMP.match(str(modified_at or "").strip())
        return bool(m and m.group(8))
    return saved_from != "zip"


def mail_arrival(origin: object) -> str:
    """When a message reached us, from a sighting's provenance (JSON text or dict): as
    our mail server dated it (``received``: the IMAP INTERNALDATE or the topmost
    Received header), else its own Date ("" when neither can be read)."""
    import json

    if isinstance(origin, str):
        try:
            origin = json.loads(origin)
        except ValueError:
            return ""
    if not isinstance(origin, Mapping):
        return ""
    return normal_time(origin.get("received")) or normal_time(origin.get("date"))


