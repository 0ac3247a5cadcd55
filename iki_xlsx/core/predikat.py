"""Predikat: the rating of a pegawai's average capaian, on the scale the master names
(``Skala Predikat``): the five bands of LKjIP reports by default (``lima``), the SAKIP
grades (``sakip``), or the officer's own (domain.md, "Predikat"). The recap says which
scale it used; the form's predikat formula is generated from the same scale."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .capaian import excel_number
from .model import parse_number

__all__ = ["LIMA", "SAKIP", "PredikatScale"]


def _format_threshold(x: float) -> str:
    return excel_number(x).replace(".", ",")


_BAND = re.compile(r"^(?P<a>.*?)(?P<op>>=|≥|=>|<=|≤|=<|>|<)\s*(?P<num>[+-]?\d[\d.,]*)\s*%?"
                   r"(?P<b>.*)$")

_UPPER = re.compile(r"^\s*(?:-|–|—|s\.?\s*d\.?|s/d|sampai)\s*\d[\d.,]*\s*%?")


@dataclass(frozen=True)
class PredikatScale:
    """Bands ``(threshold, label)``, thresholds strictly decreasing: a value gets the label
    of the first band whose threshold it exceeds (strictly ``>``), else ``final``."""

    bands: tuple[tuple[float, str], ...]
    final: str
    name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        if not self.bands:
            raise ValueError("a predikat scale needs at least one band with a threshold")
        thresholds = [t for t, _ in self.bands]
        if any(not math.isfinite(t) for t in thresholds):
            raise ValueError("predikat thresholds must be finite numbers")
        if any(a <= b for a, b in zip(thresholds, thresholds[1:])):
            raise ValueError("predikat thresholds must be strictly decreasing, got "
                             + ", ".join(_format_threshold(t) for t in thresholds))
        if not self.final.strip() or any(not label.strip() for _, label in self.bands):
            raise ValueError("every predikat band needs a label")

    @classmethod
    def from_setting(cls, text: str | None) -> PredikatScale:
        """A scale from the ``skala_predikat`` setting.

        ``lima`` (default; also blank), ``sakip``, or a user-defined scale such as
        ``Sangat Baik > 90; Baik > 75; Cukup > 65; Kurang > 50; Sangat Kurang`` (bands
        separated by ``;``, ``|`` or newlines; ``> 90 Sangat Baik`` order works too; decimal
        commas; the final band may be written ``≤ 50 Sangat Kurang``). ValueError with an
        explanation when the text is not a valid scale.
        """
        key = re.sub(r"\s+", " ", str(text or "").strip().casefold())
        if key in ("", "lima", "5", "default", "lkjip"):
            return LIMA
        if key == "sakip":
            return SAKIP
        return cls._parse(str(text))

    @classmethod
    def _parse(cls, text: str) -> PredikatScale:
        parts = [p.strip() for p in re.split(r"[;\n\r|]+", text) if p.strip()]
        bands: list[tuple[float, str]] = []
        final: str | None = None
        for part in parts:
            if final is not None:
                raise ValueError(f"predikat band {part!r} follows the final band {final!r}; "
                                 "the band without a threshold must come last")
            m = _BAND.match(part)
            if m is None:
                label, op, number = part, None, None
            else:
                label = m["a"] + " " + _UPPER.sub("", m["b"])  # "> 75 – 90 Baik"
                op, number = m["op"], parse_number(m["num"])
                if number is None:
                    raise ValueError(f"predikat band {part!r}: {m['num']!r} is not a number")
            label = re.sub(r"\s+", " ", label).strip(" :=-–()\t")
            if not label:
                raise ValueError(f"predikat band {part!r} has no label")
            if op is None:
                final = label
            elif op == ">":
                bands.append((number, label))
            elif op in ("<=", "≤", "=<"):
                if not bands or number != bands[-1][0]:
                    raise ValueError(f"predikat band {part!r}: the final band must be "
                                     "'≤ <lowest threshold>' or have no number")
                final = label
            else:
                raise ValueError(f"predikat band {part!r}: use '> number' (bands are strict: "
                                 "a value equal to the threshold falls in the band below)")
        if final is None:
            raise ValueError("predikat scale has no final band (a label without a threshold "
                             "for values at or below the lowest threshold)")
        return cls(tuple(bands), final)

    def label(self, value: float | None) -> str | None:
        """The predikat of a capaian; None for None (nothing to rate) or NaN."""
        if value is None or isinstance(value, bool) or value != value:
            return None
        for threshold, label in self.bands:
            if value > threshold:
                return label
        return self.final

    def describe(self) -> str:
        """``> 90 Sangat Baik; > 75 Baik; …; ≤ 50 Sangat Kurang`` (parses back)."""
        parts = [f"> {_format_threshold(t)} {label}" for t, label in self.bands]
        parts.append(f"≤ {_format_threshold(self.bands[-1][0])} {self.final}")
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.describe()


LIMA = PredikatScale(((90.0, "Sangat Baik"), (75.0, "Baik"), (65.0, "Cukup"), (50.0, "Kurang")),
                     "Sangat Kurang", name="lima")
SAKIP = PredikatScale(((90.0, "AA"), (80.0, "A"), (70.0, "BB"), (60.0, "B"), (50.0, "CC"),
                       (30.0, "C")), "D", name="sakip")
