"""The formulas of the IKI sheet that many forms share, each made once per process
(:func:`functools.lru_cache`): an indikator row's helper cells and their templates, the
CAPAIAN formula of a shape of indikator, the predikat; and the texts the layout reads
from the settings (:func:`midyear_note`, :func:`reading_context`). Used by
:mod:`.layout`'s rows.
"""

from __future__ import annotations

from functools import lru_cache

from ..core.capaian import capaian_formula, excel_number, prorates
from ..core.model import Form, Indicator, MidYear, Polarity
from ..core.predikat import PredikatScale
from ..core.rules import Context, context
from ..core.show import period_label
from ..core.texts import Texts
from .layoutdefs import HELPER, SHEET_FORM
from .liveform import HELPERS, ROW, HelperCell, flag_formula, period_formulas
from .refs import col_name


def midyear_note(form: Form, texts: Texts) -> str:
    """The line under the table that says what a ``jumlah`` with only a yearly target
    is compared with s.d. each period (setting *Target Tengah Tahun*); "" when no
    indikator of the form has such a target."""
    s = form.settings
    if not any(prorates(ind, s.periode) for ind in form.iki.indicators):
        return ""
    n = len(s.periode.periods)
    parts = ", ".join(f"{period_label(texts, p)} {i}/{n}"
                      for i, p in enumerate(s.periode.periods, start=1))
    return texts.t(f"form.catatan_jumlah.{MidYear(s.target_tengah_tahun).value}",
                   bagian=parts)


def reading_context(ind) -> Context:
    """How the rule table reads an indikator's realisasi (collect makes the same one from
    the issued manifest: polaritas, target value or a range's upper bound, SATUAN and
    the target as printed)."""
    t = ind.target
    return context(Polarity(ind.polaritas).value, t.value if t.value is not None else t.high,
                   ind.satuan, t.text)


@lru_cache(maxsize=4096)
def row_helpers(r: int, real_cols: tuple[int, ...], helpers: tuple[tuple[int, ...], ...],
                 flag_col: int, ctx: Context, cap: float) -> tuple[HelperCell, ...]:
    """The helper cells of the indicator row ``r`` (0-based), the flag last: forms whose
    indikator read alike have the same cells row by row, made once."""
    per_period, flag_text = row_templates(real_cols, helpers, flag_col, ctx, cap)
    cells = [HelperCell(r, c, formula) for cols, formulas in zip(helpers, per_period)
             for c, formula in zip(cols, formulas) if formula]
    return (*cells, HelperCell(r, flag_col, flag_text, 0))


@lru_cache(maxsize=4096)
def row_templates(real_cols: tuple[int, ...], helpers: tuple[tuple[int, ...], ...],
                   flag_col: int, ctx: Context, cap: float):
    """The helper formulas of an indicator row, with :data:`ROW` for its row number:
    rows alike differ only by it (built once, ~1 ms per form saved). Per period, the
    formulas in :data:`HELPERS` order ("" for a helper the row does not use)."""
    out, checked = [], []
    for c, cols in zip(real_cols, helpers):
        refs = {letter: f"{col_name(h)}{ROW}" for letter, h in zip(HELPERS, cols)}
        formulas = period_formulas(f"{SHEET_FORM}!{col_name(c)}{ROW}", refs, ctx, cap)
        out.append(tuple(formulas.get(letter, "") for letter in HELPERS))
        checked.append(refs["P"])
    return tuple(out), flag_formula(checked)


@lru_cache(maxsize=4096)
def capaian_template(helpers: tuple[tuple[int, ...], ...], flag_col: int, shape: tuple,
                      cap: float, periode, warning: str, midyear) -> str:
    """The CAPAIAN formula with :data:`ROW` for its row number, made once per shape of
    indikator (target, polaritas, agregasi, period targets: all it reads) and setting."""
    target, polaritas, agregasi, period_targets = shape
    ind = Indicator("", "", "", "", "", "", target, polaritas, agregasi, dict(period_targets))
    return capaian_formula([f"{HELPER}{col_name(h[-1])}{ROW}" for h in helpers], ind, cap,
                           periode, flag=f"{HELPER}{col_name(flag_col)}{ROW}",
                           warning=warning, midyear=midyear)



def predikat_formula(ref: str, scale: PredikatScale) -> str:
    expr = f'"{quote(scale.final)}"'
    for threshold, label in reversed(scale.bands):
        expr = f'IF({ref}>{excel_number(threshold)},"{quote(label)}",{expr})'
    return f'=IF(ISNUMBER({ref}),{expr},"")'


def quote(text: str) -> str:
    return str(text).replace('"', '""')
