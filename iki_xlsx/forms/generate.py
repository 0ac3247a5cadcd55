"""Generate one locked, print-ready IKI workbook per (pegawai, IKI), plus a distribution
list, recording every issued form in the workspace ledger.

The main process owns the ledger: it names each form (form id, file path) and looks up
what was issued before. Everything per form — layout, content hash, revision decision,
signed manifest, the workbook itself and its ledger row — runs in a process pool, so the
work spreads over all cores.

Longer than 400 lines because writing a form, its ledger row and the distribution list
share the per-form worker state; splitting them would pass that state across modules.
"""

from __future__ import annotations

import json
import os
import re
import time
import unicodedata
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from xlsxwriter.workbook import Workbook

from ..core.atomic import atomic_path
from ..core.model import Form, Master
from ..core.rules import rule_lines
from ..core.sheets import TITLE_SIZE, heading, setup_print
from ..core.show import period_label
from ..core.textfit import FONT, FONT_SIZE
from ..core.texts import Texts, get_texts
from ..core.timeline import match_indicators
from ..core.xlsxtext import limit, merge_text, write_text
from ..workspace import (
    IssuedFormRow,
    IssuedRevisions,
    NewRevision,
    Workspace,
    ledger_json,
)
from . import layout as L
from . import reissue
from .distribution import write_distribution
from .formcopy import FORM_COPY_KEY, pack_form
from .inputcheck import write_input_checks
from .manifest import (
    build_manifest,
    content_hash,
    form_to_dict,
    reading_view,
    sign,
    to_text,
)


# --------------------------------------------------------------------------- workbook

def legacy_password_hash(password: str) -> str:
    """The 16-bit password verifier of ECMA-376 Part 4 (sheet and workbook protection)."""
    digest = 0
    for char in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


class ProtectedWorkbook(Workbook):
    """xlsxwriter has no API for workbook *structure* protection (sheets cannot be added,
    renamed, deleted or unhidden); this writes ``<workbookProtection lockStructure="1">``
    at its place in workbook.xml, right after ``<workbookPr>``."""

    structure_password: str = ""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        attributes = []
        if self.structure_password:
            attributes.append(("workbookPassword",
                               legacy_password_hash(self.structure_password)))
        attributes.append(("lockStructure", 1))
        self._xml_empty_tag("workbookProtection", attributes)


@dataclass
class FormJob:
    """Everything a worker needs to build, sign and write one form."""

    path: str
    rel_path: str
    form: Form
    form_id: str
    previous: IssuedRevisions | None  # the revisions issued of this form id, if any
    key: bytes
    key_id: str
    password: str
    templates_dir: str | None
    filled: dict | None = None  # issue 11: closed periods filled in (reissue.filled_for)
    active: tuple | None = None  # the periods it counts in (Mulai / Selesai); None: all


@dataclass
class FormResult:
    """What a worker sends back: small, already serialised for the ledger."""

    path: str
    form_id: str
    revision: int
    status: str  # baru | revisi | kembali (an earlier revision's content again) | sama
    content_hash: str
    ledger_row: NewRevision
    reissue: dict | None = None  # a re-issue: what the form says is filled, late, to fill


def build_and_write(job: FormJob) -> FormResult:
    """Lay out, hash, sign and write one form (runs in a worker process)."""
    texts = get_texts(job.templates_dir)
    form = job.form
    lay = L.build_layout(form, texts)
    locked = lay.locked_values()
    digest = content_hash(locked)
    prev = job.previous
    if prev is None:
        revision, status = 1, "baru"
    elif prev.content_hash == digest:
        revision, status = prev.revision, "sama"
    elif digest in prev.revisions:  # back to what an earlier revision said: reuse it
        revision, status = prev.revisions[digest], "kembali"
    else:
        revision, status = max(prev.last, prev.revision) + 1, "revisi"
    body = build_manifest(form, lay, form_id=job.form_id, revision=revision,
                          key_id=job.key_id, locked_hash=digest)
    form_text = ledger_json(form_to_dict(form))
    body[FORM_COPY_KEY] = pack_form(form_text)  # issue 11: recovery from the file itself
    # after the content hash is taken: which realisasi cells are open (issues 11, 23)
    lay.inactive = reissue.close_inactive(lay, job.active)
    if job.filled is not None:
        late = reissue.apply(lay, job.filled)
        body[reissue.MANIFEST_KEY] = reissue.manifest_part(job.filled, lay, late)
        lay.reissue = reissue.describe(lay, job.filled, late, texts, job.active)
    manifest = sign(body, job.key)
    manifest_text = to_text(manifest)
    write_form(job.path, form, lay, manifest_text, job.password, texts, job.form_id, revision)
    row = issued_row(form, job.form_id, revision, manifest, locked, job.rel_path)
    # Serialised here, in the worker: the main process only inserts the text (the form's
    # is the canonical text already made for the manifest).
    row = replace(row, targets=ledger_json(row.targets), form_json=form_text,
                  locked_cells=ledger_json(row.locked_cells),
                  reading=ledger_json(reading_view(manifest)), manifest=manifest_text)
    return FormResult(job.path, job.form_id, revision, status, digest, row,
                      getattr(lay, "reissue", None))


