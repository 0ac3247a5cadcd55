"""One returned file read into a :class:`RawReading`: the container checked
(:mod:`.container`), the form and manifest sheets' values read by python-calamine
(cached results for formulas), the manifest parsed and verified
(:func:`iki_xlsx.forms.manifest.parse_manifest`), and what calamine cannot see looked up in
the XML (:mod:`.xlsx`, :mod:`.ods`). Each step fails fast with one named problem, never
a traceback. Nothing is written, no zip member is extracted to disk.

The reading is then judged against what was issued (:mod:`.judge`).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from ..core.problems import Problem
from ..core.clock import normal_time
from ..core.values import CellInfo
from ..forms import input_cells, is_review_text, parse_manifest, parse_review
from ..forms import layout as L
from .container import MAX_FILE_BYTES, Rejected, check_zip_bounds, os_size, sniff, too_large
from .ods import OdsLook, ods_modified
from .xlsx import XlsxLook, check_sheet_area


@dataclass
class ReviewReading:
    """The bawahan sheets of a review workbook (issue 26), as read."""

    sheets: dict[str, dict[str, object]] = field(default_factory=dict)  # sheet → values
    infos: dict[str, dict[str, CellInfo]] = field(default_factory=dict)  # its inputs'
    missing: set[str] = field(default_factory=set)  # sheets named, not in the workbook


@dataclass
class RawReading:
    """Everything read from one file, before the ledger is consulted."""

    sha256: str
    size: int
    kind: str = "other"  # xlsx | ods | archive (a zip of other files) | other
    problems: list[Problem] = field(default_factory=list)  # fatal file-level problems
    manifest: dict | None = None
    manifest_text: str = ""  # the manifest as read (its canonical JSON when intact)
    signature_ok: bool = False
    key_match: bool = False
    # The form sheet's non-empty values (formula cells left out), then — once the input
    # cells are known (from the manifest, or the ledger's copy of it): see split() —
    # the filled input cells and the locked content.
    values: dict[str, object] = field(default_factory=dict)
    inputs: dict[str, object] | None = None  # filled input cell → value
    locked: dict[str, object] | None = None  # every other cell → value
    cell_info: dict[str, CellInfo] = field(default_factory=dict)  # cells that are not plain
    formulas_missing: list[str] = field(default_factory=list)  # formula cells overwritten
    protected: bool | None = None  # IKI sheet protection present (None: unknown)
    modified_at: str | None = None  # the document's own saved time, as written
    saved_at: str = ""  # when the pegawai saved it (normalised, UTC; "" unknown)
    saved_from: str = ""  # dokumen (docProps / meta.xml) | zip (newest part's time)
    data: bytes | None = field(default=None, repr=False)  # the bytes read (kept, then dropped)
    kept: bool | None = None  # the bytes are in the workspace's store (None: none to keep)
    review: ReviewReading | None = None  # an atasan's review workbook (issue 26)

    @property
    def fatal(self) -> bool:
        return bool(self.problems)

    def split(self, inputs: set[str] | frozenset[str]) -> None:
        """Take the values of the input cells out of the locked content (once)."""
        if self.locked is None:
            values = self.values
            self.inputs = {ref: values.pop(ref) for ref in inputs if ref in values}
            self.locked, self.values = values, {}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(data: bytes, key: bytes | None, key_id: str | None) -> RawReading:
    """Read a file's bytes (see the module docstring). ``key`` None: no signature check."""
    raw = RawReading(sha256_of(data), len(data), data=data)
    try:
        _read(data, raw, key, key_id)
    except Rejected as exc:
        raw.problems.append(exc.problem)
    except (KeyboardInterrupt, SystemExit, ImportError, NameError):
        raise  # an interrupt or a broken installation/bug of ours: never a file's verdict
    except BaseException as exc:  # a library choking on a broken file (pyo3 panics are
        raw.problems.append(_classify(exc))  # BaseException): one clear problem
    if raw.problems:  # nothing half-read travels on with a rejected file
        raw.manifest, raw.values, raw.cell_info = None, {}, {}
        raw.inputs = raw.locked = raw.review = None
        raw.manifest_text = ""
    return raw


