"""How mail is shown on the collect report: the message a row came from (sender, date,
subject), shortened to the terminal's width; the messages whose attachments hold no
form, for the officer to look at; the files a mail program wrote beside its messages,
skipped. The JSON report has all of it whole."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ...core.show import when
from ...core.texts import Texts
from ..sources import display_name
from .inbox import mailbox_name

MAX_LISTED = 20  # messages without a form listed on the terminal (the JSON has all)


def message_line(mail: dict, width: int, texts: Texts) -> str:
    """The message of a row in at most ``width`` characters (55 or more keep the date
    whole): mailbox and position, sender, date and subject — cut in turns, the mailbox
    and the sender in their middle, the subject at its end, each down to a floor before
    the next is cut."""
    mailbox = str(mail.get("mailbox") or mail.get("kotak") or "")
    parts = {
        "kotak": mailbox_name(mailbox),
        "no": mail.get("position") or mail.get("posisi") or 1,
        "dari": mail.get("from") or mail.get("dari") or "-",
        "tanggal": _when(str(mail.get("date") or mail.get("tanggal") or "")),
        "perihal": " ".join(str(mail.get("subject") or mail.get("perihal") or "").split()),
    }
    parts = {k: display_name(str(v)) if isinstance(v, str) else v for k, v in parts.items()}
    line = texts.t("kumpul_asal_surel", **parts)
    for key, floor in (("kotak", 20), ("perihal", 24), ("dari", 28), ("kotak", 10),
                       ("perihal", 12), ("dari", 16), ("perihal", 0), ("kotak", 0),
                       ("dari", 6)):
        over = len(line) - width
        if over <= 0:
            return line
        text = parts[key]
        keep = max(floor, len(text) - over)
        if keep < len(text):
            parts[key] = _cut_end(text, keep) if key == "perihal" else _cut_middle(text, keep)
            line = texts.t("kumpul_asal_surel", **parts)
    return line[:width]


def mail_lines(report, texts: Texts, width: int = 80) -> list[str]:
    """What the terminal says about mail beyond the counts: other attachments, each
    message whose attachments hold no form (to look at), and the files skipped."""
    out: list[str] = []

    def t(key: str, **params) -> None:  # a sentence, wrapped at spaces
        out.extend(textwrap.wrap(texts.t(key, **params), width, break_long_words=False,
                                 break_on_hyphens=False))

    opened = [m for m in report.messages if m["terbuka"]]
    others = sum(m["lampiran_lain"] for m in opened)
    if others:
        t("kumpul_lampiran_lain", n=others, pesan=sum(1 for m in opened if m["lampiran_lain"]))
    look = without_form(report.messages)
    if look:
        t("kumpul_tanpa_formulir", n=len(look))
        for m in look[:MAX_LISTED]:
            out.append("  " + message_line(m, width - 2, texts))
            names = ", ".join(display_name(n) for n in m["nama_lampiran_lain"][:5])
            more = m["lampiran_lain"] - min(5, len(m["nama_lampiran_lain"]))
            text = texts.t("kumpul_lampiran_pesan", nama=names, lain=more)
            out.append("    " + (text if len(text) <= width - 4 else text[:width - 5] + "…"))
        if len(look) > MAX_LISTED:
            out.append("  " + _cut_end(texts.t("kumpul_tanpa_formulir_lain",
                                               n=len(look) - MAX_LISTED), width - 2))
    if report.skipped:
        t("kumpul_dilewati", n=len(report.skipped), contoh=", ".join(
            Path(s["berkas"]).name for s in report.skipped[:3]))
    return out


def without_form(messages: list[dict]) -> list[dict]:
    """Messages with attachments, none of them a form (and no problem named): a form may
    have been sent in another shape (a photo, a PDF), for the officer to look at."""
    return [m for m in messages if m["terbuka"] and not m["formulir"] and not m["masalah"]
            and m["lampiran_lain"]]


def mail_json(report, texts: Texts) -> dict:
    """The JSON report's ``surel`` and ``dilewati``: the counts, every message read, the
    messages to look at, and the skipped files with their reason."""
    out = {}
    if report.mail is not None:
        out["surel"] = {**report.mail, "pesan": report.messages,
                        "tanpa_formulir": without_form(report.messages)}
    if report.skipped:
        out["dilewati"] = [{**s, "keterangan": texts.t(f"dilewati.{s['alasan']}")}
                           for s in report.skipped]
    return out


def _when(iso: str) -> str:
    """An ISO time as the sender wrote it (their clock), to the minute, in the one date
    format: ``03-04-2025 10:15``."""
    return when(iso) if iso else "-"


def _cut_end(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[:width - 1] + "…" if width > 0 else ""


def _cut_middle(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    tail = (width - 1) // 2
    return f"{text[:width - 1 - tail]}…{text[-tail:]}" if tail else text[:width]
