"""Recap of capaian from the ledger: who submitted, what they achieved s.d. a period, and
which files had problems — as a :class:`Recap` (plain attributes, for the terminal
summary), a workbook (:func:`write_recap_xlsx`) and a printable HTML page
(:func:`write_recap_html`, in :mod:`iki_xlsx.recap_html`).

Every capaian is recomputed here with :mod:`iki_xlsx.capaian` from the realisasi the
reader stored; nothing a returned workbook shows is trusted. Example::

    recap = build_recap(Workspace("iki-workspace"), upto="TW II")
    write_recap_xlsx(recap, "output/rekap-TW2.xlsx")
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sqlite3
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from . import layout as L
from .atomic import atomic_path
from .capaian import PredikatScale, aggregate, capaian_upto, parse_period
from .ledger import Workspace
from .manifest import form_from_dict
from .model import Form, PeriodScheme, format_nip
from .texts import Texts, get_texts
from .xlsxtext import limit, write_text

__all__ = [
    "FileIssue",
    "Recap",
    "RecapForm",
    "RecapIndicator",
    "UnitSummary",
    "build_recap",
    "period_end_month",
    "predikat_colours",
    "write_recap_html",
    "write_recap_xlsx",
]

# Months at the end of each period: orders periods of different schemes on one time line.
_END_MONTH = {"TW1": 3, "TW2": 6, "TW3": 9, "TW4": 12, "S1": 6, "S2": 12, "TAHUNAN": 12}
_SCHEMES = tuple(PeriodScheme)
NOT_SUBMITTED = "belum"  # RecapForm.status of an issued form without a current submission


def period_end_month(code: str) -> int:
    return _END_MONTH[code]


def _period_key(code: str) -> tuple[int, int]:
    return (_END_MONTH[code], next(i for i, s in enumerate(_SCHEMES) if code in s.periods))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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
    capaian: float | None
    status: str  # terisi | kosong | belum | galat
    keterangan: str | None


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
    status: str  # diterima | diterima_catatan | belum
    indicators: list[RecapIndicator]
    capaian: float | None  # mean of the indicators' capaian that are not None
    predikat: str | None
    sha256: str | None = None  # the submission used
    submitted_at: datetime | None = None  # when the submission used was first collected
    last_sent: datetime | None = None  # the latest file of this form, whatever its status
    rejected: int = 0  # rejected files of this form
    old_revision: int | None = None  # an accepted file of an older revision, if any

    @property
    def submitted(self) -> bool:
        return self.status != NOT_SUBMITTED

    @property
    def filled(self) -> int:
        return sum(1 for i in self.indicators if i.status == "terisi")

    @property
    def total(self) -> int:
        return len(self.indicators)


@dataclass(slots=True)
class UnitSummary:
    """Counts of one unit kerja (or perangkat daerah: unit_kerja None, or everything)."""

    perangkat_daerah: str | None
    unit_kerja: str | None
    pegawai: int = 0  # distinct NIPs
    formulir: int = 0
    sudah: int = 0
    belum: int = 0
    rata_rata: float | None = None  # mean of the forms' capaian
    predikat: dict[str, int] = field(default_factory=dict)
    belum_dinilai: int = 0  # submitted, but no capaian yet s.d. the period

    @property
    def persen_sudah(self) -> float | None:
        return self.sudah / self.formulir if self.formulir else None


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

    @property
    def not_submitted(self) -> list[RecapForm]:
        return [f for f in self.forms if not f.submitted]

    @property
    def submitted(self) -> list[RecapForm]:
        return [f for f in self.forms if f.submitted]

    @property
    def first_period(self) -> str:
        return self.periods[0] if self.periods else self.upto


# --------------------------------------------------------------------------- building

def build_recap(ws: Workspace, *, tahun: int | None = None, upto: str | None = None,
                texts: Texts | None = None) -> Recap:
    """The recap of ``tahun`` (default: the latest year in the ledger) s.d. period ``upto``
    (``TW2``, ``TW II``, ``2``, ``S1``, ``TAHUNAN``; default: the latest period with any
    realisasi). ValueError with an Indonesian message for an unknown period or an empty
    ledger."""
    texts = texts or get_texts()
    if tahun is None:
        years = ws.years()
        if not years:
            raise ValueError(texts.t("rekap.galat.tahun_kosong", tahun=None))
        tahun = years[-1]
    files = ws.all_files()
    # Light pass over every file first (the realisasi of all files is not kept).
    for row in files:
        row.pop("realisasi", None)
    current = ws.current_submissions(tahun)
    heads = ws.issued_forms(tahun, full=False)
    if not heads:
        raise ValueError(texts.t("rekap.galat.tahun_kosong", tahun=tahun))

    # Pass 1: each form's IKI and settings (shared between forms with the same content),
    # the schemes in use and the default period.
    definitions = _definitions(ws, tahun, {h["form_id"]: h["revision"] for h in heads})
    entries = [({k: h[k] for k in _HEAD}, definitions[h["form_id"]], current.get(h["form_id"]))
               for h in heads]
    del heads, definitions
    schemes = Counter(form.settings.periode for _, form, _ in entries)
    paper = Counter(form.settings.kertas for _, form, _ in entries)
    primary = schemes.most_common(1)[0][0]
    if upto is None:
        code, auto = _latest_filled(entries, primary), True
    else:
        code, auto = _resolve_period(upto, primary, texts), False
    end = _END_MONTH[code]
    uptos = {s: _upto_in(s, end) for s in schemes}
    periods = sorted({p for s, u in uptos.items() if u is not None
                      for p in s.periods[: s.periods.index(u) + 1]}, key=_period_key)

    # Pass 2: capaian per indicator and form.
    by_form: dict[str, list[dict]] = {}
    for row in files:
        if row.get("form_id"):
            by_form.setdefault(row["form_id"], []).append(row)
    forms = []
    by_setting: dict[str, PredikatScale] = {}
    scales: dict[str, PredikatScale] = {}  # distinct scales, by what they say
    for head, form, sub in entries:
        setting = form.settings.skala_predikat
        scale = by_setting.get(setting)
        if scale is None:
            parsed = PredikatScale.from_setting(setting)
            scale = by_setting[setting] = scales.setdefault(parsed.describe(), parsed)
        forms.append(_recap_form(head, form, sub, uptos[form.settings.periode], scale,
                                 by_form.get(head["form_id"], ())))
    del entries
    labels = _labels(scales.values())
    units, agencies, total = _summaries(forms, labels, texts)
    caps = sorted({f.cap for f in forms})
    names = {f.form_id: f.nama for f in forms}
    used = {f.sha256 for f in forms if f.sha256}
    issues = [_issue(ws, row, names, used) for row in files
              if (row["status"] == "ditolak" or row["problems"])
              and row.get("tahun") in (None, tahun)]
    return Recap(tahun, code, auto, periods, forms, units, agencies, total, labels, caps,
                 list(scales.values()), issues, datetime.now().replace(microsecond=0),
                 paper.most_common(1)[0][0])


_HEAD = ("form_id", "revision", "nip", "nama", "jabatan", "kode_iki", "perangkat_daerah",
         "unit_kerja", "atasan_nip", "atasan_nama")


def _definitions(ws: Workspace, tahun: int, wanted: dict[str, int]) -> dict[str, Form]:
    """form id → a Form holding the IKI and settings of its latest revision (names and
    units come from the ledger row, not from here). Forms whose IKI and settings are the
    same share one object, decoded once: SQLite cuts the two parts out of the stored JSON,
    so the rest of it (pegawai, atasan) is never parsed."""
    sql = ("SELECT form_id, revision, json_extract(form_json, '$.iki'),"
           " json_extract(form_json, '$.settings') FROM forms WHERE tahun = ?")
    try:
        cur = ws.db.execute(sql, (tahun,))
    except sqlite3.OperationalError:  # an SQLite built without JSON functions
        cur = ((form_id, revision, json.loads(text)["iki"], json.loads(text)["settings"])
               for form_id, revision, text in ws.db.execute(
                   "SELECT form_id, revision, form_json FROM forms WHERE tahun = ?",
                   (tahun,)))
    shared: dict[bytes, Form] = {}
    out: dict[str, Form] = {}
    nobody = {"nip": "", "nama": ""}
    for form_id, revision, iki, settings in cur:
        if wanted.get(form_id) != revision:
            continue
        key = hashlib.sha256(f"{iki}\x00{settings}".encode() if isinstance(iki, str)
                             else _canonical([iki, settings])).digest()
        form = shared.get(key)
        if form is None:
            if isinstance(iki, str):
                iki, settings = json.loads(iki), json.loads(settings)
            form = shared[key] = form_from_dict({"pegawai": nobody, "atasan": nobody,
                                                 "iki": iki, "settings": settings})
        out[form_id] = form
    return out


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


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


def _latest_filled(entries, primary: PeriodScheme) -> str:
    best: str | None = None
    for _, form, sub in entries:
        if not sub or not sub.get("realisasi"):
            continue
        scheme = form.settings.periode
        codes = scheme.periods
        for entry in sub["realisasi"].values():
            for key, value in ((entry or {}).get("realisasi") or {}).items():
                if _blank(value) or key == best:
                    continue
                code = key if key in codes else parse_period(key, scheme)
                if code is not None and (best is None or _period_key(code) > _period_key(best)):
                    best = code
    if best is None:
        return primary.periods[0]
    same = _upto_in(primary, _END_MONTH[best])  # say it in the main scheme when possible
    return same if same and _END_MONTH[same] == _END_MONTH[best] else best


def _stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _recap_form(head: dict, form, sub: dict | None, upto: str | None, scale: PredikatScale,
                files) -> RecapForm:
    scheme = form.settings.periode
    cap = form.settings.batas_capaian
    shown = scheme.periods[: scheme.periods.index(upto) + 1] if upto else ()
    codes = set(scheme.periods)
    realisasi = (sub or {}).get("realisasi") or {}
    indicators = []
    no = sasaran = ""
    for i, ind in enumerate(form.iki.indicators):
        ind_id = f"{i + 1:02d}"
        if ind.sasaran and ind.sasaran != sasaran:  # a new sasaran
            no, sasaran = ind.no, ind.sasaran
        elif ind.no or ind.sasaran:  # a row continuing the sasaran above
            no, sasaran = ind.no or no, ind.sasaran or sasaran
        entry = realisasi.get(ind_id) or {}
        raw = {}
        for key, value in (entry.get("realisasi") or {}).items():
            code = key if key in codes else parse_period(key, scheme)
            if code is not None:
                raw[code] = value
        values = {p: raw.get(p) for p in shown}
        total = value = None
        if sub is None:
            status = NOT_SUBMITTED
        else:
            status = "kosong"
            if upto is not None:
                total = aggregate(list(values.values()), ind.agregasi, ind.polaritas)
                if total is not None:
                    status = "terisi"
                    try:
                        value = capaian_upto({p: v for p, v in values.items()
                                              if not _blank(v)}, upto, ind, scheme, cap)
                    except ValueError:
                        status = "galat"
        indicators.append(RecapIndicator(
            ind_id, no, sasaran, ind.indikator, ind.satuan, ind.target.text,
            ind.polaritas.value,
            ind.agregasi.value, values, total, value, status,
            entry.get("keterangan") if sub is not None else None))
    got = [i.capaian for i in indicators if i.capaian is not None]
    mean = math.fsum(got) / len(got) if got else None
    rf = RecapForm(
        head["form_id"], head["revision"], head["nip"], head["nama"], head["jabatan"],
        head["kode_iki"], head["perangkat_daerah"], head["unit_kerja"], head["atasan_nip"],
        head["atasan_nama"], scheme, upto, cap, scale,
        sub["status"] if sub else NOT_SUBMITTED, indicators, mean, scale.label(mean),
        sub["sha256"] if sub else None, _stamp(sub["first_seen"]) if sub else None)
    for row in files:
        seen = _stamp(row["first_seen"])
        if seen and (rf.last_sent is None or seen > rf.last_sent):
            rf.last_sent = seen
        if row["status"] == "ditolak":
            rf.rejected += 1
        elif row.get("revision") is not None and row["revision"] < head["revision"]:
            rf.old_revision = max(rf.old_revision or 0, row["revision"])
    return rf


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
    s.pegawai = len({f.nip for f in forms})
    s.formulir = len(forms)
    values = []
    for f in forms:
        if not f.submitted:
            s.belum += 1
            continue
        s.sudah += 1
        if f.capaian is None:
            s.belum_dinilai += 1
        else:
            values.append(f.capaian)
            s.predikat[f.predikat] = s.predikat.get(f.predikat, 0) + 1
    s.rata_rata = math.fsum(values) / len(values) if values else None
    return s


def _issue(ws: Workspace, row: dict, names: dict[str, str], used: set[str]) -> FileIssue:
    where = []
    for s in ws.sightings(row["sha256"]):
        where.append(f"{s['source']} › {s['member']}" if s["member"] else s["source"])
    return FileIssue(row["sha256"], where, row.get("form_id"), row.get("nip"),
                     names.get(row.get("form_id") or ""), row["status"],
                     row["sha256"] in used, list(row["problems"] or []),
                     _stamp(row["first_seen"]))


# --------------------------------------------------------------------------- notes

def period_label(texts: Texts, code: str) -> str:
    return L.period_label(texts, code)


def notes(recap: Recap, texts: Texts) -> list[str]:
    """The lines that say how this recap was computed (period, cap, scale)."""
    t = texts.t
    label = period_label(texts, recap.upto)
    first = period_label(texts, recap.first_period)
    batas = ", ".join(_plain(c) for c in recap.caps)
    skala = " | ".join(s.describe() for s in recap.scales)
    return [t("rekap.catatan.periode", periode=label, periode_awal=first,
              otomatis=recap.upto_auto),
            t("rekap.catatan.batas", batas=batas) + " " + t("rekap.catatan.skala", skala=skala),
            t("rekap.catatan.hitung"), t("rekap.catatan.berkas"),
            t("rekap.catatan.dibuat", waktu=recap.generated_at.strftime("%d-%m-%Y %H:%M"))]


def _plain(x: float) -> str:
    return (str(int(x)) if float(x).is_integer() else str(x)).replace(".", ",")


def status_label(texts: Texts, status: str) -> str:
    """``diterima`` → ``Diterima``; a status without a text shows as it is."""
    key = f"rekap.status.{status}"
    return texts.t(key) if texts.has(key) else status


def atasan_text(form: RecapForm) -> str:
    if form.atasan_nip:
        return f"{form.atasan_nama} ({format_nip(form.atasan_nip)})".strip()
    return form.atasan_nama


def belum_notes(form: RecapForm, texts: Texts) -> str:
    out = []
    if form.rejected:
        out.append(texts.t("rekap.belum_catatan.ditolak", n=form.rejected))
    if form.old_revision is not None:
        out.append(texts.t("rekap.belum_catatan.revisi_lama", revisi=form.old_revision,
                           terbaru=form.revision))
    return "; ".join(out)


# --------------------------------------------------------------------------- workbook

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "constant_memory": True}


def _text(ws, r: int, c: int, value: object, fmt=None) -> None:
    """Write user text as text, whatever it looks like (``=…``, ``http…``, ``<r>…</r>``)."""
    write_text(ws, r, c, value, fmt)


def _put(ws, r: int, c: int, value: object, fmt=None, date_fmt=None) -> None:
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        _text(ws, r, c, str(value), fmt)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, date_fmt or fmt)
    else:
        _text(ws, r, c, value, fmt)


class _Formats:
    def __init__(self, wb, labels: list[str]):
        base = {"font_name": L.FONT, "font_size": L.FONT_SIZE, "valign": "top"}
        add = lambda **kw: wb.add_format({**base, **kw})  # noqa: E731
        self.title = add(bold=True, font_size=13)
        self.subtitle = add(bold=True, font_size=11)
        self.note = add(italic=True, font_color="#404040")
        self.head = add(bold=True, bg_color="#D9E1F2", border=1, text_wrap=True)
        self.text = add()
        self.int = add(num_format="0")
        self.num = add(num_format="General")
        self.pct = add(num_format="0.00")
        self.share = add(num_format="0.0%")
        self.date = add(num_format="dd/mm/yyyy hh:mm")
        self.total_text = add(bold=True, top=1)
        self.total_int = add(bold=True, top=1, num_format="0")
        self.total_pct = add(bold=True, top=1, num_format="0.00")
        self.total_share = add(bold=True, top=1, num_format="0.0%")
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.grey = wb.add_format({"font_color": "#808080"})
        colours = predikat_colours(labels)
        self.predikat = {k: wb.add_format({"bg_color": v}) for k, v in colours.items()}
        self.predikat_head = {k: add(bold=True, border=1, text_wrap=True, bg_color=v)
                              for k, v in colours.items()}
        self.colours = colours


def write_recap_xlsx(recap: Recap, path: str | Path, texts: Texts | None = None) -> Path:
    """Write the recap workbook atomically: Ringkasan, Per Pegawai, Per Indikator,
    Belum Mengumpulkan, Masalah. Returns ``path``.

    xlsxwriter writes everything, rows streamed (``constant_memory``), except the data rows
    of Per Indikator (one per pegawai × indikator: 250,000 for 10,000 pegawai), which
    :class:`_InlineRows` writes straight into that sheet's XML, an order of magnitude
    faster; see :func:`_splice`."""
    texts = texts or get_texts()
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {**WORKBOOK_OPTIONS, "tmpdir": str(tmp.parent)})
        label = period_label(texts, recap.upto)
        wb.set_properties({"title": texts.t("rekap.judul", tahun=recap.tahun),
                           "subject": texts.t("rekap.subjudul", periode=label),
                           "author": "iki-xlsx"})
        fm = _Formats(wb, recap.predikat_labels)
        deferred = []
        for write in (_sheet_summary, _sheet_forms, _sheet_indicators, _sheet_missing,
                      _sheet_problems):
            ws = write(wb, recap, texts, fm)
            if isinstance(ws, _Deferred):
                deferred.append(ws)
                ws = ws.sheet
            ws.set_landscape()
            ws.set_paper(L.PAPER.get(recap.kertas, 9))
            ws.fit_to_pages(1, 0)
            ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
            ws.set_footer(texts.t("rekap.footer", tahun=recap.tahun, periode=label))
        wb.close()
        for d in deferred:
            d.number = wb.worksheets().index(d.sheet) + 1
        _splice(tmp, deferred)
    return path


def _head(ws, r: int, titles: list[str], widths: list[float], fm: _Formats,
          formats: dict[int, object] | None = None) -> None:
    lines = max(L.text_lines(title, width, bold=True) for title, width in zip(titles, widths))
    ws.set_row(r, L.height_for(lines))
    for c, (title, width) in enumerate(zip(titles, widths)):
        ws.set_column(c, c, width)
        _text(ws, r, c, title, (formats or {}).get(c, fm.head))
    ws.repeat_rows(r)


def _title(ws, recap: Recap, texts: Texts, fm: _Formats) -> None:
    _text(ws, 0, 0, texts.t("rekap.judul", tahun=recap.tahun) + " — " + texts.t(
        "rekap.subjudul", periode=period_label(texts, recap.upto)), fm.subtitle)


def _text_rule(ws, first: int, last: int, col: int, text: str, fmt) -> None:
    if last >= first:
        quoted = '"' + text.replace('"', '""') + '"'
        ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": "==",
                                                       "value": quoted, "format": fmt})


def _bars(ws, first: int, last: int, col: int, high: float, colour: str = "#63BE7B") -> None:
    if last >= first:
        ws.conditional_format(first, col, last, col, {
            "type": "data_bar", "bar_color": colour, "bar_solid": True,
            "min_type": "num", "min_value": 0, "max_type": "num", "max_value": high})


def _predikat_rules(ws, first: int, last: int, col: int, fm: _Formats) -> None:
    for label, fmt in fm.predikat.items():
        _text_rule(ws, first, last, col, label, fmt)


def _summary_row(s: UnitSummary, labels: list[str]) -> list:
    return [s.perangkat_daerah or "", s.unit_kerja or "", s.pegawai, s.formulir, s.sudah,
            s.belum, s.persen_sudah, s.rata_rata, *(s.predikat.get(k, 0) for k in labels),
            s.belum_dinilai]


def _sheet_summary(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.ringkasan"))
    name = ws.get_name()
    labels = recap.predikat_labels
    titles = [t("rekap.kolom.perangkat_daerah"), t("rekap.kolom.unit_kerja"),
              t("rekap.kolom.pegawai"), t("rekap.kolom.formulir"), t("rekap.kolom.sudah"),
              t("rekap.kolom.belum"), t("rekap.kolom.persen_sudah"),
              t("rekap.kolom.rata_rata"), *labels, t("rekap.kolom.belum_dinilai")]
    widths = [34, 30, 10, 10, 13, 13, 11, 13, *([12] * len(labels)), 11]
    p0 = 8  # first predikat column
    heads = {p0 + i: fm.predikat_head[label] for i, label in enumerate(labels)}
    numeric = [fm.int] * 4 + [fm.share, fm.pct] + [fm.int] * (len(labels) + 1)
    totals = [fm.total_int] * 4 + [fm.total_share, fm.total_pct] + [fm.total_int] * (
        len(labels) + 1)

    _text(ws, 0, 0, t("rekap.judul", tahun=recap.tahun), fm.title)
    _text(ws, 1, 0, t("rekap.subjudul", periode=period_label(texts, recap.upto)),
          fm.subtitle)
    lines = notes(recap, texts)
    for i, line in enumerate(lines):
        _text(ws, 2 + i, 0, line, fm.note)
    r = 3 + len(lines)
    _text(ws, r, 0, t("rekap.tabel.unit"), fm.subtitle)
    head = r + 1
    _head(ws, head, titles, widths, fm, heads)
    first = head + 1
    for i, s in enumerate(recap.units):
        row = _summary_row(s, labels)
        _text(ws, first + i, 0, row[0], fm.text)
        _text(ws, first + i, 1, row[1], fm.text)
        for c, (value, f) in enumerate(zip(row[2:], numeric), start=2):
            _put(ws, first + i, c, value, f)
    last = first + len(recap.units) - 1
    ws.autofilter(head, 0, last, len(titles) - 1)
    ws.freeze_panes(first, 2)

    r = last + 2
    _text(ws, r, 0, t("rekap.tabel.perangkat_daerah"), fm.subtitle)
    pd_head = r + 1
    ws.set_row(pd_head, L.height_for(max(L.text_lines(x, w, bold=True)
                                         for x, w in zip(titles, widths))))
    for c, title in enumerate(titles):
        _text(ws, pd_head, c, "" if c == 1 else title, heads.get(c, fm.head))
    pd_first = pd_head + 1
    for i, s in enumerate(recap.agencies):
        row = _summary_row(s, labels)
        _text(ws, pd_first + i, 0, row[0], fm.text)
        for c, (value, f) in enumerate(zip(row[2:], numeric), start=2):
            _put(ws, pd_first + i, c, value, f)
    total = pd_first + len(recap.agencies)
    row = _summary_row(recap.total, labels)
    _text(ws, total, 0, t("rekap.tabel.total"), fm.total_text)
    ws.write_blank(total, 1, None, fm.total_text)
    for c, (value, f) in enumerate(zip(row[2:], totals), start=2):
        _put(ws, total, c, value, f)

    cap = max(recap.caps or [120.0])
    for a, b in ((first, last), (pd_first, total)):
        _bars(ws, a, b, 7, cap)
        _bars(ws, a, b, 6, 1, "#5B9BD5")

    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": t("rekap.grafik.predikat"),
        "categories": [name, pd_head, p0, pd_head, p0 + len(labels) - 1],
        "values": [name, total, p0, total, p0 + len(labels) - 1],
        "points": [{"fill": {"color": fm.colours[x]}, "border": {"color": "#595959"}}
                   for x in labels],
        "data_labels": {"value": True}})
    chart.set_title({"name": t("rekap.grafik.predikat"), "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_size({"width": 480, "height": 300})
    ws.insert_chart(total + 2, 0, chart)

    bars = wb.add_chart({"type": "bar"})
    bars.add_series({
        "name": t("rekap.grafik.capaian"),
        "categories": [name, first, 1, last, 1],
        "values": [name, first, 7, last, 7],
        "fill": {"color": "#4472C4"},
        "data_labels": {"value": True, "num_format": "0.0"}})
    bars.set_title({"name": t("rekap.grafik.capaian"), "name_font": {"size": 11}})
    bars.set_legend({"none": True})
    bars.set_y_axis({"reverse": True})
    bars.set_x_axis({"min": 0, "max": cap, "major_gridlines": {"visible": True}})
    bars.set_size({"width": 760, "height": max(300, 26 * len(recap.units) + 110)})
    ws.insert_chart(total + 2, 2, bars, {"x_offset": 20})
    return ws


def _sheet_forms(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.pegawai"))
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "indikator_terisi", "indikator_total", "rata_rata", "predikat", "status",
            "terakhir", "form_id")
    widths = [6, 22, 30, 32, 30, 26, 34, 10, 10, 13, 15, 22, 17, 18]
    _title(ws, recap, texts, fm)
    _head(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    status = {s: status_label(texts, s) for s in ("diterima", "diterima_catatan",
                                                    NOT_SUBMITTED)}
    r = 1
    for i, f in enumerate(recap.forms, start=1):
        r += 1
        ws.write_number(r, 0, i, fm.int)
        _text(ws, r, 1, format_nip(f.nip), fm.text)
        for c, value in enumerate((f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                                   atasan_text(f)), start=2):
            _text(ws, r, c, value, fm.text)
        ws.write_number(r, 7, f.filled, fm.int)
        ws.write_number(r, 8, f.total, fm.int)
        _put(ws, r, 9, f.capaian, fm.pct)
        _put(ws, r, 10, f.predikat, fm.text)
        _text(ws, r, 11, status.get(f.status, f.status), fm.text)
        _put(ws, r, 12, f.last_sent, fm.date)
        _text(ws, r, 13, f.form_id, fm.text)
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 3)
    _bars(ws, 2, r, 9, max(recap.caps or [120.0]))
    _predikat_rules(ws, 2, r, 10, fm)
    _text_rule(ws, 2, r, 11, status[NOT_SUBMITTED], fm.bad)
    return ws


def _sheet_indicators(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.indikator"))
    keys = ("nip", "nama", "unit_kerja", "no", "sasaran", "indikator", "satuan", "target",
            "polaritas", "agregasi")
    label = period_label(texts, recap.upto)
    titles = [t(f"rekap.kolom.{k}") for k in keys]
    titles += [t("rekap.kolom.realisasi", periode=period_label(texts, p))
               for p in recap.periods]
    titles += [t("rekap.kolom.agregat", periode=label), t("rekap.kolom.capaian"),
               t("rekap.kolom.status"), t("rekap.kolom.keterangan")]
    widths = [22, 28, 24, 5, 40, 50, 12, 14, 11, 11, *([11] * len(recap.periods)), 13, 11,
              18, 40]
    _title(ws, recap, texts, fm)
    _head(ws, 1, titles, widths, fm)
    status = {s: t(f"rekap.status_indikator.{s}") for s in ("terisi", "kosong",
                                                            NOT_SUBMITTED, "galat")}
    n_p = len(recap.periods)
    c_cap, c_status = 11 + n_p, 12 + n_p
    formats = [fm.text] * 10 + [fm.num] * (n_p + 1) + [fm.pct, fm.text, fm.text]
    last = 1 + sum(f.total for f in recap.forms)
    for c, f in enumerate(formats):  # placeholder row: sets the dimension, registers formats
        ws.write_blank(last, c, None, f)
    ws.autofilter(1, 0, last, len(titles) - 1)
    ws.freeze_panes(2, 2)
    _bars(ws, 2, last, c_cap, max(recap.caps or [120.0]))
    _text_rule(ws, 2, last, c_status, status[NOT_SUBMITTED], fm.grey)
    _text_rule(ws, 2, last, c_status, status["galat"], fm.bad)

    def rows(out: _InlineRows):
        static: dict[tuple, str] = {}  # the indicator's own columns, shared between forms
        r = 1
        for f in recap.forms:
            head = out.cells(0, (format_nip(f.nip), f.nama, f.unit_kerja))
            for ind in f.indicators:
                r += 1
                key = (ind.no, ind.sasaran, ind.indikator, ind.satuan, ind.target,
                       ind.polaritas, ind.agregasi)
                mid = static.get(key)
                if mid is None:
                    if len(static) > 100_000:  # bounded: ≤ about 100 MB
                        static.clear()
                    mid = static[key] = out.cells(3, key)
                yield out.row(r, head, mid, out.cells(10, [
                    *(ind.values.get(p) for p in recap.periods), ind.total, ind.capaian,
                    status[ind.status], ind.keterangan]))

    # xf indices now: a format equal to another one shares its index (xlsxwriter sets
    # ``xf_index`` only on the first); the placeholder row keeps each in styles.xml.
    return _Deferred(ws, 2, last, [f._get_xf_index() for f in formats], rows)


def _sheet_missing(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.belum"))
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "terakhir", "catatan")
    widths = [6, 22, 30, 32, 30, 26, 34, 17, 60]
    _title(ws, recap, texts, fm)
    _head(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    r = 1
    for i, f in enumerate(recap.not_submitted, start=1):
        r += 1
        ws.write_number(r, 0, i, fm.int)
        _text(ws, r, 1, format_nip(f.nip), fm.text)
        for c, value in enumerate((f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                                   atasan_text(f)), start=2):
            _text(ws, r, c, value, fm.text)
        _put(ws, r, 7, f.last_sent, fm.date)
        _text(ws, r, 8, belum_notes(f, texts), fm.text)
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 3)
    return ws


def _sheet_problems(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.masalah"))
    keys = ("no", "berkas", "nip", "nama", "status_berkas", "dipakai", "tingkat", "sheet",
            "sel", "indikator", "masalah", "saran", "diterima_pada")
    widths = [6, 50, 22, 28, 20, 10, 12, 10, 8, 40, 60, 50, 17]
    _title(ws, recap, texts, fm)
    _head(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    yes, no = t("rekap.ya"), t("rekap.tidak")
    nameless = t("rekap.tanpa_nama_berkas")
    r = 1
    for i, issue in enumerate(recap.files, start=1):
        head = [" | ".join(issue.names) or nameless, format_nip(issue.nip or ""),
                issue.nama or "", status_label(texts, issue.status),
                yes if issue.used else no]
        for p in issue.problems or [{}]:
            r += 1
            ws.write_number(r, 0, i, fm.int)
            for c, value in enumerate(head, start=1):
                _text(ws, r, c, value, fm.text)
            severity = p.get("severity") or ""
            key = f"tingkat.{severity}"
            _text(ws, r, 6, t(key) if severity and texts.has(key) else severity, fm.text)
            _text(ws, r, 7, p.get("sheet") or "", fm.text)
            _put(ws, r, 8, p.get("cell") or p.get("row"), fm.text)
            _text(ws, r, 9, p.get("indicator") or "", fm.text)
            _text(ws, r, 10, p.get("message") or p.get("code") or "", fm.text)
            _text(ws, r, 11, p.get("advice") or "", fm.text)
            _put(ws, r, 12, issue.first_seen, fm.date)
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 2)
    _text_rule(ws, 2, r, 4, t("rekap.status.ditolak"), fm.bad)
    if texts.has("tingkat.error"):
        _text_rule(ws, 2, r, 6, t("tingkat.error"), fm.bad)
    return ws


# --------------------------------------------------------------------------- fast rows

_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                          "|_x[0-9A-Fa-f]{4}_")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape_one(m: re.Match) -> str:
    g = m.group()
    if g in _ENTITIES:
        return _ENTITIES[g]
    if len(g) > 1:  # text that reads like Excel's own escape stays literal: _x005F_x0041_
        return "_x005F" + g
    if "\ud800" <= g <= "\udfff":  # a lone surrogate cannot be stored
        return "\ufffd"
    return f"_x{ord(g):04X}_"  # control characters, as Excel escapes them


class _InlineRows:
    """Rows of SpreadsheetML, every text an inline string (``t="inlineStr"``: never a
    formula, never a link), every number a number, each column with its cell style."""

    def __init__(self, styles: list[int]):
        self.styles = styles
        self.prefix = [f'<c r="{xl_col_to_name(c)}\x00" s="{style}"'
                       for c, style in enumerate(styles)]
        self._memo: dict[str, str] = {}

    def text(self, value: str) -> str:
        hit = self._memo.get(value)
        if hit is None:
            body = _XML_SPECIAL.sub(_escape_one, limit(value))
            space = ' xml:space="preserve"' if body[:1].isspace() or body[-1:].isspace() else ""
            hit = f"<is><t{space}>{body}</t></is>"
            if len(self._memo) < 100_000:
                self._memo[value] = hit
        return hit

    def cells(self, start: int, values) -> str:
        """Cells of columns ``start``, ``start + 1``, … (blank values are left out), with
        the row number left as ``\\x00`` (escaped text never holds one) for :meth:`row`."""
        out = []
        prefix = self.prefix
        for c, v in enumerate(values, start):
            if type(v) is str:
                if v:
                    out.append(f'{prefix[c]} t="inlineStr">{self.text(v)}</c>')
            elif v is None:
                continue
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                if math.isfinite(v):
                    out.append(f"{prefix[c]}><v>{v!r}</v></c>")
            else:
                out.append(f'{prefix[c]} t="inlineStr">{self.text(str(v))}</c>')
        return "".join(out)

    @staticmethod
    def row(r: int, *chunks: str) -> str:
        """Row ``r`` (0-based) from chunks of :meth:`cells`, in column order."""
        n = str(r + 1)
        return f'<row r="{n}">' + "".join(chunks).replace("\x00", n) + "</row>"


@dataclass
class _Deferred:
    """Data rows first..last (0-based) of ``sheet``, written after the workbook: xlsxwriter
    wrote the sheet with a placeholder row at ``last`` (for the dimension and the cell
    formats); :func:`_splice` puts ``rows`` in its place."""

    sheet: object
    first: int
    last: int
    styles: list[int]  # cell style (xf index) per column
    rows: object  # callable(_InlineRows) → iterator of row XML
    number: int = 0  # xl/worksheets/sheet<number>.xml


def _splice(path: Path, deferred: list[_Deferred]) -> None:
    if not deferred:
        return
    by_name = {f"xl/worksheets/sheet{d.number}.xml": d for d in deferred}
    out = path.with_name(path.name + ".rows")
    try:
        # The big sheet is deflated at level 1: several times faster than the default
        # level, for a file about a fifth larger.
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(
                out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                d = by_name.get(info.filename)
                if d is None:
                    zout.writestr(info, zin.read(info.filename))
                    continue
                xml = zin.read(info.filename).decode("utf-8")
                cut = xml.index(f'<row r="{d.last + 1}"')
                end = xml.index("</sheetData>", cut)
                rows = _InlineRows(d.styles)
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(xml[:cut].encode("utf-8"))
                    chunk: list[str] = []
                    for row in d.rows(rows):
                        chunk.append(row)
                        if len(chunk) >= 2000:
                            fh.write("".join(chunk).encode("utf-8"))
                            chunk.clear()
                    fh.write("".join(chunk).encode("utf-8"))
                    fh.write(xml[end:].encode("utf-8"))
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)


def write_recap_html(recap: Recap, path: str | Path, texts: Texts | None = None, *,
                     detail: bool | None = None) -> Path:
    """Write the printable, self-contained HTML report (see :mod:`iki_xlsx.recap_html`)."""
    from .recap_html import write_recap_html as write

    return write(recap, path, texts, detail=detail)
