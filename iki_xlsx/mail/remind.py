"""Reminders for one period: who has not submitted it, a message to each (``.eml`` or
SMTP, as :mod:`.distribute`), a WhatsApp click list (xlsx and HTML) with
``https://wa.me/62…?text=…`` links carrying a pre-filled Indonesian reminder (the officer
clicks and presses Send: no unofficial WhatsApp automation), and a per-atasan summary of
bawahan still missing (in the list, and one message per atasan with an e-mail).

Issue 26: each pegawai with values the atasan returned (*Kembalikan*) is told which and
why — a message with the umpan balik (the form attached again), and a WhatsApp row.

:func:`not_submitted` is the one place that decides who is missing a period; it reads
the ledger as it is today and is meant to be swapped for the per-period realisasi query.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote

from ..collect import MailError
from ..core.atomic import atomic_path
from ..core.capaian import parse_period
from ..core.contacts import show_hp
from ..core.matching import indicator_id
from ..core.model import PeriodScheme, format_nip
from ..core.sheets import Column, Link, ListFormats, list_sheet
from ..core.texts import Texts
from ..core.timeline import DIKEMBALIKAN, SUBMITTED, TIDAK_AKTIF, FormYear, load_years
from ..forms import issued_paper
from ..workspace import MailForm, Workspace
from ..forms import book_key
from .distribute import DistributeResult, SmtpSpec, deliver, issued_for_mail, plan
from .message import Outgoing
from .reviews import found_reviews, send_reviews, waiting_atasan

WA_TEXT_LIMIT = 1500  # characters of pre-filled text (links stay well under URL limits)


def not_submitted(ws: Workspace, forms: list[MailForm], period: str, scheme: PeriodScheme,
                  tahun: int | None, years: dict[str, FormYear] | None = None
                  ) -> list[MailForm]:
    """The forms that have not submitted ``period``: its status (see
    :mod:`iki_xlsx.core.timeline`) is neither lengkap nor sebagian."""
    years = years if years is not None else load_years(ws, tahun, forms)
    shapes = ws.issued.shapes(forms)
    return [f for f in forms if years[f.form_id].status(
        period, [indicator_id(i) for i in range(shapes[f.form_id].count)])
        not in (*SUBMITTED, TIDAK_AKTIF)]  # issue 11: a form not active then is not late


def returned(ws: Workspace, forms: list[MailForm], years: dict[str, FormYear],
             tahun: int | None, texts: Texts) -> list[tuple[MailForm, list[dict]]]:
    """Issue 26: the forms with values the atasan sent back, each with what was returned
    (indikator, period, umpan balik), in the form's order."""
    names: dict[str, dict[str, str]] = {}
    wanted = [f for f in forms if any(check[0] == DIKEMBALIKAN
                                      for check in years[f.form_id].checks.values())]
    if wanted:
        current = {f.form_id: f.revision for f in wanted}
        for form_id, rev, inds in ws.issued.indicators(tahun, list(current)):
            if current.get(form_id) == rev:
                names[form_id] = {indicator_id(i): f"{i + 1}. {ind.get('indikator', '')}"
                                  for i, ind in enumerate(inds)}
    out = []
    for f in wanted:
        checks = years[f.form_id].checks
        items = [{"indikator": names.get(f.form_id, {}).get(ind, ind),
                  "periode": texts.t(f"form.periode.{period}"), "umpan_balik": v.note}
                 for (ind, period), (status, v) in sorted(checks.items())
                 if status == DIKEMBALIKAN]
        out.append((f, items))
    return out


@dataclass
class RemindResult:
    tahun: int | None
    period: str
    total: int = 0
    missing: list[MailForm] = field(default_factory=list)
    by_atasan: dict[str, list[MailForm]] = field(default_factory=dict)
    mail: DistributeResult = field(default_factory=DistributeResult)
    atasan_mail: DistributeResult = field(default_factory=DistributeResult)
    files: list[Path] = field(default_factory=list)
    returned: list[tuple[MailForm, list[dict]]] = field(default_factory=list)  # issue 26
    returned_mail: DistributeResult = field(default_factory=DistributeResult)
    review_mail: DistributeResult = field(default_factory=DistributeResult)  # atasan


