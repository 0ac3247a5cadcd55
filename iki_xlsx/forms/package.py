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
content (its length and CRC-32, then its bytes compared with the bytes kept), so what a
form holds never depends on the cache: its parts, names
and order are xlsxwriter's, only the zip around them is written here (the format
xlsxwriter's ``zipfile`` writes: deflate, dated 1980-01-01).

The parts that differ in every form (:attr:`PackedWorkbook.own_sheets`, the shared
strings, the document properties) are never met again: they skip the cache and are
deflated at zlib's fastest level, ~0.7 ms a form less than the default level for ~5 %
larger files (~2 kB of ~44 kB); a part that recurs is compressed once at the default.

Shared strings recur too (labels, the Petunjuk, an IKI's texts): each string's ``<si>``
element is escaped by xlsxwriter once per process (:class:`_SharedStrings`). So do the
formats: each is made once per process for its properties and copied into each
workbook (:meth:`PackedWorkbook.add_format`), and ``styles.xml`` — the same in every
workbook whose formats were made and numbered alike — is assembled by xlsxwriter once
per process for each such set (:meth:`PackedWorkbook._prepare_format_properties`).
"""

from __future__ import annotations

import itertools
import re
import struct
import zlib
from collections import OrderedDict
from io import BytesIO, StringIO
from pathlib import Path
from weakref import WeakKeyDictionary

from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.workbook import Workbook

CACHE_PARTS = 4096  # deflate streams kept per process: ~15 MB at ~45 kB a form
CACHE_BYTES = 64 << 20  # at most this much of the parts' own bytes kept beside them
# (length, CRC-32) → (the part's bytes, its deflate stream)
_cache: OrderedDict[tuple[int, int], tuple[bytes, bytes]] = OrderedDict()
_cached_bytes = 0
_crc_of_length: dict[int, int] = {}  # length → CRC-32 of the last part of that length


def _deflated(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of ``data``, compressed once per process. A part is
    looked up by its length and CRC-32 (which the zip needs anyway; a SHA-256 of the
    ~160 kB of recurring parts cost ~0.25 ms a form) and then compared byte for byte
    with the bytes kept: equal bytes decide, never an equal checksum alone. The part
    last met with the same length is tried first: when its bytes are these, so is its
    CRC-32, not computed again (the helper sheet's 140 kB: ~0.07 ms a form)."""
    global _cached_bytes
    crc = _crc_of_length.get(len(data))
    hit = None if crc is None else _cache.get((len(data), crc))
    same = hit is not None and hit[0] == data
    if not same:
        crc = zlib.crc32(data)
        if len(_crc_of_length) >= CACHE_PARTS:
            _crc_of_length.clear()
        _crc_of_length[len(data)] = crc
        hit = _cache.get((len(data), crc))
        same = hit is not None and hit[0] == data
    key = (len(data), crc)
    if same:
        _cache.move_to_end(key)
        return crc, hit[1]
    packed = _compress(data, zlib.Z_DEFAULT_COMPRESSION)
    if hit is not None:  # other bytes of the same length and CRC-32: this one kept
        _cached_bytes -= len(hit[0])
    _cache[key] = (data, packed)
    _cached_bytes += len(data)
    while len(_cache) > CACHE_PARTS or _cached_bytes > CACHE_BYTES:
        old, _ = _cache.popitem(last=False)[1]
        _cached_bytes -= len(old)
    return crc, packed


def _compress(data: bytes, level: int) -> bytes:
    """The raw deflate stream of ``data`` at zlib ``level``."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


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
        crc, packed = (zlib.crc32(data), _compress(data, 1)) if name in own \
            else _deflated(data)
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
KEEP_STRING = 2_000  # a longer string (the manifest's chunks) is met once: not kept
_si_xml: dict[str, str] = {}
# what xlsxwriter's _write_si changes in a string: control characters, its own _xHHHH_
# escapes, non-characters, the XML escapes (and with them a raw rich string's "<r>")
_NOT_PLAIN = re.compile("[\x00-\x1f_&<>\ufffe\uffff]")
_ESCAPE_LIKE = re.compile("_x[0-9a-fA-F]{4}_")  # text xlsxwriter escapes as _x005F_xHHHH_


def _printable_si(string: str) -> str | None:
    """The ``<si>`` xlsxwriter writes for a printable string (no control character, no
    non-character, no whitespace but the space; the manifest's chunks: ~12 kB of JSON
    with ``_`` and maybe ``&``) that does not start or end with a space, read like its
    own ``_xHHHH_`` escape or start as a raw rich string: the XML escapes only, without
    its passes over the text for the rest (~0.4 ms a form). None for any other string."""
    if not string.isprintable() or string[0] == " " or string[-1] == " " \
            or string.startswith("<r>") or ("_x" in string and _ESCAPE_LIKE.search(string)):
        return None
    if "&" in string or "<" in string or ">" in string:
        string = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<si><t>{string}</t></si>"


class _SharedStrings(SharedStrings):
    """xlsxwriter's shared strings part, each string's ``<si>`` element written by
    xlsxwriter once per process: the labels, the Petunjuk and an IKI's texts come back in
    form after form, and escaping each string is most of this part's cost. A plain
    string (nothing to escape, no space at either end) is ``<si><t>…</t></si>`` as
    xlsxwriter writes it, without its escaping passes, and so is a printable one with
    only the XML escapes to make (:func:`_printable_si`)."""

    def _write_si(self, string) -> None:
        xml = _si_xml.get(string)
        if xml is None:
            if string and not _NOT_PLAIN.search(string) and not string[0].isspace() \
                    and not string[-1].isspace():
                xml = f"<si><t>{string}</t></si>"
            elif string:
                xml = _printable_si(string)
            if xml is None:
                fh, self.fh = self.fh, StringIO()
                try:
                    super()._write_si(string)
                    xml = self.fh.getvalue()
                finally:
                    self.fh = fh
            if len(string) <= KEEP_STRING:
                if len(_si_xml) >= CACHE_STRINGS:
                    _si_xml.clear()
                _si_xml[string] = xml
        self.fh.write(xml)


class _PartsPackager(Packager):
    """xlsxwriter's packager, handing its parts to the workbook instead of to the zip."""

    def _write_styles_file(self) -> None:
        """xlsxwriter's, or the part it wrote for a workbook of the same formats
        (:meth:`PackedWorkbook._prepare_format_properties`)."""
        wb = self.workbook
        if wb.styles_xml is not None:
            self._filename("xl/styles.xml").write(wb.styles_xml)
            return
        super()._write_styles_file()
        if wb.styles_key is not None:
            if len(_styles_xml) >= KEPT_STYLES:
                _styles_xml.clear()
            _styles_xml[wb.styles_key] = self.filenames[-1][0].getvalue()

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
            (name, _written.pop(handle, None) or (
                handle.getvalue() if binary else handle.getvalue().encode("utf-8")))
            for handle, name, binary in files]
        return []  # xlsxwriter's own zip (in memory) stays empty