def write_form(path: str, form: Form, lay: L.FormLayout, manifest_text: str, password: str,
               texts: Texts, form_id: str, revision: int) -> str:
    """Write one form workbook atomically; returns its path."""
    with atomic_path(path) as tmp:
        wb = ProtectedWorkbook(str(tmp), {"in_memory": True})
        wb.structure_password = password
        wb.set_properties({"title": texts.t("form.judul"), "subject": form.pegawai.nama,
                           "author": "iki-xlsx", "comments": form_id})
        wb.set_custom_property("iki_form_id", form_id)
        wb.set_custom_property("iki_revision", str(revision))
        base = {"font_name": FONT, "font_size": FONT_SIZE}
        formats = {name: wb.add_format({**base, **props}) for name, props in L.STYLES.items()}
        ws = wb.add_worksheet(L.SHEET_FORM)
        _write_sheet(wb, ws, form, lay, formats, texts, password)
        guide = wb.add_worksheet(L.SHEET_GUIDE)
        _write_guide(guide, form, lay, texts, wb.add_format({**base, "text_wrap": True,
                                                             "valign": "top"}),
                     wb.add_format({**base, "bold": True, "font_size": TITLE_SIZE,
                                    "text_wrap": True, "valign": "top"}), password)
        helper = wb.add_worksheet(L.SHEET_HELPER)
        for cell in lay.helper_cells:
            _write_formula(helper, cell.row, cell.col, cell.formula, None, cell.value)
        helper.protect(password)
        helper.very_hidden()
        man = wb.add_worksheet(L.SHEET_MANIFEST)
        man.write_string(0, 0, L.MANIFEST_MARK)
        for i in range(0, len(manifest_text), L.MANIFEST_CHUNK):
            man.write_string(1 + i // L.MANIFEST_CHUNK, 0,
                             manifest_text[i:i + L.MANIFEST_CHUNK])
        man.protect(password)
        man.very_hidden()
        ws.activate()
        wb.close()
    return path


try:  # xlsxwriter's own cell record for formulas (see _write_formula)
    from xlsxwriter.worksheet import CellFormulaTuple as _FormulaCell
except ImportError:  # pragma: no cover - a future xlsxwriter: use the public API
    _FormulaCell = None


def _write_formula(ws, row: int, col: int, formula: str, fmt, value) -> None:
    """Store a formula cell. xlsxwriter's write_formula runs ~30 regular expressions per
    formula to expand Excel 365 function names (FILTER, XLOOKUP, …); capaian formulas
    use only classic functions (capaian.py guarantees it), so the cell is stored
    directly — 4 ms per form. Falls back to write_formula if xlsxwriter changes."""
    if _FormulaCell is None or not hasattr(ws, "table") or ws._check_dimensions(row, col):
        ws.write_formula(row, col, formula, fmt, value)
        return
    ws.table[row][col] = _FormulaCell(formula.lstrip("="), fmt, value)


