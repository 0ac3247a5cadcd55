"""A small writer of OLE compound files ([MS-CFB], version 3: 512-byte sectors), enough
to build the ``.msg`` files Outlook saves: storages and streams, streams under 4,096
bytes in the mini stream, each storage's children as a red-black tree sorted the way
the format sorts them (by length, then upper-cased name)."""

from __future__ import annotations

import struct

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b"", clsid: bytes = b"\0" * 16):
        self.name, self.kind, self.data, self.clsid = name, kind, data, clsid
        self.children: list[_Entry] = []
        self.left = self.right = self.child = NOSTREAM
        self.red = False
        self.start, self.size = END, 0


def write_cfb(tree: dict, root_clsid: bytes = b"\0" * 16) -> bytes:
    """The bytes of a compound file holding ``tree``: name → bytes (a stream) or name →
    dict (a storage)."""
    root = _Entry("Root Entry", 5, clsid=root_clsid)
    entries = [root]
    _add(root, tree, entries)
    for entry in entries:
        _tree(entry, entries)
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes) -> int:
        if not data:
            return END
        start = len(sectors)
        n = (len(data) + SECTOR - 1) // SECTOR
        for i in range(n):
            sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(start + i + 1 if i < n - 1 else END)
        return start

    mini = bytearray()
    minifat: list[int] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if entry.size >= CUTOFF:
            entry.start = chain(entry.data)
        elif entry.size:
            entry.start = len(mini) // MINI
            n = (entry.size + MINI - 1) // MINI
            mini += entry.data.ljust(n * MINI, b"\0")
            minifat.extend(entry.start + i + 1 if i < n - 1 else END for i in range(n))
    root.start, root.size = chain(bytes(mini)), len(mini)
    minifat_start = chain(b"".join(struct.pack("<I", v) for v in minifat)) if minifat else END
    directory = b"".join(_dir_entry(e, entries) for e in entries)
    directory += b"".join(_empty_entry() for _ in range(-len(entries) % 4))
    dir_start = chain(directory)
    n_fat = 1
    while len(sectors) + n_fat > n_fat * (SECTOR // 4):
        n_fat += 1
    assert n_fat <= 109, "a file this large needs DIFAT sectors"
    fat_start = len(sectors)
    fat.extend([FATSECT] * n_fat)
    fat += [FREE] * (n_fat * (SECTOR // 4) - len(fat))
    table = b"".join(struct.pack("<I", v) for v in fat)
    for i in range(n_fat):
        sectors.append(table[i * SECTOR:(i + 1) * SECTOR])
    difat = [fat_start + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = (MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, CUTOFF, minifat_start,
                            (len(minifat) * 4 + SECTOR - 1) // SECTOR, END, 0)
              + b"".join(struct.pack("<I", v) for v in difat))
    assert len(header) == SECTOR
    return header + b"".join(sectors)


def _add(parent: _Entry, tree: dict, entries: list[_Entry]) -> None:
    for name, value in tree.items():
        if isinstance(value, dict):
            entry = _Entry(name, 1)
            parent.children.append(entry)
            entries.append(entry)
            _add(entry, value, entries)
        else:
            entry = _Entry(name, 2, bytes(value))
            parent.children.append(entry)
            entries.append(entry)


def _order(entry: _Entry) -> tuple[int, str]:
    return len(entry.name), entry.name.upper()


def _tree(storage: _Entry, entries: list[_Entry]) -> None:
    """The children of a storage as a balanced red-black tree (middle splits; the nodes
    of an unfilled deepest level red, every other node black)."""
    kids = sorted(storage.children, key=_order)
    if not kids:
        return
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = kids[mid]
        depth[id(node)] = level
        node.left = build(lo, mid, level + 1)
        node.right = build(mid + 1, hi, level + 1)
        return entries.index(node)

    storage.child = build(0, len(kids), 0)
    deepest = max(depth.values())
    perfect = len(kids) == 2 ** (deepest + 1) - 1
    for node in kids:
        node.red = not perfect and depth[id(node)] == deepest


def _dir_entry(e: _Entry, entries: list[_Entry]) -> bytes:
    name = e.name.encode("utf-16-le") + b"\0\0"
    assert len(name) <= 64, e.name
    return (name.ljust(64, b"\0") + struct.pack("<HBB", len(name), e.kind, 0 if e.red else 1)
            + struct.pack("<III", e.left, e.right, e.child) + e.clsid
            + struct.pack("<I", 0) + b"\0" * 16
            + struct.pack("<IQ", e.start if e.kind != 1 else 0, e.size))


def _empty_entry() -> bytes:
    return b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM,
                                                                   NOSTREAM, NOSTREAM) \
        + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", 0, 0)
