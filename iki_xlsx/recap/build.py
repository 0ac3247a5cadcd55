"""Recap of capaian from the ledger: who submitted, what they achieved s.d. a period, and
which files had problems — as a :class:`Recap` (plain attributes, for the terminal
summary). :mod:`iki_xlsx.recap.xlsx` writes it as a workbook and
:mod:`iki_xlsx.recap.html` as a printable HTML page; this module imports neither.

Every capaian is recomputed here with :mod:`iki_xlsx.core.capaian` from the realisasi the
reader stored; nothing a returned workbook shows is trusted. Example::

    recap = build_recap(Workspace("iki-workspace"), upto="TW II")
    recap_xlsx.write_recap_xlsx(recap, "output/rekap-TW2.xlsx")

Longer than 400 lines because the per-form, per-unit and per-file figures are built in
one pass over the ledger rows and share their period rules.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ..core.active import ended_by, last_active
from ..core.capaian import parse_period, upto_figures
from ..core.collector import collector_paused
from ..core.matching import indicator_id
from ..core.model import Aggregation, MidYear, PeriodScheme, Polarity
from ..core.predikat import PredikatScale
from ..core.problems import Status
from ..core.show import file_label, parse_stamp
from ..core.texts import Texts, get_texts
from ..core.timeline import (
    BELUM,
    END_MONTH,
    KOSONG,
    SUBMITTED,
    TERVERIFIKASI,
    TIDAK_AKTIF,
    FormYear,
    load_years,
    resolve,
    verification_of,
)
from ..forms import form_definitions
from ..workspace import CollectedFile, FileGlance, IssuedFormRow, Workspace
from .closed import closed_forms

__all__ = [
    "FileIssue",
    "Recap",
    "RecapForm",
    "RecapIndicator",
    "UnitSummary",
    "build_recap",
    "predikat_colours",
]

# Months at the end of each period: orders periods of different schemes on one time line.
_END_MONTH = END_MONTH
_SCHEMES = tuple(PeriodScheme)
_TEXT = {m: m.value for kind in (Polarity, Aggregation) for m in kind}  # ``.value`` costs
NOT_SUBMITTED = BELUM  # RecapForm.status of a form that has not submitted the period
NOT_COUNTED = (BELUM, KOSONG)  # period statuses that are not a submission
UNVERIFIED = "belum_verifikasi"  # an indikator whose values wait for the atasan (issue 26)
INDICATOR_STATUSES = ("terisi", "kosong", NOT_SUBMITTED, "galat", UNVERIFIED)


def _period_key(code: str) -> tuple[int, int]:
    return (_END_MONTH[code], next(i for i, s in enumerate(_SCHEMES) if code in s.periods))


# --------------------------------------------------------------------------- the data

@dataclass(slots=True)
class RecapIndicator:
    id: str
    no: str  # filled down from the sasaran above when the form leaves it empty
    sasaran: str
    indikator: str
    satuan: str
    target: str
    polaritas: str
    agregasi: str
    values: dict  # period code → realisasi (periods up to the form's upto)
    total: float | str | None  # the aggregate s.d. upto
    capaian: float | None  # against the target s.d. upto (per-period or pro-rated)
    status: str  # terisi | kosong | belum | galat
    keterangan: str | None
    sources: dict = field(default_factory=dict)  # period → (file name, saved at) or a decision
    progress: float | None = None  # the aggregate against the yearly target (issue 22)
    verification: dict = field(default_factory=dict)  # period → terverifikasi | … (issue 26)


@dataclass(slots=True)
class RecapForm:
    form_id: str
    revision: int
    nip: str
    nama: str
    jabatan: str
    kode_iki: str
    perangkat_daerah: str
    unit_kerja: str
    atasan_nip: str
    atasan_nama: str
    scheme: PeriodScheme
    upto: str | None  # this form's period s.d. which capaian counts (None: none yet)
    cap: float
    scale: PredikatScale
    status: str  # of the recap period: lengkap | sebagian | kosong | belum
    indicators: list[RecapIndicator]
    capaian: float | None  # mean of the indicators' capaian that are not None
    predikat: str | None
    sha256: str | None = None  # the submission used
    submitted_at: datetime | None = None  # when the submission used was first collected
    last_sent: datetime | None = None  # the latest file of this form, whatever its status
    rejected: int = 0  # rejected files of this form
    old_revision: int | None = None  # an accepted file of an older revision, if any
    period_status: dict = field(default_factory=dict)  # period → lengkap|sebagian|kosong|belum
    events: list = field(default_factory=list)  # timeline events (sheet Riwayat)
    excluded: int = 0  # files the officer set aside
    active: bool = True  # counts in the recap period (Mulai / Selesai of the master)
    active_periods: tuple | None = None  # periods it counts in (None: all year)
    midyear: MidYear = MidYear.PROPORSIONAL  # its master's Target Tengah Tahun
    verification: dict = field(default_factory=dict)  # period → terverifikasi |
    # dikembalikan | menunggu | "" (nothing to verify): the atasan's (issue 26)
    unverified: int = 0  # values s.d. the recap period not verified (not counted when
    # only verified values count)

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED

    @property
    def filled(self) -> int:
        return sum(1 for i in self.indicators if i.status == "terisi")

    @property
    def total(self) -> int:
        return len(self.indicators)


@dataclass(slots=True)
class UnitSummary:
    """Counts of one unit kerja (or perangkat daerah: unit_kerja None, or everything).

    Two ways to split the same forms, each adding up (issue 22): ``forms`` = ``submitted``
    + ``missing`` (of the recap period), and ``forms`` = the ``predikat`` counts +
    ``unrated``. A form that has not submitted the recap period but has earlier values
    has a capaian s.d. the period (from those values) and is counted in its band too."""

    perangkat_daerah: str | None
    unit_kerja: str | None
    people: int = 0  # distinct NIPs
    forms: int = 0
    submitted: int = 0  # forms that submitted the recap period
    missing: int = 0  # forms that did not
    average: float | None = None  # mean of the forms' capaian
    predikat: dict[str, int] = field(default_factory=dict)  # forms per predikat
    unrated: int = 0  # no capaian s.d. the period (no value yet)

    @property
    def submitted_share(self) -> float | None:
        return self.submitted / self.forms if self.forms else None


@dataclass(slots=True)
class FileIssue:
    """A collected file that was rejected or has problems (sheet Masalah)."""

    sha256: str
    names: list[str]  # where it was seen: path, or "zip › member"
    form_id: str | None
    nip: str | None
    nama: str | None
    status: str  # diterima | diterima_catatan | ditolak
    used: bool  # it is the submission the recap uses
    problems: list[dict]
    first_seen: datetime | None


@dataclass
class Recap:
    tahun: int
    upto: str  # period code as resolved (TW2, S1, TAHUNAN)
    upto_auto: bool  # True when chosen as the latest period with any realisasi
    periods: list[str]  # realisasi columns: every period s.d. upto, of every scheme present
    forms: list[RecapForm]
    units: list[UnitSummary]
    agencies: list[UnitSummary]
    total: UnitSummary
    predikat_labels: list[str]  # in scale order (every scale used)
    caps: list[float]
    scales: list[PredikatScale]
    files: list[FileIssue]
    generated_at: datetime
    kertas: str = "A4"  # paper of most forms (A4 | F4)
    provisional: bool = False  # before the year's end: the figures are sementara
    closed: list = field(default_factory=list)  # issue 11: ended and withdrawn forms
    file_labels: dict = field(default_factory=dict)  # sha256 → a decided file, named
    only_verified: bool = False  # issue 26: only values the atasan verified count
    only_verified_setting: bool = False  # … because the master says so

    @property
    def not_submitted(self) -> list[RecapForm]:
        return [f for f in self.forms if not f.submitted and f.active]

    def missing(self, period: str) -> list[RecapForm]:
        """Forms that have not submitted ``period`` (belum or kosong)."""
        return [f for f in self.forms
                if period in f.period_status
                and f.period_status[period] not in (*SUBMITTED, TIDAK_AKTIF)]

    @property
    def submitted(self) -> list[RecapForm]:
        return [f for f in self.forms if f.submitted]

    @property
    def first_period(self) -> str:
        return self.periods[0] if self.periods else self.upto


# --------------------------------------------------------------------------- building

def build_recap(ws: Workspace, *, tahun: int | None = None, upto: str | None = None,
                texts: Texts | None = None, only_verified: bool | None = None) -> Recap:
    """The recap of ``tahun`` (default: the latest year in the ledger) s.d. period ``upto``
    (``TW2``, ``TW II``, ``2``, ``S1``, ``TAHUNAN``; default: the latest period with any
    realisasi). ``only_verified``: count only the values the atasan verified (issue 26;
    default: the master's setting ``Hanya Nilai Terverifikasi``). ValueError with an
    Indonesian message for an unknown period or an empty ledger."""
    with collector_paused():
        return _build_recap(ws, tahun, upto, texts, only_verified)


def _build_recap(ws: Workspace, tahun: int | None, upto: str | None, texts: Texts | None,
                 only_verified: bool | None) -> Recap:
    texts = texts or get_texts()
    by_setting_only = ws.settings.get(ONLY_VERIFIED_SETTING) == "ya"
    only = by_setting_only if only_verified is None else only_verified
    if tahun is None:
        years = ws.issued.years()
        if not years:
            raise ValueError(texts.t("rekap.galat.tahun_kosong", tahun=None))
        tahun = years[-1]
    files = ws.files.glances()  # what was read comes through the timeline
    heads = ws.issued.forms(tahun)
    if not heads:
        raise ValueError(texts.t("rekap.galat.tahun_kosong", tahun=tahun))
    shapes = ws.issued.shapes(heads)

    # Pass 1: each form's IKI and settings (shared between forms with the same content),
    # the schemes in use and the default period.
    definitions = form_definitions(ws, tahun, {h.form_id: h.revision for h in heads})
    entries = [(h, definitions[h.form_id]) for h in heads]
    del definitions
    schemes = Counter(form.settings.periode for _, form in entries)
    paper = Counter(form.settings.kertas for _, form in entries)
    primary = schemes.most_common(1)[0][0]
    if upto is None:
        code, auto = _latest_filled(ws, files, shapes, primary), True
    else:
        code, auto = _resolve_period(upto, primary, texts), False
    end = _END_MONTH[code]
    uptos = {s: _upto_in(s, end) for s in schemes}
    periods = sorted({p for s, u in uptos.items() if u is not None
                      for p in s.periods[: s.periods.index(u) + 1]}, key=_period_key)

    # Pass 2: capaian per indicator and form — the year of a slice of forms at a time
    # (what every file gave is decoded for those forms only: memory stays bounded).
    by_form: dict[str, list[FileGlance]] = {}
    for row in files:
        by_form.setdefault(row.form_id, []).append(row)
    del files
    forms = []
    shared: dict = {}  # see _recap_form
    used: set[str] = set()
    by_setting: dict[str, PredikatScale] = {}
    scales: dict[str, PredikatScale] = {}  # distinct scales, by what they say
    for start in range(0, len(entries), RECAP_SLICE):
        chunk = entries[start:start + RECAP_SLICE]
        years = load_years(ws, tahun, [head for head, _ in chunk], shapes)
        for head, form in chunk:
            setting = form.settings.skala_predikat
            scale = by_setting.get(setting)
            if scale is None:
                parsed = PredikatScale.from_setting(setting)
                scale = by_setting[setting] = scales.setdefault(parsed.describe(), parsed)
            year = years[head.form_id]
            forms.append(_recap_form(head, form, year, uptos[form.settings.periode], scale,
                                     by_form.get(head.form_id, ()), only, shared))
            used.update(v.sha256 for v in year.values.values() if v.sha256)
        del years
    del entries
    labels = _labels(scales.values())
    units, agencies, total = _summaries([f for f in forms if f.active], labels, texts)
    caps = sorted({f.cap for f in forms})
    names = {f.form_id: f.nama for f in forms}
    issues = [_issue(ws, row, names, used) for row in ws.files.with_problems()
              if row.tahun in (None, tahun)]
    provisional = end < 12
    recap = Recap(tahun, code, auto, periods, forms, units, agencies, total, labels, caps,
                  list(scales.values()), issues, datetime.now().replace(microsecond=0),
                  paper.most_common(1)[0][0], provisional)
    recap.closed = closed_forms(ws, recap, _withdrawn_figures)  # issues 11, 23
    decided = [e.decision.sha256 for f in forms for e in f.events if e.decision is not None]
    recap.file_labels = {sha: file_label(sha, s.where, s.origin, texts) for sha, s in
                         ws.files.first_sightings([x for x in decided if x]).items()}
    recap.only_verified = only
    recap.only_verified_setting = only and only_verified is None
    return recap


ONLY_VERIFIED_SETTING = "hanya_terverifikasi"  # ws.settings: "ya" | "tidak" (issue 26)
RECAP_SLICE = 250  # forms whose year is resolved at once (what their files gave is decoded)


def _resolve_period(text: str, primary: PeriodScheme, texts: Texts) -> str:
    for scheme in (primary, *(s for s in _SCHEMES if s is not primary)):
        code = parse_period(text, scheme)
        if code is not None:
            return code
    choices = ", ".join(p for s in (primary, *(s for s in _SCHEMES if s is not primary))
                        for p in s.periods)
    raise ValueError(texts.t("rekap.galat.periode_tidak_dikenal", periode=str(text).strip(),
                             pilihan=choices))


def _upto_in(scheme: PeriodScheme, end_month: int) -> str | None:
    """The last period of ``scheme`` that ends by ``end_month`` (S1 → TW2, TW3 → S1)."""
    done = [p for p in scheme.periods if _END_MONTH[p] <= end_month]
    return done[-1] if done else None


def _latest_filled(ws: Workspace, files: list[FileGlance], shapes: dict,
                   primary: PeriodScheme) -> str:
    """The latest period (by its end month) in which any form has a value: from the last
    period each accepted file filled, and the values the officer set."""
    best: str | None = None

    def consider(code: str | None) -> None:
        nonlocal best
        if code in _END_MONTH and (best is None or _period_key(code) > _period_key(best)):
            best = code

    for row in files:
        shape = shapes.get(row.form_id)
        if shape and row.status != Status.REJECTED and 0 <= row.last_period < len(
                shape.periods):
            consider(shape.periods[row.last_period])
    for decisions in ws.decisions.by_form(list(shapes)).values():
        for d in decisions:
            if d.kind == "tetapkan":
                consider(d.period)
    if best is None:
        return primary.periods[0]
    same = _upto_in(primary, _END_MONTH[best])  # say it in the main scheme when possible
    return same if same and _END_MONTH[same] == _END_MONTH[best] else best


def _recap_form(head: IssuedFormRow, form, year: FormYear, upto: str | None,
                scale: PredikatScale, files, only_verified: bool = False,
                shared: dict | None = None) -> RecapForm:
    """One form's figures. ``shared``: the same verification dicts (and empty ones), one
    object for every indikator that has them (read only: a recap of 10,000 forms has
    250,000 indikator rows)."""
    shared = {} if shared is None else shared
    scheme = form.settings.periode
    cap = form.settings.batas_capaian
    shown = scheme.periods[: scheme.periods.index(upto) + 1] if upto else ()
    active = year.active  # issue 11: values count only in the form's active periods
    counted = upto if active is None else last_active(list(active), upto, scheme.periods)
    ids = _ids(len(form.iki.indicators))
    filled = dict.fromkeys(shown, 0)  # period → indikator with a value (its status)
    cells = [_cells(year, ind_id, shown, active, only_verified, filled) for ind_id in ids]
    period_status = {p: year.status_of(p, filled[p], len(ids)) for p in shown}
    status = period_status.get(upto, BELUM) if upto else BELUM
    indicators = []
    no = sasaran = ""
    unverified = 0
    states: dict[str, set] = {p: set() for p in shown if active is None or p in active}
    for ind_id, ind, (values, sources, checks, waiting, anything) in zip(
            ids, form.iki.indicators, cells):
        if ind.sasaran and ind.sasaran != sasaran:  # a new sasaran
            no, sasaran = ind.no, ind.sasaran
        elif ind.no or ind.sasaran:  # a row continuing the sasaran above
            no, sasaran = ind.no or no, ind.sasaran or sasaran
        for p, st in checks.items():
            states[p].add(st)
        checks = shared.setdefault(("checks", *checks.items()), checks)
        sources = sources or shared.setdefault("sources", sources)
        unverified += waiting
        total = value = progress = None
        if not anything:
            ind_status = NOT_SUBMITTED if status not in SUBMITTED else "kosong"
            if only_verified and waiting:
                ind_status = UNVERIFIED
        else:
            total, value, progress, ok = upto_figures(  # a blank is not filled there either
                values, counted, ind, scheme, cap, target_period=counted,
                midyear=form.settings.target_tengah_tahun)
            ind_status = "terisi" if ok else "galat"
        note = year.keterangan.get(ind_id)
        indicators.append(RecapIndicator(
            ind_id, no, sasaran, ind.indikator, ind.satuan, ind.target.text,
            _TEXT[ind.polaritas], _TEXT[ind.agregasi], values, total, value, ind_status,
            note.value if note else None, sources, progress, checks))
    got = [i.capaian for i in indicators if i.capaian is not None]
    mean = math.fsum(got) / len(got) if got else None
    last = max((v for v in year.values.values() if v.sha256), default=None,
               key=lambda v: (v.saved_at, v.collected_at))
    rf = RecapForm(
        head.form_id, head.revision, head.nip, head.nama, head.jabatan, head.kode_iki,
        head.perangkat_daerah, head.unit_kerja, head.atasan_nip, head.atasan_nama, scheme,
        upto, cap, scale, status, indicators, mean,
        scale.label(mean), last.sha256 if last else None,
        parse_stamp(last.collected_at) if last else None,
        period_status=period_status, events=list(year.events), excluded=len(year.excluded),
        active=status != TIDAK_AKTIF, active_periods=active,
        midyear=form.settings.target_tengah_tahun,
        verification={p: verification_of(states[p]) if p in states else "" for p in shown},
        unverified=unverified)
    for row in files:
        seen = parse_stamp(row.first_seen)
        if seen and (rf.last_sent is None or seen > rf.last_sent):
            rf.last_sent = seen
        if row.status == Status.REJECTED:
            rf.rejected += 1
        elif row.revision is not None and row.revision != head.revision:
            rf.old_revision = max(rf.old_revision or 0, row.revision)
    return rf


def _cells(year: FormYear, ind_id: str, shown, active, only_verified: bool,
           filled: dict[str, int]):
    """One indikator's cells s.d. the recap period: (period → the value that counts,
    period → its source, period → the atasan's verification in the active periods, how
    many values wait for it, whether any value counts) — each cell of ``year`` looked at
    once; ``filled`` counts the active periods in which it has a value."""
    values: dict = {}
    sources: dict = {}
    checks: dict = {}
    waiting = 0
    anything = False
    got_of = year.values.get
    check_of = year.check_of
    for p in shown:
        if active is not None and p not in active:
            values[p] = None
            continue
        key = (ind_id, p)
        got = got_of(key)
        check = checks[p] = check_of(key, got)
        if got is None:
            values[p] = None
            continue
        if got.value is not None:
            filled[p] += 1
            if check and check != TERVERIFIKASI:
                waiting += 1
        if only_verified and check != TERVERIFIKASI:  # the value does not count
            values[p] = None
            continue
        values[p] = got.value
        sources[p] = got
        anything = anything or got.value is not None
    return values, sources, checks, waiting, anything


def _ids(count: int) -> tuple[str, ...]:
    """The ids of a form's ``count`` indikator (``01``, ``02`` …), made once per count."""
    ids = _IDS.get(count)
    if ids is None:
        ids = _IDS[count] = tuple(indicator_id(i) for i in range(count))
    return ids


