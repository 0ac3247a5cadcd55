"""How the year's values read to a person: a period's label, a time, a number, where a
value came from, a status, and one line of a form's history (Riwayat). Used by the
collect report, the recap, the CLI's riwayat and the portal, so they all say it alike."""

from __future__ import annotations

from datetime import datetime

from .model import whole
from .texts import Texts
from .timeline import KEPUTUSAN, REVISI_LAMA, VERIFIKASI, Event, Value


def period_label(texts: Texts, code: str) -> str:
    """``TW2`` → ``TW II`` (the form's label of a period)."""
    return texts.t(f"form.periode.{code}")


def parse_stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def shown(value: object) -> object:
    return whole(value) if isinstance(value, float) else value


def value_source(v: Value | None, texts: Texts) -> str:
    """Where a value came from, as a person reads it."""
    if v is None:
        return ""
    if v.decision is not None:
        return texts.t("rekap.sumber.keputusan", waktu=when(v.decision.at))
    if v.verification is not None:  # the atasan's Koreksi (issue 26)
        return texts.t("rekap.sumber.koreksi", waktu=when(v.saved_at or v.collected_at),
                       berkas=short_name(v.name) if v.name else "")
    return texts.t("rekap.sumber.berkas", berkas=v.name, waktu=when(v.saved_at))


def when(text: str | None) -> str:
    stamp = parse_stamp(text)
    return stamp.strftime("%d-%m-%Y %H:%M") if stamp else "?"


def short_name(name: str) -> str:
    """A file's own name: the last part of a path or of ``archive › member``."""
    last = name.rsplit(" › ", 1)[-1]
    return last.replace("\\", "/").rsplit("/", 1)[-1] or name


def history_row(e: Event, names: dict[str, str], texts: Texts) -> list:
    """One line of the Riwayat sheet: what happened, to which indikator and period, the
    old and the new value with their files, and the reason of a decision."""
    t = texts.t
    d = e.decision
    if e.kind == VERIFIKASI and e.verification is not None:
        return _verification_row(e, names, texts)
    kind = t(f"rekap.kejadian.{e.kind}") if e.kind != KEPUTUSAN else \
        t(f"rekap.keputusan.{d.kind}")
    indikator = names.get(e.indicator, e.text or "")
    period = period_label(texts, e.period) if e.period else ""
    old = (shown(e.old.value), value_source(e.old, texts)) if e.old else ("", "")
    new = (shown(e.new.value), value_source(e.new, texts)) if e.new else ("", "")
    if e.kind == REVISI_LAMA and e.new is not None:
        new = (t("rekap.revisi_ke", revisi=e.new.revision), value_source(e.new, texts))
    if d is not None:
        new = (shown(d.value) if d.value is not None else "", when(d.at))
    return [kind, indikator, period, *old, *new, d.reason if d is not None else ""]


def _verification_row(e: Event, names: dict[str, str], texts: Texts) -> list:
    """The atasan's Kembalikan or Koreksi (issue 26): the pegawai's value it was about,
    the atasan's value, who decided in which workbook, and the umpan balik."""
    v = e.verification
    where = texts.t("rekap.verifikasi.atasan", nip=v.atasan_nip or "-",
                    berkas=short_name(v.name) if v.name else "",
                    waktu=when(v.saved_at or v.collected_at))
    return [texts.t(f"rekap.verifikasi.{v.kind}"), names.get(e.indicator, e.text or ""),
            period_label(texts, e.period) if e.period else "",
            shown(v.base) if v.base is not None else "", "",
            shown(v.value) if v.value is not None else "", where, v.note]


def status_label(texts: Texts, status: str) -> str:
    """``diterima`` → ``Diterima``; a status without a text shows as it is."""
    key = f"rekap.status.{status}"
    return texts.t(key) if texts.has(key) else status
