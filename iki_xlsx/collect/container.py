"""The container of a returned file: which format it is by content (never by name), the
zip bounds checked on the central directory before anything is inflated, parts inflated
with exact size and CRC checks, and XML prologs without a DTD.

Every limit a reader enforces is defined here (the README's limits table quotes them);
each has its own problem code when exceeded.
"""

from __future__ import annotations

import io
import os
import posixpath
import struct
import zipfile
import zlib

from ..core.problems import Problem

MAX_FILE_BYTES = 20 * 1024 * 1024  # a form is ~20 KB; anything this big is not one
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # declared inflated size of all parts of one workbook
MAX_MEMBERS = 1000  # parts in one workbook (a form has 13)
MAX_RATIO = 250  # inflated / compressed size of one part above 1 MB (XML rarely exceeds 30)
MAX_SHEET_CELLS = 5_000_000  # used area (rows × columns) of a sheet that is read
MAX_PROLOG = 64 * 1024  # bytes before an XML part's root element

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OUTLOOK_STREAM = "__substg1.0_"  # how every property stream of an Outlook .msg is named
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Rejected(Exception):
    """A file-level problem found deep inside a step: stops reading with that problem."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.problem = Problem(code, params)


def os_size(fh) -> int:
    return os.fstat(fh.fileno()).st_size


def too_large(size: int) -> Problem:
    return Problem("berkas_terlalu_besar", {"mb": round(size / 2**20, 1),
                                                "max_mb": MAX_FILE_BYTES // 2**20})



# --------------------------------------------------------------------------- format

def sniff(data: bytes) -> tuple[str, Problem | None, Parts | None]:
    """The file's format by content, a problem when it is not a usable spreadsheet, and
    the parts of a usable one."""
    if not data:
        return "other", Problem("berkas_kosong"), None
    if data.startswith(OLE_MAGIC):
        # OOXML with a password to open is an OLE container holding EncryptedPackage.
        if "EncryptedPackage".encode("utf-16-le") in data or \
                "EncryptionInfo".encode("utf-16-le") in data:
            return "other", Problem("berkas_terenkripsi"), None
        if OUTLOOK_STREAM.encode("utf-16-le") in data:  # an uploaded Outlook message
            return "other", Problem("pesan_outlook"), None
        return "other", Problem("format_xls"), None
    if data.startswith(b"%PDF"):
        return "other", Problem("format_pdf"), None
    if not data.startswith(b"PK"):
        return "other", Problem("bukan_spreadsheet"), None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "other", Problem("zip_rusak"), None
    names = {i.filename for i in infos}
    if not names & WORKBOOK_PARTS:  # collect opens it, member by member
        return "archive", Problem("arsip_zip"), None
    if any(i.flag_bits & 0x1 for i in infos):  # zip (not Office) encryption
        return "other", Problem("berkas_terenkripsi"), None
    parts = Parts(data, zf)
    if "mimetype" in names:
        try:
            mime = parts.read("mimetype", 200).strip()
        except Exception:
            return "other", Problem("zip_rusak"), None
        if mime == ODS_MIME:
            if "META-INF/manifest.xml" not in names:
                return "other", Problem("ods_tanpa_manifest"), None
            return "ods", None, parts
        return "other", Problem("bukan_spreadsheet"), None
    if "xl/workbook.bin" in names:
        return "other", Problem("format_xlsb"), None
    if "xl/workbook.xml" in names:
        if "xl/vbaProject.bin" in names:
            return "other", Problem("format_xlsm"), None
        try:
            types = parts.read("[Content_Types].xml", 1 << 20)
        except Exception:
            return "other", Problem("zip_rusak"), None
        if b"macroEnabled" in types:
            return "other", Problem("format_xlsm"), None
        return "xlsx", None, parts
    return "other", Problem("bukan_spreadsheet"), None  # a Word document, …


WORKBOOK_PARTS = frozenset({"mimetype", "[Content_Types].xml", "xl/workbook.xml",
                             "xl/workbook.bin"})


def is_folder_entry(info: zipfile.ZipInfo) -> bool:
    """A zip entry that only names a folder: its name ends with ``/`` and it holds
    nothing. A sender's entry named ``/`` or ``x/`` that holds bytes is a file, and is
    read by its content like any other."""
    return info.is_dir() and not info.file_size


def check_zip_bounds(zf: zipfile.ZipFile) -> Problem | None:
    """Zip bombs: bounded by the central directory *before* anything is inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return Problem("zip_bom", {"reason": f"{len(infos)} bagian"})
    total = 0
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            return Problem("bagian_ganda", {"part": info.filename})
        seen.add(info.filename)
        total += info.file_size
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return Problem("zip_bom", {"reason": info.filename})
    if total > MAX_UNCOMPRESSED:
        return Problem("zip_bom", {"reason": f"{total // 2**20} MB"})
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
            mapped = set(self._paths.values())
            for name in self.infos:  # sheets a reader might find without our mapping
                if name.startswith("xl/worksheets/") and name.endswith(".xml") \
                        and name not in mapped:
                    self._paths[f"\0{name}"] = name
                    mapped.add(name)
        return self._paths

    def sheet_path(self, sheet_name: str) -> str | None:
        return self.sheet_paths().get(sheet_name)


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
