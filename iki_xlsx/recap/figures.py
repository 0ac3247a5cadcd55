"""The figures of each form of a recap — the part of :func:`iki_xlsx.recap.build.build_recap`
that is per form and independent of every other form, so that a slice of the forms can be
built in a process of its own (:mod:`iki_xlsx.recap.parallel`) by the very code that builds
them in this one.

A :class:`FormSlice` is some of the recap's forms (all of them in one process). First
(:meth:`FormSlice.plan`) it reads their IKIs and settings and says what the recap's period
depends on (the schemes and paper in use, the latest period with a value); once the recap
knows its period, :meth:`FormSlice.build` gives their :class:`RecapForm` objects, the year of
:data:`RECAP_SLICE` forms at a time (what their files gave is decoded for those forms only:
memory stays bounded).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter

from ..core.active import last_active
from ..core.capaian import upto_figures
from ..core.matching import indicator_id
from ..core.model import Aggregation, PeriodScheme, Polarity
from ..core.predikat import PredikatScale
from ..core.problems import Status
from ..core.show import parse_stamp
from ..core.timeline import (
    BELUM,
    END_MONTH,
    SUBMITTED,
    TERVERIFIKASI,
    TIDAK_AKTIF,
    FormYear,
    load_years,
    verification_of,
)
from ..forms import form_definitions
from ..workspace import FileGlance, IssuedFormRow, Workspace
from .data import NOT_SUBMITTED, UNVERIFIED, RecapForm, RecapIndicator

__all__ = ["RECAP_SLICE", "SCHEMES", "FormSlice", "SlicePlan", "period_key", "recap_form",
           "upto_in"]

RECAP_SLICE = 250  # forms whose year is resolved at once (what their files gave is decoded)
SCHEMES = tuple(PeriodScheme)
_TEXT = {m: m.value for kind in (Polarity, Aggregation) for m in kind}  # ``.value`` costs


def period_key(code: str) -> tuple[int, int]:
    """Orders periods of different schemes on one time line (by the month they end)."""
    return (END_MONTH[code], next(i for i, s in enumerate(SCHEMES) if code in s.periods))


def upto_in(scheme: PeriodScheme, end_month: int) -> str | None:
    """The last period of ``scheme`` that ends by ``end_month`` (S1 → TW2, TW3 → S1)."""
    done = [p for p in scheme.periods if END_MONTH[p] <= end_month]
    return done[-1] if done else None


@dataclass
class SlicePlan:
    """What a slice of forms tells the recap before its period is known: per period
    scheme and per paper, (number of forms, position of the first in the recap), and
    the latest period (by its end month) in which any of them has a value (None: none
    yet)."""

    schemes: dict = field(default_factory=dict)
    paper: dict = field(default_factory=dict)
    latest: str | None = None


class FormSlice:
    """Some of a recap's forms (``heads``, rows of ``Workspace.issued.forms``, at
    ``positions`` in the recap; default: all of them) with ``files``, the glances of
    their files in the order collected. After :meth:`build`, :attr:`used` holds the
    files whose values the forms use."""

    def __init__(self, ws: Workspace, tahun: int, heads: list[IssuedFormRow],
                 files: list[FileGlance], positions: list[int] | None = None):
        self.ws, self.tahun = ws, tahun
        self.positions = range(len(heads)) if positions is None else positions
        self.by_form: dict[str, list[FileGlance]] = {}
        for row in files:
            self.by_form.setdefault(row.form_id, []).append(row)
        self.shapes = ws.issued.shapes(heads)
        # each form's IKI and settings (shared between forms with the same content)
        definitions = form_definitions(ws, tahun, {h.form_id: h.revision for h in heads})
        self.entries = [(h, definitions[h.form_id]) for h in heads]
        self.used: set[str] = set()

    def plan(self) -> SlicePlan:
        plan = SlicePlan()
        for at, (_, form) in zip(self.positions, self.entries):
            for counts, value in ((plan.schemes, form.settings.periode),
                                  (plan.paper, form.settings.kertas)):
                n, first = counts.get(value, (0, at))
                counts[value] = (n + 1, first)
        plan.latest = self._latest()
        return plan

    def _latest(self) -> str | None:
        """The latest period (by its end month) in which a form of the slice has a value:
        from the last period each accepted file filled, and the values the officer set."""
        best: str | None = None

        def consider(code: str | None) -> None:
            nonlocal best
            if code in END_MONTH and (best is None or period_key(code) > period_key(best)):
                best = code

        for form_id, rows in self.by_form.items():
            shape = self.shapes.get(form_id)
            for row in rows if shape else ():
                if row.status != Status.REJECTED and 0 <= row.last_period < len(shape.periods):
                    consider(shape.periods[row.last_period])
        for decisions in self.ws.decisions.by_form(list(self.shapes)).values():
            for d in decisions:
                if d.kind == "tetapkan":
                    consider(d.period)
        return best

    def build(self, end: int, only_verified: bool) -> Iterator[list[RecapForm]]:
        """The slice's forms s.d. the month ``end`` of the recap period, :data:`RECAP_SLICE`
        at a time (each form's predikat scale one object per setting in the slice)."""
        uptos = {s: upto_in(s, end) for s in SCHEMES}
        shared: dict = {}  # see recap_form
        by_setting: dict[str, PredikatScale] = {}
        scales: dict[str, PredikatScale] = {}
        used = self.used
        entries, self.entries = self.entries, []
        for start in range(0, len(entries), RECAP_SLICE):
            chunk = entries[start:start + RECAP_SLICE]
            years = load_years(self.ws, self.tahun, [head for head, _ in chunk], self.shapes)
            forms = []
            for head, form in chunk:
                setting = form.settings.skala_predikat
                scale = by_setting.get(setting)
                if scale is None:
                    parsed = PredikatScale.from_setting(setting)
                    scale = by_setting[setting] = scales.setdefault(parsed.describe(), parsed)
                year = years[head.form_id]
                forms.append(recap_form(head, form, year, uptos[form.settings.periode], scale,
                                        self.by_form.get(head.form_id, ()), only_verified,
                                        shared))
                used.update(filter(None, map(_SHA, year.values.values())))
            del years
            yield forms


def recap_form(head: IssuedFormRow, form, year: FormYear, upto: str | None,
               scale: PredikatScale, files, only_verified: bool = False,
               shared: dict | None = None) -> RecapForm:
    """One form's figures. ``shared``: the same verification dicts (and empty ones), one
    object for every indikator that has them, and what each IKI's indikator say of
    themselves (read only: a recap of 10,000 forms has 250,000 indikator rows)."""
    shared = {} if shared is None else shared
    settings = form.settings
    scheme = settings.periode
    cap = settings.batas_capaian
    midyear = settings.target_tengah_tahun
    shown = scheme.periods[: scheme.periods.index(upto) + 1] if upto else ()
    active = year.active  # issue 11: values count only in the form's active periods
    counted = upto if active is None else last_active(list(active), upto, scheme.periods)
    statics = _statics(form.iki, shared)
    ids = form_ids(len(statics))
    filled = dict.fromkeys(shown, 0)  # period → indikator with a value (its status)
    cells = form_cells(year, ids, shown, active, only_verified, filled)
    period_status = {p: year.status_of(p, filled[p], len(ids)) for p in shown}
    status = period_status.get(upto, BELUM) if upto else BELUM
    empty = NOT_SUBMITTED if status not in SUBMITTED else "kosong"
    indicators = []
    unverified = 0
    states: dict[str, set] = {p: set() for p in shown if active is None or p in active}
    seen: dict[tuple, dict] = {}  # this form's checks (its periods fixed) → the shared dict
    no_sources = shared.setdefault("sources", {})
    notes = year.keterangan
    for (ind, static), (values, sources, checks, waiting, anything) in zip(statics, cells):
        key = tuple(checks.values())
        one = seen.get(key)
        if one is None:
            for p, st in checks.items():
                states[p].add(st)
            one = seen[key] = shared.setdefault(("checks", *checks.items()), checks)
        unverified += waiting
        total = value = progress = None
        if not anything:
            ind_status = UNVERIFIED if only_verified and waiting else empty
        else:
            total, value, progress, ok = upto_figures(  # a blank is not filled there either
                values, counted, ind, scheme, cap, target_period=counted, midyear=midyear)
            ind_status = "terisi" if ok else "galat"
        note = notes.get(static[0])
        indicators.append(RecapIndicator(
            *static, values, total, value, ind_status, note.value if note else None,
            sources or no_sources, progress, one))
    got = [i.capaian for i in indicators if i.capaian is not None]
    mean = math.fsum(got) / len(got) if got else None
    last = max(filter(_SHA, year.values.values()), default=None, key=_WHEN)
    rf = RecapForm(
        head.form_id, head.revision, head.nip, head.nama, head.jabatan, head.kode_iki,
        head.perangkat_daerah, head.unit_kerja, head.atasan_nip, head.atasan_nama, scheme,
        upto, cap, scale, status, indicators, mean,
        scale.label(mean), last.sha256 if last else None,
        parse_stamp(last.collected_at) if last else None,
        period_status=period_status, events=list(year.events), excluded=len(year.excluded),
        active=status != TIDAK_AKTIF, active_periods=active,
        midyear=midyear,
        verification={p: verification_of(states[p]) if p in states else "" for p in shown},
        unverified=unverified)
    for row in files:
        seen_at = parse_stamp(row.first_seen)
        if seen_at and (rf.last_sent is None or seen_at > rf.last_sent):
            rf.last_sent = seen_at
        if row.status == Status.REJECTED:
            rf.rejected += 1
        elif row.revision is not None and row.revision != head.revision:
            rf.old_revision = max(rf.old_revision or 0, row.revision)
    return rf


_SHA = attrgetter("sha256")  # a value from a file (not one the officer or the atasan set)
_WHEN = attrgetter("saved_at", "collected_at")  # the file saved last


def _statics(iki, shared: dict) -> list[tuple]:
    """(indikator, what its recap row says of itself: id, no, sasaran — both filled down
    from the rows above —, indikator, satuan, target, polaritas, agregasi) for each
    indikator of ``iki``, made once per IKI object in ``shared``."""
    key = ("iki", id(iki))
    got = shared.get(key)
    if got is not None and got[0] is iki:
        return got[1]
    out = []
    no = sasaran = ""
    for ind_id, ind in zip(form_ids(len(iki.indicators)), iki.indicators):
        if ind.sasaran and ind.sasaran != sasaran:  # a new sasaran
            no, sasaran = ind.no, ind.sasaran
        elif ind.no or ind.sasaran:  # a row continuing the sasaran above
            no, sasaran = ind.no or no, ind.sasaran or sasaran
        out.append((ind, (ind_id, no, sasaran, ind.indikator, ind.satuan, ind.target.text,
                          _TEXT[ind.polaritas], _TEXT[ind.agregasi])))
    shared[key] = (iki, out)  # the IKI held: its id names no other object meanwhile
    return out


def form_cells(year: FormYear, ids, shown, active, only_verified: bool,
               filled: dict[str, int]) -> list[tuple]:
    """Each indikator's cells s.d. the recap period: (period → the value that counts,
    period → its source, period → the atasan's verification in the active periods, how
    many values wait for it, whether any value counts) — each cell of ``year`` looked at
    once; ``filled`` counts the active periods in which each has a value."""
    got_of = year.values.get
    check_of = year.check_of
    out = []
    for row in _cell_keys(ids, shown):
        values: dict = {}
        sources: dict = {}
        checks: dict = {}
        waiting = 0
        anything = False
        for p, key in row:
            if active is not None and p not in active:
                values[p] = None
                continue
            got = got_of(key)
            check = checks[p] = check_of(key, got)
            if got is None:
                values[p] = None
                continue
            value = got.value
            if value is not None:
                filled[p] += 1
                if check and check != TERVERIFIKASI:
                    waiting += 1
            if only_verified and check != TERVERIFIKASI:  # the value does not count
                values[p] = None
                continue
            values[p] = value
            sources[p] = got
            anything = anything or value is not None
        out.append((values, sources, checks, waiting, anything))
    return out


def _cell_keys(ids: tuple[str, ...], shown: tuple[str, ...]) -> tuple:
    """Per indikator of ``ids``, (period, its cell's key in a year's values) for each
    period ``shown``: made once per ``ids`` and ``shown``."""
    keys = _KEYS.get((ids, shown))
    if keys is None:
        if len(_KEYS) >= 1_000:
            _KEYS.clear()
        keys = _KEYS[ids, shown] = tuple(tuple((p, (i, p)) for p in shown) for i in ids)
    return keys


_KEYS: dict[tuple, tuple] = {}


def form_ids(count: int) -> tuple[str, ...]:
    """The ids of a form's ``count`` indikator (``01``, ``02`` …), made once per count."""
    ids = _IDS.get(count)
    if ids is None:
        ids = _IDS[count] = tuple(indicator_id(i) for i in range(count))
    return ids


_IDS: dict[int, tuple[str, ...]] = {}
