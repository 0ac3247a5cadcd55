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


def normal_time(text: object) -> str:
    """A saved time as one sortable text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC ("" when
    it cannot be read). A time without a zone (LibreOffice's ODS, zip entries) is taken
    as UTC: the pegawai's own zone is not known."""
    m = _STAMP.match(str(text or "").strip())
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
        t -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _text(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


