"""A1 references: the one place that converts between ``"H24"`` and (row, column)
numbers. The writer places cells with them, the reader finds cells and orders them."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def col_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


@lru_cache(maxsize=65536)  # the same few hundred cells in form after form (~400 a form)
def cell_ref(row: int, col: int) -> str:
    return f"{col_name(col)}{row + 1}"



_COLS = tuple(col_name(i) for i in range(702))  # A … ZZ
_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def col_number(letters: str | bytes) -> int:
    """1-based column number of ``"A"`` … ``"XFD"`` (str or bytes; case ignored)."""
    n = 0
    for ch in (letters.decode("ascii", "replace") if isinstance(letters, bytes)
               else letters).upper()[:6]:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int]:
    """0-based (row, column) of ``"H24"`` (``$`` allowed); ValueError when not a reference."""
    m = _REF_RE.fullmatch(ref) if isinstance(ref, str) else None
    if not m or int(m[2]) < 1:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m[2]) - 1, col_number(m[1]) - 1


def ref_order(ref: str) -> tuple[int, int]:
    """Sort key of cell references: by row, then column (``B2`` < ``AA2`` < ``A10``)."""
    try:
        return parse_ref(ref)
    except ValueError:
        return (1 << 30, 0)


def ref_col(ref: str) -> str:
    """The column letters of a reference (``"H24"`` → ``"H"``)."""
    return ref.rstrip("0123456789")


def ref_row(ref: str) -> int:
    """The 1-based row of a reference (``"H24"`` → 24; 0 when it has none)."""
    return int(ref[len(ref_col(ref)):] or 0)


@lru_cache(maxsize=4096)
def row_refs(row: int, first_col: int, n: int) -> tuple[str, ...]:
    """``("A7", "B7", …)``: the references of ``n`` cells of 1-based ``row`` from the
    0-based column ``first_col``."""
    digits = str(row)
    return tuple((_COLS[j] if j < len(_COLS) else col_name(j)) + digits
                 for j in range(first_col, first_col + n))


@lru_cache(maxsize=256)
def grid_refs(first_row: int, first_col: int, height: int, width: int) -> tuple[str, ...]:
    """The references of a rectangle of cells, row by row (0-based corner)."""
    return tuple(ref for i in range(first_row + 1, first_row + height + 1)
                 for ref in row_refs(i, first_col, width))