_IDS: dict[int, tuple[str, ...]] = {}


def _labels(scales) -> list[str]:
    out: list[str] = []
    for scale in scales:
        for label in [b for _, b in scale.bands] + [scale.final]:
            if label not in out:
                out.append(label)
    return out


def predikat_colours(labels: list[str]) -> dict[str, str]:
    """A fill colour per predikat, best green → yellow → worst red (Excel's colour scale)."""
    stops = ((0x63, 0xBE, 0x7B), (0xFF, 0xEB, 0x84), (0xF8, 0x69, 0x6B))
    out = {}
    n = len(labels)
    for i, label in enumerate(labels):
        x = i / (n - 1) * 2 if n > 1 else 0.0
        a, b = (stops[0], stops[1]) if x <= 1 else (stops[1], stops[2])
        f = x if x <= 1 else x - 1
        out[label] = "#" + "".join(f"{round(p + (q - p) * f):02X}" for p, q in zip(a, b))
    return out


def _summaries(forms: list[RecapForm], labels: list[str], texts: Texts):
    no_pd = texts.t("form.tanpa_perangkat_daerah")
    no_unit = texts.t("rekap.tanpa_unit_kerja")
    groups: dict[tuple, list[RecapForm]] = {}
    agencies: dict[str, list[RecapForm]] = {}
    for f in forms:
        pd = f.perangkat_daerah or no_pd
        groups.setdefault((pd, f.unit_kerja or no_unit), []).append(f)
        agencies.setdefault(pd, []).append(f)
    units = [_summary(pd, unit, fs, labels) for (pd, unit), fs in groups.items()]
    pds = [_summary(pd, None, fs, labels) for pd, fs in agencies.items()]
    return units, pds, _summary(None, None, forms, labels)


