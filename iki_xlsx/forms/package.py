"""The form's zip, written from the parts xlsxwriter assembles; what recurs from form to
form is made once per process.

Most parts of a form are the same bytes in every form of a run: the theme, the styles,
the relationships and content types, the document properties' sheet list, and the very
hidden helper sheet of every form whose indikator read alike (the same kinds of rows in
the same places). Compressing them was a fifth of a form's work (the helper sheet
alone, ~140 kB of XML, ~4 ms). :class:`PackedWorkbook` lets xlsxwriter assemble every
part as usual (:class:`_PartsPackager` keeps them instead of zipping them), then
:func:`write_zip` stores each part's deflate stream, taken from :func:`_deflated` when
the same bytes were compressed before in this process. A part is looked up by its
content (its SHA-256), so what a form holds never depends on the cache: its parts, names
and order are xlsxwriter's, only the zip around them is written here (the format
xlsxwriter's ``zipfile`` writes: deflate, dated 1980-01-01).

The parts that differ in every form (:attr:`PackedWorkbook.own_sheets`, the shared
strings, the document properties) are never met again: they skip the cache and are
deflated at zlib's fastest level, ~0.7 ms a form less than the default level for ~5 %
larger files (~2 kB of ~44 kB); a part that recurs is compressed once at the default.

Shared strings recur too (labels, the Petunjuk, an IKI's texts): each string's ``<si>``
element is escaped by xlsxwriter once per process (:class:`_SharedStrings`).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections import OrderedDict
from io import BytesIO, StringIO
from pathlib import Path

from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.workbook import Workbook

CACHE_PARTS = 4096  # deflate streams kept per process: ~15 MB at ~45 kB a form
_cache: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()


def _deflated(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of ``data``, compressed once per process."""
    key = hashlib.sha256(data).digest()
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit
    hit = _deflate(data, zlib.Z_DEFAULT_COMPRESSION)
    _cache[key] = hit
    if len(_cache) > CACHE_PARTS:
        _cache.popitem(last=False)
    return hit


def _deflate(data: bytes, level: int) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of ``data`` at zlib ``level``."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return zlib.crc32(data), packer.compress(data) + packer.flush()


_DOS_DATE = (1 << 5) | 1  # 1980-01-01, as xlsxwriter dates its parts; time 00:00
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def write_zip(path: Path, parts: list[tuple[str, bytes]],
              own: frozenset[str] | set[str] = frozenset()) -> None:
    """A zip of ``parts`` (name, bytes), deflated, without zip64 (a form is far below
    4 GB); the parts named in ``own`` (met in this file only) at the fastest level,
    without the cache."""
    out, central = BytesIO(), []
    for name, data in parts:
        crc, packed = _deflate(data, 1) if name in own else _deflated(data)
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else 0x800
        offset = out.tell()
        out.write(_LOCAL.pack(b"PK\x03\x04", 20, flags, 8, 0, _DOS_DATE, crc, len(packed),
                              len(data), len(raw), 0))
        out.write(raw)
        out.write(packed)
        central.append(_CENTRAL.pack(b"PK\x01\x02", (3 << 8) | 20, 20, flags, 8, 0,
                                     _DOS_DATE, crc, len(packed), len(data), len(raw), 0,
                                     0, 0, 0, 0o600 << 16, offset) + raw)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                        start, 0))
    path.write_bytes(out.getvalue())


CACHE_STRINGS = 50_000  # <si> elements kept per process (emptied when full)
_si_xml: dict[str, str] = {}


class _SharedStrings(SharedStrings):
    """xlsxwriter's shared strings part, each string's ``<si>`` element written by
    xlsxwriter once per process: the labels, the Petunjuk and an IKI's texts come back in
    form after form, and escaping each string is most of this part's cost."""

    def _write_si(self, string) -> None:
        xml = _si_xml.get(string)
        if xml is None:
            fh, self.fh = self.fh, StringIO()
            try:
                super()._write_si(string)
                xml = self.fh.getvalue()
            finally:
                self.fh = fh
            if len(_si_xml) >= CACHE_STRINGS:
                _si_xml.clear()
            _si_xml[string] = xml
        self.fh.write(xml)


class _PartsPackager(Packager):
    """xlsxwriter's packager, handing its parts to the workbook instead of to the zip."""

    def _write_shared_strings_file(self) -> None:  # xlsxwriter's, with _SharedStrings
        if not self.workbook.str_table.count:
            return
        sst = _SharedStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()

    def _create_package(self):
        files = super()._create_package()
        self.workbook.parts = [
            (name, handle.getvalue() if binary else handle.getvalue().encode("utf-8"))
            for handle, name, binary in files]
        return []  # xlsxwriter's own zip (in memory) stays empty


# the parts that differ in every file: its strings, its time, its custom properties
OWN_PARTS = ("xl/sharedStrings.xml", "docProps/core.xml", "docProps/custom.xml")


class PackedWorkbook(Workbook):
    """A workbook whose :meth:`close` writes ``path`` through :func:`write_zip`;
    ``own_sheets``: its worksheets whose XML differs in every file."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(BytesIO(), {"in_memory": True})
        self.path = Path(path)
        self.parts: list[tuple[str, bytes]] = []
        self.own_sheets: list = []

    def _get_packager(self) -> Packager:
        return _PartsPackager()

    def _own_parts(self) -> set[str]:
        """The part names of :data:`OWN_PARTS` and of ``own_sheets`` (xlsxwriter names
        worksheets ``sheet1.xml`` … in the order they were added, chartsheets apart)."""
        sheets = [s for s in self.worksheets() if not s.is_chartsheet]
        return {*OWN_PARTS, *(f"xl/worksheets/sheet{i}.xml"
                              for i, sheet in enumerate(sheets, start=1)
                              if any(sheet is own for own in self.own_sheets))}

    def close(self) -> None:
        """Write the zip, then drop everything the workbook holds: xlsxwriter's sheets
        keep bound methods of their workbook (``workbook_add_format`` …), a reference
        cycle that left each form's ~1,300 objects (its sheets, cells, formats) to the
        cycle collector instead of being freed when the form is done. Closed again, it
        only warns, as xlsxwriter's own workbook does."""
        if self.fileclosed:
            super().close()
            return
        super().close()
        write_zip(self.path, self.parts, self._own_parts())
        self.__dict__.clear()
        self.fileclosed = True
