"""Read one returned file: what it is, whether it is ours, and what it holds.

Pipeline (each step fails fast with one named problem, never a traceback):

1. file checks — empty, too large, which format by content (not by name): xlsx, ods;
   rejected: old .xls, encrypted (password to open, or zip encryption), .xlsm, .xlsb,
   other zips, non-spreadsheets;
2. zip checks on the central directory, *before* anything is inflated: number of parts,
   declared inflated size (total and per-part ratio), duplicate part names; then every
   XML part's prolog is inflated (a few hundred bytes each) and a DTD (entity
   expansion, external entities) rejects the file; the sheets that are read are
   inflated with exact size and CRC checks (a part larger than it declares is a zip
   bomb) and their used area is bounded (one far cell must not make a reader allocate
   billions of cells);
3. values — python-calamine reads every cell value of the IKI and manifest sheets
   (cached results for formulas);
4. the manifest — found by its sheet and verified with the workspace key over its text
   (a manifest we wrote: only its head is decoded, the ledger has the rest); any other
   is decoded whole and its shape checked before anything reads it;
5. a light look at the XML for what calamine cannot see: sheet protection, formulas,
   error values and percent formats (found by searching for them, then the cell that
   holds each), the file's modified time.

The result (:class:`RawReading`) is judged against the ledger by :mod:`iki_xlsx.collect`.
This module never writes anything and never extracts zip members to disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import NamedTuple

from . import layout as L
from .manifest import content_hash, verified_head, verify, verify_text
from .values import CellInfo

# Limits (the README states them; each has its own problem code when exceeded).
MAX_FILE_BYTES = 20 * 1024 * 1024  # a form is ~20 KB; anything this big is not one
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # declared inflated size of all parts of one workbook
MAX_MEMBERS = 1000  # parts in one workbook (a form has 13)
MAX_RATIO = 250  # inflated / compressed size of one part above 1 MB (XML rarely exceeds 30)
MAX_SHEET_CELLS = 5_000_000  # used area (rows × columns) of a sheet that is read
MAX_PROLOG = 64 * 1024  # bytes before an XML part's root element

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
    kind: str = "other"  # xlsx | ods | archive (a zip of other files) | other
    problems: list[FileProblem] = field(default_factory=list)  # fatal file-level problems
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
    modified_at: str | None = None

    @property
    def fatal(self) -> bool:
        return bool(self.problems)

    def split(self, inputs: set[str] | frozenset[str]) -> None:
        """Take the values of the input cells out of the locked content (once)."""
        if self.locked is None:
            values = self.values
            self.inputs = {ref: values.pop(ref) for ref in inputs if ref in values}
            self.locked, self.values = values, {}


class Rejected(Exception):
    """A file-level problem found deep inside a step: stops reading with that problem."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.problem = FileProblem(code, params)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(data: bytes, key: bytes | None, key_id: str | None) -> RawReading:
    """Read a file's bytes (see the module docstring). ``key`` None: no signature check."""
    raw = RawReading(sha256_of(data), len(data))
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
        raw.inputs = raw.locked = None
        raw.manifest_text = ""
    return raw


def read_path(path: str | Path, key: bytes | None, key_id: str | None) -> RawReading:
    path = Path(path)
    with path.open("rb") as fh:
        size = os_size(fh)
        if size <= MAX_FILE_BYTES:
            data = fh.read(MAX_FILE_BYTES + 1)
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


def os_size(fh) -> int:
    return os.fstat(fh.fileno()).st_size