def _write_sheet(wb, ws, form: Form, lay: L.FormLayout, formats, texts: Texts,
                 password: str) -> None:
    for c, width in enumerate(lay.widths):
        ws.set_column(c, c, width)
    for r, height in lay.heights.items():
        ws.set_row(r, height)
    for cell in lay.cells:
        fmt = formats[cell.style]
        if cell.last_row is not None and (cell.last_row, cell.last_col) != (cell.row, cell.col):
            if cell.formula:
                ws.merge_range(cell.row, cell.col, cell.last_row, cell.last_col, "", fmt)
                _write_formula(ws, cell.row, cell.col, cell.formula, fmt, cell.value)
            elif cell.rich:
                ws.merge_range(cell.row, cell.col, cell.last_row, cell.last_col, "", fmt)
                parts = []
                for style, text in cell.rich:  # every run formatted: no default font
                    parts += [formats[style or cell.style], limit(text)]
                ws.write_rich_string(cell.row, cell.col, *parts, fmt)
            elif isinstance(cell.value, (int, float)):
                ws.merge_range(cell.row, cell.col, cell.last_row, cell.last_col,
                               cell.value, fmt)
            else:
                merge_text(ws, cell.row, cell.col, cell.last_row, cell.last_col,
                           cell.value, fmt)
        elif cell.formula:
            _write_formula(ws, cell.row, cell.col, cell.formula, fmt, cell.value)
        elif isinstance(cell.value, (int, float)):
            ws.write_number(cell.row, cell.col, cell.value, fmt)
        else:
            write_text(ws, cell.row, cell.col, cell.value, fmt)
    style = {"number": "input_number", "choice": "input_choice", "text": "input_text",
             "late_number": "input_late_number", "late_choice": "input_late_choice"}
    for r, c, kind in lay.inputs:
        ws.write_blank(r, c, None, formats[style[kind]])
    write_input_checks(ws, lay, texts)
    for area, formula in lay.warnings:
        ws.conditional_format(area, {"type": "formula", "criteria": formula,
                                     "format": formats["warn"]})
    t = texts.t
    first, last = lay.table_rows
    sheet = f"'{L.SHEET_FORM}'" if not L.SHEET_FORM.isalnum() else L.SHEET_FORM
    rc = lay.realisasi_cols

    def rng(c0, c1):
        return (f"{sheet}!${L.col_name(c0)}${first + 1}:"
                f"${L.col_name(c1)}${last + 1}")

    wb.define_name(L.NAME_REALISASI, "=" + rng(rc[0], rc[-1]))
    wb.define_name(L.NAME_KETERANGAN, "=" + rng(lay.keterangan_col, lay.keterangan_col))
    wb.define_name(L.NAME_CAPAIAN, "=" + rng(lay.capaian_col, lay.capaian_col))
    for c, code in zip(rc, lay.periods):
        wb.define_name(f"{L.NAME_REALISASI}_{code}", "=" + rng(c, c))
    # Print: paper, landscape, one page wide, header rows repeated, footer page numbers.
    setup_print(ws, form.settings.kertas, t("form.footer", tahun=form.settings.tahun,
                                            nip=form.pegawai.nip_text), lay.header_rows)
    if lay.page_breaks:  # keep the signature block on one page
        ws.set_h_pagebreaks(lay.page_breaks)
    ws.center_horizontally()
    ws.print_area(0, 0, lay.last_row, lay.last_col)
    # No frozen panes: the header block above the table is 300–650 pt tall, and frozen
    # it would fill a 1366×768 screen so that no realisasi row could be reached.
    ws.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True,
                          "format_rows": False, "format_columns": False})


def _write_guide(ws, form: Form, lay: L.FormLayout, texts: Texts, fmt, title_fmt,
                 password: str) -> None:
    ws.set_column(0, 0, 110)
    periods = [period_label(texts, p) for p in lay.periods]
    lines = texts.render("petunjuk.txt.j2", form=form, periods=periods,
                         aturan=rule_lines(texts), aturan_judul=texts.t("aturan.judul"),
                         aturan_pengantar=texts.t("aturan.pengantar"),
                         aturan_penutup=texts.t("aturan.penutup"),
                         catatan_jumlah=L.midyear_note(form, texts),
                         reissue=getattr(lay, "reissue", None),  # issues 11, 23
                         inactive=[period_label(texts, p)
                                   for p in getattr(lay, "inactive", ())],
                         first_row=lay.table_rows[0] + 1, last_row=lay.table_rows[1] + 1,
                         realisasi_cols=[L.col_name(c) for c in lay.realisasi_cols],
                         capaian_col=L.col_name(lay.capaian_col),
                         keterangan_col=L.col_name(lay.keterangan_col)).splitlines()
    for r, line in enumerate(lines):
        if r == 0:
            heading(ws, r, line, [110], title_fmt, TITLE_SIZE, bold=True)
        else:
            heading(ws, r, line, [110], fmt)
    setup_print(ws, form.settings.kertas, texts.t(
        "form.footer", tahun=form.settings.tahun, nip=form.pegawai.nip_text))
    ws.protect(password)


# --------------------------------------------------------------------------- planning

_WIN_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WIN_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                 *(f"{d}{i}" for d in ("COM", "LPT") for i in (*range(10), "¹", "²", "³"))}
# Generated paths stay well under Windows' 260 characters even below a long Documents
# folder: a perangkat daerah folder of at most 60 characters and a file name of at most
# 80 (+ " (2)" + ".xlsx"), so every path under the output folder is ≤ 150 characters.
FOLDER_LIMIT = 60
NAME_LIMIT = 78


