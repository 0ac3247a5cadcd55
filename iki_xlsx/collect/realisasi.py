"""The realisasi and keterangan of a judged form: every input cell of the issued cell map
re-read as Indonesians type values (:mod:`iki_xlsx.core.values`); anything unusable is named
with its cell and never turned into 0."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from ..core.model import whole
from ..core.rules import context
from ..core.values import (
    CellInfo,
    Parsed,
    keterangan_text,
    plain_limit,
    plain_low,
    plain_number,
    read_realisasi,
)
from ..forms import ReadingView
from .reading import RawReading
from .result import FileResult
from .sources import display_name


def read_values(raw: RawReading, view: ReadingView, names: Callable[[], list[str]],
                res: FileResult, add) -> None:
    """Parse every realisasi and keterangan cell of the form into ``res``. ``names``
    gives the indicators' names for problem messages (asked only when there is one)."""
    periods = view.periods
    inputs, cell_info = raw.inputs, raw.cell_info
    values: dict = {}
    filled, last = 0, -1
    masks = [0] * len(periods)  # per period: bit k set when the k-th indikator is filled
    named: list[str] = []

    def name_of(k: int) -> str:
        if not named:
            named.extend(names())
        return named[k] if k < len(named) else ""

    for k, entry in enumerate(view.indicators):
        ctx, limit, low = _reading_of(entry.polaritas, entry.target, entry.satuan,
                                      entry.target_text)  # limit -1: no number is plain
        bit = 1 << k
        real = {}
        for i, (period, ref) in enumerate(zip(periods, entry.realisasi)):
            value, info = inputs.get(ref), cell_info.get(ref)
            if info is None:  # a plain cell: blank (not submitted) or, most often, a number
                number = plain_number(value, limit, low) if value is not None else None
                if number is not None or value is None:
                    real[period] = number
                    if number is not None:
                        filled += 1
                        last = i if i > last else last
                        masks[i] |= bit
                    continue
                info = _PLAIN
            parsed = _read_text(value, info, ctx) if type(value) is str else \
                read_realisasi(value, info, ctx)
            real[period] = parsed.value
            code = parsed.problem or parsed.note
            if code:
                add(code, cell=ref, indicator=name_of(k), value=show(value),
                    period=period, satuan=ctx.satuan, target=ctx.target_text,
                    dibaca=show(parsed.value))
            if parsed.value is not None:
                filled += 1
                last = i if i > last else last
                masks[i] |= bit
        ket_ref = entry.keterangan
        ket_info = cell_info.get(ket_ref, _PLAIN)
        keterangan = None if ket_info.error else keterangan_text(inputs.get(ket_ref))
        if ket_info.formula:
            add("keterangan_rumus", cell=ket_ref, indicator=name_of(k),
                value=show(keterangan))
        values[entry.id] = {"realisasi": real, "keterangan": keterangan}
    res.realisasi, res.filled, res.last_period = values, filled, last
    res.filled_mask = dict(zip(periods, masks))
    if filled == 0:
        add("belum_diisi")


_PLAIN = CellInfo()


@lru_cache(maxsize=4096)
def _reading_of(polaritas: str, target, satuan: str, target_text: str) -> tuple:
    """An indikator's :class:`Context` and the bounds of a plain number for it (made once
    per indikator, not once per file: forms repeat the same indikator)."""
    ctx = context(polaritas, target, satuan, target_text)
    return ctx, plain_limit(ctx), plain_low(ctx)


_TEXT_KEPT_LENGTH = 64  # how long a text whose reading is remembered


def _read_text(text: str, info: CellInfo, ctx) -> Parsed:
    """:func:`read_realisasi` of a text, remembered when short: a pure function of its
    arguments, and pegawai type the same few texts (``Ya``, ``Tidak``, ``100%``) in
    every form."""
    if len(text) > _TEXT_KEPT_LENGTH:
        return read_realisasi(text, info, ctx)
    return _read_short_text(text, info, ctx)


_read_short_text = lru_cache(maxsize=8192)(read_realisasi)


def show(value: object) -> str:
    """A cell value as quoted in a problem message (short, control characters shown)."""
    if value is None:
        return ""
    value = whole(value)
    if isinstance(value, float):
        value = repr(value).replace(".", ",")  # a decimal comma, as Excel shows it here
    text = display_name(str(value))
    return text if len(text) <= 60 else text[:57] + "…"




_NEWLINES = re.compile(r"\r\n?")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def as_seen(value: object) -> object:
    """A locked cell's content as a person reads it, without what real clients change
    when they re-save an untouched form: line endings (``\r\n``), spaces at the end of
    a line or around the text (Gnumeric drops a trailing space), Unicode composition,
    and a number stored as ``85.0``, ``85`` or the text ``"85"``. Any change of a word,
    a digit or a line break is still a change."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFC", _NEWLINES.sub("\n", str(value)))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    return text