def remind(ws: Workspace, texts: Texts, period_text: str, out_dir: Path, *, sender: str,
           settings: dict, forms_dir: Path | None = None, smtp: SmtpSpec | None = None,
           dry_run: bool = False, tahun: int | None = None, today: date | None = None,
           attach: bool = True, reviews_dir: Path | None = None) -> RemindResult:
    """Remind everyone missing ``period_text`` (``TW2``, ``Triwulan II``, ``S1``, …),
    tell each pegawai what the atasan returned, and (``reviews_dir``: the folder of the
    period's review workbooks) send each atasan with bawahan waiting their workbook."""
    forms = issued_for_mail(ws, tahun)
    tahun = forms[0].tahun if forms else tahun
    scheme = PeriodScheme(forms[0].periode if forms and forms[0].periode else "triwulan")
    period = parse_period(period_text, scheme)
    if period is None:
        raise MailError("periode_tidak_dikenal", value=period_text, skema=scheme.value,
                        contoh=", ".join(scheme.periods))
    stamp = (today or date.today()).isoformat()
    result = RemindResult(tahun, period, total=len(forms))
    years = load_years(ws, tahun, forms)
    result.missing = not_submitted(ws, forms, period, scheme, tahun, years)
    result.returned = returned(ws, forms, years, tahun, texts)
    label = texts.t(f"form.periode.{period}") if texts.has(f"form.periode.{period}") \
        else period
    extra = {"periode": label}
    for f in result.missing:
        result.by_atasan.setdefault(f.atasan_nip or "", []).append(f)
    eml_dir = Path(out_dir) / f"surel-{period}"
    todo = plan(ws, result.missing, forms_dir if attach else None,
                f"pengingat-{period}-{stamp}", extra=lambda f: extra, result=result.mail)
    deliver(ws, todo, texts, sender=sender, settings=settings, eml_dir=eml_dir, smtp=smtp,
            dry_run=dry_run, result=result.mail)
    contacts = ws.mail.contacts()
    bosses = []
    for nip, staff in result.by_atasan.items():
        contact = contacts.get(nip)
        if not nip or not contact or not contact.email:
            continue
        first = staff[0]
        boss = replace(first, nip=nip, nama=first.atasan_nama,
                       jabatan=first.atasan_jabatan or "", unit_kerja="")
        bosses.append(Outgoing(boss, f"atasan-{period}-{stamp}", contact.email, [], None,
                               {"periode": label, "bawahan": staff}))
    deliver(ws, bosses, texts, sender=sender, settings=settings, eml_dir=eml_dir, smtp=smtp,
            dry_run=dry_run, result=result.atasan_mail)
    items = dict((f.form_id, i) for f, i in result.returned)
    back = plan(ws, [f for f, _ in result.returned], forms_dir if attach else None,
                f"dikembalikan-{period}-{stamp}",
                extra=lambda f: {"periode": label, "kembali": items[f.form_id]},
                result=result.returned_mail)
    deliver(ws, back, texts, sender=sender, settings=settings, eml_dir=eml_dir, smtp=smtp,
            dry_run=dry_run, result=result.returned_mail)
    if reviews_dir is not None:
        waiting = waiting_atasan(years, forms, period)
        todo = [r for r in found_reviews(ws, tahun, period)
                if book_key(r.manifest.get("atasan") or {}) in waiting]
        send_reviews(ws, todo, reviews_dir, texts, sender=sender, settings=settings,
                     eml_dir=eml_dir, smtp=smtp, dry_run=dry_run, stamp=stamp,
                     result=result.review_mail)
    if not dry_run:
        ctx = {"tahun": tahun, "periode": label, "batas": settings.get("batas", ""),
               "balas": settings.get("balas", ""), "pengirim": settings.get("pengirim", "")}
        rows = wa_rows(result.missing, contacts, texts, ctx)
        rows += wa_returned_rows(result.returned, contacts, texts, ctx, len(rows))
        result.files.append(write_wa_xlsx(rows, result, contacts, texts, ctx,
                                          Path(out_dir) / f"pengingat-{period}.xlsx",
                                          issued_paper(ws, tahun)))
        result.files.append(write_wa_html(rows, result, contacts, texts, ctx,
                                          Path(out_dir) / f"pengingat-{period}.html"))
    return result


