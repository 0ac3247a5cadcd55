"""A worker's :class:`RecapForm`\\ s sent to the recap's own process, small: pickling the
objects as they are cost ~0.5 ms a form each way (10,000 forms: ~5 s), most of it in
pickle's per-object calls for 250,000 indikator and ~400,000 values.

So a form travels as a list of its fields, each indikator as a tuple of what it gave
(values, figures, status, sources, verification), each value as a tuple of its fields;
what an indikator says of itself (id, no, sasaran, indikator, satuan, target, polaritas,
agregasi) is the same for every form of one IKI and travels once per IKI (a
:class:`Packer` numbers them; the :class:`Unpacker` keeps them). What comes out is equal,
field by field, to what went in (the numbers keep their type; the same texts stay one
object where they were one).
"""

from __future__ import annotations

import pickle
from dataclasses import fields
from operator import attrgetter

from ..core.timeline import Event, Value
from .data import RecapForm, RecapIndicator

__all__ = ["Packer", "Unpacker"]

_FORM = attrgetter(*(f.name for f in fields(RecapForm)))
_FORM_NAMES = [f.name for f in fields(RecapForm)]
_INDICATORS = _FORM_NAMES.index("indicators")
_EVENTS = _FORM_NAMES.index("events")
_STATIC_NAMES = ("id", "no", "sasaran", "indikator", "satuan", "target", "polaritas",
                 "agregasi")  # the same for every form of one IKI
_OWN_NAMES = ("values", "total", "capaian", "status", "keterangan", "sources", "progress",
              "verification")
assert tuple(f.name for f in fields(RecapIndicator)) == _STATIC_NAMES + _OWN_NAMES
_STATIC = attrgetter(*_STATIC_NAMES)
_OWN = attrgetter(*_OWN_NAMES)
_VALUE = attrgetter(*(f.name for f in fields(Value)))
_EVENT = attrgetter(*(f.name for f in fields(Event)))


class Packer:
    """The worker's side: :meth:`pack` a list of forms into one message."""

    def __init__(self) -> None:
        self._statics: dict[tuple, int] = {}

    def pack(self, forms: list[RecapForm]) -> bytes:
        new = []  # (number, an IKI's indikator) first sent in this message
        rows = []
        for form in forms:
            row = list(_FORM(form))
            indicators = row[_INDICATORS]
            key = tuple(map(_STATIC, indicators))
            number = self._statics.get(key)
            if number is None:
                number = self._statics[key] = len(self._statics)
                new.append((number, key))
            row[_INDICATORS] = (number, [  # each indikator's own, its sources as tuples
                (v, t, c, st, k, {p: _VALUE(x) for p, x in src.items()} if src else None,
                 pr, ch) for v, t, c, st, k, src, pr, ch in map(_OWN, indicators)])
            row[_EVENTS] = [_event(e) for e in row[_EVENTS]]
            rows.append(row)
        return pickle.dumps((new, rows), protocol=pickle.HIGHEST_PROTOCOL)


def _event(event: Event) -> tuple:
    row = list(_EVENT(event))
    row[3] = row[3] and _VALUE(row[3])
    row[4] = row[4] and _VALUE(row[4])
    return tuple(row)


class Unpacker:
    """The recap's side: :meth:`unpack` the messages of one :class:`Packer`, in order."""

    def __init__(self) -> None:
        self._statics: dict[int, tuple] = {}
        self._no_sources: dict = {}  # one empty dict for every indikator without sources

    def unpack(self, message: bytes) -> list[RecapForm]:
        new, rows = pickle.loads(message)
        self._statics.update(new)
        forms = []
        none = self._no_sources
        for row in rows:
            number, own = row[_INDICATORS]
            row[_INDICATORS] = [
                RecapIndicator(*static, v, t, c, st, k,
                               {p: Value(*x) for p, x in src.items()} if src else none,
                               pr, ch)
                for static, (v, t, c, st, k, src, pr, ch) in zip(self._statics[number], own)]
            row[_EVENTS] = [_unevent(e) for e in row[_EVENTS]]
            forms.append(RecapForm(*row))
        return forms


def _unevent(row: tuple) -> Event:
    kind, indicator, period, old, new, *rest = row
    return Event(kind, indicator, period, old and Value(*old), new and Value(*new), *rest)