def _summary(pd, unit, forms: list[RecapForm], labels: list[str]) -> UnitSummary:
    s = UnitSummary(pd, unit, predikat={label: 0 for label in labels})
    s.people = len({f.nip for f in forms})
    s.forms = len(forms)
    values = []
    for f in forms:
        if f.submitted:
            s.submitted += 1
        else:
            s.missing += 1
        if f.capaian is None:
            s.unrated += 1
        else:
            values.append(f.capaian)
            s.predikat[f.predikat] = s.predikat.get(f.predikat, 0) + 1
    s.average = math.fsum(values) / len(values) if values else None
    return s


def _issue(ws: Workspace, row: CollectedFile, names: dict[str, str],
           used: set[str]) -> FileIssue:
    where = [s.where for s in ws.files.sightings(row.sha256)]
    return FileIssue(row.sha256, where, row.form_id, row.nip, names.get(row.form_id or ""),
                     row.status, row.sha256 in used, list(row.problems or []),
                     parse_stamp(row.first_seen))


def _withdrawn_figures(ws: Workspace, recap: Recap, gone: list) -> dict[str, RecapForm]:
    """form id → the figures of each withdrawn form (its last revision), counting only
    the periods of its Mulai / Selesai that had ended when it was withdrawn, and not the
    files that came while it was (``formulir_ditarik``: recorded, not counted) — the
    Selesai - Ditarik sheet: :func:`iki_xlsx.recap.closed.closed_forms`."""
    ids = [w.form_id for w in gone]
    definitions = form_definitions(ws, recap.tahun, {w.form_id: w.revision for w in gone})
    late = {r.sha256 for r in ws.files.all(light=True)
            if r.form_id in definitions and r.has_problem("formulir_ditarik")}
    files, decisions = ws.files.year_files(ids), ws.decisions.by_form(ids)
    revisions: dict[str, dict] = {}
    for form_id, rev, inds in ws.issued.indicators(recap.tahun, ids):
        revisions.setdefault(form_id, {})[rev] = inds or []
    active = ws.issued.active_periods(ids)
    out = {}
    for w in gone:
        form = definitions.get(w.form_id)
        if form is None:
            continue
        scheme = form.settings.periode
        year = resolve([f for f in files.get(w.form_id, ()) if f.sha256 not in late],
                       revisions.get(w.form_id, {}), w.revision, decisions.get(w.form_id, []))
        year.active = ended_by(w.ditarik_at, recap.tahun, scheme.periods,
                               active[w.form_id].periods if w.form_id in active else None)
        out[w.form_id] = _recap_form(
            w, form, year, _upto_in(scheme, _END_MONTH[recap.upto]),
            PredikatScale.from_setting(form.settings.skala_predikat), ())
    return out
