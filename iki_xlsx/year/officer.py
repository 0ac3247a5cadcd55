"""The officer decides, on the record: set a file aside (and take it back), set, clear or
release one value — each with a required reason, stored with its time and never
changed — and the history of one pegawai: every value, the file it came from, what
replaced it, and every decision.

Every mistake here is an :class:`OfficerError` with an Indonesian message (which file,
which pegawai, what to type instead); the CLI prints it and exits 2.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.capaian import parse_answer, parse_period
from ..core.matching import indicator_id
from ..core.model import PeriodScheme, format_nip, parse_number
from ..core.problems import ACCEPTED
from ..core.texts import Texts, get_texts
from ..core.show import file_label
from ..core.timeline import (
    CLEAR,
    EXCLUDE,
    INCLUDE,
    KEPUTUSAN,
    RELEASE,
    SET,
    Event,
    FormYear,
    Value,
    load_years,
)
from ..workspace import IssuedFormRow, IssueLogEntry, Workspace


class OfficerError(ValueError):
    """A decision that cannot be taken as asked (the message says why and what to do)."""


@dataclass
class FileRef:
    sha256: str
    name: str
    form_id: str | None
    nama: str
    status: str


def find_file(ws: Workspace, ref: str, texts: Texts | None = None) -> FileRef:
    """A recorded file by the start of its sha256 (≥ 8 characters), by a path to the
    same content, or by the name it was collected under."""
    t = (texts or get_texts()).t
    ref = ref.strip()
    rows = []
    path = Path(ref)
    if path.is_file():
        rows = [r for r in [ws.files.get(hashlib.sha256(path.read_bytes()).hexdigest())] if r]
    if not rows and len(ref) >= 8 and all(c in "0123456789abcdefABCDEF" for c in ref):
        rows = [r for r in ws.files.all() if r.sha256.startswith(ref.lower())]
    if not rows:
        shas = {sha for sha, name in ws.files.first_names().items()
                if name == ref or name.endswith(("/" + ref, "\\" + ref, "› " + ref))}
        rows = [r for r in ws.files.all() if r.sha256 in shas]
    if not rows:
        raise OfficerError(t("keputusan.berkas_tidak_ada", berkas=ref))
    if len(rows) > 1:
        raise OfficerError(t("keputusan.berkas_ganda", berkas=ref, n=len(rows)))
    row = rows[0]
    names = ws.files.first_names()
    form = ws.issued.form(row.form_id) if row.form_id else None
    return FileRef(row.sha256, names.get(row.sha256, row.sha256[:12]),
                   row.form_id, form.nama if form else "", row.status)


def _reason(reason: str | None, t) -> str:
    if not reason or not reason.strip():
        raise OfficerError(t("keputusan.alasan_wajib"))
    return reason.strip()


def exclude_file(ws: Workspace, ref: str, reason: str, *, include: bool = False,
                 texts: Texts | None = None) -> FileRef:
    """Set a file aside (its values stop counting), or take it back (``include``)."""
    t = (texts or get_texts()).t
    reason = _reason(reason, t)
    f = find_file(ws, ref, texts)
    if f.status not in ACCEPTED or f.form_id is None:
        raise OfficerError(t("keputusan.berkas_ditolak", berkas=f.name))
    ws.decisions.add(INCLUDE if include else EXCLUDE, reason, form_id=f.form_id,
                     sha256=f.sha256)
    return f


@dataclass
class ValueRef:
    form: IssuedFormRow  # the issued form (current revision)
    indicator: str  # its id in the current revision
    name: str  # "No. 2 — <indikator>"
    period: str


def find_value(ws: Workspace, nip: str, indikator: str, periode: str, *,
               kode_iki: str | None = None, texts: Texts | None = None) -> ValueRef:
    """One cell of the year: a pegawai's form (by NIP, and Kode IKI when there are
    several), an indikator (its order in the form, 1 …, or its No.), a period."""
    t = (texts or get_texts()).t
    digits = "".join(ch for ch in nip if ch.isdigit())
    forms = [f for f in ws.issued.of_nip(digits)
             if kode_iki is None or f.kode_iki.casefold() == kode_iki.casefold()]
    if not forms:
        raise OfficerError(t("keputusan.pegawai_tidak_ada", nip=nip))
    if len(forms) > 1:
        raise OfficerError(t("keputusan.pilih_kode", nip=format_nip(digits),
                             kode=", ".join(f.kode_iki for f in forms)))
    form = forms[0]
    full = ws.issued.form(form.form_id, form.revision)
    inds = full.form_json["iki"]["indicators"]
    scheme = PeriodScheme(full.form_json["settings"]["periode"])
    key = indikator.strip()
    index = None
    if key.isdigit() and 1 <= int(key) <= len(inds):
        index = int(key) - 1
    else:
        nos = [i for i, ind in enumerate(inds) if str(ind.get("no", "")).strip() == key]
        index = nos[0] if len(nos) == 1 else None
    if index is None:
        raise OfficerError(t("keputusan.indikator_tidak_ada", indikator=indikator,
                             n=len(inds)))
    period = parse_period(periode, scheme)
    if period is None:
        raise OfficerError(t("keputusan.periode_tidak_ada", periode=periode,
                             pilihan=", ".join(scheme.periods)))
    return ValueRef(form, indicator_id(index),
                    f"{index + 1}. {inds[index].get('indikator', '')}", period)


def decide_value(ws: Workspace, ref: ValueRef, kind: str, reason: str,
                 value: str | None = None, texts: Texts | None = None) -> object:
    """Set (``tetapkan``), clear (``kosongkan``) or release (``lepas``) one value."""
    t = (texts or get_texts()).t
    reason = _reason(reason, t)
    parsed = None
    if kind == SET:
        full = ws.issued.form(ref.form.form_id, ref.form.revision)
        ind = full.form_json["iki"]["indicators"][int(ref.indicator) - 1]
        if ind.get("polaritas") == "ya/tidak":
            answer = parse_answer(value)
            parsed = {True: "Ya", False: "Tidak"}.get(answer)
        else:
            parsed = parse_number(value)
        if parsed is None:
            raise OfficerError(t("keputusan.nilai_salah", nilai=value))
    elif kind not in (CLEAR, RELEASE):
        raise ValueError(kind)
    ws.decisions.add(kind, reason, form_id=ref.form.form_id, revision=ref.form.revision,
                     indicator=ref.indicator, period=ref.period, value=parsed)
    return parsed


# --------------------------------------------------------------------------- history

USED, REPLACED, EXCLUDED, NOT_COUNTED = "dipakai", "diganti", "dikecualikan", "tidak_dihitung"


@dataclass
class Sighting:
    """One value one file gave for one cell, and what became of it: used, replaced (by a
    later file or a decision: ``by``), excluded with its file (``reason``: the officer's),
    or not counted (a cleared cell, a removed indikator)."""

    indicator: str
    period: str
    value: object
    file: str
    saved_at: str  # the saved time that counts
    state: str = USED
    reason: str = ""
    by: Value | None = None  # what counts instead (REPLACED)
    claimed_at: str = ""  # the saved time the file gives, when it was set aside

    @property
    def counted(self) -> bool:
        return self.state == USED


@dataclass
class FormHistory:
    form: IssuedFormRow
    year: FormYear
    given: list[Sighting] = field(default_factory=list)  # every value of every file
    events: list[Event] = field(default_factory=list)
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)  # name, problems
    revisions: list[IssueLogEntry] = field(default_factory=list)  # issue log
    withdrawn_at: str | None = None  # the form was withdrawn then (its last revision shown)
    files: dict[str, str] = field(default_factory=dict)  # sha256 → a decided file, named


def history(ws: Workspace, nip: str, texts: Texts | None = None) -> list[FormHistory]:
    """Everything the ledger knows about one pegawai's forms: every form the workspace
    ever issued to the NIP, withdrawn ones too (their last revision)."""
    t = (texts or get_texts()).t
    digits = "".join(ch for ch in nip if ch.isdigit())
    gone = {f.form_id: f.ditarik_at for f in ws.issued.withdrawn() if f.nip == digits}
    forms = ws.issued.of_nip(digits) + \
        [f for f in ws.issued.withdrawn() if f.form_id in gone]
    if not forms:
        raise OfficerError(t("keputusan.pegawai_tidak_pernah", nip=nip))
    years = load_years(ws, None, forms)
    files = ws.files.year_files([f.form_id for f in forms])
    names = ws.files.first_names()
    out = []
    for f in forms:
        year = years[f.form_id]
        h = FormHistory(f, year, events=list(year.events),
                        revisions=ws.issued.history(f.form_id),
                        withdrawn_at=gone.get(f.form_id))
        for fi in sorted(files.get(f.form_id, ()), key=lambda x: x.order):
            for ind_id, entry in (fi.realisasi or {}).items():
                for period, value in (entry.get("realisasi") or {}).items():
                    if value is not None:
                        h.given.append(_fate(Sighting(
                            ind_id, period, value, fi.name, fi.saved_at,
                            claimed_at=fi.claimed_at if fi.claimed_at != fi.saved_at
                            else ""), fi.sha256, year))
        decided = [e.decision.sha256 for e in year.events
                   if e.decision is not None and e.decision.sha256]
        h.files = {sha: file_label(sha, seen.where, seen.origin, texts or get_texts())
                   for sha, seen in ws.files.first_sightings(decided).items()}
        for row in ws.files.all():
            if row.form_id == f.form_id and row.status not in ACCEPTED:
                h.rejected.append((names.get(row.sha256, row.sha256[:12]),
                                   [p.get("code", "") for p in row.problems or []]))
        out.append(h)
    return out


def _fate(g: Sighting, sha256: str, year: FormYear) -> Sighting:
    """What became of one value a file gave (see :class:`Sighting`)."""
    reasons = {e.decision.sha256: e.decision.reason for e in year.events
               if e.kind == KEPUTUSAN and e.decision.kind == EXCLUDE}
    now = year.values.get((g.indicator, g.period))
    if sha256 in year.excluded:
        g.state, g.reason = EXCLUDED, reasons.get(sha256, "")
    elif any(v.sha256 == sha256 and v.indicator == g.indicator and p == g.period
             for (_, p), v in year.values.items()):
        g.state = USED
    elif now is not None:
        g.state, g.by = REPLACED, now
    else:
        g.state = NOT_COUNTED
    return g