# a part's handle → the bytes its writer kept for it (weakly: a form that fails on its way
# leaves nothing behind)
_written: WeakKeyDictionary = WeakKeyDictionary()


def written_as(handle, data: bytes) -> None:
    """The part xlsxwriter hands ``handle`` to be written into is ``data``, UTF-8 bytes
    its writer keeps per process (the helper sheet's 140 kB): the packager takes them as
    they are instead of the handle's text, copied and encoded in every form."""
    _written[handle] = data


KEPT_FORMATS = 1024  # formats made once per process, by their properties (emptied when full)
_formats: dict[tuple, Format] = {}
_format_ids = itertools.count()
KEPT_STYLES = 256  # styles parts kept per process, by the formats they are made of
_styles_xml: dict[tuple, str] = {}


def _kept_format(properties: dict) -> Format | None:
    """A Format with ``properties`` made once per process, its key taken (None when a
    value cannot be part of a dict key). Never added to a workbook: it is copied."""
    try:
        key = tuple(properties.items())
        kept = _formats.get(key)
    except TypeError:
        return None
    if kept is None:
        kept = Format(properties)
        kept._get_format_key()
        kept.kept_id = next(_format_ids)  # never reused, unlike a key after a clear
        if len(_formats) >= KEPT_FORMATS:
            _formats.clear()
        _formats[key] = kept
    return kept


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
        self.styles_key: tuple | None = None
        self.styles_xml: str | None = None

    def add_worksheet(self, name=None, worksheet_class=None):
        """xlsxwriter's; the sheet knows it is in a packed workbook (``packed``): its
        writer may hand its part over as bytes (:func:`written_as`)."""
        sheet = super().add_worksheet(name, worksheet_class=worksheet_class)
        sheet.packed = True
        return sheet

    def add_format(self, properties=None) -> Format:
        """xlsxwriter's, the Format copied from one made once per process with the same
        properties (:func:`_kept_format`): xlsxwriter's constructor calls a ``set_*``
        method per property and the key is taken again, ~40 µs a format, ~35 formats a
        form. The key is taken from the properties given, so a format must not be
        changed by its ``set_*`` methods after (the forms' never are)."""
        merged = self.default_format_properties.copy()
        if properties:
            merged.update(properties)
        kept = _kept_format(merged)
        if kept is None:
            return super().add_format(properties)
        fmt = object.__new__(Format)
        fmt.__dict__.update(kept.__dict__)
        fmt.xf_format_indices = self.xf_format_indices
        fmt.dxf_format_indices = self.dxf_format_indices
        self.formats.append(fmt)
        return fmt

    def _styles_of(self) -> tuple | None:
        """What ``styles.xml`` is made of: the kept format behind each format, in the
        order they were added, with the indices the sheets gave them, and the workbook's
        colours and comments; None when a format was not copied from a kept one."""
        made = []
        for fmt in self.formats:
            kept = fmt.__dict__.get("kept_id")
            if kept is None:
                return None
            made.append((kept, fmt.xf_index, fmt.dxf_index))
        try:
            key = (tuple(made), self.has_comments, tuple(self.palette),
                   tuple(self.custom_colors))
            hash(key)
        except TypeError:
            return None
        return key

    def _prepare_format_properties(self) -> None:
        """xlsxwriter's (which numbers fonts, fills, borders and number formats for
        ``styles.xml`` only), unless this process wrote the styles of a workbook whose
        formats were made alike: then that part is written again as it was."""
        self.styles_key = self._styles_of()
        self.styles_xml = None if self.styles_key is None else \
            _styles_xml.get(self.styles_key)
        if self.styles_xml is None:
            super()._prepare_format_properties()

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
