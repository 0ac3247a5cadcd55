"""What the IKI sheet is made of, the names the writer and the reader share: the sheet
names, defined names, table columns and their widths, the cell styles, and the records a
built layout is (:class:`Cell`, :class:`IndicatorCells`, :class:`FormLayout`), with the
checks that need only the columns (:func:`overlong_texts`). :mod:`.layout` builds a
form's cells from them and re-exports them all (read as ``L.SHEET_FORM`` …).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.model import Form
from ..core.show import NUMBER_FORMATS
from ..core.textfit import MAX_LINES, text_lines
from .liveform import HelperCell
from .refs import cell_ref, col_name

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

ZWSP = "\u200b"  # zero-width space
INDENT = 1.5  # characters of width a left indent of 1 takes from a text cell

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
    "td_target": {"valign": "vcenter", "align": "center", "text_wrap": True, "border": 1},
    # a number target shows as it reads in text (90, 85,5, 1.500.000: NUMBER_FORMATS);
    # what the pegawai types shows as typed ("General"): "#,##0.##" showed 90 as "90."
    # in Excel and Gnumeric
    **{f"td_target_{d}": {"valign": "vcenter", "align": "center", "text_wrap": True,
                          "border": 1, "num_format": fmt}
       for d, fmt in enumerate(NUMBER_FORMATS)},
    "input_number": {"valign": "vcenter", "align": "center", "border": 1, "locked": False,
                     "bg_color": "#FFF2CC", "num_format": "General"},
    "input_choice": {"valign": "vcenter", "align": "center", "border": 1, "locked": False,
                     "bg_color": "#FFF2CC"},
    "input_text": {"valign": "vcenter", "text_wrap": True, "border": 1, "locked": False,
                   "indent": 1,
                   "bg_color": "#FFF2CC"},
    # re-issue (issue 23): a closed period's cell still open for a late value; a period
    # outside the form's Mulai / Selesai (locked)
    "input_late_number": {"valign": "vcenter", "align": "center", "border": 1,
                          "locked": False, "bg_color": "#F4B183", "num_format": "#,##0.##"},
    "input_late_choice": {"valign": "vcenter", "align": "center", "border": 1,
                          "locked": False, "bg_color": "#F4B183"},
    "td_inactive": {"border": 1, "bg_color": "#BFBFBF", "pattern": 1},
    "capaian": {"valign": "vcenter", "align": "center", "border": 1, "num_format": "0.00",
                "bg_color": "#F2F2F2", "text_wrap": True},
    "helper": {},
    "warn": {"bg_color": "#F8CBAD", "font_color": "#9C0006", "bold": True},
    # issue 26: a re-issued form's mark of an indikator the atasan returned
    "returned": {"valign": "vcenter", "text_wrap": True, "border": 1, "bg_color": "#F8CBAD",
                 "font_color": "#9C0006", "font_size": 8},
    "summary_label": {"bold": True, "align": "right", "valign": "top", "border": 1},
    "summary": {"bold": True, "align": "center", "valign": "top", "border": 1,
                "num_format": "0.00", "bg_color": "#F2F2F2", "text_wrap": True},
    "note": {"italic": True, "valign": "top", "text_wrap": True},
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
    helper_cells: list[HelperCell] = field(default_factory=list)  # on SHEET_HELPER, same rows
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


def column_of(key: str) -> str:
    """The letters of a table column of :data:`COLUMNS` (``"indikator"`` → ``"C"``)."""
    return col_name([k for k, _ in COLUMNS].index(key))


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


def atasan_unit(form: Form) -> str:
    """The atasan's unit kerja as printed: their own, their perangkat daerah; for an
    atasan outside the Pegawai sheet, the pegawai's perangkat daerah (a civil servant)
    or the pemerintah daerah (no NIP: the Bupati)."""
    ats = form.atasan
    return (ats.unit_kerja or ats.perangkat_daerah
            or (form.pegawai.perangkat_daerah or form.iki.perangkat_daerah if ats.nip
                else form.settings.pemerintah_daerah) or "")

