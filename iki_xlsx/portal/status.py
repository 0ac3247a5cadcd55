"""What the officer's pages show, from the ledger: each form's status per period (the
timeline's rule, as the collect report and the recap count it) and where the atasan's
verification of it stands (issue 26: terverifikasi / dikembalikan / menunggu, as the
recap says), grouped per unit and per atasan; the latest files; the files with
problems; the decisions with reasons. Plain data for the templates."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..core.matching import indicator_id
from ..core.model import format_nip
from ..core.problems import ACCEPTED, Problem
from ..core.show import decision_target, file_label, when
from ..core.statuses import (
    filled_bits,
    form_statuses,
    light_files,
    mask_verification,
    resolved_by_value,
)
from ..core.texts import Texts
from ..core.timeline import (
    BELUM,
    END_MONTH,
    EXCLUDE,
    FILE_DECISIONS,
    DIKEMBALIKAN,
    KOSONG,
    LENGKAP,
    MENUNGGU,
    SEBAGIAN,
    TERVERIFIKASI,
    TIDAK_AKTIF,
    Decision,
    load_years,
)
from ..workspace import CollectedFile, IssuedFormRow, Workspace
from .intake import SUFFIX

LATEST = 30  # files in "latest uploads"
PORTAL_LABEL = "portal"  # an upload's source, shown with its receipt number
SHOWN_STATUSES = (LENGKAP, SEBAGIAN, BELUM)  # kosong counts as belum (not a submission)
VERIFICATION = (TERVERIFIKASI, DIKEMBALIKAN, MENUNGGU)  # issue 26: the atasan's


@dataclass
class Group:
    """A unit (perangkat daerah › unit kerja) or an atasan, with its forms' statuses."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SHOWN_STATUSES, 0))
    forms: list[dict] = field(default_factory=list)  # nama, nip, jabatan, status
    verified: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERIFICATION, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class FileRow:
    sha256: str
    short: str
    name: str
    seen: str
    nama: str
    nip: str
    status: str
    status_text: str
    excluded: bool
    accepted: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Overview:
    tahun: int | None
    periods: list[str]  # codes with a label each, in time order
    labels: dict[str, str]
    period: str | None  # the one shown
    units: list[Group]
    atasan: list[Group]
    totals: dict[str, int]
    verified: dict[str, int]  # forms per verification status of the period (issue 26)
    latest: list[FileRow]
    problem_files: list[FileRow]
    decisions: list[dict]


