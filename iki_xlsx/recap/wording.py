"""What the recap says in words beside its figures: how it was computed (its notes),
which mid-year rule a ``jumlah`` followed, where each value came from, a form's atasan,
and why a form has not submitted. The same words in the workbook and the HTML page."""

from __future__ import annotations

from ..core.model import MidYear, format_nip, whole
from ..core.show import period_label, short_name, value_source
from ..core.texts import Texts
from ..core.timeline import KEPUTUSAN, REVISI_LAMA, Decision, Value, Verification
from .build import Recap, RecapForm, RecapIndicator


# --------------------------------------------------------------------------- notes

def notes(recap: Recap, texts: Texts) -> list[str]:
    """The lines that say how this recap was computed (period, cap, scale, which values
    count, whether the figures are provisional)."""
    t = texts.t
    label = period_label(texts, recap.upto)
    first = period_label(texts, recap.first_period)
    batas = ", ".join(_plain(c) for c in recap.caps)
    skala = " | ".join(s.describe() for s in recap.scales)
    out = [t("rekap.catatan.periode", periode=label, periode_awal=first,
             otomatis=recap.upto_auto),
           t("rekap.catatan.batas", batas=batas) + " " + t("rekap.catatan.skala", skala=skala),
           t("rekap.catatan.hitung"), t("rekap.catatan.berkas")]
    out += [t(f"rekap.catatan.jumlah_{rule}", periode=label, bagian=part)
            for rule, part in midyear_rules(recap, texts)]
    if recap.provisional:
        out.append(t("rekap.catatan.sementara", periode=label))
    revised = sum(1 for f in recap.forms for e in f.events if e.kind == REVISI_LAMA)
    if revised:
        out.append(t("rekap.catatan.revisi", n=revised))
    decided = sum(1 for f in recap.forms for e in f.events if e.kind == KEPUTUSAN)
    if decided:
        out.append(t("rekap.catatan.keputusan", n=decided))
    waiting = sum(f.unverified for f in recap.forms if f.active)
    if recap.only_verified:  # issue 26: the atasan's verification
        out.append(t("rekap.catatan.terverifikasi", pengaturan=recap.only_verified_setting,
                     menunggu=waiting))
    else:
        out.append(t("rekap.catatan.semua_nilai", menunggu=waiting))
    corrected = sum(1 for f in recap.forms for i in f.indicators for v in i.sources.values()
                    if v.verification is not None)
    if corrected:
        out.append(t("rekap.catatan.koreksi", n=corrected))
    out.append(t("rekap.catatan.dibuat", waktu=recap.generated_at.strftime("%d-%m-%Y %H:%M")))
    return out


def midyear_rules(recap: Recap, texts: Texts) -> list[tuple[str, str]]:
    """(rule, the recap period's share of a yearly target) of each *Target Tengah Tahun*
    setting the recap's forms use (issue 22): what a ``jumlah`` with only a yearly
    target was compared with."""
    out = []
    for rule in sorted({MidYear(f.midyear).value for f in recap.forms}):
        shares = sorted({f"{f.scheme.periods.index(f.upto) + 1}/{len(f.scheme.periods)}"
                         for f in recap.forms if f.upto and MidYear(f.midyear).value == rule})
        out.append((rule, ", ".join(shares)))
    return out


def value_sources(ind: RecapIndicator, texts: Texts) -> str:
    """Where one indikator's values came from, a file (by its own name) or a decision
    once with its periods: ``TW I, TW II: kiriman.xlsx (disimpan …); TW III: …``."""
    return sources_text(sources_key(ind), texts)


def sources_text(key: tuple, texts: Texts) -> str:
    """:func:`value_sources` from the indikator's :func:`sources_key` alone (plain data:
    what a worker process making Per Indikator's rows is given)."""
    groups: dict[str, list[str]] = {}
    said: dict[tuple, str] = {}  # the periods of one file say the same: said once
    for p, *rest in key:
        where = said.get(tuple(rest))
        if where is None:
            at, verified, name, saved_at, collected_at, claimed_at = rest
            short = Value(None, None, short_name(name), None, "", saved_at, collected_at,
                          None if at is None else Decision(0, at, "", ""),
                          claimed_at=claimed_at, verification=_KOREKSI if verified else None)
            where = said[tuple(rest)] = value_source(short, texts)
        groups.setdefault(where, []).append(period_label(texts, p))
    return "; ".join(f"{', '.join(ps)}: {where}" for where, ps in groups.items())


_KOREKSI = Verification(0, "koreksi", 0, None, "", None, None, "", "", "", "", "")  # value_source
# asks only whether there is one


def sources_key(ind: RecapIndicator) -> tuple:
    """Everything :func:`value_sources` reads of an indikator's sources (and through
    :func:`iki_xlsx.core.show.value_source`): indikator with the same key say the same
    text. Keep the two in step."""
    return tuple([(p, v.decision.at if v.decision else None, v.verification is not None,
                   v.name, v.saved_at, v.collected_at, v.claimed_at)
                  for p, v in ind.sources.items()])  # a list first: faster than a generator


def _plain(x: float) -> str:
    return str(whole(float(x))).replace(".", ",")


def atasan_text(form: RecapForm) -> str:
    if form.atasan_nip:
        return f"{form.atasan_nama} ({format_nip(form.atasan_nip)})".strip()
    return form.atasan_nama


def belum_notes(form: RecapForm, texts: Texts) -> str:
    """Why a form has not submitted, as far as the ledger tells: files set aside by the
    officer, rejected files, a late file of an older revision; and that its capaian
    comes from earlier periods."""
    out = []
    if form.excluded:
        out.append(texts.t("rekap.belum_catatan.dikecualikan", n=form.excluded))
    if form.capaian is not None and not form.submitted:
        out.append(texts.t("rekap.belum_catatan.nilai_lama", periode=period_label(
            texts, form.upto) if form.upto else ""))
    if form.rejected:
        out.append(texts.t("rekap.belum_catatan.ditolak", n=form.rejected))
    if form.old_revision is not None:
        out.append(texts.t("rekap.belum_catatan.revisi_lama", revisi=form.old_revision,
                           terbaru=form.revision))
    return "; ".join(out)
