"""Read one returned file: what it is, whether it is ours, and what it holds.

Pipeline (each step fails fast with one named problem, never a traceback):

1. file checks — empty, too large, which format by content (not by name): xlsx, ods;
   rejected: old .xls, encrypted (password to open), .xlsm, other zips, non-spreadsheets;
   zip bounds (entries, declared and real uncompressed size) checked before inflating;
2. values — python-calamine reads every cell value (cached results for formulas) and
   every sheet, very-hidden included;
3. a light look at the XML for what calamine cannot see: sheet protection, formulas,
   error values and percent formats of the input cells, the file's modified time;
4. the manifest — found by its sheet, verified with the workspace key.

The result (:class:`RawReading`) is judged against the ledger by :mod:`iki_xlsx.collect`.
This module never writes anything and never extracts zip members to disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import layout as L
from .manifest import content_hash, verify
from .values import CellInfo

MAX_FILE_BYTES = 20 * 1024 * 1024  # a form is ~20 KB; anything this big is not one
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # total inflated size of a workbook's parts
MAX_MEMBERS = 1000  # parts in one workbook
MAX_RATIO = 250  # inflated / compressed size of one part (XML rarely exceeds 30)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class FileProblem:
    code: str
    params: dict = field(default_factory=dict)
    cell: str = ""


@dataclass
class RawReading:
    """Everything read from one file, before the ledger is consulted."""

    sha256: str
    size: int
    kind: str = "other"  # xlsx | ods | other
    problems: list[FileProblem] = field(default_factory=list)  # fatal file-level problems
    manifest: dict | None = None
    signature_ok: bool = False
    key_match: bool = False
    locked: dict[str, object] = field(default_factory=dict)  # file's locked cell values
    inputs: dict[str, object] = field(default_factory=dict)  # input cell → raw value
    cell_info: dict[str, CellInfo] = field(default_factory=dict)
    formulas_missing: list[str] = field(default_factory=list)  # formula cells overwritten
    protected: bool | None = None  # IKI sheet protection present (None: unknown)
    modified_at: str | None = None

    @property
    def fatal(self) -> bool:
        return bool(self.problems)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(data: bytes, key: bytes | None, key_id: str | None) -> RawReading:
    """Read a file's bytes (see the module docstring). ``key`` None: no signature check."""
    raw = RawReading(sha256_of(data), len(data))
    try:
        _read(data, raw, key, key_id)
    except Exception as exc:  # a library choking on a broken file: one clear problem
        raw.problems.append(FileProblem("berkas_rusak", {"reason": type(exc).__name__}))
    return raw


