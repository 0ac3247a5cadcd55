"""The IKI sheet, cell by cell: defined once, used by the writer and the reader.

:func:`build_layout` turns a :class:`~iki_xlsx.core.model.Form` into a :class:`FormLayout`:
every cell the form shows (value, style, merge), the input cells, row heights, print
settings. :mod:`iki_xlsx.forms.generate` writes exactly these cells and stores, for each issued
form, its locked cells and the cell map (which cell holds which realisasi) in the
manifest and the ledger; the reader (:mod:`iki_xlsx.collect`) never rebuilds a layout:
it takes that cell map from the ledger and the sheet names, table columns and A1
references from here.

Longer than 400 lines because it is the single definition of the sheet (cells,
heights, print setup, A1 references) that the writer and the reader both use.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..core.capaian import PredikatScale, capaian_formula, excel_number
from ..core.model import Form, Polarity
from ..core.show import period_label
from ..core.texts import Texts, tanggal_indonesia
from ..core.values import absurd_limit
from .liveform import INVALID, flag_formula, row_formulas

SHEET_FORM = "IKI"
SHEET_GUIDE = "Petunjuk"
SHEET_MANIFEST = "_manifest"
# The form's helper cells (liveform.py), on their own very hidden sheet: the IKI sheet that
# collect reads stays as small as before, and nothing hidden sits beside the table.
SHEET_HELPER = "_hitung"
HELPER = f"'{SHEET_HELPER}'!"  # prefix of a reference to it from the IKI sheet
MANIFEST_MARK = "iki-xlsx-manifest"
MANIFEST_CHUNK = 8000  # characters of manifest JSON per cell (a cell holds 32,767)

# Defined names (workbook scope): hints for people and other tools, never trusted alone.
NAME_REALISASI = "IKI_REALISASI"
NAME_KETERANGAN = "IKI_KETERANGAN"
NAME_CAPAIAN = "IKI_CAPAIAN"

FONT = "Arial"
FONT_SIZE = 10
LINE_HEIGHT = 12.75  # points per text line of Arial 10
ZWSP = "\u200b"  # zero-width space
INDENT = 1.5  # characters of width a left indent of 1 takes from a text cell
PADDING = 5  # points added to a row's text height: text never touches the borders
MAX_ROW_HEIGHT = 409  # Excel's largest row height, in points
PAPER = {"A4": 9, "F4": 14}  # Excel paper codes; 14 = Folio 8.5 × 13 in (≈ F4)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}  # inches

# Column widths (Excel character units) of the fixed columns, then per period.
COLUMNS = (("no", 5), ("sasaran", 24), ("indikator", 30), ("penjelasan", 30),
           ("sumber_data", 20), ("satuan", 10), ("target", 10))
WIDTH_REALISASI = 9
WIDTH_CAPAIAN = 13  # fits the warning "Periksa isian" on one line
WIDTH_KETERANGAN = 24

STYLES: dict[str, dict] = {
    "title": {"bold": True, "font_size": 12, "align": "center", "valign": "vcenter"},
    "subtitle": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True},
    "label": {"valign": "top"},
    "label_bold": {"bold": True, "valign": "top"},
    "value": {"valign": "top", "text_wrap": True},
    "th": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
           "border": 1, "bg_color": "#D9E1F2"},
    "td": {"valign": "vcenter", "text_wrap": True, "border": 1, "indent": 1},
    # NO and SASARAN merged over rows that may straddle a page: top-aligned, or a
    # centred text would sit on the page break and be cut.
    "td_group": {"valign": "top", "align": "left", "text_wrap": True, "border": 1,
                 "indent": 1},
    "td_group_center": {"valign": "top", "align": "center", "text_wrap": True, "border": 1},
    "td_center": {"valign": "vcenter", "align": "center", "text_wrap": True, "border": 1},
    "td_target": {"valign": "vcenter", "align": "center", "text_wrap": True, "border": 1,
                  "num_format": "#,##0.##"},
    "input_number": {"valign": "vcenter", "align": "center", "border": 1, "locked": False,
                     "bg_color": "#FFF2CC", "num_format": "#,##0.##"},
    "input_choice": {"valign": "vcenter", "align": "center", "border": 1, "locked": False,
                     "bg_color": "#FFF2CC"},
    "input_text": {"valign": "vcenter", "text_wrap": True, "border": 1, "locked": False,
                   "indent": 1,
                   "bg_color": "#FFF2CC"},
    "capaian": {"valign": "vcenter", "align": "center", "border": 1, "num_format": "0.00",
                "bg_color": "#F2F2F2", "text_wrap": True},
    "helper": {},
    "warn": {"bg_color": "#F8CBAD", "font_color": "#9C0006", "bold": True},
    "summary_label": {"bold": True, "align": "right", "valign": "top", "border": 1},
    "summary": {"bold": True, "align": "center", "valign": "top", "border": 1,
                "num_format": "0.00", "bg_color": "#F2F2F2", "text_wrap": True},
    "sign": {"align": "center", "valign": "top", "text_wrap": True},
    "sign_name": {"align": "center", "valign": "bottom", "bold": True, "underline": 1},
}


@dataclass(slots=True)
class Cell:
    row: int  # 0-based
    col: int
    value: object  # str | float | None
    style: str
    last_row: int | None = None  # merge range end (inclusive)
    last_col: int | None = None
    formula: str = ""  # for formula cells; value is then the cached result
    rich: tuple | None = None  # ((style or None, text), …): rich text whose join is value

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)


@dataclass
class IndicatorCells:
    id: str
    row: int
    realisasi: dict[str, str]  # period code → "H14"
    capaian: str
    keterangan: str


@dataclass
class FormLayout:
    cells: list[Cell]
    inputs: list[tuple[int, int, str]]  # (row, col, kind) kind: number | choice | text
    indicators: list[IndicatorCells]
    widths: list[float]
    heights: dict[int, float]
    last_row: int
    last_col: int
    header_rows: tuple[int, int]  # table header, repeated on every printed page
    table_rows: tuple[int, int]  # first and last indicator row
    periods: tuple[str, ...]
    realisasi_cols: tuple[int, ...]
    capaian_col: int
    keterangan_col: int
    validations: list[dict] = field(default_factory=list)
    page_breaks: list[int] = field(default_factory=list)  # rows starting a new page
    helper_cells: list[Cell] = field(default_factory=list)  # on SHEET_HELPER, same rows
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (range, formula): "warn"

    def locked_values(self) -> dict[str, object]:
        """Every locked cell that shows a value: address → text or number (as float).

        This is "the locked content" of a form: hashed into the manifest, kept in the
        ledger, and compared with the cell values a returned file holds. Formula cells are
        left out (:meth:`formula_cells`): readers recompute capaian instead of trusting
        them, and value readers see only their cached results.
        """
        out: dict[str, object] = {}
        for c in self.cells:
            if c.formula or c.value is None or c.value == "":
                continue
            out[c.ref] = float(c.value) if isinstance(c.value, (int, float)) else c.value
        return out

    def formula_cells(self) -> dict[str, str]:
        return {c.ref: c.formula for c in self.cells if c.formula}


@lru_cache(maxsize=1024)
def col_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def cell_ref(row: int, col: int) -> str:
    return f"{col_name(col)}{row + 1}"


# --------------------------------------------------------------------------- A1 references
# The one place that converts between A1 references and (row, column) numbers: the
# writer places cells with them, the reader finds cells and orders them.

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


def column_of(key: str) -> str:
    """The letters of a table column of :data:`COLUMNS` (``"indikator"`` → ``"C"``)."""
    return col_name([k for k, _ in COLUMNS].index(key))


# --------------------------------------------------------------------------- text fit

# Arial advance widths in 1/1000 em; other characters count as 556 (a digit).
_ADV = {**{c: 556 for c in "abdeghnopqu0123456789$#_"}, **dict.fromkeys("cksvxyz", 500),
        **dict.fromkeys("fjt", 278), **dict.fromkeys("il", 222), "r": 333, "m": 833,
        "w": 722, **dict.fromkeys("ABEKPSVXY", 667), **dict.fromkeys("CDHNRUw", 722),
        **dict.fromkeys("GOQ", 778), **dict.fromkeys("FTZ", 611), "I": 278, "J": 500,
        "L": 556, "M": 833, "W": 944, " ": 278, ".": 278, ",": 278, ":": 278, ";": 278,
        "'": 191, '"': 355, "-": 333, "(": 333, ")": 333, "/": 278, "%": 889, "×": 584,
        "&": 667, "+": 584, "=": 584}
_PX_PER_EM = FONT_SIZE * 96 / 72  # pixels per em at 96 dpi


_WORD_PX: dict[str, float] = {}


def _text_px(word: str, bold: bool) -> float:
    px = _WORD_PX.get(word)
    if px is None:
        px = sum(_ADV.get(ch, 600) for ch in word) * _PX_PER_EM / 1000
        if len(_WORD_PX) < 200_000:
            _WORD_PX[word] = px
    return px * 1.08 if bold else px


@lru_cache(maxsize=65536)
def text_lines(text: str, width: float, bold: bool = False) -> int:
    """Lines ``text`` wraps to in a cell (or merged range) ``width`` characters wide.

    Simulates word wrap with Arial metrics and a safety margin, so the row heights we set
    show every word when Excel or LibreOffice print the form (neither auto-fits rows of
    merged cells, and Excel never auto-fits on open).
    """
    usable = (width * 7 + 5) * 0.88 - 6  # column px, minus cell padding and a margin
    lines = 0
    space = _text_px(" ", bold)
    for paragraph in str(text).split("\n"):
        line_px, n = 0.0, 1
        for word in paragraph.split():
            w = _text_px(word, bold)
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


def overlong_texts(iki) -> list[tuple[str, str]]:
    """(where, excerpt) of each text of an IKI definition that cannot print whole in one
    row (over :data:`MAX_LINES` lines at the form's narrowest layout, an annual one)."""
    widths = dict(COLUMNS)
    wide = sum(w for _, w in COLUMNS[2:]) + WIDTH_REALISASI + WIDTH_CAPAIAN + WIDTH_KETERANGAN
    out = []

    def check(where: str, text: str, width: float) -> None:
        if text and text_lines(text, width) > MAX_LINES:
            out.append((where, text[:40] + ("…" if len(text) > 40 else "")))

    check("Tugas", iki.tugas, wide)
    for item in iki.fungsi:
        check("Fungsi", item, wide)
    for ind in iki.indicators:
        for key in ("sasaran", "indikator", "penjelasan", "sumber_data"):
            check(key.replace("_", " ").title(), getattr(ind, key), widths[key] - INDENT)
    return out


def setup_print(ws, kertas: str = "A4", footer: str = "",
                header_rows: tuple[int, int] | None = None) -> None:
    """Print setup shared by every workbook iki-xlsx writes: the master's paper (A4/F4),
    landscape, one page wide, the form's margins, header rows repeated, a footer."""
    ws.set_paper(PAPER.get(kertas, PAPER["A4"]))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(**MARGINS)
    if footer:
        ws.set_footer(footer)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)


