"""Write master workbooks: the blank one of ``iki-xlsx init`` and the filled one of
``iki-xlsx import``. Same sheets and columns as the reader (:mod:`iki_xlsx.define.schema`),
with dropdowns, a text-formatted NIP column (Excel would turn 18 digits into 1.9E+17),
frozen headers, and an instructions sheet from ``templates/master_petunjuk.txt.j2``.
Every sheet prints like the other lists (:mod:`iki_xlsx.core.sheets`): on the master's
paper, rows as tall as their wrapped text, in a grid.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..core.atomic import atomic_path
from ..core.model import PANGKAT, PPPK_GOLONGAN, Master
from ..core.sheets import (
    TITLE_SIZE,
    Column,
    ListFormats,
    Styled,
    heading,
    setup_print,
    table,
)
from ..core.texts import Texts, get_texts
from . import schema

MAX_ROWS = 5000  # rows with dropdowns in a blank master


def write_master(path: str | Path, master: Master | None = None, *,
                 review: list[dict] | None = None,
                 notes: dict[tuple[str, int], str] | None = None,
                 inferred: set[tuple[str, int, str]] | None = None,
                 texts: Texts | None = None) -> Path:
    """Write ``master`` (or a blank master when None) to ``path`` atomically.

    ``review`` adds a ``Tinjauan`` sheet (dicts with file, line, kind, message, kode_iki,
    action); ``notes`` fill the Indikator ``Catatan`` column and ``inferred`` highlights
    the cells whose value was inferred rather than read, both keyed by (kode IKI,
    indicator index).
    """
    texts = texts or get_texts()
    path = Path(path)
    kertas = master.settings.kertas if master else "A4"
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        fmt = _Formats(wb)
        if review is not None:
            _review_sheet(wb, fmt, texts, review, kertas)  # first: the officer reads it first
        _guide(wb, fmt, texts, kertas)
        lists = _lists(wb)
        _settings_sheet(wb, fmt, texts, master, kertas)
        rows_pegawai, rows_iki, rows_ind = _rows(master) if master else ([], [], [])
        notes, inferred = notes or {}, inferred or set()
        for row in rows_ind:
            key = (row["kode_iki"], row["_index"])
            if key in notes:
                row["catatan"] = notes[key]
            for f in ("satuan", "polaritas", "agregasi", "target"):
                if (*key, f) in inferred and row.get(f) not in (None, ""):
                    row[f] = Styled(row[f], fmt.inferred)
        for name, columns, rows in (
            (schema.SHEET_PEGAWAI, schema.PEGAWAI_COLUMNS, rows_pegawai),
            (schema.SHEET_IKI, schema.IKI_COLUMNS, rows_iki),
            (schema.SHEET_INDIKATOR, schema.INDIKATOR_COLUMNS, rows_ind),
        ):
            _table(wb, fmt, texts, name, columns, rows, lists, kertas)
        wb.close()
    return path


class _Formats(ListFormats):
    def __init__(self, wb):
        super().__init__(wb)
        self.wrap = wb.add_format({**self.base, "text_wrap": True})  # a column's own
        self.text_column = wb.add_format({**self.base, "num_format": "@"})
        self.typed_text = self.variant(num_format="@")
        self.inferred = self.variant(bg_color="#FFF2CC")
        self.date_cell = self.variant(num_format="d mmmm yyyy", align="left")


def _guide(wb, fmt, texts: Texts, kertas: str) -> None:
    ws = wb.add_worksheet(schema.SHEET_GUIDE)
    ws.set_column(0, 0, 110, fmt.wrap)
    lines = texts.render("master_petunjuk.txt.j2", schema=schema).splitlines()
    for r, line in enumerate(lines):
        if r == 0:
            heading(ws, r, line, [110], fmt.title, TITLE_SIZE, bold=True)
        else:
            heading(ws, r, line, [110], fmt.wrap)
    setup_print(ws, kertas, _footer(texts, schema.SHEET_GUIDE))


def _footer(texts: Texts, sheet: str) -> str:
    return texts.t("cetak.halaman", judul=texts.t("master.judul_cetak", sheet=sheet))


def _lists(wb) -> dict[str, str]:
    """Hidden sheet with dropdown sources; returns field → absolute range."""
    ws = wb.add_worksheet(schema.SHEET_LISTS)
    ws.hide()
    sources = {
        "polaritas": schema.POLARITY_CHOICES,
        "agregasi": schema.AGGREGATION_CHOICES,
        "pangkat": tuple(PANGKAT.values()),
        "golongan": tuple(PANGKAT) + PPPK_GOLONGAN,
        "periode": schema.SCHEME_CHOICES,
        "kertas": schema.PAPER_CHOICES,
        "skala_predikat": schema.SCALE_CHOICES,
        "target_tengah_tahun": schema.MIDYEAR_CHOICES,
    }
    out = {}
    for c, (name, values) in enumerate(sources.items()):
        ws.write_string(0, c, name)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
        col = xlsxwriter.utility.xl_col_to_name(c)
        out[name] = f"='{schema.SHEET_LISTS}'!${col}$2:${col}${len(values) + 1}"
    return out


def _settings_sheet(wb, fmt, texts: Texts, master: Master | None, kertas: str) -> None:
    ws = wb.add_worksheet(schema.SHEET_SETTINGS)
    s = master.settings if master else None
    rows = []
    for title, name, default in schema.SETTINGS_KEYS:
        value = getattr(s, name, None) if s else default
        if name in schema.MAIL_SETTINGS and master:
            value = master.mail_settings.get(name)
        if hasattr(value, "value"):
            value = value.value
        if isinstance(value, bool):  # Hanya Nilai Terverifikasi (issue 26)
            value = texts.t("form.pilihan_ya") if value else texts.t("form.pilihan_tidak")
        if name == "tanggal" and value:
            value = Styled(value, fmt.date_cell)
        rows.append((title, value, texts.t(f"master.pengaturan.bantuan.{name}")))
    columns = [Column(texts.t(f"master.pengaturan.{key}"), width)
               for key, width in (("kunci", 22), ("nilai", 40), ("keterangan", 80))]
    table(ws, fmt, 0, columns, rows)
    choices = {"periode": schema.SCHEME_CHOICES, "kertas": schema.PAPER_CHOICES,
               "hanya_terverifikasi": (texts.t("form.pilihan_ya"),
                                       texts.t("form.pilihan_tidak"))}
    for r, (_, name, _) in enumerate(schema.SETTINGS_KEYS, start=1):
        if name in choices:
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(choices[name])})
    setup_print(ws, kertas, _footer(texts, schema.SHEET_SETTINGS))


def _text_column(col: schema.Column) -> bool:
    """Codes and NIPs: typed as text (Excel would turn 18 digits into 1.9E+17)."""
    return col.field.startswith("nip") or col.field in ("kode_iki", "no", "golongan")


def _table(wb, fmt, texts: Texts, name, columns, rows, lists, kertas: str):
    ws = wb.add_worksheet(name)
    text_cols = {c for c, col in enumerate(columns) if _text_column(col)}
    cells = [[Styled(row.get(col.field), fmt.typed_text)
              if c in text_cols and isinstance(row.get(col.field), str)
              else row.get(col.field) for c, col in enumerate(columns)] for row in rows]
    table(ws, fmt, 0, [Column(col.title, col.width) for col in columns], cells)
    for c, col in enumerate(columns):  # what the officer types into new rows
        ws.set_column(c, c, col.width, fmt.text_column if c in text_cols else fmt.wrap)
    last = max(MAX_ROWS, len(rows) + 1)
    for c, col in enumerate(columns):
        base = col.field.removesuffix("_atasan")
        if base in lists:
            ws.data_validation(1, c, last, c, {"validate": "list", "source": lists[base],
                                               "error_type": "warning"})
    setup_print(ws, kertas, _footer(texts, name))
    return ws


def _rows(master: Master) -> tuple[list[dict], list[dict], list[dict]]:
    pegawai = []
    for a in master.assignments:
        p = a.pegawai
        row = {"nip": p.nip, "nama": p.nama, "pangkat": p.pangkat, "golongan": p.golongan,
               "jabatan": p.jabatan, "perangkat_daerah": p.perangkat_daerah,
               "unit_kerja": p.unit_kerja, "kode_iki": a.kode_iki, "nip_atasan": a.atasan_nip}
        if a.atasan:
            row.update(nama_atasan=a.atasan.nama, jabatan_atasan=a.atasan.jabatan,
                       pangkat_atasan=a.atasan.pangkat, golongan_atasan=a.atasan.golongan,
                       unit_kerja_atasan=a.atasan.unit_kerja)
            row["nip_atasan"] = a.atasan_nip or a.atasan.nip
        contact = master.contacts.get(p.nip)
        if contact:
            row.update(email=contact.email, no_hp=contact.no_hp)
        pegawai.append(row)
    iki, indicators = [], []
    for d in master.iki.values():
        iki.append({"kode_iki": d.kode, "perangkat_daerah": d.perangkat_daerah,
                    "jabatan": d.jabatan, "tugas": d.tugas, "fungsi": "\n".join(d.fungsi),
                    "label_sasaran": d.label_sasaran})
        for i, ind in enumerate(d.indicators):
            t = ind.target
            row = {"_index": i, "kode_iki": d.kode, "no": ind.no, "sasaran": ind.sasaran,
                   "indikator": ind.indikator, "penjelasan": ind.penjelasan,
                   "sumber_data": ind.sumber_data, "satuan": ind.satuan,
                   "target": _target_cell(t), "polaritas": ind.polaritas.value if ind.polaritas else "",
                   "agregasi": ind.agregasi.value if ind.agregasi else ""}
            for code, value in ind.period_targets.items():
                row[f"target_{code.lower()}"] = value
            indicators.append(row)
    return pegawai, iki, indicators


def _target_cell(target) -> object:
    """A plain number stays a number in Excel; anything else keeps its text."""
    if target is None or not target.text:
        return None
    if target.value is not None and target.low is None:
        from ..core.model import format_number

        if target.text == format_number(target.value):
            return target.value
    return target.text


def _review_sheet(wb, fmt, texts: Texts, review: list[dict], kertas: str) -> None:
    name = texts.t("master.tinjauan.sheet")
    ws = wb.add_worksheet(name)
    keys = ("file", "line", "kind", "kode_iki", "message", "action")
    widths = (28, 22, 22, 12, 70, 50)  # Letak: "baris 12" or "hlm. 2, 45 mm dari atas"

    def cell(item: dict, key: str):
        value = (item.get("where") or item.get(key)) if key == "line" else item.get(key)
        return value if value not in ("", None) else None

    table(ws, fmt, 0, [Column(texts.t(f"master.tinjauan.{key}"), width, key == "line")
                       for key, width in zip(keys, widths)],
          [[cell(item, key) for key in keys] for item in review])
    setup_print(ws, kertas, _footer(texts, name))
