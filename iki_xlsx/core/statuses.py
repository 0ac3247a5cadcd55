"""Many forms' status per period at once — the collect report's and the portal's — without
resolving every form's values: a form whose files alone make its values (no decision of
the officer, no check of the atasan, every file of its current revision) has, in each
period, the indikator some file filled (the bits each accepted file's ``filled_mask``
keeps), and :func:`~.timeline.mask_status` gives the status :meth:`~.timeline.FormYear.status`
would; the other forms are resolved value by value (:func:`~.timeline.load_years`).
A later blank never erases a value (:mod:`.timeline`), so the bits of all the files
say which cells hold one.

At 10,000 forms after a year, resolving every form took the portal's officer page
~10 of its 20 s; the bits take a few hundred milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .timeline import END_MONTH, MENUNGGU, TIDAK_AKTIF, mask_status, period_statuses

__all__ = ["filled_bits", "form_statuses", "latest_month", "light_files", "mask_statuses",
           "mask_verification", "resolved_by_value"]


def resolved_by_value(ws, current: Mapping[str, int], masks: Mapping[str, list], *,
                      checks: bool = False) -> set[str]:
    """The forms of ``current`` (form id → its current revision) whose statuses need
    their values: a decision of the officer, a Koreksi of the atasan (it may fill a
    blank) — with ``checks``, any decision of the atasan (the portal shows how far each
    period was verified) —, a file of another revision or without its bits (``masks``:
    ``ws.files.year_masks()``)."""
    ids = list(current)
    out = set(ws.decisions.by_form(ids))
    out |= set(ws.verifications.by_form(ids)) if checks else \
        ws.verifications.corrected_forms()
    out |= {fid for fid, files in masks.items() if fid in current and any(
        rev != current[fid] or mask is None for rev, mask in files)}
    return {fid for fid in out if fid in current}


def light_files(masks: Mapping[str, list], current: Mapping[str, int],
                full: set[str]) -> dict[str, list]:
    """form id → the bits of its files (``masks``), for the forms of ``current`` not
    resolved value by value (``full``: :func:`resolved_by_value`)."""
    return {fid: files for fid, files in masks.items() if fid in current and fid not in full}


def form_statuses(years: Mapping, shapes: Mapping[str, tuple], light: Mapping[str, list],
                  active: Mapping, month: int | None) -> dict[str, dict[str, str]]:
    """form id → {period: status} of every form of ``shapes`` for each period that ends by
    ``month``: the forms of ``years`` from their values (:func:`~.timeline.period_statuses`),
    first, then the others from the bits of their files (:func:`mask_statuses`)."""
    _, statuses = period_statuses(years, {f: shapes[f] for f in years}, month)
    statuses.update(mask_statuses(shapes, light, active, month, skip=years))
    return statuses


def filled_bits(files: Iterable) -> dict[str, int]:
    """period → the bits of the indikator any of ``files`` (``(revision, {period:
    bits})``) filled."""
    out: dict[str, int] = {}
    for _, mask in files:
        for period, bits in mask.items():
            out[period] = out.get(period, 0) | bits
    return out


def latest_month(years: Mapping, light: Mapping[str, list]) -> int | None:
    """The end month of the latest period any form has a value in: ``years`` (the forms
    resolved value by value) or the bits of the others' files (``light``)."""
    return max([END_MONTH.get(p, 0) for y in years.values() for (_, p) in y.values]
               + [END_MONTH.get(p, 0) for files in light.values()
                  for _, mask in files for p, bits in mask.items() if bits], default=None)


def mask_statuses(shapes: Mapping[str, tuple], light: Mapping[str, list],
                  active: Mapping, month: int | None, skip: Iterable[str] = ()
                  ) -> dict[str, dict[str, str]]:
    """form id → {period: status} of every form of ``shapes`` but those in ``skip`` (the
    ones resolved value by value), for each period that ends by ``month``, from the bits
    of its files (``light``); :data:`TIDAK_AKTIF` outside the periods it is active in
    (``active``: ``ws.issued.active_periods``)."""
    skip = set(skip)
    out: dict[str, dict[str, str]] = {}
    for form_id, (periods, count) in shapes.items():
        if form_id in skip:
            continue
        on = active[form_id].periods if form_id in active else periods
        files = light.get(form_id, ())
        out[form_id] = {p: mask_status(files, p, count) if p in on else TIDAK_AKTIF
                        for p in periods
                        if month is not None and END_MONTH.get(p, 13) <= month}
    return out


def mask_verification(bits: int) -> str:
    """How far the atasan verified a period of a form nobody decided about
    (:meth:`~.timeline.FormYear.verification_status`): waiting when any value is there."""
    return MENUNGGU if bits else ""