def safe_name(text: str, limit: int = 80) -> str:
    """A file or folder name valid on Windows: no ``<>:"/\\|?*``, no control characters,
    no trailing dot or space, not a reserved device name (``CON``, ``COM1``, ``nul.txt``),
    at most ``limit`` characters, cut at a space where one is near."""
    s = unicodedata.normalize("NFC", str(text))
    s = _WIN_BAD.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if len(s) > limit:
        cut = s[:limit]
        space = cut.rfind(" ")
        s = cut[:space] if space >= limit * 2 // 3 else cut
    s = s.rstrip(" .")
    if not s:
        s = "_"
    if s.split(".")[0].rstrip(" ").upper() in _WIN_RESERVED:
        s = "_" + s
    return s


@dataclass
class PlannedForm:
    form: Form
    form_id: str
    revision: int
    status: str  # baru | revisi | kembali | sama
    path: Path
    manifest_text: str = field(repr=False)
    templates_dir: str | None = None
    previous: int | None = None  # the revision that was current before (revisi, kembali)
    matching: object = None  # timeline.Matching of the indikator against it
    reissue: dict | None = None  # a re-issue: periods filled, late, to fill (labels)
    _layout: L.FormLayout | None = field(default=None, repr=False)
    _manifest: dict | None = field(default=None, repr=False)

    @property
    def manifest(self) -> dict:
        """The signed manifest written into the file."""
        if self._manifest is None:
            self._manifest = json.loads(self.manifest_text)
        return self._manifest

    @property
    def layout(self) -> L.FormLayout:
        """The form's layout, rebuilt on demand (workers do not send it back)."""
        if self._layout is None:
            self._layout = L.build_layout(self.form, get_texts(self.templates_dir))
        return self._layout


@dataclass
class GenerateResult:
    forms: list[PlannedForm] = field(default_factory=list)
    out_dir: Path | None = None
    distribution: Path | None = None
    zips: list[Path] = field(default_factory=list)
    password_file: Path | None = None
    seconds: float = 0.0
    withdrawn: list[IssuedFormRow] = field(default_factory=list)  # issue 11: withdrawn now
    back: list[str] = field(default_factory=list)  # form ids issued again after withdrawal

    def count(self, status: str) -> int:
        return sum(1 for f in self.forms if f.status == status)


def plan_paths(forms: list[Form], out_dir: Path, no_unit: str = "_") -> list[Path]:
    """``<out>/<Perangkat Daerah>/<NIP>_<Nama>.xlsx``; a pegawai's second IKI (Plt./Plh.)
    adds its jabatan; names that would clash on Windows (case-insensitive) get ``(2)``."""
    seen_nip: set[str] = set()
    used: set[str] = set()
    paths = []
    for form in forms:
        p = form.pegawai
        stem = f"{p.nip}_{p.nama}"
        if p.nip in seen_nip:
            stem += f"_{p.jabatan or form.iki.jabatan}"
        seen_nip.add(p.nip)
        folder = out_dir / safe_name(p.perangkat_daerah or form.iki.perangkat_daerah
                                     or form.settings.instansi or no_unit, FOLDER_LIMIT)
        name = safe_name(stem, NAME_LIMIT)
        path = folder / f"{name}.xlsx"
        n = 2
        while str(path).casefold() in used:
            path = folder / f"{name} ({n}).xlsx"
            n += 1
        used.add(str(path).casefold())
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- orchestration

