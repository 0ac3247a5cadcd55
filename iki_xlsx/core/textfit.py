"""How much room a text needs when printed: word wrap simulated with Arial's advance
widths, so the row heights the writers set show every word in Excel and LibreOffice
(neither auto-fits rows of merged cells, and Excel never auto-fits on open). Used by the
form's layout, the recap and every other workbook iki-xlsx writes (:mod:`.sheets`).

The estimate errs on the safe side: measured against LibreOffice 7.4 printing with
Liberation Sans and with the wider DejaVu Sans, no text ever needs more lines than it
says (``tests/test_printouts.py`` prints every workbook with both)."""

from __future__ import annotations

import math
from functools import lru_cache

FONT = "Arial"
FONT_SIZE = 10
LINE_HEIGHT = 12.75  # points per text line of Arial 10
PADDING = 5  # points added to a row's text height: text never touches the borders
MAX_ROW_HEIGHT = 409  # Excel's largest row height, in points

# Arial advance widths in 1/1000 em; other characters count as 556 (a digit).
_ADV = {**{c: 556 for c in "abdeghnopqu0123456789$#_"}, **dict.fromkeys("cksvxyz", 500),
        **dict.fromkeys("fjt", 278), **dict.fromkeys("il", 222), "r": 333, "m": 833,
        "w": 722, **dict.fromkeys("ABEKPSVXY", 667), **dict.fromkeys("CDHNRUw", 722),
        **dict.fromkeys("GOQ", 778), **dict.fromkeys("FTZ", 611), "I": 278, "J": 500,
        "L": 556, "M": 833, "W": 944, " ": 278, ".": 278, ",": 278, ":": 278, ";": 278,
        "'": 191, '"': 355, "-": 333, "(": 333, ")": 333, "/": 278, "%": 889, "×": 584,
        "&": 667, "+": 584, "=": 584}
_PX_PER_EM = FONT_SIZE * 96 / 72  # pixels per em at 96 dpi
_WIDEST_PX = max(_ADV.values()) * _PX_PER_EM / 1000 * 1.08  # any character, even bold


_WORD_PX: dict[str, float] = {}


def _text_px(word: str, bold: bool) -> float:
    px = _WORD_PX.get(word)
    if px is None:
        px = sum(_ADV.get(ch, 600) for ch in word) * _PX_PER_EM / 1000
        if len(_WORD_PX) < 200_000:
            _WORD_PX[word] = px
    return px * 1.08 if bold else px


def one_line_chars(width: float, bold: bool = False) -> int:
    """How many characters, whatever they are, always fit on one line ``width`` wide:
    a text no longer (and without a line break) needs no measuring."""
    usable = (width * 7 + 5) * 0.88 - 6
    return max(0, int(usable // (_WIDEST_PX if bold else _WIDEST_PX / 1.08)))


@lru_cache(maxsize=262_144)  # a large recap's distinct texts: ~30 MB at most
def text_lines(text: str, width: float, bold: bool = False) -> int:
    """Lines ``text`` wraps to in a cell (or merged range) ``width`` characters wide.

    Simulates word wrap with Arial metrics and a safety margin, so the row heights we set
    show every word when Excel or LibreOffice print the form (neither auto-fits rows of
    merged cells, and Excel never auto-fits on open).
    """
    usable = (width * 7 + 5) * 0.88 - 6  # column px, minus cell padding and a margin
    text = str(text)
    if len(text) * _WIDEST_PX <= usable and "\n" not in text:
        return 1  # short enough whatever its letters: no need to measure
    lines = 0
    space = _text_px(" ", bold)
    known = _WORD_PX.get  # _text_px without a call per word: a recap measures ~250,000 texts
    for paragraph in text.split("\n"):
        line_px, n = 0.0, 1
        for word in paragraph.split():
            w = known(word)
            if w is None:
                w = _text_px(word, False)
            if bold:
                w *= 1.08
            if line_px and line_px + space + w > usable:
                n += 1
                line_px = 0.0
            if w > usable:  # a word longer than the line breaks mid-word
                extra = math.ceil(w / usable) - 1
                n += extra
                w -= extra * usable
            line_px += (space if line_px else 0) + w
        lines += n
    return max(lines, 1)


def height_for(lines: int) -> float:
    """Row height (points) for ``lines`` of text plus padding, at most Excel's 409."""
    return min(MAX_ROW_HEIGHT, round(lines * LINE_HEIGHT + PADDING, 2))


MAX_LINES = int((MAX_ROW_HEIGHT - PADDING) // LINE_HEIGHT)


def row_height(values, widths, bold: bool = False) -> float:
    """Height (points) of a row of wrapped cells ``values`` in columns ``widths``."""
    lines = [text_lines(str(v), w, bold) for v, w in zip(values, widths)
             if v is not None and str(v).strip()]
    return height_for(max(lines, default=1))