def read_path(path: str | Path, key: bytes | None, key_id: str | None) -> RawReading:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raw = RawReading("", size)
        with path.open("rb") as fh:
            h = hashlib.sha256()
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        raw.sha256 = h.hexdigest()
        raw.problems.append(FileProblem("berkas_terlalu_besar",
                                        {"mb": round(size / 2**20, 1),
                                         "max_mb": MAX_FILE_BYTES // 2**20}))
        return raw
    return read_bytes(path.read_bytes(), key, key_id)


# --------------------------------------------------------------------------- steps

def _read(data: bytes, raw: RawReading, key: bytes | None, key_id: str | None) -> None:
    kind, problem, zf = sniff_zip(data)
    raw.kind = kind
    if problem:
        raw.problems.append(problem)
        return
    problem = check_zip_bounds(zf)
    if problem:
        raw.problems.append(problem)
        return
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raw.problems.append(FileProblem("berkas_terenkripsi"))
        return
    except Exception as exc:
        raw.problems.append(FileProblem("berkas_rusak", {"reason": type(exc).__name__}))
        return
    names = list(wb.sheet_names)
    manifest = None
    if L.SHEET_MANIFEST in names:
        manifest = _manifest(wb.get_sheet_by_name(L.SHEET_MANIFEST))
    if manifest is None:
        raw.problems.append(FileProblem("tanpa_manifest"))
        return
    raw.manifest = manifest
    raw.key_match = key_id is not None and manifest.get("key_id") == key_id
    if key is not None and raw.key_match:
        raw.signature_ok = verify(manifest, key)
    sheet_name = manifest.get("sheet") or L.SHEET_FORM
    if sheet_name not in names:
        raw.problems.append(FileProblem("sheet_iki_hilang", {"sheet": sheet_name}))
        return
    values = sheet_values(wb.get_sheet_by_name(sheet_name)).nonempty()
    inputs, formulas = manifest_cells(manifest)
    raw.inputs = {ref: values.get(ref) for ref in inputs}
    raw.locked = {ref: v for ref, v in values.items()
                  if ref not in inputs and ref not in formulas}
    if kind == "xlsx":
        look = XlsxLook(zf, sheet_name, inputs | formulas)
    else:
        look = OdsLook(zf, sheet_name)
    raw.protected = look.protected
    raw.modified_at = look.modified_at
    raw.cell_info = {ref: look.info(ref) for ref in inputs}
    raw.formulas_missing = sorted(ref for ref in formulas if not look.has_formula(ref))


def sniff(data: bytes) -> tuple[str, FileProblem | None]:
    """The file's format by content; a problem when it is not a usable spreadsheet."""
    kind, problem, _ = sniff_zip(data)
    return kind, problem


def sniff_zip(data: bytes) -> tuple[str, FileProblem | None, zipfile.ZipFile | None]:
    """:func:`sniff`, also returning the opened zip of a usable spreadsheet."""
    kind, problem, zf = _sniff(data)
    return kind, problem, (zf if problem is None else None)


def _sniff(data: bytes):
    if not data:
        return "other", FileProblem("berkas_kosong"), None
    if data.startswith(OLE_MAGIC):
        # OOXML with a password to open is an OLE container holding EncryptedPackage.
        if "EncryptedPackage".encode("utf-16-le") in data or \
                "EncryptionInfo".encode("utf-16-le") in data:
            return "other", FileProblem("berkas_terenkripsi"), None
        return "other", FileProblem("format_xls"), None
    if data.startswith(b"%PDF"):
        return "other", FileProblem("format_pdf"), None
    if not data.startswith(b"PK"):
        return "other", FileProblem("bukan_spreadsheet"), None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "other", FileProblem("zip_rusak"), None
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype")[:100].strip()
        except Exception:
            return "other", FileProblem("zip_rusak"), None
        if mime == ODS_MIME:
            return "ods", None, zf
        return "other", FileProblem("bukan_spreadsheet"), None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/vbaProject.bin" in names or "xl/workbook.bin" in names:
            return "other", FileProblem("format_xlsm"), None
        try:
            types = zf.read("[Content_Types].xml")
        except Exception:
            return "other", FileProblem("zip_rusak"), None
        if b"macroEnabled" in types:
            return "other", FileProblem("format_xlsm"), None
        return "xlsx", None, zf
    return "other", FileProblem("bukan_spreadsheet"), None


def check_zip_bounds(zf: zipfile.ZipFile) -> FileProblem | None:
    """Zip bombs: bounded by the central directory *before* anything is inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return FileProblem("zip_bom", {"reason": f"{len(infos)} isi"})
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return FileProblem("zip_bom", {"reason": info.filename})
    if total > MAX_UNCOMPRESSED:
        return FileProblem("zip_bom", {"reason": f"{total // 2**20} MB"})
    return None


def bounded_read(zf: zipfile.ZipFile, name: str, limit: int = MAX_UNCOMPRESSED) -> bytes:
    """Read one part, stopping at ``limit`` bytes whatever the header claims."""
    with zf.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} larger than declared")
    return data


# --------------------------------------------------------------------------- values

@dataclass
class SheetValues:
    """A sheet's non-empty cell values by 0-based (row, col)."""

    cells: dict[tuple[int, int], object] = field(default_factory=dict)

    def get(self, ref: str) -> object:
        return self.cells.get(parse_ref(ref))

    def nonempty(self) -> dict[str, object]:
        cols = _COLS
        return {f"{cols[c] if c < len(cols) else L.col_name(c)}{r + 1}": v
                for (r, c), v in self.cells.items()}


_COLS = [L.col_name(i) for i in range(702)]  # A … ZZ


def parse_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m[1].upper():
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


def sheet_values(sheet) -> SheetValues:
    rows = sheet.to_python(skip_empty_area=False)
    r0, c0 = sheet.start or (0, 0)
    out = SheetValues()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            out.cells[(r0 + i, c0 + j)] = value
    return out


def _manifest(sheet) -> dict | None:
    sv = sheet_values(sheet)
    if sv.cells.get((0, 0)) != L.MANIFEST_MARK:
        return None
    parts, r = [], 1
    while isinstance(sv.cells.get((r, 0)), str):
        parts.append(sv.cells[(r, 0)])
        r += 1
    try:
        manifest = json.loads("".join(parts))
    except ValueError:
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("indicators"), list):
        return None
    return manifest


def manifest_cells(manifest: dict) -> tuple[set[str], set[str]]:
    """(input cells, formula cells) named by a manifest; malformed entries are skipped."""
    inputs: set[str] = set()
    for ind in manifest.get("indicators") or []:
        cells = ind.get("cells") if isinstance(ind, dict) else None
        if not isinstance(cells, dict):
            continue
        real = cells.get("realisasi")
        if isinstance(real, dict):
            inputs.update(str(v) for v in real.values() if isinstance(v, str))
        if isinstance(cells.get("keterangan"), str):
            inputs.add(cells["keterangan"])
    formulas = {str(f) for f in manifest.get("formula_cells") or [] if isinstance(f, str)}
    return inputs, formulas


# --------------------------------------------------------------------------- XML looks

_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")


_S_ATTR = re.compile(rb'\bs="([0-9]+)"')
_T_ATTR = re.compile(rb'\bt="(\w+)"')


@lru_cache(maxsize=64)
def _encoded(refs: frozenset[str]) -> frozenset[bytes]:
    return frozenset(ref.encode() for ref in refs)


@lru_cache(maxsize=64)
def _columns(refs: frozenset[str]) -> frozenset[str]:
    return frozenset(re.match(r"[A-Za-z]+", ref)[0] for ref in refs)


@lru_cache(maxsize=64)
def _cell_scanner(columns: frozenset[str]) -> re.Pattern:
    alternatives = b"|".join(sorted(c.encode() for c in columns)) or b"[A-Za-z]+"
    return re.compile(rb'<c r="((?:' + alternatives + rb')[0-9]+)"([^>]*?)(/?)>')
_REF = re.compile(rb'\br="([A-Za-z]+[0-9]+)"')
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_percent_cache: dict[bytes, frozenset[int]] = {}
_PLAIN = CellInfo()
_sheet_path_cache: dict[tuple[bytes, bytes, str], str | None] = {}


class XlsxLook:
    """What calamine does not tell about an xlsx sheet: protection, formulas, errors and
    number formats of given cells, and the document's modified time. Only the cells
    asked for are examined, with byte-level scans (no DOM of the sheet)."""

    def __init__(self, zf: zipfile.ZipFile, sheet_name: str, wanted: set[str]):
        self.zf = zf
        path = self._sheet_path(sheet_name)
        xml = bounded_read(zf, path) if path else b""
        self.protected = (b"sheetProtection" in xml and bool(
            re.search(rb"<(?:\w+:)?sheetProtection\b", xml))) if path else None
        self.cells: dict[str, dict] = {}
        want = _encoded(frozenset(wanted))
        fast = b'<c r="' in xml
        # Excel, LibreOffice and xlsxwriter write r first: a scan with a literal prefix,
        # limited to the columns asked for; other writers take the general scan.
        scan = _cell_scanner(_columns(frozenset(wanted))) if fast else _CELL_OPEN
        for m in scan.finditer(xml):
            if fast:
                ref, attrs, closed = m[1], m[2], m[3]
            else:
                r = _REF.search(m[1])
                ref, attrs, closed = (r[1] if r else b""), m[1], m[2]
            if ref not in want:
                continue
            style = _S_ATTR.search(attrs)
            kind = _T_ATTR.search(attrs)
            body = b""
            if not closed:  # <c ...> … </c>
                end = _CELL_END.search(xml, m.end())
                body = xml[m.end(): end.start()] if end else b""
            self.cells[ref.decode()] = {"s": int(style[1]) if style else 0,
                                        "t": kind[1] if kind else b"",
                                        "f": bool(_FORMULA.search(body)) if body else False}
        self._styles = None
        self.modified_at = self._modified()
        self._info = {ref: self._make_info(cell) for ref, cell in self.cells.items()}

    def _sheet_path(self, name: str) -> str | None:
        try:
            wb = bounded_read(self.zf, "xl/workbook.xml")
            rels = bounded_read(self.zf, "xl/_rels/workbook.xml.rels")
        except Exception:
            return None
        key = (hashlib.sha1(wb).digest(), hashlib.sha1(rels).digest(), name)
        if key not in _sheet_path_cache:
            _sheet_path_cache[key] = _find_sheet_path(wb, rels, name)
        path = _sheet_path_cache[key]
        return path if path in self.zf.namelist() else None

    def _percent(self) -> frozenset[int]:
        if self._styles is None:
            try:
                data = bounded_read(self.zf, "xl/styles.xml")
            except Exception:
                data = b""
            key = hashlib.sha1(data).digest()
            if key not in _percent_cache:
                _percent_cache[key] = _percent_styles(data)
            self._styles = _percent_cache[key]
        return self._styles

    def _make_info(self, cell: dict) -> CellInfo:
        if not (cell["s"] or cell["f"] or cell["t"] == b"e"):
            return _PLAIN
        return CellInfo(percent=cell["s"] in self._percent() if cell["s"] else False,
                         formula=cell["f"], error=cell["t"] == b"e")

    def info(self, ref: str) -> CellInfo:
        return self._info.get(ref, _PLAIN)

    def has_formula(self, ref: str) -> bool:
        cell = self.cells.get(ref)
        return bool(cell and cell["f"])

    def _modified(self) -> str | None:
        try:
            core = bounded_read(self.zf, "docProps/core.xml", 1 << 20)
        except Exception:
            return None
        m = re.search(rb"<dcterms:modified[^>]*>([^<]+)<", core)
        return m[1].decode().strip() if m else None


def _find_sheet_path(wb: bytes, rels: bytes, name: str) -> str | None:
    from defusedxml import ElementTree as ET

    try:
        wb_root, rels_root = ET.fromstring(wb), ET.fromstring(rels)
    except Exception:
        return None
    rid = None
    for el in wb_root.iter():
        if el.tag.endswith("}sheet") and el.get("name") == name:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
    for el in rels_root.iter():
        if el.tag.endswith("}Relationship") and el.get("Id") == rid:
            target = el.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _percent_styles(data: bytes) -> frozenset[int]:
    """Indexes of cellXfs whose number format shows percent."""
    from defusedxml import ElementTree as ET

    styles: set[int] = set()
    try:
        root = ET.fromstring(data)
    except Exception:
        return frozenset()
    custom = {}
    for el in root.iter():
        if el.tag.endswith("}numFmt"):
            custom[int(el.get("numFmtId", -1))] = el.get("formatCode", "")
    xfs = next((el for el in root.iter() if el.tag.endswith("}cellXfs")), None)
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", 0))
        code = re.sub(r'"[^"]*"|\\.', "", custom.get(fid, ""))  # quoted/escaped % is text
        if fid in (9, 10) or "%" in code:
            styles.add(i)
    return frozenset(styles)


class OdsLook:
    """The same for an OpenDocument spreadsheet (LibreOffice's own format)."""

    def __init__(self, zf: zipfile.ZipFile, sheet_name: str):
        from defusedxml import ElementTree as ET

        self.protected: bool | None = None
        self.cells: dict[str, dict] = {}
        ns_table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
        ns_office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
        t = f"{{{ns_table}}}"
        root = ET.fromstring(bounded_read(zf, "content.xml"))
        for table in root.iter(f"{t}table"):
            if table.get(f"{t}name") != sheet_name:
                continue
            self.protected = table.get(f"{t}protected") == "true"
            row = 0
            for r in table.iter(f"{t}table-row"):
                rep_r = min(int(r.get(f"{t}number-rows-repeated", 1)), 100_000)
                col = 0
                for c in r:
                    if not c.tag.endswith("table-cell"):
                        continue
                    rep_c = min(int(c.get(f"{t}number-columns-repeated", 1)), 16_384)
                    if c.get(f"{t}formula") or c.get(f"{{{ns_office}}}value-type"):
                        for k in range(min(rep_c, 64)):
                            self.cells[L.cell_ref(row, col + k)] = {
                                "f": bool(c.get(f"{t}formula")),
                                "percent": c.get(f"{{{ns_office}}}value-type") == "percentage",
                                "error": any(k.endswith("}value-type") and v == "error"
                                             for k, v in c.attrib.items())}
                    col += rep_c
                row += rep_r
            break
        self.modified_at = None
        try:
            meta = bounded_read(zf, "meta.xml", 1 << 20)
            m = re.search(rb"<dc:date>([^<]+)<", meta)
            self.modified_at = m[1].decode().strip() if m else None
        except Exception:
            pass

    def info(self, ref: str) -> CellInfo:
        cell = self.cells.get(ref)
        if not cell:
            return CellInfo()
        return CellInfo(percent=cell["percent"], formula=cell["f"], error=cell["error"])

    def has_formula(self, ref: str) -> bool:
        cell = self.cells.get(ref)
        return bool(cell and cell["f"])


# --------------------------------------------------------------------------- checks

def locked_values_of(form_values: SheetValues, manifest: dict) -> dict[str, object]:
    """The file's locked content: every non-empty cell but the inputs and formula cells
    the manifest lists (the same rule as :meth:`FormLayout.locked_values`)."""
    inputs, formulas = manifest_cells(manifest)
    return {ref: v for ref, v in form_values.nonempty().items()
            if ref not in inputs and ref not in formulas}


def verify_file(path: str | Path, key: bytes) -> list[str]:
    """Problem codes for a form file checked on its own (no ledger): the file-level
    problem, or ``tanda_tangan_salah``, ``isi_terkunci_berubah``; empty when intact."""
    raw = read_path(path, key, None)
    if raw.fatal:
        return [p.code for p in raw.problems]
    if not verify(raw.manifest, key):
        return ["tanda_tangan_salah"]
    if content_hash(raw.locked) != raw.manifest.get("content_hash"):
        return ["isi_terkunci_berubah"]
    return []
