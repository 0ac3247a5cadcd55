"""The input check of the REALISASI cells (data validation), generated from the rule
table (:mod:`iki_xlsx.core.rules`): a numeric cell takes any text — the helper cells read
it by the table, in any locale, and warn where the recap would not use it — or a number
of 0 or more (:func:`liveform.input_check`: a negative number and TRUE/FALSE are refused
as typed); a ya/tidak cell offers Ya and Tidak. The messages describe the table for the
kind of indikator (percent, a target's letter). One rule per column and kind of
indikator, over all its cells (a multi-range whose formula is relative to its first
cell), so a form holds a few rules, not one per cell. Excel keeps at most 255
characters of a message and 32 of a title. Forms whose rules are the same (the same
kinds of indikator in the same rows) reuse the first one's ``<dataValidations>``
(:meth:`.sheetxml.DirectSheet.kept_validations`)."""

from __future__ import annotations

from functools import lru_cache

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
                               huruf=letters)[:MESSAGE_LIMIT],
            "error_title": t("aturan.validasi.angka_galat_judul")[:TITLE_LIMIT],
            "error_message": t("aturan.validasi.angka_galat")[:MESSAGE_LIMIT]}


@lru_cache(maxsize=4096)
def _kind_of(kind: str, ctx) -> tuple:
    """The kind of indikator a REALISASI rule is made for: ``("choice",)`` or
    ``("number", percent, letters)`` — once per context (both are worked out from its
    texts, ~5 µs an indikator, 25 a form)."""
    return ("choice",) if kind == "choice" else ("number", ctx.percent, ctx.letters)


def write_input_checks(ws, lay: L.FormLayout, texts: Texts) -> None:
    """Data validation of every REALISASI and KETERANGAN cell of the form (``ws``: a
    :class:`.sheetxml.DirectSheet`)."""
    t = texts.t
    groups: dict[tuple, list[int]] = {}  # kind of indikator → its rows (a message each)
    for v in lay.validations:
        groups.setdefault(_kind_of(v["kind"], v["context"]), []).append(v["row"])
    if ws.kept_validations((texts, tuple(lay.realisasi_cols), tuple(lay.periods),
                            tuple((k, tuple(rows)) for k, rows in groups.items()),
                            tuple(lay.table_rows), lay.keterangan_col)):
        return
    yes, no = t("form.pilihan_ya"), t("form.pilihan_tidak")
    contexts = {(v["context"].percent, v["context"].letters): v["context"]
                for v in lay.validations}
    for c, code in zip(lay.realisasi_cols, lay.periods):
        label = period_label(texts, code)
        for key, rows in groups.items():
            refs = " ".join(L.cell_ref(r, c) for r in rows)
            if key[0] == "choice":
                opts = {"validate": "list", "source": [yes, no],
                        "input_title": t("form.validasi.yatidak_judul", periode=label),
                        "input_message": t("form.validasi.yatidak_pesan", periode=label),
                        "error_title": t("form.validasi.yatidak_galat_judul"),
                        "error_message": t("form.validasi.yatidak_galat")}
            else:
                opts = {"validate": "custom", "value": input_check(L.cell_ref(rows[0], c)),
                        **number_messages(contexts[key[1:]], texts, label)}
            ws.data_validation(rows[0], c, rows[0], c,
                               {**opts, "error_type": "stop", "multi_range": refs})
    first, last = lay.table_rows
    ws.data_validation(first, lay.keterangan_col, last, lay.keterangan_col, {
        "validate": "any", "input_title": t("form.validasi.keterangan_judul"),
        "input_message": t("form.validasi.keterangan_pesan")})
