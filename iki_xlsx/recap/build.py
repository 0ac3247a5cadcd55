"""Recap of capaian from the ledger: who submitted, what they achieved s.d. a period, and
which files had problems — as a :class:`Recap` (plain attributes, for the terminal
summary). :mod:`iki_xlsx.recap.xlsx` writes it as a workbook and
:mod:`iki_xlsx.recap.html` as a printable HTML page; this module imports neither.

Every capaian is recomputed here with :mod:`iki_xlsx.core.capaian` from the realisasi the
reader stored; nothing a returned workbook shows is trusted. Example::

    recap = build_recap(Workspace("iki-workspace"), upto="TW II")
    recap_xlsx.write_recap_xlsx(recap, "output/rekap-TW2.xlsx")

Each form's figures are built by :mod:`.figures` — a big recap's forms in slices on every
core (:mod:`.parallel`); this module plans the recap (its year and period) and adds what
spans the forms (summaries per unit, the files with problems, the closed forms).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime

from ..core.active import ended_by
from ..core.capaian import parse_period
from ..core.collector import collector_paused
from ..core.model import PeriodScheme
from ..core.predikat import PredikatScale
from ..core.show import file_label, parse_stamp
from ..core.texts import Texts, get_texts
from ..core.timeline import END_MONTH, resolve
from ..forms import form_definitions
from ..workspace import CollectedFile, Workspace
from .closed import closed_forms
from .data import (
    INDICATOR_STATUSES,
    NOT_COUNTED,
    NOT_SUBMITTED,
    UNVERIFIED,
    FileIssue,
    Recap,
    RecapForm,
    RecapIndicator,
    UnitSummary,
)
from .figures import SCHEMES, SlicePlan, period_key, recap_form, upto_in
from .parallel import RecapParts

__all__ = [
    "INDICATOR_STATUSES",
    "NOT_COUNTED",
    "NOT_SUBMITTED",
    "UNVERIFIED",
    "FileIssue",
    "Recap",
    "RecapForm",
    "RecapIndicator",
    "UnitSummary",
    "build_recap",
    "predikat_colours",
]

ONLY_VERIFIED_SETTING = "hanya_terverifikasi"  # ws.settings: "ya" | "tidak" (issue 26)


def build_recap(ws: Workspace, *, tahun: int | None = None, upto: str | None = None,
                texts: Texts | None = None, only_verified: bool | None = None,
                jobs: int | None = None) -> Recap:
    """The recap of ``tahun`` (default: the latest year in the ledger) s.d. period ``upto``
    (``TW2``, ``TW II``, ``2``, ``S1``, ``TAHUNAN``; default: the latest period with any
    realisasi). ``only_verified``: count only the values the atasan verified (issue 26;
    default: the master's setting ``Hanya Nilai Terverifikasi``). ``jobs``: processes
    building the forms (default: one per core; a small recap is built in this one).
    ValueError with an Indonesian message for an unknown period or an empty ledger."""
    with collector_paused(keep=True):  # its ~100 objects a form live on: frozen, not walked
        return _build_recap(ws, tahun, upto, texts, only_verified, jobs)


def _build_recap(ws: Workspace, tahun: int | None, upto: str | None, texts: Texts | None,
                 only_verified: bool | None, jobs: int | None) -> Recap:
    texts = texts or get_texts()
    by_setting_only = ws.settings.get(ONLY_VERIFIED_SETTING) == "ya"
    only = by_setting_only if only_verified is None else only_verified
    if tahun is None:
        years = ws.issued.years()
        if not years:
            raise ValueError(texts.t("rekap.galat.tahun_kosong", tahun=None))
        tahun = years[-1]
    heads = ws.issued.forms(tahun)
    if not heads:
        raise ValueError(texts.t("rekap.galat.tahun_kosong", tahun=tahun))
    # what was read comes through the timeline; the files' glances give the forms' status
    with RecapParts(ws, tahun, heads, ws.files.glances(), only, jobs, texts) as parts:
        schemes, paper, latest = _merged(parts.plans())
        primary = schemes.most_common(1)[0][0]
        if upto is None:
            code, auto = _in_scheme(latest, primary), True
        else:
            code, auto = _resolve_period(upto, primary, texts), False
        end = END_MONTH[code]
        forms, used = parts.build(end)
    scales = _scales(forms)
    periods = sorted({p for s in schemes if (u := upto_in(s, end)) is not None
                      for p in s.periods[: s.periods.index(u) + 1]}, key=period_key)
    labels = _labels(scales)
    units, agencies, total = _summaries([f for f in forms if f.active], labels, texts)
    caps = sorted({f.cap for f in forms})
    names = {f.form_id: f.nama for f in forms}
    issues = [_issue(ws, row, names, used) for row in ws.files.with_problems()
              if row.tahun in (None, tahun)]
    provisional = end < 12
    recap = Recap(tahun, code, auto, periods, forms, units, agencies, total, labels, caps,
                  scales, issues, datetime.now().replace(microsecond=0),
                  paper.most_common(1)[0][0], provisional)
    recap.closed = closed_forms(ws, recap, _withdrawn_figures)  # issues 11, 23
    decided = [e.decision.sha256 for f in forms for e in f.events if e.decision is not None]
    recap.file_labels = {sha: file_label(sha, s.where, s.origin, texts) for sha, s in
                         ws.files.first_sightings([x for x in decided if x]).items()}
    recap.only_verified = only
    recap.only_verified_setting = only and only_verified is None
    return recap


def _merged(plans: list[SlicePlan]) -> tuple[Counter, Counter, str | None]:
    """The forms per period scheme and per paper (in the order first met over all the
    forms, as ``most_common`` breaks ties) and the latest period with a value."""
    counts = []
    for part in ("schemes", "paper"):
        got: dict = {}
        for plan in plans:
            for value, (n, first) in getattr(plan, part).items():
                m, earlier = got.get(value, (0, first))
                got[value] = (m + n, min(first, earlier))
        counts.append(Counter({v: n for v, (n, _) in sorted(got.items(),
                                                             key=lambda x: x[1][1])}))
    latest = max((p.latest for p in plans if p.latest is not None), key=period_key,
                 default=None)
    return counts[0], counts[1], latest


def _scales(forms: list[RecapForm]) -> list[PredikatScale]:
    """The distinct predikat scales (by what they say) in the order first met; every
    form gets the one object of its scale (forms from different processes had their
    own)."""
    scales: dict[str, PredikatScale] = {}
    same: dict[int, PredikatScale] = {}
    for f in forms:
        one = same.get(id(f.scale))
        if one is None:
            one = same[id(f.scale)] = scales.setdefault(f.scale.describe(), f.scale)
        f.scale = one
    return list(scales.values())


def _resolve_period(text: str, primary: PeriodScheme, texts: Texts) -> str:
    for scheme in (primary, *(s for s in SCHEMES if s is not primary)):
        code = parse_period(text, scheme)
        if code is not None:
            return code
    choices = ", ".join(p for s in (primary, *(s for s in SCHEMES if s is not primary))
                        for p in s.periods)
    raise ValueError(texts.t("rekap.galat.periode_tidak_dikenal", periode=str(text).strip(),
                             pilihan=choices))


def _in_scheme(latest: str | None, primary: PeriodScheme) -> str:
    """The latest period with a value (the first of the main scheme when none), said in
    the main scheme when it has a period ending the same month."""
    if latest is None:
        return primary.periods[0]
    same = upto_in(primary, END_MONTH[latest])
    return same if same and END_MONTH[same] == END_MONTH[latest] else latest


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
        out[w.form_id] = recap_form(
            w, form, year, upto_in(scheme, END_MONTH[recap.upto]),
            PredikatScale.from_setting(form.settings.skala_predikat), ())
    return out