def read_path(path: str | Path, key: bytes | None, key_id: str | None) -> RawReading:
    path = Path(path)
    with path.open("rb") as fh:
        size = os_size(fh)
        if size <= MAX_FILE_BYTES:
            # Its size and one byte more, not the limit: a buffer of the limit (20 MB) for
            # each file costs the kernel more than reading the file does.
            data = fh.read(size + 1)
            if len(data) > size:  # it grew since: read on, to the limit
                data += fh.read(MAX_FILE_BYTES + 1 - len(data))
            if len(data) <= MAX_FILE_BYTES:
                return read_bytes(data, key, key_id)
            size = len(data)  # grew while being read
        fh.seek(0)
        h = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    raw = RawReading(h.hexdigest(), size)
    raw.problems.append(too_large(size))
    return raw


def _classify(exc: BaseException) -> Problem:
    """A reader's exception → the most specific problem it reveals."""
    text = str(exc).lower()
    name = type(exc).__name__
    if "declared uncompressed size" in text or "larger than declared" in text:
        return Problem("zip_bom", {"reason": "ukuran isi tidak sesuai"})
    if "entity" in text or name in ("EntitiesForbidden", "DTDForbidden",
                                    "ExternalReferenceForbidden"):
        return Problem("xml_entitas")
    if "password" in text or "encrypt" in text:
        return Problem("berkas_terenkripsi")
    if isinstance(exc, (zipfile.BadZipFile, EOFError)) or "checksum" in text \
            or "crc" in text or name == "ZipError":
        return Problem("zip_rusak")
    return Problem("berkas_rusak", {"reason": name})


# --------------------------------------------------------------------------- steps

def _read(data: bytes, raw: RawReading, key: bytes | None, key_id: str | None) -> None:
    kind, problem, parts = sniff(data)
    raw.kind = kind
    if problem:
        raw.problems.append(problem)
        return
    problem = check_zip_bounds(parts.zf)
    if problem:
        raw.problems.append(problem)
        return
    if kind == "xlsx":
        # Only the sheets a value reader loads are bounded (calamine opens a workbook
        # without touching its sheets' cells): the manifest's now, the form's before it
        # is loaded. The others (the Petunjuk, the form's hidden helper cells) are never
        # inflated.
        sheets = parts.sheet_paths()
        path = sheets.get(L.SHEET_MANIFEST)
        if path is not None:
            check_sheet_area(parts.read(path), path)
        parts.check_prologs()
    else:
        parts.check_prologs()
        ods = OdsLook(parts.read("content.xml"), L.SHEET_FORM)  # bounds every table
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raw.problems.append(Problem("berkas_terenkripsi"))
        return
    except Exception:
        parts.verify_all()  # a part lying about its size, a bad CRC: say which
        raise
    names = list(wb.sheet_names)
    if L.SHEET_MANIFEST not in names:
        raw.problems.append(Problem("tanpa_manifest"))
        return
    text = manifest_text(wb.get_sheet_by_name(L.SHEET_MANIFEST))
    if text is None:
        raw.problems.append(Problem("tanpa_manifest"))
        return
    review = parse_review(text, key, key_id) if is_review_text(text) else None
    if review is not None:  # an atasan's review workbook (issue 26)
        _read_review(raw, wb, parts, kind, names, text, review, key_id)
        return
    manifest, problem, inputs, formulas, verified = parse_manifest(text, key, key_id)
    if not _take_manifest(raw, manifest, problem, text, verified, key_id):
        return
    sheet_name = manifest.get("sheet") or L.SHEET_FORM
    if sheet_name not in names:
        raw.problems.append(Problem("sheet_iki_hilang", {"sheet": sheet_name}))
        return
    if kind == "xlsx":
        path = parts.sheet_path(sheet_name)
        if path is not None:
            check_sheet_area(parts.read(path), path)
    values = sheet_cells(wb.get_sheet_by_name(sheet_name))
    for ref in formulas:
        values.pop(ref, None)
    raw.values = values
    if inputs is not None:
        raw.split(inputs)
    if kind == "xlsx":
        path = sheets.get(sheet_name) or parts.sheet_path(sheet_name)
        look = XlsxLook(parts, path, None if inputs is None else inputs | formulas, formulas)
    else:
        look = ods if sheet_name == L.SHEET_FORM else OdsLook(parts.read("content.xml"),
                                                              sheet_name)
        look.modified_at = ods_modified(parts)
    raw.protected = look.protected
    raw.modified_at = look.modified_at
    raw.saved_at, raw.saved_from = _saved(look.modified_at, parts)
    raw.cell_info = look.infos(inputs)
    raw.formulas_missing = sorted((ref for ref in formulas if not look.has_formula(ref)),
                                  key=L.ref_order)


