"""The input check of the REALISASI cells (data validation), generated from the rule
table (:mod:`iki_xlsx.core.rules`): a numeric cell takes any text — the helpers read it
by the table — or a number from 0 to its indikator's limit (:func:`liveform.input_check`),
with messages that describe the table for that indikator (its SATUAN, a target's
letter, percent); a ya/tidak cell offers Ya and Tidak. Excel keeps at most 255
characters of a message and 32 of a title."""

from __future__ import annotations

from itertools import groupby

from ..core.rules import plain_number
from ..core.show import period_label
from ..core.texts import Texts
from . import layout as L
from .liveform import input_check

MESSAGE_LIMIT = 255
TITLE_LIMIT = 32


def number_messages(ctx, texts: Texts, periode: str) -> dict:
    """The data-validation texts of a numeric REALISASI cell of an indikator."""
    t = texts.t
    letters = ctx.letters.upper() if ctx.letters else ""
    return {"input_title": t("form.validasi.angka_judul", periode=periode)[:TITLE_LIMIT],
            "input_message": t("aturan.validasi.angka_pesan", persen=ctx.percent,
                               satuan=ctx.unit_example, huruf=letters)[:MESSAGE_LIMIT],
            "error_title": t("aturan.validasi.angka_galat_judul")[:TITLE_LIMIT],
            "error_message": t("aturan.validasi.angka_galat", batas=plain_number(ctx.limit),
                               persen=ctx.percent)[:MESSAGE_LIMIT]}


def write_input_checks(ws, lay: L.FormLayout, texts: Texts) -> None:
    """Data validation of every REALISASI and KETERANGAN cell of the form."""
    t = texts.t
    yes, no = t("form.pilihan_ya"), t("form.pilihan_tidak")
    choices = [v["row"] for v in lay.validations if v["kind"] == "choice"]
    numbers = [v for v in lay.validations if v["kind"] == "number"]
    for c, code in zip(lay.realisasi_cols, lay.periods):
        label = period_label(texts, code)
        if choices:  # one rule per column over all its cells (a multi-range sqref)
            refs = " ".join(L.cell_ref(r, c) for r in choices)
            ws.data_validation(choices[0], c, choices[0], c, {
                "validate": "list", "source": [yes, no], "error_type": "stop",
                "multi_range": refs,
                "input_title": t("form.validasi.yatidak_judul", periode=label),
                "input_message": t("form.validasi.yatidak_pesan", periode=label),
                "error_title": t("form.validasi.yatidak_galat_judul"),
                "error_message": t("form.validasi.yatidak_galat")})
        # Rows alike and adjacent share one rule: its formula is relative to its first
        # cell, so each rule covers one run of rows of one column.
        for _, run in groupby(_runs(numbers), key=lambda item: item[0]):
            rows = [v for _, v in run]
            first, last, ctx = rows[0]["row"], rows[-1]["row"], rows[0]["context"]
            ws.data_validation(first, c, last, c, {
                "validate": "custom", "value": input_check(L.cell_ref(first, c), ctx),
                "error_type": "stop", **number_messages(ctx, texts, label)})
    first, last = lay.table_rows
    ws.data_validation(first, lay.keterangan_col, last, lay.keterangan_col, {
        "validate": "any", "input_title": t("form.validasi.keterangan_judul"),
        "input_message": t("form.validasi.keterangan_pesan")})


def _runs(numbers: list[dict]):
    """(run number, validation) in row order: a new run where a row is not next to the
    previous one or reads by another context."""
    run, prev = 0, None
    for v in sorted(numbers, key=lambda v: v["row"]):
        if prev is not None and (v["row"] != prev["row"] + 1 or v["context"] != prev["context"]):
            run += 1
        yield run, v
        prev = v