def generate_forms(master: Master, out_dir: str | Path, workspace: Workspace, *,
                   jobs: int | None = None, templates_dir: str | None = None,
                   make_zip: bool = False,
                   progress: Callable[[int, int], None] | None = None,
                   keep: set[tuple[str, str]] = frozenset(),
                   closed_upto: str | None = None,
                   shut_upto: str | None = None) -> GenerateResult:
    """Write every form of ``master`` (its valid assignments) under ``out_dir``, record
    them and the master's contacts in the workspace. Forms of the year no longer in the
    master are withdrawn, except the (NIP, Kode IKI) in ``keep`` (rows skipped as
    invalid). ``closed_upto``: re-issue with what was counted s.d. that period filled in
    and locked; ``shut_upto``: every cell s.d. that period locked, even without a value
    (see :mod:`.reissue`)."""
    from .generate_year import record_year, withdrawn_ids

    started = time.perf_counter()
    texts = get_texts(templates_dir)
    out_dir = Path(out_dir)
    forms = master.forms()
    password, password_file = workspace.sheet_password(master.settings.sandi)
    ids = [workspace.form_id(f.settings.tahun, f.pegawai.nip, f.iki.kode) for f in forms]
    issued = workspace.issued.revisions_of(ids)
    paths = plan_paths(forms, out_dir, texts.t("form.tanpa_perangkat_daerah"))
    key, key_id = workspace.key, workspace.key_id
    scheme = master.settings.periode
    form_jobs = [FormJob(str(path), path.relative_to(out_dir).as_posix(), form, form_id,
                         issued.get(form_id), key, key_id, password, templates_dir,
                         active=_active_of(a, scheme))
                 for form, form_id, path, a in zip(forms, ids, paths, master.assignments)]
    if closed_upto or shut_upto:  # issues 11, 23: re-issue with what was counted
        reissue.fill_jobs(workspace, form_jobs, closed_upto or shut_upto, shut_upto)
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: list[FormResult] = []
    if jobs == 1 or len(form_jobs) < 16:
        for job in form_jobs:
            results.append(build_and_write(job))
            if progress:
                progress(len(results), len(form_jobs))
    else:
        chunk = max(1, min(16, len(form_jobs) // (jobs * 8)))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for res in pool.map(build_and_write, form_jobs, chunksize=chunk):
                results.append(res)
                if progress:
                    progress(len(results), len(form_jobs))
    gone_before = withdrawn_ids(workspace)
    workspace.issued.record([r.ledger_row for r in results])
    year = record_year(workspace, master, ids, set(keep), gone_before)
    workspace.mail.record_contacts(master)
    planned = [PlannedForm(job.form, r.form_id, r.revision, r.status, Path(r.path),
                           r.ledger_row.manifest, templates_dir, reissue=r.reissue)
               for job, r in zip(form_jobs, results)]
    _match_revised(workspace, planned, form_jobs)
    for p in planned:  # issue 11: issued again after a withdrawal
        if p.form_id in year.back:
            p.status = "aktif_lagi"
    result = GenerateResult(planned, out_dir, password_file=password_file,
                            withdrawn=year.withdrawn, back=year.back)
    result.distribution = write_distribution(planned, out_dir, texts, master.settings.tahun,
                                             year.withdrawn)
    if make_zip:
        result.zips = write_zips(planned, out_dir)
    result.seconds = time.perf_counter() - started
    return result


def _active_of(assignment, scheme) -> tuple | None:
    """The periods a form counts in, when its Mulai or Selesai limits them."""
    if not (assignment.mulai or assignment.selesai):
        return None
    return tuple(assignment.active_periods(scheme))


def _match_revised(workspace: Workspace, planned: list[PlannedForm],
                   jobs: list[FormJob]) -> None:
    """For each revised form: which indikator of the revision current before match the
    new one (their realisasi carry over), which are new and which were removed."""
    for p, job in zip(planned, jobs):
        if p.status not in ("revisi", "kembali") or job.previous is None:
            continue
        before = workspace.issued.form(p.form_id, job.previous.revision)
        if before is None:
            continue
        p.previous = job.previous.revision
        p.matching = match_indicators(before.form_json["iki"]["indicators"],
                                      [_indicator_dict(i) for i in p.form.iki.indicators])


def _indicator_dict(ind) -> dict:
    return {"no": ind.no, "sasaran": ind.sasaran, "indikator": ind.indikator}


def issued_row(form: Form, form_id: str, revision: int, manifest: dict, locked: dict,
               rel_path: str) -> NewRevision:
    """The ledger row of one issued revision (its reading view not yet made)."""
    f = form
    return NewRevision(
        form_id, revision, f.pegawai.nip, f.iki.kode, f.settings.tahun, f.pegawai.nama,
        f.pegawai.jabatan, f.pegawai.perangkat_daerah, f.pegawai.unit_kerja, f.atasan.nip,
        f.atasan.nama, manifest["content_hash"],
        targets={i["id"]: {k: i[k] for k in ("target", "polaritas", "agregasi",
                                              "period_targets")}
                 for i in manifest["indicators"]},
        form_json=form_to_dict(f), locked_cells=locked, manifest=manifest, reading=None,
        file_path=rel_path)


def write_zips(planned: list[PlannedForm], out_dir: Path) -> list[Path]:
    """One zip per perangkat daerah folder (xlsx is already compressed: stored)."""
    groups: dict[Path, list[Path]] = {}
    for p in planned:
        groups.setdefault(p.path.parent, []).append(p.path)
    out = []
    for folder, files in groups.items():
        path = out_dir / f"{folder.name}.zip"
        with atomic_path(path) as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
                for f in files:
                    zf.write(f, f"{folder.name}/{f.name}")
        out.append(path)
    return out
