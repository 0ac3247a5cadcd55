"""How the year's values read to a person: a period's label, a time, a number, where a
value came from, a status, and one line of a form's history (Riwayat). Used by the
collect report, the recap, the CLI's riwayat and the portal, so they all say it alike.

One date format (``06-12-2026 12:34``, :data:`TIME_FORMAT`; in a workbook cell
:data:`XLSX_TIME_FORMAT`) and one number style: a decimal comma, dots for thousands, at
most two decimals, none for a whole number (:func:`number_text`; in a workbook cell
:func:`number_format`, whose separators follow the reader's spreadsheet locale)."""

from __future__ import annotations

import math
from datetime import date, datetime

from .model import format_number, whole
from .texts import Texts
from .timeline import KEPUTUSAN, REVISI_LAMA, VERIFIKASI, Event, Value


def period_label(texts: Texts, code: str) -> str:
    """``TW2`` → ``TW II`` (the form's label of a period)."""
    return texts.t(f"form.periode.{code}")


def parse_stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:  # "…Z" is read by fromisoformat from Python 3.11 on only
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


TIME_FORMAT = "%d-%m-%Y %H:%M"
XLSX_TIME_FORMAT = "dd-mm-yyyy hh:mm"
# A workbook cell shows a number as format_number writes it with one of these, chosen by
# the value (number_format): "#,##0.##" would show 90 as "90." in Excel and Gnumeric, and
# "General" has no thousands separator and shows as many decimals as fit.
NUMBER_FORMATS = ("#,##0", "#,##0.0", "#,##0.00")


def decimals_shown(value: float) -> int:
    """How many decimals :func:`~iki_xlsx.core.model.format_number` shows (0, 1 or 2)."""
    if isinstance(value, int) or value.is_integer():
        return 0
    cents = math.floor(abs(value) * 100 + 0.5 + 1e-9)  # half up, as format_number
    return 0 if cents % 100 == 0 else 1 if cents % 10 == 0 else 2


def number_format(value: float) -> str:
    """The cell number format that shows ``value`` as it reads in text: 90, 85,5,
    1.234,56 (Excel, LibreOffice and Gnumeric alike; the separators are the locale's)."""
    return NUMBER_FORMATS[decimals_shown(value)]


def number_text(value: object) -> str:
    """A value as it reads in a sentence: numbers ``85,5`` / ``1.234``, text as it is."""
    value = whole(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return "" if value is None else str(value)


def shown(value: object) -> object:
    return whole(value) if isinstance(value, float) else value


def value_source(v: Value | None, texts: Texts) -> str:
    """Where a value came from, as a person reads it: a file with the saved time that
    counts (and the time the file claimed, when that was set aside), or a decision."""
    if v is None:
        return ""
    if v.decision is not None:
        return texts.t("rekap.sumber.keputusan", waktu=when(v.decision.at))
    if v.verification is not None:  # the atasan's Koreksi (issue 26)
        return texts.t("rekap.sumber.koreksi", waktu=when(v.saved_at or v.collected_at),
                       berkas=short_name(v.name) if v.name else "")
    return texts.t("rekap.sumber.berkas", berkas=v.name, waktu=when(v.saved_at),
                   klaim=when(v.claimed_at) if v.claimed_at else "")


def when(text: str | datetime | None) -> str:
    """An ISO time (or a datetime) as a person reads it: ``06-12-2026 12:34``."""
    stamp = text if isinstance(text, datetime) else parse_stamp(text)
    return stamp.strftime(TIME_FORMAT) if stamp else "?"


def day(text: str | None) -> str:
    """The date of an ISO time as a person reads it: ``06-12-2026``; "" when none."""
    stamp = parse_stamp(text)
    return stamp.strftime(TIME_FORMAT.split(" ")[0]) if stamp else ""


def day_of(text: str) -> date | None:
    """A day as people type it: ``10-04-2025`` (the way iki-xlsx writes dates), also
    ``10/04/2025`` or ``2025-04-10``; None when it is none of these."""
    text = text.strip()
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def short_name(name: str) -> str:
    """A file's own name: the last part of a path or of ``archive › member``."""
    last = name.rsplit(" › ", 1)[-1]
    return last.replace("\\", "/").rsplit("/", 1)[-1] or name


UPLOAD_SUFFIX = ".unggahan"  # a portal upload's file in the workspace (its receipt)


def file_label(sha256: str, where: str, origin: dict | None, texts: Texts) -> str:
    """A file as a decision names it (issue 23): its own name as sent (a portal upload:
    its receipt), the message it came in (sender, date, subject), and the start of its
    sha256 — what the officer types to name it again."""
    name = short_name(where) if where else ""
    upload = name.endswith(UPLOAD_SUFFIX)
    mail = origin if isinstance(origin, dict) and (origin.get("from") or
                                                   origin.get("message_id")) else None
    return texts.t("rekap.berkas_keputusan", nama=name[:-len(UPLOAD_SUFFIX)] if upload
                   else name, unggahan=upload, dari=(mail or {}).get("from", ""),
                   tanggal=str((mail or {}).get("date") or "")[:10],
                   perihal=(mail or {}).get("subject", ""), surel=mail is not None,
                   sha=sha256[:12])


def decision_target(d, files: dict[str, str], texts: Texts) -> str:
    """What a decision acts on, as its list shows it: a file (``files``: sha256 →
    :func:`file_label`), or one value (its indikator number, period, the value set)."""
    if d.sha256:
        return files.get(d.sha256) or texts.t("rekap.berkas_sha", sha=d.sha256[:12])
    number = int(d.indicator) if str(d.indicator or "").isdigit() else d.indicator
    return texts.t("rekap.nilai_keputusan", indikator=number or "?",
                   periode=period_label(texts, d.period) if d.period else "",
                   nilai=shown(d.value) if d.value is not None else "")


def history_row(e: Event, names: dict[str, str], texts: Texts,
                files: dict[str, str] | None = None) -> list:
    """One line of the Riwayat sheet: what happened, to which indikator and period, the
    old and the new value with their files, and the reason of a decision; a decision
    about a file names it (``files``: sha256 → :func:`file_label`)."""
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
        if d.sha256:
            label = (files or {}).get(d.sha256) or t("rekap.berkas_sha", sha=d.sha256[:12])
            new = ("", t("rekap.berkas_waktu", berkas=label, waktu=when(d.at)))
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


def row_ranges(rows: list[int], limit: int = 12) -> str:
    """``3, 5–9, 12`` of row numbers (the first ``limit`` runs, then "…")."""
    out: list[list[int]] = []
    for n in sorted(set(rows)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    shown = [str(a) if a == b else f"{a}–{b}" for a, b in out[:limit]]
    return ", ".join(shown + (["…"] if len(out) > limit else []))
