"""Writing text that users typed with xlsxwriter, safely.

Text from masters, imported documents and returned files can look like anything. Two
xlsxwriter behaviours would otherwise let it change the workbook:

* a string that starts with ``<r>`` and ends with ``</r>`` is written into the XML
  unescaped (xlsxwriter's own rich-string form) — so it is written as a two-part rich
  string instead, which xlsxwriter escapes, and shows the same text;
* a cell holds at most 32,767 characters (UTF-16 units): longer text is cut there.

(``write()`` may also turn ``=…`` into formulas and ``http…`` into links; these helpers
always write strings.)
"""

from __future__ import annotations

MAX_CELL_TEXT = 32_767


def limit(text: str) -> str:
    """At most 32,767 UTF-16 code units, Excel's limit for one cell."""
    if len(text) <= MAX_CELL_TEXT // 2:
        return text
    return text.encode("utf-16-le")[: 2 * MAX_CELL_TEXT].decode("utf-16-le", "ignore")


def is_raw_rich(text: str) -> bool:
    return text.startswith("<r>") and text.endswith("</r>")


def write_text(ws, row: int, col: int, value: object, fmt=None) -> None:
    """Write ``value`` as a string cell (blank when empty), whatever it looks like."""
    text = limit(str(value)) if value is not None else ""
    if not text:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif is_raw_rich(text):
        ws.write_rich_string(row, col, text[0], text[1], text[2:],
                             *([fmt] if fmt is not None else []))
    else:
        ws.write_string(row, col, text, fmt)


def merge_text(ws, first_row: int, first_col: int, last_row: int, last_col: int,
               value: object, fmt) -> None:
    """A merged range showing ``value`` as text."""
    ws.merge_range(first_row, first_col, last_row, last_col, "", fmt)
    write_text(ws, first_row, first_col, value, fmt)
