"""The IKI sheet, cell by cell: defined once, used by the writer and the reader.

:func:`build_layout` turns a :class:`~iki_xlsx.core.model.Form` into a :class:`FormLayout`:
every cell the form shows (value, style, merge), the input cells, row heights, print
settings. :mod:`iki_xlsx.forms.generate` writes exactly these cells and stores, for each issued
form, its locked cells and the cell map (which cell holds which realisasi) in the
manifest and the ledger; the reader (:mod:`iki_xlsx.collect`) never rebuilds a layout:
it takes that cell map from the ledger and the sheet names, table columns and A1
references from here.

The names and records of the sheet live in :mod:`.layoutdefs`, the shared formulas in
:mod:`.layoutformulas`; both are re-exported here, the one module the writer and the
reader read the sheet from (as ``L.SHEET_FORM``, ``L.cell_ref`` …).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.model import Form, Polarity
from ..core.predikat import PredikatScale
from ..core.show import decimals_shown, period_label
from ..core.textfit import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    PADDING,
    height_for,
    text_lines,
)
from ..core.texts import Texts, tanggal_indonesia
from .layoutdefs import (  # noqa: F401  (the sheet's names, read as L.SHEET_FORM …)
    COLUMNS,
    HELPER,
    INDENT,
    MANIFEST_CHUNK,
    MANIFEST_MARK,
    NAME_CAPAIAN,
    NAME_KETERANGAN,
    NAME_REALISASI,
    SHEET_FORM,
    SHEET_GUIDE,
    SHEET_HELPER,
    SHEET_MANIFEST,
    STYLES,
    WIDTH_CAPAIAN,
    WIDTH_KETERANGAN,
    WIDTH_REALISASI,
    ZWSP,
    Cell,
    FormLayout,
    IndicatorCells,
    atasan_unit,
    column_of,
    overlong_texts,
)
from .layoutformulas import (
    capaian_template,
    midyear_note,
    predikat_formula,
    quote,
    reading_context,
    row_helpers,
)
from .liveform import HELPERS, INVALID, ROW, HelperCell
from .refs import (  # noqa: F401  (the sheet's references, read as L.cell_ref …)
    cell_ref,
    col_name,
    col_number,
    grid_refs,
    parse_ref,
    ref_col,
    ref_order,
    ref_row,
    row_refs,
)


def _colon(value: object) -> str:
    """``: value`` — or ``:`` alone for an empty part (no trailing space, no dash)."""
    text = str(value or "").strip()
    return f": {text}" if text else ":"


# --------------------------------------------------------------------------- layout

def build_layout(form: Form, texts: Texts) -> FormLayout:
    """Every cell of ``form``'s IKI sheet, top to bottom in the official order: title,
    numbered header, identity block, the table (header, indikator rows, average and
    predikat) and the signature block."""
    sheet = _Sheet(form, texts)
    sheet.title()
    sheet.numbered_header()
    sheet.identity()
    header_rows = sheet.table_header()
    table = sheet.indicator_rows()
    sheet.merge_sasaran(table)
    warnings = sheet.summary(table)
    sheet.signature()
    return FormLayout(
        cells=sheet.cells, inputs=table.inputs, indicators=table.indicators,
        widths=sheet.widths, heights=sheet.heights, last_row=sheet.r,
        last_col=sheet.last_col, header_rows=header_rows,
        table_rows=(table.first, table.last), periods=sheet.periods,
        realisasi_cols=sheet.real_cols, capaian_col=sheet.cap_col,
        keterangan_col=sheet.ket_col, validations=table.validations, page_breaks=[],
        helper_cells=table.helper_cells, warnings=warnings)


@dataclass
class _Table:
    """What the indikator rows gave: where they are, their input and helper cells."""

    first: int
    last: int = 0
    groups: list[list[int]] = field(default_factory=list)  # indikator of each sasaran
    indicators: list[IndicatorCells] = field(default_factory=list)
    inputs: list[tuple[int, int, str]] = field(default_factory=list)
    validations: list[dict] = field(default_factory=list)
    helper_cells: list[HelperCell] = field(default_factory=list)
    helpers: list[tuple[int, ...]] = field(default_factory=list)  # HELPERS per period
    flag_col: int = 0


class _Sheet:
    """The IKI sheet being laid out: cells placed row by row (``r``), each row's height
    fitted to the text it shows."""

    def __init__(self, form: Form, texts: Texts):
        self.form, self.texts, self.t = form, texts, texts.t
        self.periods = form.settings.periode.periods
        fixed, n_p = len(COLUMNS), len(self.periods)
        self.real_cols = tuple(range(fixed, fixed + n_p))
        self.cap_col, self.ket_col = fixed + n_p, fixed + n_p + 1
        self.last_col = self.ket_col
        self.widths = ([w for _, w in COLUMNS] + [WIDTH_REALISASI] * n_p
                       + [WIDTH_CAPAIAN, WIDTH_KETERANGAN])
        self.cells: list[Cell] = []
        self.heights: dict[int, float] = {}
        self.r = 0

    def span(self, c0: int, c1: int) -> float:
        """Width of columns ``c0``–``c1`` merged (the gridline padding counts)."""
        return sum(self.widths[c0:c1 + 1]) + (c1 - c0) * 0.7

    def put(self, r, c, value, style, last_row=None, last_col=None, formula="") -> None:
        self.cells.append(Cell(r, c, value, style, last_row, last_col, formula))

    def fit(self, r, text, c0, c1, bold=False) -> None:
        need = height_for(text_lines(text, self.span(c0, c1), bold))
        self.heights[r] = min(MAX_ROW_HEIGHT, max(self.heights.get(r, LINE_HEIGHT + 2), need))

    def title(self) -> None:
        s, last = self.form.settings, self.last_col
        self.put(0, 0, self.t("form.judul"), "title", 0, last)
        self.heights[0] = 18
        self.r = 1
        self.put(self.r, 0, self.t("form.tahun", tahun=s.tahun), "subtitle", self.r, last)
        for heading in (s.instansi or self.form.iki.perangkat_daerah, s.pemerintah_daerah):
            if heading:
                self.r += 1
                self.put(self.r, 0, heading.upper(), "subtitle", self.r, last)
                self.fit(self.r, heading.upper(), 0, last, bold=True)
        self.r += 2

    def numbered_header(self) -> None:
        """1. PERANGKAT DAERAH, 2. JABATAN, 3. TUGAS, 4. FUNGSI (lettered) — numbered
        from JABATAN where the IKI omits the perangkat daerah, as some agencies' do."""
        iki, last = self.form.iki, self.last_col
        header = [("perangkat_daerah", iki.perangkat_daerah), ("jabatan", iki.jabatan),
                  ("tugas", iki.tugas)]
        if not iki.perangkat_daerah:
            header = header[1:]
        for i, (key, value) in enumerate(header, start=1):
            self.put(self.r, 0, f"{i}.", "label")
            self.put(self.r, 1, self.t(f"form.header.{key}"), "label")
            self.put(self.r, 2, _colon(value), "value", self.r, last)
            self.fit(self.r, _colon(value), 2, last)
            self.r += 1
        self.put(self.r, 0, f"{len(header) + 1}.", "label")
        self.put(self.r, 1, self.t("form.header.fungsi"), "label")
        for j, item in enumerate(iki.fungsi or ("-",)):
            text = f"{_letter(j)}. {item}" if iki.fungsi else ":"
            self.put(self.r, 2, text, "value", self.r, last)
            self.fit(self.r, text, 2, last)
            self.r += 1
        self.r += 1

    def identity(self) -> None:
        """PEGAWAI YANG DINILAI on the left, PEJABAT PENILAI KINERJA on the right."""
        form, t, last = self.form, self.t, self.last_col
        peg, ats = form.pegawai, form.atasan
        left_val, right_lab, right_val = (2, 4), (5, 6), (7, last)
        self.put(self.r, 0, t("form.identitas.pegawai"), "label_bold", self.r, 4)
        self.put(self.r, 5, t("form.identitas.atasan"), "label_bold", self.r, last)
        self.r += 1
        for key, a, b in (("nama", peg.nama, ats.nama), ("nip", peg.nip_text, ats.nip_text),
                          ("pangkat", peg.pangkat_text, ats.pangkat_text),
                          ("jabatan", peg.jabatan, ats.jabatan),
                          ("unit_kerja", peg.unit_kerja or peg.perangkat_daerah,
                           atasan_unit(form))):
            label = t(f"form.identitas.{key}")
            self.put(self.r, 0, label, "label", self.r, 1)
            self.put(self.r, left_val[0], _colon(a), "value", self.r, left_val[1])
            self.put(self.r, right_lab[0], label, "label", self.r, right_lab[1])
            self.put(self.r, right_val[0], _colon(b), "value", self.r, right_val[1])
            self.fit(self.r, _colon(a), *left_val)
            self.fit(self.r, _colon(b), *right_val)
            self.r += 1
        self.r += 1

    def table_header(self) -> tuple[int, int]:
        """The table's two header rows (repeated on every printed page)."""
        t, widths = self.t, self.widths
        h0, h1 = self.r, self.r + 1
        labels = {"no": t("form.kolom.no"),
                  "sasaran": (self.form.iki.label_sasaran or t("form.kolom.sasaran")).upper()}
        for c, (key, _) in enumerate(COLUMNS):
            self.put(h0, c, labels.get(key) or t(f"form.kolom.{key}"), "th", h1, c)
        self.put(h0, self.real_cols[0], t("form.kolom.realisasi"), "th", h0,
                 self.real_cols[-1])
        for c, code in zip(self.real_cols, self.periods):
            self.put(h1, c, period_label(self.texts, code), "th")
        self.put(h0, self.cap_col, t("form.kolom.capaian"), "th", h1, self.cap_col)
        self.put(h0, self.ket_col, t("form.kolom.keterangan"), "th", h1, self.ket_col)
        head_need = max(text_lines(t("form.kolom.penjelasan"), widths[3], True),
                        text_lines(t("form.kolom.keterangan"), widths[self.ket_col], True),
                        text_lines(labels["sasaran"], widths[1], True))
        self.heights[h0] = height_for(max(1, head_need - 1))
        self.heights[h1] = height_for(1)
        self.r = h1 + 1
        return h0, h1

    def indicator_rows(self) -> _Table:
        """One row per indikator: its texts, target, a yellow REALISASI cell per period,
        the live CAPAIAN, KETERANGAN; the helper cells that read each realisasi as the
        recap does sit in the same row of the very hidden helper sheet."""
        s, widths = self.form.settings, self.widths
        n_p, n_h = len(self.periods), len(HELPERS)
        table = _Table(first=self.r, flag_col=n_h * n_p,
                       helpers=[tuple(n_h * i + k for k in range(n_h)) for i in range(n_p)])
        warning = self.t("form.periksa")
        prev_key = None
        for i, ind in enumerate(self.form.iki.indicators):
            r = self.r
            if (ind.no, ind.sasaran) != prev_key:
                table.groups.append([])
                prev_key = (ind.no, ind.sasaran)
            table.groups[-1].append(i)
            self.put(r, 2, ind.indikator, "td")
            self.put(r, 3, ind.penjelasan, "td")
            self.put(r, 4, ind.sumber_data, "td")
            self.put(r, 5, ind.satuan, "td_center")
            target = ind.target
            numeric_target = (target.value is not None and target.low is None
                              and target.text.replace(".", "").replace(",", "").isdigit())
            if numeric_target:
                self.put(r, 6, target.value, f"td_target_{decimals_shown(target.value)}")
            else:
                self.put(r, 6, target.text, "td_target")
            kind = "choice" if ind.polaritas is Polarity.YA_TIDAK else "number"
            table.inputs.extend((r, c, kind) for c in self.real_cols)
            table.inputs.append((r, self.ket_col, "text"))
            ctx = reading_context(ind)
            table.helper_cells.extend(row_helpers(r, self.real_cols, tuple(table.helpers),
                                                   table.flag_col, ctx, s.batas_capaian))
            shape = (ind.target, ind.polaritas, ind.agregasi, tuple(ind.period_targets.items()))
            self.put(r, self.cap_col, "", "capaian", formula=capaian_template(
                tuple(table.helpers), table.flag_col, shape, s.batas_capaian, s.periode,
                warning, s.target_tengah_tahun).replace(ROW, str(r + 1)))
            refs = [cell_ref(r, c) for c in self.real_cols]
            table.indicators.append(IndicatorCells(f"{i + 1:02d}", r,
                                                   dict(zip(self.periods, refs)),
                                                   cell_ref(r, self.cap_col),
                                                   cell_ref(r, self.ket_col)))
            need = max(text_lines(ind.indikator, widths[2] - INDENT),
                       text_lines(ind.penjelasan, widths[3] - INDENT),
                       text_lines(ind.sumber_data, widths[4] - INDENT),
                       text_lines(ind.satuan, widths[5]),
                       text_lines(target.text, widths[6]), 1)
            self.heights[r] = height_for(need)
            table.validations.append({"row": r, "kind": kind, "context": ctx})
            self.r += 1
        table.last = self.r - 1
        return table

    def merge_sasaran(self, table: _Table) -> None:
        """NO and SASARAN merged over each sasaran's rows; a sasaran taller than its rows
        spreads the extra height over them."""
        for g in table.groups:
            r0, r1 = table.first + g[0], table.first + g[-1]
            ind = self.form.iki.indicators[g[0]]
            merged = r1 > r0
            self.put(r0, 0, ind.no, "td_group_center" if merged else "td_center",
                     r1 if merged else None, 0 if merged else None)
            self.put(r0, 1, ind.sasaran, "td_group" if merged else "td",
                     r1 if merged else None, 1 if merged else None)
            need = height_for(text_lines(ind.sasaran, self.widths[1] - INDENT))
            have = sum(self.heights[x] for x in range(r0, r1 + 1))
            if need > have:
                extra = (need - have) / (r1 - r0 + 1)
                for x in range(r0, r1 + 1):
                    self.heights[x] = min(MAX_ROW_HEIGHT, round(self.heights[x] + extra, 2))

    def summary(self, table: _Table) -> list[tuple[str, str]]:
        """The average capaian and the predikat under the table; the conditional formats
        that turn a realisasi the recap would refuse, and its capaian, red."""
        r, first, last, cap_col = self.r, table.first, table.last, self.cap_col
        warning = self.t("form.periksa")
        cap_range = f"{cell_ref(first, cap_col)}:{cell_ref(last, cap_col)}"
        flag_range = (f"{HELPER}{cell_ref(first, table.flag_col)}:"
                      f"{cell_ref(last, table.flag_col)}")
        self.put(r, 0, self.t("form.rata_rata"), "summary_label", r, cap_col - 1)
        self.put(r, cap_col, "", "summary",
                 formula=f'=IF(SUM({flag_range})>0,"{quote(warning)}",'
                         f'IF(COUNT({cap_range})=0,"",AVERAGE({cap_range})))')
        warnings = [(f"{cell_ref(first, c)}:{cell_ref(last, c)}",
                     f'={HELPER}${col_name(h[-1])}{first + 1}="{INVALID}"')
                    for c, h in zip(self.real_cols, table.helpers)]
        top = f"${col_name(cap_col)}{first + 1}"
        warnings.append((f"{cell_ref(first, cap_col)}:{cell_ref(last + 1, cap_col)}",
                         f'=AND(ISTEXT({top}),{top}<>"")'))
        scale = PredikatScale.from_setting(self.form.settings.skala_predikat)
        self.put(r, self.ket_col, "", "summary",
                 formula=predikat_formula(cell_ref(r, cap_col), scale))
        self.heights[r] = height_for(1)
        self.r += 2
        note = midyear_note(self.form, self.texts)
        if note:  # in the gap above the signature; part of the form's locked content, so
            gap = self.r - 1  # changing the rule makes a new revision
            self.put(gap, 0, note, "note", gap, self.last_col)
            self.fit(gap, note, 0, self.last_col)
            self.heights[gap] += PADDING
        return warnings

    def signature(self) -> None:
        """Atasan left and pegawai right, in ONE row: no client splits a row over two
        pages, so the block is never torn, never needs a manual page break (which left
        half-empty pages), and its place/date line cannot be clipped by the repeated table
        header. The names are bold and underlined (rich text)."""
        s, t, texts = self.form.settings, self.t, self.texts
        peg, ats = self.form.pegawai, self.form.atasan
        left, right = (0, 3), (6, self.last_col)
        tanggal = (t("form.tanda_tangan.tempat_tanggal", tempat=s.tempat,
                     tanggal=tanggal_indonesia(s.tanggal)) if s.tanggal
                   else t("form.tanda_tangan.tanggal_kosong", tahun=s.tahun))
        if s.tempat and not s.tanggal:
            tanggal = f"{s.tempat}, {tanggal}"
        nip_ats = texts.t("form.tanda_tangan.nip", nip=ats.nip_text) if ats.nip else ""
        nip_peg = texts.t("form.tanda_tangan.nip", nip=peg.nip_text)
        w_left, w_right = self.span(*left), self.span(*right)
        jab = [ats.jabatan or "", peg.jabatan or ""]
        jab_lines = max(text_lines(jab[0], w_left), text_lines(jab[1], w_right))
        head_lines = max(text_lines(tanggal, w_right), 1)
        name_lines = max(text_lines(ats.nama, w_left, True),
                         text_lines(peg.nama, w_right, True))

        def block(first: str, role: str, jabatan: str, width: float, nama: str,
                  pangkat: str, nip: str) -> tuple[tuple[str | None, str], ...]:
            pad_head = ("\n" * (head_lines - text_lines(first, width) + 1) if first
                        else "\n" * head_lines)
            pad_jab = "\n" * (jab_lines - text_lines(jabatan, width))
            top = f"{first}{pad_head}{role}\n{jabatan}{pad_jab}\n\n\n\n\n"
            tail = f"\n{pangkat}\n{nip}"
            # Gnumeric drops line breaks at either end of a rich-text run on re-save (the
            # locked content would "change"): a zero-width space guards each end.
            return ((None, f"{ZWSP}{top}{ZWSP}"), ("sign_name", nama or ZWSP),
                    (None, f"{ZWSP}{tail}{ZWSP}"))

        self.heights[self.r] = height_for(head_lines + 1 + jab_lines + 4 + name_lines + 2)
        for (c0, c1), segments in (
                (left, block("", t("form.tanda_tangan.atasan"), jab[0], w_left, ats.nama,
                             ats.pangkat_text, nip_ats)),
                (right, block(tanggal, t("form.tanda_tangan.pegawai"), jab[1], w_right,
                              peg.nama, peg.pangkat_text, nip_peg))):
            self.cells.append(Cell(self.r, c0, "".join(text for _, text in segments), "sign",
                                   self.r, c1, rich=segments))



def _letter(i: int) -> str:
    """a, b, …, z, aa, ab, … for fungsi items."""
    return col_name(i).lower()
