"""Every stored time is one text (``core.clock.normal_time``) and the trusted clock compares
those texts (``trusted_time``). Both read the usual shapes on a fast path (issue 25, goal
2: they run for every collected file); here they are held, on generated times of every
shape people and programs write (zones, fractions, bad dates, a year below 1000), to the
general reading as it was before the fast path (a reference copy written here), with the
two mends this test found: a time that leaves the calendar once in UTC is no time (it
raised), and a year below 1000 is written in four digits (``999-…`` neither sorted nor
read back)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from iki_xlsx.core.clock import normal_time, trusted_time

UTC = timezone.utc
_STAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
                    r"\s*(Z|[+-]\d\d:?\d\d)?$")
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def reference_normal(text: object) -> str:
    m = _STAMP.match(str(text or "").strip())
    if not m:
        return ""
    y, mo, d, h, mi, sec, frac, zone = m.groups()
    try:
        t = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0),
                     int((frac or "0")[:6].ljust(6, "0")), tzinfo=UTC)
    except ValueError:
        return ""
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        try:
            t -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        except OverflowError:  # changed with this test: an exception before
            return ""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ").rjust(27, "0")  # changed: "999-…" before


def reference_trusted(claimed: str, arrived: str, issued: str, tahun, zoned: bool):
    def parse(text):
        return datetime.strptime(text, FORMAT).replace(tzinfo=UTC)

    def text_of(t):
        return t.strftime(FORMAT).rjust(27, "0")

    if not claimed:
        return arrived, ""
    at = parse(claimed)
    bounds = [parse(issued)] if issued else []
    if tahun:
        bounds.append(datetime(int(tahun), 1, 1, tzinfo=UTC))
    low = min(bounds) - timedelta(days=1) if bounds else None
    trusted, why = claimed, ""
    if low is not None and at < low:
        trusted, why = text_of(low), "sebelum_terbit"
    if arrived and trusted > arrived:
        margin = timedelta(minutes=10) if zoned else timedelta(hours=14)
        why = "masa_depan" if at > parse(arrived) + margin else why
        trusted = arrived
    return trusted, why


digits = st.integers(0, 99).map(lambda n: f"{n:02d}")
stamps = st.builds(
    lambda y, mo, d, h, mi, s, sep, frac, zone, pad: (
        f"{pad}{y:04d}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}{pad}"),
    st.sampled_from([999, 1000, 1999, 2024, 2025, 2026, 9999]) | st.integers(1, 9999),
    st.sampled_from(["01", "02", "06", "12", "13", "00"]) | digits,
    st.sampled_from(["01", "28", "29", "30", "31", "32", "00"]) | digits,
    st.sampled_from(["00", "09", "23", "24"]) | digits,
    st.sampled_from(["00", "59", "60"]) | digits,
    st.sampled_from(["00", "30", "59", "60"]) | digits,
    st.sampled_from(["T", " ", "t"]),
    st.sampled_from(["", ".000000", ".954002", ".5", ",25", ".1234567", "."]),
    st.sampled_from(["", "Z", "+00:00", "+0000", "+07:00", "-03:30", "+14:00", "z"]),
    st.sampled_from(["", " ", "\n"]))

shaped = st.builds(  # real moments, in each shape a program writes them
    lambda t, sep, frac, zone: t.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + frac(t) + zone,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["T", " "]),
    st.sampled_from([lambda t: "", lambda t: f".{t.microsecond:06d}",
                     lambda t: f".{t.microsecond // 1000:03d}"]),
    st.sampled_from(["", "Z", "+00:00", "+07:00", "-03:30"]))


@settings(max_examples=1500, deadline=None)
@given(stamps | shaped)
def test_normal_time_reads_every_shape_as_the_general_reading_does(text):
    assert normal_time(text) == reference_normal(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)))
def test_normal_time_of_anything_else_is_the_general_reading(value):
    assert normal_time(value) == reference_normal(value)


moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)) \
    .map(lambda t: t.strftime(FORMAT).rjust(27, "0"))


@settings(max_examples=1000, deadline=None)
@given(claimed=st.one_of(st.just(""), moments), arrived=st.one_of(st.just(""), moments),
       issued=st.one_of(st.just(""), moments),
       tahun=st.one_of(st.none(), st.integers(2, 9998)), zoned=st.booleans())
def test_trusted_time_is_the_general_reading(claimed, arrived, issued, tahun, zoned):
    assert trusted_time(claimed, arrived, issued, tahun, zoned) == \
        reference_trusted(claimed, arrived, issued, tahun, zoned)
