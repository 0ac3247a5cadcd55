"""The recap workbook's zip put together without compressing anything twice: xlsxwriter's
members copied still compressed, and Per Indikator's member rebuilt around its rows,
which come already deflated in pieces (:mod:`.rowjobs`).

Each piece is raw deflate blocks that do not end the stream (``Z_SYNC_FLUSH``: byte
aligned, no back-reference into another piece), so the sheet's head, the pieces in order
and its tail (the last, ``Z_FINISH``) read as one stream; the member's CRC-32 is combined
from the pieces' (:func:`crc32_combine`)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import inline

_COPY = 1 << 20


@dataclass(frozen=True)
class Piece:
    """Deflated rows in a file: its compressed size, and the CRC-32 and size of the
    rows they inflate to."""

    path: str
    csize: int
    crc: int
    size: int


def deflater():
    """Raw deflate at the fastest level: ISA-L's where installed (see :mod:`.inline`),
    else zlib's."""
    z = inline._deflate or zlib
    return z.compressobj(1, z.DEFLATED, -15)


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from A's, B's and B's length: ISA-L's, or zlib's algorithm here
    (``crc1`` advanced over ``len2`` zero bytes in GF(2))."""
    if inline._deflate is not None:
        return inline._deflate.crc32_combine(crc1, crc2, len2)
    k = 0
    while len2 > 0:
        if len2 & 1:
            crc1 = _times(_zeros(k), crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ crc2


_ZEROS: list[list[int]] = []  # [k]: the CRC-32 operator of 2**k zero bytes


def _zeros(k: int) -> list[int]:
    while len(_ZEROS) <= k:
        if _ZEROS:
            _ZEROS.append(_square(_ZEROS[-1]))
        else:
            one_bit = [0xEDB88320] + [1 << n for n in range(31)]
            _ZEROS.append(_square(_square(_square(one_bit))))  # one zero byte
    return _ZEROS[k]


def _times(matrix: list[int], vector: int) -> int:
    out, i = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[i]
        vector >>= 1
        i += 1
    return out


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, row) for row in matrix]


def write_spliced(src: Path, dest: Path, name: str, last: int, pieces: list[Piece]) -> None:
    """``src`` (xlsxwriter's zip) as ``dest``, member ``name``'s placeholder row (0-based
    ``last``) up to ``</sheetData>`` replaced by ``pieces``, every other member copied
    compressed as it is. A sheet is at most Excel's 1,048,576 rows of a few kB: no
    member or offset reaches zip64's 4 GiB (checked)."""
    central = []
    with zipfile.ZipFile(src) as zin, open(src, "rb") as raw, open(dest, "wb") as out:
        for info in zin.infolist():
            offset = out.tell()
            if info.filename == name:
                xml = zin.read(name)
                cut = xml.index(b'<row r="%d"' % (last + 1))
                head, tail = xml[:cut], xml[xml.index(b"</sheetData>", cut):]
                z = deflater()
                first = z.compress(head) + z.flush(zlib.Z_SYNC_FLUSH)
                z = deflater()
                end = z.compress(tail) + z.flush(zlib.Z_FINISH)
                crc, size = zlib.crc32(head), len(head)
                for p in pieces:
                    crc, size = crc32_combine(crc, p.crc, p.size), size + p.size
                crc, size = zlib.crc32(tail, crc), size + len(tail)
                csize = len(first) + sum(p.csize for p in pieces) + len(end)
                method = zipfile.ZIP_DEFLATED
            else:
                crc, size, csize, method = (info.CRC, info.file_size, info.compress_size,
                                            info.compress_type)
            encoded = info.filename.encode("utf-8")
            fields = _fields(info, method, crc, csize, size)
            out.write(struct.pack("<IHH", 0x04034B50, 20, info.flag_bits & 0x800) + fields
                      + struct.pack("<HH", len(encoded), 0) + encoded)
            if info.filename == name:
                out.write(first)
                for p in pieces:
                    with open(p.path, "rb") as fh:
                        _copy(fh, out, p.csize)
                out.write(end)
            else:
                _copy(_raw_data(raw, info), out, csize)
            central.append((encoded, info, fields, offset))
        _central_directory(out, central)


def _central_directory(out, central: list) -> None:
    start = out.tell()
    for encoded, info, fields, offset in central:
        out.write(struct.pack("<IHHH", 0x02014B50, info.create_version, 20,
                              info.flag_bits & 0x800) + fields
                  + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, info.internal_attr,
                                info.external_attr, offset) + encoded)
    end = out.tell()
    if end >= 0xFFFFFFFF:
        raise ValueError("the recap workbook is too large for a zip without zip64")
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          end - start, start, 0))


def _fields(info: zipfile.ZipInfo, method: int, crc: int, csize: int, size: int) -> bytes:
    """A header's method, time, date, CRC and sizes."""
    y, mo, d, h, mi, s = info.date_time
    if max(csize, size) >= 0xFFFFFFFF:
        raise ValueError(f"{info.filename}: too large for a zip without zip64")
    return struct.pack("<HHHIII", method, h << 11 | mi << 5 | s // 2,
                       (y - 1980) << 9 | mo << 5 | d, crc, csize, size)


def _raw_data(raw, info: zipfile.ZipInfo):
    """``raw`` positioned at ``info``'s compressed data (past its local header)."""
    raw.seek(info.header_offset)
    name_len, extra_len = struct.unpack("<HH", raw.read(30)[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    return raw


def _copy(src, out, n: int) -> None:
    while n > 0:
        block = src.read(min(n, _COPY))
        if not block:
            raise ValueError("a zip member ends early")
        out.write(block)
        n -= len(block)