def wa_link(number: str, text: str) -> str:
    """``https://wa.me/62…?text=…`` (the official click-to-chat link)."""
    return f"https://wa.me/{number}?text={quote(text[:WA_TEXT_LIMIT], safe='')}"


def wa_rows(missing: list[MailForm], contacts: dict, texts: Texts, ctx: dict) -> list[dict]:
    return [_wa_row(i, f, contacts, texts.t("surel.wa_pengingat", nama=f.nama, **ctx))
            for i, f in enumerate(missing, 1)]


def wa_returned_rows(items: list[tuple[MailForm, list[dict]]], contacts: dict, texts: Texts,
                     ctx: dict, start: int = 0) -> list[dict]:
    """Issue 26: a WhatsApp row per pegawai with values the atasan returned."""
    return [_wa_row(i, f, contacts, texts.t("surel.wa_dikembalikan", nama=f.nama,
                                            kembali=back, **ctx))
            for i, (f, back) in enumerate(items, start + 1)]


def _wa_row(i: int, f: MailForm, contacts: dict, text: str) -> dict:
    contact = contacts.get(f.nip)
    hp = contact.no_hp if contact else ""
    return {"no": i, "nip": format_nip(f.nip), "nama": f.nama, "jabatan": f.jabatan,
            "perangkat_daerah": f.perangkat_daerah, "no_hp": show_hp(hp) if hp else "",
            "email": contact.email if contact else "",
            "tautan": wa_link(hp, text) if hp else "", "pesan": text}


_WA_COLS = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "no_hp", "email", "tautan")


def _atasan_rows(result: RemindResult, contacts: dict) -> list[dict]:
    out = []
    for nip, staff in sorted(result.by_atasan.items(), key=lambda kv: -len(kv[1])):
        contact = contacts.get(nip)
        out.append({"nama": staff[0].atasan_nama, "nip": format_nip(nip),
                    "email": contact.email if contact else "", "jumlah": len(staff),
                    "bawahan": "; ".join(s.nama for s in staff), "staff": staff})
    return out


def write_wa_xlsx(rows: list[dict], result: RemindResult, contacts: dict, texts: Texts,
                  ctx: dict, path: Path, kertas: str = "A4") -> Path:
    """The WhatsApp list (one row per pegawai, with the wa.me link) and the per-atasan
    sheet, printed on the master's paper (``kertas``)."""
    import xlsxwriter

    t = texts.t
    footer = t("cetak.halaman", judul=t("ingat.judul", **ctx))
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False})
        fm = ListFormats(wb)
        widths = {"no": 5, "nip": 22, "nama": 30, "jabatan": 30, "perangkat_daerah": 30,
                  "no_hp": 16, "email": 28, "tautan": 18}
        columns = [Column(t(f"ingat.kolom.{key}"), widths[key], key == "no")
                   for key in _WA_COLS]
        # our own https://wa.me links: digits and escaped text only
        link = [Link(row["tautan"], t("ingat.kirim_wa")) if row["tautan"]
                else t("ingat.tanpa_hp") for row in rows]
        list_sheet(wb, fm, t("ingat.lembar_wa"), columns,
                   [[row[key] for key in _WA_COLS[:-1]] + [link[i]]
                    for i, row in enumerate(rows)], title=t("ingat.judul", **ctx),
                   lines=[t("ingat.petunjuk")], kertas=kertas, footer=footer)
        keys = ("atasan", "nip", "email_atasan", "jumlah", "bawahan")
        list_sheet(wb, fm, t("ingat.lembar_atasan"),
                   [Column(t(f"ingat.kolom.{k}"), w, k == "jumlah")
                    for k, w in zip(keys, (30, 22, 28, 14, 80))],
                   [[row["nama"], row["nip"], row["email"], row["jumlah"], row["bawahan"]]
                    for row in _atasan_rows(result, contacts)], kertas=kertas, footer=footer)
        wb.close()
    return path


def write_wa_html(rows: list[dict], result: RemindResult, contacts: dict, texts: Texts,
                  ctx: dict, path: Path) -> Path:
    html = texts.render("pengingat_wa.html.j2", rows=rows, atasan=_atasan_rows(result,
                                                                               contacts),
                        t=texts.t, **ctx)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