def _take_manifest(raw: RawReading, manifest, problem, text: str, verified: bool,
                   key_id: str | None) -> bool:
    """Keep a parsed manifest (a form's or a review workbook's) and what its signature
    says, or its problem; whether there is one to read by."""
    if problem:
        raw.problems.append(problem)
        return False
    raw.manifest, raw.manifest_text = manifest, text
    raw.key_match = key_id is not None and manifest.get("key_id") == key_id
    raw.signature_ok = verified
    return True


def _read_review(raw: RawReading, wb, parts, kind: str, names: list[str], text: str,
                 review, key_id: str | None) -> None:
    """The bawahan sheets its (shape-checked) manifest names: their values, and what
    the XML says about their input cells (a percent format, a formula)."""
    manifest, problem, verified = review
    if not _take_manifest(raw, manifest, problem, text, verified, key_id):
        return
    out = raw.review = ReviewReading()
    content = parts.read("content.xml") if kind == "ods" else b""
    modified = None
    for block in manifest["blocks"]:
        sheet = block["sheet"]
        if sheet not in names:
            out.missing.add(sheet)
            continue
        inputs = input_cells(block)
        if kind == "xlsx":
            path = parts.sheet_path(sheet)
            if path is not None:
                check_sheet_area(parts.read(path), path)
            look = XlsxLook(parts, path, inputs)
        else:
            look = OdsLook(content, sheet)
            look.modified_at = ods_modified(parts)
        modified = modified or look.modified_at
        out.sheets[sheet] = sheet_cells(wb.get_sheet_by_name(sheet))
        out.infos[sheet] = look.infos(inputs)
    raw.modified_at = modified
    raw.saved_at, raw.saved_from = _saved(modified, parts)


def _saved(modified_at: str | None, parts) -> tuple[str, str]:
    """When the pegawai saved the file: the workbook's own saved time, else the newest
    time of its zip parts (Excel writes 1980 there: not a time)."""
    saved = normal_time(modified_at)
    if saved:
        return saved, "dokumen"
    stamps = [i.date_time for i in parts.infos.values() if i.date_time[0] > 1980]
    if stamps:
        y, mo, d, h, mi, sec = max(stamps)
        return normal_time(f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"), "zip"
    return "", ""


# --------------------------------------------------------------------------- values

def sheet_cells(sheet) -> dict[str, object]:
    """A calamine sheet's non-empty cell values by reference (``"H24"``); whole numbers
    as floats, as every other number."""
    rows = sheet.to_python(skip_empty_area=False)
    r0, c0 = sheet.start or (0, 0)
    width = len(rows[0]) if rows else 0
    if all(len(row) == width for row in rows):  # a rectangle, as calamine returns
        out = {ref: value for ref, value in zip(L.grid_refs(r0, c0, len(rows), width),
                                                chain.from_iterable(rows))
               if value != "" and value is not None}
    else:
        out = {}
        for i, row in enumerate(rows, r0 + 1):
            for ref, value in zip(L.row_refs(i, c0, len(row)), row):
                if value != "" and value is not None:
                    out[ref] = value
    if int in map(type, out.values()):
        out = {ref: float(v) if type(v) is int else v for ref, v in out.items()}
    return out


def manifest_text(sheet) -> str | None:
    """The manifest JSON from the manifest sheet: column A, the mark in A1, then the JSON
    in chunks; None when the mark is missing."""
    if tuple(sheet.start or (0, 0)) != (0, 0):
        return None
    rows = sheet.to_python(skip_empty_area=False)
    if not rows or not rows[0] or rows[0][0] != L.MANIFEST_MARK:
        return None
    parts = []
    for row in rows[1:]:
        value = row[0] if row else None
        if not isinstance(value, str) or not value:
            break
        parts.append(value)
    return "".join(parts)