def row_height(values, widths, bold: bool = False) -> float:
    """Height (points) of a row of wrapped cells ``values`` in columns ``widths``."""
    lines = [text_lines(str(v), w, bold) for v, w in zip(values, widths)
             if v is not None and str(v).strip()]
    return height_for(max(lines, default=1))


def atasan_unit(form: Form) -> str:
    """The atasan's unit kerja as printed: their own, their perangkat daerah; for an
    atasan outside the Pegawai sheet, the pegawai's perangkat daerah (a civil servant)
    or the pemerintah daerah (no NIP: the Bupati)."""
    ats = form.atasan
    return (ats.unit_kerja or ats.perangkat_daerah
            or (form.pegawai.perangkat_daerah or form.iki.perangkat_daerah if ats.nip
                else form.settings.pemerintah_daerah) or "")


def _colon(value: object) -> str:
    """``: value`` — or ``:`` alone for an empty part (no trailing space, no dash)."""
    text = str(value or "").strip()
    return f": {text}" if text else ":"


# --------------------------------------------------------------------------- layout

def build_layout(form: Form, texts: Texts) -> FormLayout:
    s, iki, peg, ats = form.settings, form.iki, form.pegawai, form.atasan
    periods = s.periode.periods
    n_p = len(periods)
    fixed = len(COLUMNS)
    real_cols = tuple(range(fixed, fixed + n_p))
    cap_col, ket_col = fixed + n_p, fixed + n_p + 1
    last_col = ket_col
    widths = [w for _, w in COLUMNS] + [WIDTH_REALISASI] * n_p + [WIDTH_CAPAIAN, WIDTH_KETERANGAN]

    def span(c0: int, c1: int) -> float:
        return sum(widths[c0:c1 + 1]) + (c1 - c0) * 0.7  # merged: gridline padding counts

    cells: list[Cell] = []
    heights: dict[int, float] = {}

    def put(r, c, value, style, last_row=None, last_col=None, formula=""):
        cells.append(Cell(r, c, value, style, last_row, last_col, formula))

    def fit(r, text, c0, c1, bold=False, rows=1):
        need = height_for(text_lines(text, span(c0, c1), bold))
        per_row = need / rows
        heights[r] = min(MAX_ROW_HEIGHT, max(heights.get(r, LINE_HEIGHT + 2), per_row))

    t = texts.t
    # Title
    r = 0
    put(r, 0, t("form.judul"), "title", r, last_col)
    heights[r] = 18
    r += 1
    put(r, 0, t("form.tahun", tahun=s.tahun), "subtitle", r, last_col)
    for heading in (s.instansi or iki.perangkat_daerah, s.pemerintah_daerah):
        if heading:
            r += 1
            put(r, 0, heading.upper(), "subtitle", r, last_col)
            fit(r, heading.upper(), 0, last_col, bold=True)
    r += 2
    # Numbered header
    header = [("perangkat_daerah", iki.perangkat_daerah), ("jabatan", iki.jabatan),
              ("tugas", iki.tugas)]
    if not iki.perangkat_daerah:  # some agencies' IKI omit it: number from JABATAN
        header = header[1:]
    for i, (key, value) in enumerate(header, start=1):
        put(r, 0, f"{i}.", "label")
        put(r, 1, t(f"form.header.{key}"), "label")
        put(r, 2, _colon(value), "value", r, last_col)
        fit(r, _colon(value), 2, last_col)
        r += 1
    put(r, 0, f"{len(header) + 1}.", "label")
    put(r, 1, t("form.header.fungsi"), "label")
    for j, item in enumerate(iki.fungsi or ("-",)):
        text = f"{_letter(j)}. {item}" if iki.fungsi else ":"
        put(r, 2, text, "value", r, last_col)
        fit(r, text, 2, last_col)
        r += 1
    r += 1
    # Identity block: pegawai left, atasan right
    left_val, right_lab, right_val = (2, 4), (5, 6), (7, last_col)
    put(r, 0, t("form.identitas.pegawai"), "label_bold", r, 4)
    put(r, 5, t("form.identitas.atasan"), "label_bold", r, last_col)
    r += 1
    for key, a, b in (("nama", peg.nama, ats.nama), ("nip", peg.nip_text, ats.nip_text),
                      ("pangkat", peg.pangkat_text, ats.pangkat_text),
                      ("jabatan", peg.jabatan, ats.jabatan),
                      ("unit_kerja", peg.unit_kerja or peg.perangkat_daerah,
                       atasan_unit(form))):
        label = t(f"form.identitas.{key}")
        put(r, 0, label, "label", r, 1)
        put(r, left_val[0], _colon(a), "value", r, left_val[1])
        put(r, right_lab[0], label, "label", r, right_lab[1])
        put(r, right_val[0], _colon(b), "value", r, right_val[1])
        fit(r, _colon(a), *left_val)
        fit(r, _colon(b), *right_val)
        r += 1
    r += 1
    # Table header (two rows)
    h0, h1 = r, r + 1
    labels = {"no": t("form.kolom.no"),
              "sasaran": (iki.label_sasaran or t("form.kolom.sasaran")).upper()}
    for c, (key, _) in enumerate(COLUMNS):
        put(h0, c, labels.get(key) or t(f"form.kolom.{key}"), "th", h1, c)
    put(h0, real_cols[0], t("form.kolom.realisasi"), "th", h0, real_cols[-1])
    for c, code in zip(real_cols, periods):
        put(h1, c, period_label(texts, code), "th")
    put(h0, cap_col, t("form.kolom.capaian"), "th", h1, cap_col)
    put(h0, ket_col, t("form.kolom.keterangan"), "th", h1, ket_col)
    head_need = max(text_lines(t("form.kolom.penjelasan"), widths[3], True),
                    text_lines(t("form.kolom.keterangan"), widths[ket_col], True),
                    text_lines(labels["sasaran"], widths[1], True))
    heights[h0] = height_for(max(1, head_need - 1))
    heights[h1] = height_for(1)
    r = h1 + 1
    # Indicator rows; NO and SASARAN merged over each sasaran's rows
    first = r
    groups: list[list[int]] = []
    ind_cells: list[IndicatorCells] = []
    inputs: list[tuple[int, int, str]] = []
    validations: list[dict] = []
    cap = s.batas_capaian
    warning = t("form.periksa")
    # Helper cells on SHEET_HELPER, in the indicator's row: T, V, P per period, then F.
    helpers = [tuple(3 * i + k for k in range(3)) for i in range(n_p)]
    flag_col = 3 * n_p
    helper_cells: list[Cell] = []
    prev_key = None
    for i, ind in enumerate(iki.indicators):
        key = (ind.no, ind.sasaran)
        if key != prev_key:
            groups.append([])
            prev_key = key
        groups[-1].append(i)
        put(r, 2, ind.indikator, "td")
        put(r, 3, ind.penjelasan, "td")
        put(r, 4, ind.sumber_data, "td")
        put(r, 5, ind.satuan, "td_center")
        target = ind.target
        numeric_target = (target.value is not None and target.low is None
                          and target.text.replace(".", "").replace(",", "").isdigit())
        put(r, 6, target.value if numeric_target else target.text, "td_target")
        refs = [cell_ref(r, c) for c in real_cols]
        kind = "choice" if ind.polaritas is Polarity.YA_TIDAK else "number"
        for c, code in zip(real_cols, periods):
            inputs.append((r, c, kind))
        inputs.append((r, ket_col, "text"))
        limit = absurd_limit(target.value if target.value is not None else target.high)
        per_period, flag_text = _row_templates(real_cols, tuple(helpers), flag_col,
                                               ind.polaritas, limit, cap)
        row_no = str(r + 1)
        for cols, formulas in zip(helpers, per_period):
            for c, formula in zip(cols, formulas):
                if formula:
                    helper_cells.append(Cell(r, c, "", "helper",
                                             formula=formula.replace(_ROW, row_no)))
        checked = [HELPER + cell_ref(r, h[2]) for h in helpers]
        flag = HELPER + cell_ref(r, flag_col)
        helper_cells.append(Cell(r, flag_col, 0, "helper",
                                 formula=flag_text.replace(_ROW, row_no)))
        put(r, cap_col, "", "capaian",
            formula=capaian_formula(checked, ind, cap, s.periode, flag=flag, warning=warning))
        ind_cells.append(IndicatorCells(f"{i + 1:02d}", r, dict(zip(periods, refs)),
                                        cell_ref(r, cap_col), cell_ref(r, ket_col)))
        need = max(text_lines(ind.indikator, widths[2] - INDENT),
                   text_lines(ind.penjelasan, widths[3] - INDENT),
                   text_lines(ind.sumber_data, widths[4] - INDENT),
                   text_lines(ind.satuan, widths[5]),
                   text_lines(target.text, widths[6]), 1)
        heights[r] = height_for(need)
        validations.append({"row": r, "kind": kind})
        r += 1
    last = r - 1
    for g in groups:
        r0, r1 = first + g[0], first + g[-1]
        ind = iki.indicators[g[0]]
        merged = r1 > r0
        put(r0, 0, ind.no, "td_group_center" if merged else "td_center",
            r1 if merged else None, 0 if merged else None)
        put(r0, 1, ind.sasaran, "td_group" if merged else "td",
            r1 if merged else None, 1 if merged else None)
        need = height_for(text_lines(ind.sasaran, widths[1] - INDENT))
        have = sum(heights[x] for x in range(r0, r1 + 1))
        if need > have:  # spread the extra height over the group's rows
            extra = (need - have) / (r1 - r0 + 1)
            for x in range(r0, r1 + 1):
                heights[x] = min(MAX_ROW_HEIGHT, round(heights[x] + extra, 2))
    # Average capaian and predikat under the table
    cap_range = f"{cell_ref(first, cap_col)}:{cell_ref(last, cap_col)}"
    flag_range = f"{HELPER}{cell_ref(first, flag_col)}:{cell_ref(last, flag_col)}"
    put(r, 0, t("form.rata_rata"), "summary_label", r, cap_col - 1)
    put(r, cap_col, "", "summary",
        formula=f'=IF(SUM({flag_range})>0,"{_q(warning)}",'
                f'IF(COUNT({cap_range})=0,"",AVERAGE({cap_range})))')
    # A realisasi the recap would refuse or reinterpret: its cell and the capaian turn red.
    warnings = [(f"{cell_ref(first, c)}:{cell_ref(last, c)}",
                 f'={HELPER}${col_name(h[2])}{first + 1}="{INVALID}"')
                for c, h in zip(real_cols, helpers)]
    top = f"${col_name(cap_col)}{first + 1}"
    warnings.append((f"{cell_ref(first, cap_col)}:{cell_ref(last + 1, cap_col)}",
                     f'=AND(ISTEXT({top}),{top}<>"")'))
    avg_ref = cell_ref(r, cap_col)
    scale = PredikatScale.from_setting(s.skala_predikat)
    put(r, ket_col, "", "summary", formula=_predikat_formula(avg_ref, scale))
    heights[r] = height_for(1)
    r += 2
    # Signature block, atasan left and pegawai right, in ONE row: no client splits a row
    # over two pages, so the block is never torn, never needs a manual page break (which
    # left half-empty pages), and its place/date line cannot be clipped by the repeated
    # table header. The names are bold and underlined (rich text).
    left, right = (0, 3), (6, last_col)
    tanggal = (t("form.tanda_tangan.tempat_tanggal", tempat=s.tempat,
                 tanggal=tanggal_indonesia(s.tanggal)) if s.tanggal
               else t("form.tanda_tangan.tanggal_kosong", tahun=s.tahun))
    if s.tempat and not s.tanggal:
        tanggal = f"{s.tempat}, {tanggal}"
    nip_ats = texts.t("form.tanda_tangan.nip", nip=ats.nip_text) if ats.nip else ""
    nip_peg = texts.t("form.tanda_tangan.nip", nip=peg.nip_text)
    w_left, w_right = span(*left), span(*right)
    jab = [ats.jabatan or "", peg.jabatan or ""]
    jab_lines = max(text_lines(jab[0], w_left), text_lines(jab[1], w_right))
    head_lines = max(text_lines(tanggal, w_right), 1)
    name_lines = max(text_lines(ats.nama, w_left, True), text_lines(peg.nama, w_right, True))

    def block(first: str, role: str, jabatan: str, width: float, nama: str, pangkat: str,
              nip: str) -> tuple[tuple[str | None, str], ...]:
        pad_head = ("\n" * (head_lines - text_lines(first, width) + 1) if first
                    else "\n" * head_lines)
        pad_jab = "\n" * (jab_lines - text_lines(jabatan, width))
        top = f"{first}{pad_head}{role}\n{jabatan}{pad_jab}\n\n\n\n\n"
        tail = f"\n{pangkat}\n{nip}"
        # Gnumeric drops line breaks at either end of a rich-text run on re-save (the
        # locked content would "change"): a zero-width space guards each end.
        return ((None, f"{ZWSP}{top}{ZWSP}"), ("sign_name", nama or ZWSP),
                (None, f"{ZWSP}{tail}{ZWSP}"))

    lines = head_lines + 1 + jab_lines + 4 + name_lines + 2
    heights[r] = height_for(lines)
    for (c0, c1), segments in (
            (left, block("", t("form.tanda_tangan.atasan"), jab[0], w_left, ats.nama,
                         ats.pangkat_text, nip_ats)),
            (right, block(tanggal, t("form.tanda_tangan.pegawai"), jab[1], w_right,
                          peg.nama, peg.pangkat_text, nip_peg))):
        cells.append(Cell(r, c0, "".join(text for _, text in segments), "sign", r, c1,
                          rich=segments))
    breaks: list[int] = []
    return FormLayout(
        cells=cells, inputs=inputs, indicators=ind_cells, widths=widths, heights=heights,
        last_row=r, last_col=last_col, header_rows=(h0, h1), table_rows=(first, last),
        periods=periods, realisasi_cols=real_cols, capaian_col=cap_col,
        keterangan_col=ket_col, validations=validations,
        page_breaks=breaks, helper_cells=helper_cells, warnings=warnings)


