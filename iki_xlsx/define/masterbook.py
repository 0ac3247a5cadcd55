"""Write master workbooks: the blank one of ``iki-xlsx init`` and the filled one of
``iki-xlsx import``. Same sheets and columns as the reader (:mod:`iki_xlsx.define.schema`),
with dropdowns, a text-formatted NIP column (Excel would turn 18 digits into 1.9E+17),
frozen headers, and an instructions sheet from ``templates/master_petunjuk.txt.j2``.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..core.atomic import atomic_path
from ..core.model import PANGKAT, PPPK_GOLONGAN, Master
from ..core.texts import Texts, get_texts
from ..core.xlsxtext import write_text
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
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True})
        fmt = _Formats(wb)
        if review is not None:
            _review_sheet(wb, fmt, texts, review)  # first: the officer reads it first
        _guide(wb, fmt, texts)
        lists = _lists(wb)
        _settings_sheet(wb, fmt, texts, master)
        rows_pegawai, rows_iki, rows_ind = _rows(master) if master else ([], [], [])
        notes, inferred = notes or {}, inferred or set()
        for name, columns, rows in (
            (schema.SHEET_PEGAWAI, schema.PEGAWAI_COLUMNS, rows_pegawai),
            (schema.SHEET_IKI, schema.IKI_COLUMNS, rows_iki),
            (schema.SHEET_INDIKATOR, schema.INDIKATOR_COLUMNS, rows_ind),
        ):
            ws = _table(wb, fmt, name, columns, rows, lists)
            if name == schema.SHEET_INDIKATOR:
                fields = [c.field for c in columns]
                for r, row in enumerate(rows, start=1):
                    key = (row["kode_iki"], row["_index"])
                    if key in notes:
                        write_text(ws, r, fields.index("catatan"), notes[key], fmt.wrap)
                    for f in ("satuan", "polaritas", "agregasi", "target"):
                        if (*key, f) in inferred:
                            value = row.get(f)
                            if isinstance(value, (int, float)):
                                ws.write_number(r, fields.index(f), value, fmt.inferred)
                            else:
                                write_text(ws, r, fields.index(f), value, fmt.inferred)
        wb.close()
    return path


class _Formats:
    def __init__(self, wb):
        self.header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                     "text_wrap": True, "valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.text = wb.add_format({"num_format": "@", "valign": "top"})
        self.inferred = wb.add_format({"bg_color": "#FFF2CC", "text_wrap": True, "valign": "top"})
        self.date = wb.add_format({"num_format": "d mmmm yyyy", "align": "left"})
        self.title = wb.add_format({"bold": True, "font_size": 14})


def _guide(wb, fmt, texts: Texts) -> None:
    ws = wb.add_worksheet(schema.SHEET_GUIDE)
    ws.set_column(0, 0, 110, fmt.wrap)
    lines = texts.render("master_petunjuk.txt.j2", schema=schema).splitlines()
    for r, line in enumerate(lines):
        ws.write_string(r, 0, line, fmt.title if r == 0 else fmt.wrap)


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
    }
    out = {}
    for c, (name, values) in enumerate(sources.items()):
        ws.write_string(0, c, name)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
        col = xlsxwriter.utility.xl_col_to_name(c)
        out[name] = f"='{schema.SHEET_LISTS}'!${col}$2:${col}${len(values) + 1}"
    return out


def _settings_sheet(wb, fmt, texts: Texts, master: Master | None) -> None:
    ws = wb.add_worksheet(schema.SHEET_SETTINGS)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 80, fmt.wrap)
    for c, key in enumerate(("kunci", "nilai", "keterangan")):
        ws.write_string(0, c, texts.t(f"master.pengaturan.{key}"), fmt.header)
    s = master.settings if master else None
    for r, (title, name, default) in enumerate(schema.SETTINGS_KEYS, start=1):
        ws.write_string(r, 0, title)
        value = getattr(s, name, None) if s else default
        if name in schema.MAIL_SETTINGS and master:
            value = master.mail_settings.get(name)
        if hasattr(value, "value"):
            value = value.value
        if isinstance(value, bool):  # Hanya Nilai Terverifikasi (issue 26)
            value = texts.t("form.pilihan_ya") if value else texts.t("form.pilihan_tidak")
        if name == "tanggal" and value:
            ws.write_datetime(r, 1, value, fmt.date)
        elif value not in (None, ""):
            ws.write(r, 1, value)
        ws.write_string(r, 2, texts.t(f"master.pengaturan.bantuan.{name}"))
    choices = {"periode": schema.SCHEME_CHOICES, "kertas": schema.PAPER_CHOICES,
               "hanya_terverifikasi": (texts.t("form.pilihan_ya"),
                                       texts.t("form.pilihan_tidak"))}
    for r, (_, name, _) in enumerate(schema.SETTINGS_KEYS, start=1):
        if name in choices:
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(choices[name])})
    ws.freeze_panes(1, 0)


def _table(wb, fmt, name, columns, rows, lists):
    ws = wb.add_worksheet(name)
    for c, col in enumerate(columns):
        ws.write_string(0, c, col.title, fmt.header)
        text_col = col.field.startswith("nip") or col.field in ("kode_iki", "no", "golongan")
        ws.set_column(c, c, col.width, fmt.text if text_col else fmt.wrap)
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(columns):
            value = row.get(col.field)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write_text(ws, r, c, value)
            else:
                ws.write_number(r, c, value)
    last = max(MAX_ROWS, len(rows) + 1)
    for c, col in enumerate(columns):
        base = col.field.removesuffix("_atasan")
        if base in lists:
            ws.data_validation(1, c, last, c, {"validate": "list", "source": lists[base],
                                               "error_type": "warning"})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
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


def _review_sheet(wb, fmt, texts: Texts, review: list[dict]) -> None:
    ws = wb.add_worksheet(texts.t("master.tinjauan.sheet"))
    keys = ("file", "line", "kind", "kode_iki", "message", "action")
    widths = (28, 8, 22, 12, 70, 50)
    for c, (key, width) in enumerate(zip(keys, widths)):
        ws.write_string(0, c, texts.t(f"master.tinjauan.{key}"), fmt.header)
        ws.set_column(c, c, width, fmt.wrap)
    for r, item in enumerate(review, start=1):
        for c, key in enumerate(keys):
            value = item.get(key)
            if isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            elif value:
                write_text(ws, r, c, value)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(review), 1), len(keys) - 1)
