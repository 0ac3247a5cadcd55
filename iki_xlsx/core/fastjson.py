"""JSON for what the ledger keeps and reads back in bulk — what each file gave, each
form's kept values (:mod:`.kept`): ``orjson`` where it can be imported (4–10× faster than
:mod:`json` on these numbers: a float's text is most of the work), :mod:`json`
otherwise. Both give the same values: text orjson does not take (``NaN`` and
``Infinity``, which :mod:`json` writes) or would read otherwise (an integer beyond 64
bits, which orjson reads as a float: a text with a run of 19 digits is not given to it)
is read by :mod:`json`, and :func:`dumps` is asked for plain data only (its caller
checks: :func:`plain`); a text :mod:`json` wrote there starts with a space."""

from __future__ import annotations

import json
import re

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; json does the same, slower
    orjson = None

_WIDE = (-(1 << 63), (1 << 64) - 1)  # the integers orjson writes
# Where an integer may be beyond them: a JSON number's digits are ASCII (json and orjson
# read no other), and [0-9] is ~40 % faster to scan for than \d (any Unicode digit).
_LONG = re.compile(r"[0-9]{19}")


def loads(text: str, *, ours: bool = False):
    """The value of a JSON text; ``ours``: one :func:`dumps` wrote (a text json wrote
    then starts with a space: orjson wrote every other)."""
    if orjson is not None and (not text.startswith(" ") if ours else not _LONG.search(text)):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # NaN, a wide integer: json's own text; or not JSON (json says why)
    return json.loads(text)


def plain(value) -> bool:
    """``value`` (a realisasi or keterangan) is written by orjson as :mod:`json` would:
    not a float that is not finite, not an integer beyond 64 bits."""
    kind = type(value)
    if kind is float:
        return value - value == 0.0  # NaN and ±inf give NaN
    if kind is int:
        return _WIDE[0] <= value <= _WIDE[1]
    return True


def dumps(value, *, checked: bool) -> str:
    """Compact JSON text of ``value`` (lists, dicts with text keys, text, numbers, None);
    ``checked``: every number in it is :func:`plain` (else :mod:`json` writes it, after a
    space: :func:`loads` then reads it with :mod:`json`)."""
    if orjson is not None and checked:
        try:
            return orjson.dumps(value).decode()
        except orjson.JSONEncodeError:
            pass  # text orjson does not take (a lone surrogate): json writes it
    return " " + json.dumps(value, separators=(",", ":"))