_ROW = "\x00"  # the row number in a cached row template


@lru_cache(maxsize=4096)
def _row_templates(real_cols: tuple[int, ...], helpers: tuple[tuple[int, ...], ...],
                   flag_col: int, polaritas: Polarity, limit: float, cap: float):
    """The helper formulas of an indicator row, with :data:`_ROW` for its row number:
    rows of one form differ only by it (built once, ~1 ms per form saved)."""
    refs = [f"{SHEET_FORM}!{col_name(c)}{_ROW}" for c in real_cols]
    helper_refs = [tuple(f"{col_name(c)}{_ROW}" for c in cols) for cols in helpers]
    return (tuple(row_formulas(refs, helper_refs, polaritas, limit, cap)),
            flag_formula([h[2] for h in helper_refs]))


def _letter(i: int) -> str:
    """a, b, …, z, aa, ab, … for fungsi items."""
    return col_name(i).lower()


def _predikat_formula(ref: str, scale: PredikatScale) -> str:
    expr = f'"{_q(scale.final)}"'
    for threshold, label in reversed(scale.bands):
        expr = f'IF({ref}>{excel_number(threshold)},"{_q(label)}",{expr})'
    return f'=IF(ISNUMBER({ref}),{expr},"")'


def _q(text: str) -> str:
    return str(text).replace('"', '""')
