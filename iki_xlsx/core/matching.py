"""Which indikator of one revision of a form is which indikator of another.

An indikator is known by its position (its id: ``01``, ``02`` … — :func:`indicator_id`),
by its text and by the sasaran it stands under. The year's values (:mod:`.timeline`), a
re-issued form (forms/reissue) and a new year's forms carry values and history across
revisions by :func:`match_indicators`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Matching", "indicator_id", "indicator_keys", "match_indicators", "norm_text"]


def indicator_id(index: int) -> str:
    """The id of the indikator at 0-based position ``index`` of a revision: ``01``, ``02`` …"""
    return f"{index + 1:02d}"


_WORD = re.compile(r"[^\w]+")


def norm_text(text: object) -> str:
    """Text compared as an indikator's identity: case, spacing, punctuation and accents
    ignored."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_WORD.sub(" ", text).split())


def indicator_keys(indicators: Iterable[Mapping]) -> list[tuple[str, str, str]]:
    """(id, normalised indikator text, normalised sasaran filled down) of a revision's
    indicators, as stored in the form JSON (ids are positions: ``01``, ``02`` …)."""
    out = []
    sasaran = ""
    for i, ind in enumerate(indicators):
        if ind.get("sasaran"):
            sasaran = ind["sasaran"]
        out.append((indicator_id(i), norm_text(ind.get("indikator")), norm_text(sasaran)))
    return out


@dataclass
class Matching:
    """How the indikator of one revision map to another's."""

    pairs: dict[str, str]  # old id → new id
    by_text: set[str]  # old ids matched by their text (the rest: by position and sasaran)
    new: list[str]  # new ids matched by nothing
    removed: list[str]  # old ids matched by nothing


def match_indicators(old: Iterable[Mapping], new: Iterable[Mapping]) -> Matching:
    """Match the indikator of an earlier revision to those of a later one.

    1. The same text (case, spacing and punctuation ignored) is the same indikator, even
       when its target, position, penjelasan or the pegawai's unit changed; equal texts
       pair in order.
    2. An indikator whose wording was edited keeps its identity when it stays at the same
       position under the same sasaran.
    Anything else is new (in ``new``) or removed (in ``old``)."""
    a, b = indicator_keys(old), indicator_keys(new)
    free: dict[str, list[str]] = {}
    for nid, text, _ in b:
        free.setdefault(text, []).append(nid)
    pairs: dict[str, str] = {}
    for oid, text, _ in a:
        if free.get(text):
            pairs[oid] = free[text].pop(0)
    by_text = set(pairs)
    taken = set(pairs.values())
    position = {nid: (text, sasaran) for nid, text, sasaran in b}
    for oid, _, sasaran in a:
        if oid in pairs or oid not in position or oid in taken:
            continue
        if sasaran and position[oid][1] == sasaran:
            pairs[oid] = oid
            taken.add(oid)
    return Matching(pairs, by_text, [nid for nid, _, _ in b if nid not in taken],
                    [oid for oid, _, _ in a if oid not in pairs])