def too_large(size: int) -> FileProblem:
    return FileProblem("berkas_terlalu_besar", {"mb": round(size / 2**20, 1),
                                                "max_mb": MAX_FILE_BYTES // 2**20})


def _classify(exc: BaseException) -> FileProblem:
    """A reader's exception → the most specific problem it reveals."""
    text = str(exc).lower()
    name = type(exc).__name__
    if "declared uncompressed size" in text or "larger than declared" in text:
        return FileProblem("zip_bom", {"reason": "ukuran isi tidak sesuai"})
    if "entity" in text or name in ("EntitiesForbidden", "DTDForbidden",
                                    "ExternalReferenceForbidden"):
        return FileProblem("xml_entitas")
    if "password" in text or "encrypt" in text:
        return FileProblem("berkas_terenkripsi")
    if isinstance(exc, (zipfile.BadZipFile, EOFError)) or "checksum" in text \
            or "crc" in text or name == "ZipError":
        return FileProblem("zip_rusak")
    return FileProblem("berkas_rusak", {"reason": name})


# --------------------------------------------------------------------------- steps

def _read(data: bytes, raw: RawReading, key: bytes | None, key_id: str | None) -> None:
    kind, problem, parts = _sniff(data)
    raw.kind = kind
    if problem:
        raw.problems.append(problem)
        return
    problem = check_zip_bounds(parts.zf)
    if problem:
        raw.problems.append(problem)
        return
    if kind == "xlsx":
        sheets = parts.sheet_paths()
        for path in sheets.values():
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
        raw.problems.append(FileProblem("berkas_terenkripsi"))
        return
    except Exception:
        parts.verify_all()  # a part lying about its size, a bad CRC: say which
        raise
    names = list(wb.sheet_names)
    if L.SHEET_MANIFEST not in names:
        raw.problems.append(FileProblem("tanpa_manifest"))
        return
    text = manifest_text(wb.get_sheet_by_name(L.SHEET_MANIFEST))
    if text is None:
        raw.problems.append(FileProblem("tanpa_manifest"))
        return
    manifest, problem, inputs, formulas, verified = parse_manifest(text, key, key_id)
    if problem:
        raw.problems.append(problem)
        return
    raw.manifest, raw.manifest_text = manifest, text
    raw.key_match = key_id is not None and manifest.get("key_id") == key_id
    raw.signature_ok = verified
    sheet_name = manifest.get("sheet") or L.SHEET_FORM
    if sheet_name not in names:
        raw.problems.append(FileProblem("sheet_iki_hilang", {"sheet": sheet_name}))
        return
    if kind == "xlsx" and sheet_name not in sheets:  # a sheet we have not bounded yet
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
        look.modified_at = _ods_modified(parts)
    raw.protected = look.protected
    raw.modified_at = look.modified_at
    raw.cell_info = look.infos(inputs)
    raw.formulas_missing = sorted((ref for ref in formulas if not look.has_formula(ref)),
                                  key=ref_order)


def _sniff(data: bytes) -> tuple[str, FileProblem | None, Parts | None]:
    """The file's format by content, a problem when it is not a usable spreadsheet, and
    the parts of a usable one."""
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
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "other", FileProblem("zip_rusak"), None
    names = {i.filename for i in infos}
    if not names & WORKBOOK_PARTS:  # collect opens it, member by member
        return "archive", FileProblem("arsip_zip"), None
    if any(i.flag_bits & 0x1 for i in infos):  # zip (not Office) encryption
        return "other", FileProblem("berkas_terenkripsi"), None
    parts = Parts(data, zf)
    if "mimetype" in names:
        try:
            mime = parts.read("mimetype", 200).strip()
        except Exception:
            return "other", FileProblem("zip_rusak"), None
        if mime == ODS_MIME:
            if "META-INF/manifest.xml" not in names:
                return "other", FileProblem("ods_tanpa_manifest"), None
            return "ods", None, parts
        return "other", FileProblem("bukan_spreadsheet"), None
    if "xl/workbook.bin" in names:
        return "other", FileProblem("format_xlsb"), None
    if "xl/workbook.xml" in names:
        if "xl/vbaProject.bin" in names:
            return "other", FileProblem("format_xlsm"), None
        try:
            types = parts.read("[Content_Types].xml", 1 << 20)
        except Exception:
            return "other", FileProblem("zip_rusak"), None
        if b"macroEnabled" in types:
            return "other", FileProblem("format_xlsm"), None
        return "xlsx", None, parts
    return "other", FileProblem("bukan_spreadsheet"), None  # a Word document, …


WORKBOOK_PARTS = frozenset({"mimetype", "[Content_Types].xml", "xl/workbook.xml",
                             "xl/workbook.bin"})


def check_zip_bounds(zf: zipfile.ZipFile) -> FileProblem | None:
    """Zip bombs: bounded by the central directory *before* anything is inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return FileProblem("zip_bom", {"reason": f"{len(infos)} bagian"})
    total = 0
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            return FileProblem("bagian_ganda", {"part": info.filename})
        seen.add(info.filename)
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


# --------------------------------------------------------------------------- zip parts

class Parts:
    """The parts of a workbook held in memory, inflated with exact checks: a part that
    inflates to more than its declared size is a bomb (:class:`Rejected` ``zip_bom``),
    a wrong CRC or a short part is a broken zip (``zip_rusak``)."""

    def __init__(self, data: bytes, zf: zipfile.ZipFile):
        self.data = data
        self.zf = zf
        self.infos = {i.filename: i for i in zf.infolist()}
        self._cache: dict[str, bytes] = {}
        self._paths: dict[str, str | None] | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def _raw(self, info: zipfile.ZipInfo) -> memoryview | None:
        """The compressed bytes of a part, or None when the local header is unusual."""
        off = info.header_offset
        data = self.data
        if data[off:off + 4] != b"PK\x03\x04":
            raise Rejected("zip_rusak")
        n, e = struct.unpack_from("<HH", data, off + 26)
        start = off + 30 + n + e
        end = start + info.compress_size
        if end > len(data):
            raise Rejected("zip_rusak")
        return memoryview(data)[start:end]

    def read(self, name: str, limit: int = MAX_UNCOMPRESSED) -> bytes:
        if name in self._cache:
            return self._cache[name]
        info = self.infos.get(name)
        if info is None:
            raise KeyError(name)
        if info.file_size > limit:
            raise Rejected("zip_bom", reason=name)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            d = zlib.decompressobj(-15)
            try:
                out = d.decompress(self._raw(info), info.file_size + 1)
            except zlib.error:
                raise Rejected("zip_rusak") from None
            if len(out) > info.file_size or (d.unconsumed_tail and len(out) == info.file_size
                                             and d.decompress(d.unconsumed_tail, 1)):
                raise Rejected("zip_bom", reason="ukuran isi tidak sesuai")
        elif info.compress_type == zipfile.ZIP_STORED:
            out = bytes(self._raw(info))
        else:  # bzip2, lzma: rare; the standard reader checks size and CRC
            try:
                out = bounded_read(self.zf, name, info.file_size)
            except ValueError:
                raise Rejected("zip_bom", reason="ukuran isi tidak sesuai") from None
            except Exception:
                raise Rejected("zip_rusak") from None
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise Rejected("zip_rusak")
        self._cache[name] = out
        return out

    def packed(self, name: str) -> tuple[int, bytes]:
        """A part as stored (compression, compressed bytes): a cache key for what is
        derived from its content, without inflating it."""
        info = self.infos[name]
        return info.compress_type, bytes(self._raw(info))

    def verify_all(self) -> None:
        """Inflate every part with the exact checks (only to explain a reader's failure:
        a part that lies about its size is a bomb, not just a broken file)."""
        for name in self.infos:
            self.read(name)
        self._cache.clear()

    def head(self, name: str, size: int) -> bytes:
        """The first ``size`` inflated bytes of a part (no size or CRC check)."""
        if name in self._cache:
            return self._cache[name][:size]
        info = self.infos[name]
        if info.compress_type == zipfile.ZIP_DEFLATED:
            try:
                return zlib.decompressobj(-15).decompress(self._raw(info), size)
            except zlib.error:
                raise Rejected("zip_rusak") from None
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(self._raw(info)[:size])
        try:
            with self.zf.open(name) as fh:
                return fh.read(size)
        except Exception:
            raise Rejected("zip_rusak") from None

    def check_prologs(self) -> None:
        """Every XML part must start without a DTD: no entity declarations, internal
        (billion laughs) or external (file:///etc/passwd). Every part is looked at,
        whatever its name: a relationship can make a reader parse ``evil.txt`` as XML."""
        for name, info in self.infos.items():
            if not info.file_size:
                continue
            key = None
            if name not in self._cache and info.compress_size <= _PROLOG_CACHE_PART:
                key = (info.compress_type, bytes(self._raw(info)))  # the same bytes as
                if _prolog_cache.get(key) is False:  # a part seen before (a theme, the
                    continue  # styles of forms from one generator): the same prolog
            size = 256
            while True:
                verdict = _prolog(self.head(name, size))
                if verdict is not None:
                    break
                if size >= min(info.file_size, MAX_PROLOG):
                    verdict = size >= MAX_PROLOG  # a prolog this long is no workbook's
                    break
                size *= 8
            if verdict:
                raise Rejected("xml_entitas")
            if key is not None:
                if len(_prolog_cache) >= 256:
                    _prolog_cache.clear()
                _prolog_cache[key] = False

    # -- xlsx sheets
    def sheet_paths(self) -> dict[str, str | None]:
        """Sheet name → part, for every sheet of the workbook (cached by content)."""
        if self._paths is None:
            names = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
            if not all(name in self.infos for name in names):
                self._paths = {}
                return self._paths
            key = tuple(self.packed(name) for name in names)  # a few KB as stored
            paths = _sheet_path_cache.get(key)
            if paths is None:
                paths = _find_sheet_paths(*(self.read(name) for name in names))
                if len(_sheet_path_cache) > 256 or sum(len(k[1]) for k in key) > 1 << 16:
                    _sheet_path_cache.clear()
                _sheet_path_cache[key] = paths
            self._paths = {n: (p if p in self.infos else None) for n, p in paths.items()}
            for name in self.infos:  # sheets a reader might find without our mapping
                if name.startswith("xl/worksheets/") and name.endswith(".xml") \
                        and name not in self._paths.values():
                    self._paths[f"\0{name}"] = name
        return self._paths

    def sheet_path(self, sheet_name: str) -> str | None:
        return self.sheet_paths().get(sheet_name)


_sheet_path_cache: dict[tuple, dict[str, str]] = {}
_prolog_cache: dict[tuple[int, bytes], bool] = {}  # clean prologs by compressed bytes
_PROLOG_CACHE_PART = 4096  # compressed bytes: larger parts (shared strings, sheets) differ
# from file to file and are not remembered


def _prolog(head: bytes) -> bool | None:
    """True: the XML declares a DTD; False: the root element starts without one;
    None: the prolog goes on beyond ``head``."""
    s = head
    if s.startswith(b"\xef\xbb\xbf"):
        s = s[3:]
    if s[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(s) > 1 and (s[0] == 0 or s[1] == 0)):
        enc = "utf-16-be" if s[:2] == b"\xfe\xff" or s[0] == 0 else "utf-16-le"
        s = s[2:] if s[:2] in (b"\xff\xfe", b"\xfe\xff") else s
        s = s[: len(s) // 2 * 2].decode(enc, "replace").encode("utf-8")
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in b" \t\r\n":
            i += 1
        if i >= n:
            return None
        if s.startswith(b"<?", i):
            j = s.find(b"?>", i)
            if j < 0:
                return None
            i = j + 2
        elif s.startswith(b"<!--", i):
            j = s.find(b"-->", i)
            if j < 0:
                return None
            i = j + 3
        elif n - i < 9 and any(t.startswith(s[i:]) for t in (b"<!DOCTYPE", b"<!--", b"<?")):
            return None  # "<!-" or "<!DOC" cut at the end of what was inflated
        elif s.startswith(b"<!", i):
            return True  # <!DOCTYPE (or other markup no workbook part has here)
        else:
            return False


_ANY_FAR = re.compile(  # r="AB1234" or r = 'XFD1': a row ≥ 1000 or a column ≥ AAA
    rb"""r\s*=\s*["'](?:[A-Za-z]{0,3}[0-9]{4,}|[A-Za-z]{3,}[0-9]+)["']""")
_TAG = re.compile(rb"""<(/?)(?:\w+:)?(row|c)\b([^>]*)>""")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


def check_sheet_area(xml: bytes, name: str = "") -> None:
    """Reject a sheet whose used area (rows × columns, as a value reader allocates it)
    exceeds :data:`MAX_SHEET_CELLS` (calamine aborts the whole process when it cannot
    allocate a sheet). A reader places a cell by its reference, or — a row or cell
    written without one — right after the previous one; so no cell lies beyond row
    999 + the number of rows nor column ZZ + the number of cells, unless a reference
    goes further (written in any way a value reader accepts: either quote, spaces
    around ``=``). Only when that bound is too large (a sheet of more than ~2,700
    tags) are the cells placed one by one."""
    if not _ANY_FAR.search(xml):
        # rows + cells ≤ tags: the area is at most (999 + rows) × (702 + cells) ≤ this
        tags = xml.count(b"<")
        if ((999 + 702 + tags) // 2 + 1) ** 2 <= MAX_SHEET_CELLS:
            return
    top = left = 1 << 62
    bottom = right = -1
    row = col = -1
    for closing, tag, attrs in _TAG.findall(xml):
        if closing:
            continue
        ref = _R_ATTR.search(attrs)
        if tag == b"row":
            row = int(ref[2]) - 1 if ref and ref[2] and not ref[1] else row + 1
            col = -1
            continue
        if ref and ref[1] and ref[2]:
            row, col = int(ref[2]) - 1, _col_number(ref[1]) - 1
        else:
            col += 1
        top, bottom = min(top, row), max(bottom, row)
        left, right = min(left, col), max(right, col)
    if bottom < 0:
        return
    if (bottom - top + 1) * (right - left + 1) > MAX_SHEET_CELLS or bottom >= 1_048_576 \
            or right >= 16_384:
        raise Rejected("lembar_terlalu_luas", rows=bottom + 1,
                       cols=L.col_name(min(right, 16_383)), max_cells=MAX_SHEET_CELLS)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:6]:
        n = n * 26 + ch - 64
    return n


# --------------------------------------------------------------------------- values

_COLS = [L.col_name(i) for i in range(702)]  # A … ZZ
_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def parse_ref(ref: str) -> tuple[int, int]:
    m = _REF_RE.fullmatch(ref) if isinstance(ref, str) else None
    if not m or int(m[2]) < 1:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m[1].upper():
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


def ref_order(ref: str) -> tuple[int, int]:
    """Sort key of cell references: by row, then column (``B2`` < ``AA2`` < ``A10``)."""
    try:
        r, c = parse_ref(ref)
    except ValueError:
        return (1 << 30, 0)
    return r, c


def sheet_cells(sheet) -> dict[str, object]:
    """A calamine sheet's non-empty cell values by reference (``"H24"``); whole numbers
    as floats, as every other number."""
    rows = sheet.to_python(skip_empty_area=False)
    r0, c0 = sheet.start or (0, 0)
    width = len(rows[0]) if rows else 0
    if all(len(row) == width for row in rows):  # a rectangle, as calamine returns
        flat = list(chain.from_iterable(rows))
        out = {ref: value for ref, value in zip(_grid_refs(r0, c0, len(rows), width), flat)
               if value != "" and value is not None}
    else:
        out = {}
        for i, row in enumerate(rows, r0 + 1):
            for ref, value in zip(_row_refs(i, c0, len(row)), row):
                if value != "" and value is not None:
                    out[ref] = value
    if int in map(type, out.values()):
        out = {ref: float(v) if type(v) is int else v for ref, v in out.items()}
    return out


@lru_cache(maxsize=256)
def _grid_refs(first_row: int, first_col: int, height: int, width: int) -> tuple[str, ...]:
    """The references of a rectangle of cells, row by row (0-based corner)."""
    return tuple(ref for i in range(first_row + 1, first_row + height + 1)
                 for ref in _row_refs(i, first_col, width))


@lru_cache(maxsize=4096)
def _row_refs(row: int, first_col: int, n: int) -> tuple[str, ...]:
    """``("A7", "B7", …)``: the references of ``n`` cells of a row (1-based)."""
    digits = str(row)
    return tuple((_COLS[j] if j < len(_COLS) else L.col_name(j)) + digits
                 for j in range(first_col, first_col + n))


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


def parse_manifest_text(text: str) -> tuple[dict | None, FileProblem | None]:
    got = parse_manifest(text)
    return got.manifest, got.problem


class ManifestReading(NamedTuple):
    manifest: dict | None  # the whole manifest, or its head (no indicators) when verified
    problem: FileProblem | None
    inputs: set[str] | None  # the input cells it names (None: indicators not decoded)
    formulas: set[str]  # the formula cells it names
    verified: bool  # its HMAC was checked with the workspace key, and holds


def parse_manifest(text: str, key: bytes | None = None,
                   key_id: str | None = None) -> ManifestReading:
    """The manifest from its JSON text, or the problem with it, and the cells it names.
    With the workspace ``key``, a manifest whose text is the one we wrote and signed has
    only its head decoded (the ledger has the rest); any other is decoded whole, its
    shape checked field by field before anything reads it, then verified."""
    if key is not None and key_id is not None:
        head = verified_head(text, key)
        if head is not None and head.get("key_id") == key_id:
            return ManifestReading(head, None, None, set(head.get("formula_cells", ())), True)
    try:
        manifest = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError, TypeError):
        return ManifestReading(None, FileProblem("manifest_rusak"), set(), set(), False)
    reason, (inputs, formulas) = _manifest_shape(manifest)
    if reason:
        return ManifestReading(None, FileProblem("manifest_rusak", {"reason": reason}),
                               set(), set(), False)
    verified = key is not None and key_id is not None \
        and manifest.get("key_id") == key_id and verify_text(text, manifest, key)
    return ManifestReading(manifest, None, inputs, formulas, verified)


def _no_constant(name: str):
    raise ValueError(name)  # NaN, Infinity are not JSON


def _manifest_shape(m: object) -> tuple[str, tuple[set[str], set[str]]]:
    """('' or what is wrong, (input cells, formula cells)): the shape every reader relies
    on, checked before the signature so that nothing downstream meets a surprise type;
    and on the way the cells the manifest names."""
    none: tuple[set[str], set[str]] = (set(), set())
    if not isinstance(m, dict):
        return "bukan objek", none
    for key in ("form_id", "nip", "key_id", "hmac", "kode_iki"):
        if not isinstance(m.get(key), str) or len(m[key]) > 200:
            return key, none
    for key in ("revision", "tahun"):
        if type(m.get(key)) is not int or not 0 < m[key] < 100_000:
            return key, none
    if not isinstance(m.get("nama", ""), str) or not isinstance(m.get("sheet", "IKI"), str):
        return "nama", none
    periods = m.get("periods")
    if not (isinstance(periods, list) and periods and len(periods) <= 12
            and all(isinstance(p, str) for p in periods)):
        return "periods", none
    formulas = m.get("formula_cells", [])
    if not isinstance(formulas, list):
        return "formula_cells", none
    inds = m.get("indicators")
    if not (isinstance(inds, list) and 0 < len(inds) <= 1000):
        return "indicators", none
    wanted = set(periods)
    inputs: list = []
    for ind in inds:
        if not isinstance(ind, dict) or not isinstance(ind.get("id"), str):
            return "indicators", none
        cells = ind.get("cells")
        if not isinstance(cells, dict):
            return "cells", none
        real = cells.get("realisasi")
        if not isinstance(real, dict) or real.keys() != wanted:
            return "cells", none
        inputs.extend(real.values())
        inputs.append(cells.get("keterangan"))
        target = ind.get("target")
        if not isinstance(target, dict):
            return "target", none
        for k in ("value", "low", "high"):
            v = target.get(k)
            if v is not None and not (type(v) in (int, float) and abs(v) < 1e15):
                return "target", none
        if not isinstance(ind.get("polaritas"), str) or type(ind.get("row")) is not int:
            return "polaritas", none
    refs = inputs + formulas
    if not all(type(r) is str for r in refs) or not _REF_LINES.fullmatch("\n".join(refs)):
        return "cells", none
    return "", (set(inputs), set(formulas))


_REF_LINES = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}(?:\n[A-Z]{1,3}[1-9][0-9]{0,6})*")


# --------------------------------------------------------------------------- XML looks

_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")


_ST_CANONICAL = re.compile(rb'(?: s="([0-9]{1,9})")?(?: t="(\w+)")?')
_S_ATTR = re.compile(rb'\bs="([0-9]{1,9})"')
_T_ATTR = re.compile(rb'\bt="(\w+)"')


@lru_cache(maxsize=64)
def _encoded(refs: frozenset[str]) -> frozenset[bytes]:
    return frozenset(ref.encode() for ref in refs)


_REF = re.compile(rb'\br="([A-Za-z]+[0-9]+)"')
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_CACHED = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is\b")  # a non-empty cached value
_percent_cache: dict[tuple, frozenset[int]] = {}  # styles part → percent styles
_PLAIN = CellInfo()


class XlsxLook:
    """What calamine does not tell about an xlsx sheet: protection, formulas, errors and
    number formats of given cells, and the document's modified time. Only the cells
    asked for are examined, with byte-level scans (no DOM of the sheet)."""

    def __init__(self, parts: Parts, path: str | None, wanted: set[str] | None,
                 formulas: set[str] = frozenset()):
        """``wanted``: the cells to look at (None: every cell); ``formulas``: the
        manifest's formula cells (of which only the presence of a formula matters)."""
        self.parts = parts
        xml = parts.read(path) if path else b""
        self.protected = _has_element(xml, b"sheetProtection") if path else None
        percent = self._percent()
        # ref → (style, type, formula, cached value), for cells that are not plain
        cells = _look_canonical(xml, wanted, percent, formulas) \
            if b'<c r="' in xml else None
        if cells is None:
            cells = _look_general(xml, None if wanted is None else _encoded(frozenset(wanted)),
                                  percent)
        made: dict[tuple, CellInfo] = {}
        self._info: dict[str, CellInfo] = {}
        self._formulas: set[str] = set()
        for ref, (style, kind, formula, cached) in cells.items():
            key = (style in percent, formula, kind == b"e", cached)
            info = made.get(key)
            if info is None:
                info = made[key] = CellInfo(*key)
            self._info[ref] = info
            if formula:
                self._formulas.add(ref)
        self.modified_at = self._modified()

    def _percent(self) -> frozenset[int]:
        name = "xl/styles.xml"
        if name not in self.parts:
            return frozenset()
        key = self.parts.packed(name)
        styles = _percent_cache.get(key)
        if styles is None:
            if len(_percent_cache) > 64 or len(key[1]) > 1 << 18:
                _percent_cache.clear()
            styles = _percent_cache[key] = _percent_styles(self.parts.read(name))
        return styles

    def info(self, ref: str) -> CellInfo:
        return self._info.get(ref, _PLAIN)

    def infos(self, refs=None) -> dict[str, CellInfo]:
        """The cells (of ``refs``, or all looked at) that are not plain (percent format,
        formula, error)."""
        if refs is None:
            return dict(self._info)
        return {ref: info for ref, info in self._info.items() if ref in refs}

    def has_formula(self, ref: str) -> bool:
        return ref in self._formulas

    def _modified(self) -> str | None:
        if "docProps/core.xml" not in self.parts:
            return None
        try:
            core = self.parts.read("docProps/core.xml", 1 << 20)
        except Rejected:
            return None
        m = re.search(rb"<dcterms:modified[^>]*>([^<]{1,64})<", core)
        return m[1].decode("utf-8", "replace").strip() if m else None


def _look_canonical(xml: bytes, wanted: set[str] | None, percent: frozenset[int],
                    formulas: set[str]) -> dict[str, tuple] | None:
    """Excel, LibreOffice, Google Sheets and xlsxwriter write cells as ``<c r="REF"``
    (then s, then t). Instead of visiting every cell asked for, find what makes a cell
    not plain — a formula element, an error type, a percent style — and the cell that
    holds it (the last ``<c r="`` before it). Of the expected ``formulas`` only their
    presence is noted. None when a cell is spelled otherwise (the general scan then
    looks at every cell)."""
    cells: dict[str, tuple] = {}
    found = [(m.start(), True) for m in _FORMULA_OPEN.finditer(xml)]
    if b't="e"' in xml:
        found.extend((m.start(), False) for m in _ERROR_TYPE.finditer(xml))
    for style in percent:
        needle = b' s="%d"' % style
        at = xml.find(needle)
        while at >= 0:
            found.append((at, False))
            at = xml.find(needle, at + 1)
    known = _TAG_CACHE
    for pos, in_body in found:
        at = xml.rfind(b'<c r="', 0, pos)
        quote = xml.find(b'"', at + 6, pos) if at >= 0 else -1
        if quote < 0 or xml.find(b"<c", quote, pos) >= 0:
            return None  # not inside a cell opened as <c r="…"
        close = xml.find(b">", quote) + 1
        if in_body:  # a formula: in the content of this cell, which is still open
            if not 0 < close <= pos or xml[close - 2] == 0x2F or \
                    xml.find(b"</c>", close, pos) >= 0:
                return None
        elif not pos < close:
            continue  # an attribute of a row or another element, not of a cell
        ref = xml[at + 6: quote].decode("ascii", "replace")
        if ref in cells or (wanted is not None and ref not in wanted):
            continue
        if in_body and ref in formulas:
            cells[ref] = _FORMULA_CELL  # one of ours: only its presence matters
            continue
        tag = xml[quote + 1: close]
        cell = known.get(tag)
        if cell is None:
            cell = _tag_cell(tag)
            if len(known) < 4096:
                known[tag] = cell
        style, kind, has_body = cell
        formula, cached = False, True
        if has_body:
            stop = xml.find(b"</c>", close)
            formula, cached = _content(kind, xml[close: stop] if stop >= 0 else b"")
        if formula or kind == b"e" or style in percent:
            cells[ref] = (style, kind, formula, cached)
    return cells


_FORMULA_OPEN = re.compile(rb"<f[ >/]")  # two scans: an alternation would lose the
_ERROR_TYPE = re.compile(rb' t="e"')  # literal prefix that makes each one fast
_FORMULA_CELL = (0, b"", True, True)


_TAG_CACHE: dict[bytes, tuple] = {}


def _has_element(xml: bytes, name: bytes) -> bool:
    """Whether ``<name`` or ``<prefix:name`` opens an element somewhere in ``xml``
    (searched from the end: sheetProtection follows the cells)."""
    at = xml.rfind(name)
    while at >= 0:
        end = xml[at + len(name): at + len(name) + 1]
        if end in (b" ", b"/", b">", b"\t", b"\r", b"\n") and \
                _ELEMENT_START.search(xml, max(0, at - 64), at):
            return True
        at = xml.rfind(name, 0, at)
    return False


_ELEMENT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?\Z")


def _tag_cell(tag: bytes) -> tuple:
    """(style, type, has content) of a cell from the rest of its opening tag."""
    if tag.endswith(b"/>"):
        return (*_style_kind(tag[:-2]), False)
    return (*_style_kind(tag[:-1]), True)


def _style_kind(attrs: bytes) -> tuple[int, bytes]:
    st = _ST_CANONICAL.fullmatch(attrs)
    if st:
        style, kind = st[1] or b"", st[2] or b""
    else:
        found = _S_ATTR.search(attrs)
        style = found[1] if found else b""
        found = _T_ATTR.search(attrs)
        kind = found[1] if found else b""
    return (int(style) if style else 0), kind


def _look_general(xml: bytes, want: frozenset[bytes] | None,
                  percent: frozenset[int]) -> dict[str, tuple]:
    """Any other spelling (namespace prefixes, attributes in another order)."""
    cells: dict[str, tuple] = {}
    for m in _CELL_OPEN.finditer(xml):
        r = _REF.search(m[1])
        ref = r[1] if r else b""
        if want is not None and ref not in want:
            continue
        style, kind = _style_kind(m[1].rstrip(b"/"))
        formula, cached = False, True
        if not m[2]:  # <c ...> … </c>
            end = _CELL_END.search(xml, m.end())
            formula, cached = _content(kind, xml[m.end(): end.start() if end else m.end()])
        if formula or kind == b"e" or style in percent:
            cells[ref.decode()] = (style, kind, formula, cached)
    return cells


def _content(kind: bytes, body: bytes) -> tuple[bool, bool]:
    """(holds a formula, carries a value) of a cell's content: a formula counts as
    computed when its cached value is not empty (or its type says text, boolean …)."""
    formula = b"f" in body and bool(_FORMULA.search(body))
    return formula, not formula or bool(kind and kind != b"n") or bool(_CACHED.search(body))


def _find_sheet_paths(wb: bytes, rels: bytes) -> dict[str, str]:
    from defusedxml import ElementTree as ET

    try:
        wb_root, rels_root = ET.fromstring(wb), ET.fromstring(rels)
    except Exception:
        return {}
    targets = {}
    for el in rels_root.iter():
        if el.tag.endswith("}Relationship") and el.get("Id") is not None:
            target = el.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(f"xl/{target}")
            targets.setdefault(el.get("Id"), path)
    out: dict[str, str] = {}
    for el in wb_root.iter():
        if el.tag.endswith("}sheet") and el.get("name") is not None:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                out.setdefault(el.get("name"), targets[rid])  # calamine: first wins
    return out


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
            try:
                custom[int(el.get("numFmtId", -1))] = el.get("formatCode", "")
            except ValueError:
                continue
    xfs = next((el for el in root.iter() if el.tag.endswith("}cellXfs")), None)
    for i, xf in enumerate(xfs if xfs is not None else []):
        try:
            fid = int(xf.get("numFmtId", 0))
        except ValueError:
            continue
        code = re.sub(r'"[^"]*"|\\.', "", custom.get(fid, ""))  # quoted/escaped % is text
        if fid in (9, 10) or "%" in code:
            styles.add(i)
    return frozenset(styles)


_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class OdsLook:
    """The same for an OpenDocument spreadsheet (LibreOffice's own format), streamed
    over content.xml with expat (no tree). Also bounds every table's used area *before*
    a value reader expands ``number-rows-repeated`` × ``number-columns-repeated``."""

    def __init__(self, content: bytes, sheet_name: str):
        from xml.parsers import expat

        t, o = _NS_TABLE + "}", _NS_OFFICE + "}"
        tag_table, tag_row = t + "table", t + "table-row"
        cell_tags = (t + "table-cell", t + "covered-table-cell")
        a_rows, a_cols = t + "number-rows-repeated", t + "number-columns-repeated"
        a_name, a_protected = t + "name", t + "protected"
        a_formula, a_type = t + "formula", o + "value-type"
        self.protected: bool | None = None
        self.modified_at: str | None = None
        self.cells: dict[str, dict] = {}
        st = {"depth": 0, "current": False, "row": 0, "col": 0, "rep_r": 1,
              "cell": None, "box": None}

        def start(tag, attrs):
            if tag == tag_table:
                st["depth"] += 1
                if st["depth"] == 1:
                    st["current"] = attrs.get(a_name) == sheet_name
                    if st["current"]:
                        self.protected = attrs.get(a_protected) == "true"
                    st["row"] = st["col"] = 0
                    st["box"] = None
                return
            if st["depth"] != 1:
                return
            if tag == tag_row:
                st["rep_r"] = _repeat(attrs.get(a_rows))
                st["col"] = 0
            elif tag in cell_tags:
                st["cell"] = [attrs, False]  # attributes, has content
            elif st["cell"] is not None:
                st["cell"][1] = True

        def end(tag):
            if tag == tag_table:
                st["depth"] -= 1
                return
            if st["depth"] != 1:
                return
            if tag == tag_row:
                st["row"] += st["rep_r"]
                st["rep_r"] = 1
            elif tag in cell_tags and st["cell"] is not None:
                attrs, content = st["cell"]
                st["cell"] = None
                rep_c = _repeat(attrs.get(a_cols))
                formula, kind = attrs.get(a_formula), attrs.get(a_type)
                row, col = st["row"], st["col"]
                if formula or kind or content:
                    box = st["box"] or [row, col, row, col]
                    box = [min(box[0], row), min(box[1], col),
                           max(box[2], row + st["rep_r"] - 1), max(box[3], col + rep_c - 1)]
                    st["box"] = box
                    if (box[2] - box[0] + 1) * (box[3] - box[1] + 1) > MAX_SHEET_CELLS:
                        raise Rejected("lembar_terlalu_luas", rows=box[2] + 1,
                                       cols=L.col_name(min(box[3], 16_383)),
                                       max_cells=MAX_SHEET_CELLS)
                    if st["current"] and (formula or kind) and row < 100_000:
                        error = any(k.endswith("}value-type") and v == "error"
                                    for k, v in attrs.items())
                        for k in range(min(rep_c, 64)):
                            self.cells[L.cell_ref(row, col + k)] = {
                                "f": bool(formula), "percent": kind == "percentage",
                                "error": error}
                st["col"] = col + rep_c

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.EntityDeclHandler = _no_entities
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            parser.Parse(content, True)
        except expat.ExpatError:
            raise Rejected("berkas_rusak", reason="content.xml") from None

    def info(self, ref: str) -> CellInfo:
        cell = self.cells.get(ref)
        if not cell:
            return _PLAIN
        return CellInfo(percent=cell["percent"], formula=cell["f"], error=cell["error"])

    def infos(self, refs=None) -> dict[str, CellInfo]:
        """The cells (of ``refs``, or all) that are not plain (percent, formula, error)."""
        out = {ref: self.info(ref) for ref in (self.cells if refs is None else refs)
               if ref in self.cells}
        return {ref: info for ref, info in out.items() if info != _PLAIN}

    def has_formula(self, ref: str) -> bool:
        cell = self.cells.get(ref)
        return bool(cell and cell["f"])


def _no_entities(*args):
    raise Rejected("xml_entitas")


def _repeat(value: str | None) -> int:
    try:
        n = int(value) if value else 1
    except ValueError:
        return 1
    return max(1, min(n, 1 << 31))


def _ods_modified(parts: Parts) -> str | None:
    if "meta.xml" not in parts:
        return None
    try:
        meta = parts.read("meta.xml", 1 << 20)
    except Rejected:
        return None
    m = re.search(rb"<dc:date>([^<]{1,64})<", meta)
    return m[1].decode("utf-8", "replace").strip() if m else None


# --------------------------------------------------------------------------- checks

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