def overview(ws: Workspace, texts: Texts, period: str | None = None) -> Overview:
    t = texts.t
    years_in = ws.issued.years()
    tahun = years_in[-1] if years_in else None
    forms = ws.issued.forms(tahun) if tahun is not None else []
    shapes = ws.issued.shapes(forms)
    # a form whose files alone make its values: its statuses from the bits of what they
    # filled (core/statuses), the others resolved value by value
    masks = ws.files.year_masks()
    current = {f.form_id: f.revision for f in forms}
    full = resolved_by_value(ws, current, masks, checks=True)
    years = load_years(ws, tahun, [f for f in forms if f.form_id in full], shapes)
    light = light_files(masks, current, full)
    statuses = form_statuses(years, shapes, light, ws.issued.active_periods(list(current)), 12)
    bits = {fid: filled_bits(files) for fid, files in light.items()}
    codes = sorted({p for periods, _ in shapes.values() for p in periods},
                   key=lambda p: (END_MONTH.get(p, 13), p))
    labels = {p: _label(p, texts) for p in codes}
    if period not in codes:
        filled = [p for y in years.values() for (_, p) in y.values] + \
            [p for b in bits.values() for p, on in b.items() if on]
        period = max(filled, key=lambda p: END_MONTH.get(p, 0)) if filled else \
            (codes[0] if codes else None)
    units: dict[str, Group] = {}
    atasan: dict[str, Group] = {}
    totals = dict.fromkeys(SHOWN_STATUSES, 0)
    verified = dict.fromkeys(VERIFICATION, 0)
    by_id = {}
    for f in forms:
        by_id[f.form_id] = f
        status = statuses.get(f.form_id, {}).get(period)
        if status is None or status == TIDAK_AKTIF:  # no such period (another scheme),
            continue  # or the form does not count then (issue 11: Mulai / Selesai)
        status = BELUM if status == KOSONG else status
        year = years.get(f.form_id)
        check = year.verification_status(
            period, [indicator_id(i) for i in range(shapes[f.form_id].count)]) \
            if year is not None else mask_verification(bits.get(f.form_id, {}).get(period, 0))
        row = {"nama": f.nama, "nip": format_nip(f.nip), "jabatan": f.jabatan,
               "status": status, "status_text": t(f"portal.status.{status}"),
               "verifikasi": check,
               "verifikasi_text": t(f"rekap.verifikasi.{check}") if check else ""}
        unit = " › ".join(x for x in (f.perangkat_daerah, f.unit_kerja) if x) or "-"
        boss = f.atasan_nama or "-"
        if f.atasan_nip:
            boss = f"{boss} ({format_nip(f.atasan_nip)})"
        for groups, key in ((units, unit), (atasan, boss)):
            g = groups.setdefault(key, Group(key))
            g.counts[status] += 1
            g.forms.append(row)
            if check:
                g.verified[check] += 1
        totals[status] += 1
        if check:
            verified[check] += 1
    decisions_by_form = ws.decisions.by_form()
    excluded = _excluded(decisions_by_form)
    names = ws.files.first_names()
    latest = [_file_row(r, by_id, names, excluded, texts)
              for r in reversed(ws.files.latest(tahun, LATEST))]
    problems = [_file_row(r, by_id, names, excluded, texts)
                for r in reversed(ws.files.with_problems()) if r.tahun in (None, tahun)]
    decisions = []
    seen = ws.files.first_sightings([d.sha256 for items in decisions_by_form.values()
                                     for d in items if d.sha256])  # issue 23: named
    named = {sha: file_label(sha, x.where, x.origin, texts) for sha, x in seen.items()}
    for form_id, items in decisions_by_form.items():
        f = by_id.get(form_id)
        for d in items:
            decisions.append({**asdict(d), "nama": f.nama if f else "",
                              "nip": format_nip(f.nip) if f else "",
                              "kind_text": t(f"portal.keputusan.jenis.{d.kind}"),
                              "berkas": decision_target(d, named, texts)})
    decisions.sort(key=lambda d: d["id"], reverse=True)
    return Overview(tahun, codes, labels, period, sorted(units.values(), key=lambda g: g.label),
                    sorted(atasan.values(), key=lambda g: g.label), totals, verified, latest,
                    problems, decisions)


def _excluded(decisions_by_form: dict[str, list[Decision]]) -> set[str]:
    """Files set aside now: the latest file decision about each is kecualikan."""
    last: dict[str, str] = {}
    for items in decisions_by_form.values():
        for d in items:
            if d.kind in FILE_DECISIONS and d.sha256:
                last[d.sha256] = d.kind
    return {sha for sha, kind in last.items() if kind == EXCLUDE}


def _file_row(r: CollectedFile, by_id: dict[str, IssuedFormRow], names: dict,
              excluded: set[str], texts: Texts) -> FileRow:
    f = by_id.get(r.form_id)
    problems = []
    for p in r.problems or []:
        try:
            prob = Problem(p["code"], p.get("params") or {}, sheet=p.get("sheet") or "",
                           cell=p.get("cell") or "", indicator=p.get("indicator") or "")
            where = f"{prob.sheet}!{prob.cell}: " if prob.cell else ""
            problems.append(where + prob.message(texts))
        except Exception:  # a code of a newer version: show the code
            problems.append(str(p.get("code")))
    name = names.get(r.sha256, r.sha256[:12])
    return FileRow(r.sha256, r.sha256[:12], shown_name(name),
                   when(r.first_seen) if r.first_seen else "", f.nama if f else "",
                   format_nip(r.nip or ""), r.status, texts.t(f"cli.status.{r.status}"),
                   r.sha256 in excluded, r.status in ACCEPTED, problems)


def shown_name(name: str) -> str:
    """A stored source as the officer recognises it, never a path of the server: an
    upload by its receipt number, else the last two parts of the path."""
    parts = name.replace("\\", "/").split("/")
    if parts[-1].endswith(SUFFIX) and " › " not in parts[-1]:
        return f"{PORTAL_LABEL} {parts[-1][: -len(SUFFIX)]}"
    return "/".join(parts[-2:]) if len(parts) > 2 else name


def _label(code: str, texts: Texts) -> str:
    key = f"form.periode.{code}"
    return texts.t(key) if texts.has(key) else code
