"""Judging a returned review workbook (issue 26) against what was issued: the ledger's
copy of it is the truth. The workbook is identified by its signed manifest (this
workspace's, issued, of the year); its atasan must be the one it was issued to. Each
bawahan's sheet counts only when it is there, shows the issued period and content, and
its pegawai is still assessed by this atasan; each row's decision only when it is whole
(a Kembalikan with umpan balik, a Koreksi with a value read as Indonesians type it).
Whatever does not count is named with its sheet and cell; everything else is recorded.
"""

from __future__ import annotations

import re
import unicodedata

from ..core.problems import Problem, Status
from ..core.show import period_label
from ..core.texts import Texts, get_texts
from ..core.timeline import CATATAN, KEMBALIKAN, KOREKSI, VERDICTS
from ..core.values import CellInfo, keterangan_text, parse_realisasi
from ..forms import atasan_key, input_cells
from ..workspace import IssuedReview, VerificationRow
from .reading import RawReading
from .realisasi import as_seen, show
from .result import FileResult
from .sources import Source

_WORDS = re.compile(r"[^\w]+")
_UNKNOWN = "?"


def judge_review(judge, raw: RawReading, src: Source) -> FileResult:
    """The verdict on a review workbook and the decisions it carries (``judge``: the
    run's :class:`iki_xlsx.collect.judge.Judge`, for its workspace and year)."""
    res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size, Status.OK,
                     kind=raw.kind, modified_at=raw.modified_at, saved_at=raw.saved_at,
                     saved_from=raw.saved_from)
    m = raw.manifest
    res.form_id, res.nip, res.nama = m["review_id"], m["atasan"]["nip"], m["atasan"]["nama"]
    review = _Review(judge, raw, src, res)
    review.run()
    res.status = Status.of(res.problems)
    return res


class _Review:
    def __init__(self, judge, raw: RawReading, src: Source, res: FileResult):
        self.ws, self.tahun = judge.ws, judge.tahun
        self.raw, self.src, self.res = raw, src, res
        self.texts: Texts = get_texts()

    def add(self, code: str, sheet: str = "", cell: str = "", indicator: str = "",
            **params) -> None:
        self.res.problems.append(Problem(code, params, file=self.src.name, sheet=sheet,
                                         cell=cell, indicator=indicator))

    def run(self) -> None:
        raw, res, m = self.raw, self.res, self.raw.manifest
        if not raw.key_match:
            self.add("ruang_kerja_lain")
            return
        if not raw.signature_ok:
            self.add("tanda_tangan_salah")
            return
        res.revision, res.tahun = m["revision"], m["tahun"]
        issued = self.ws.reviews.issued(m["review_id"], m["revision"])
        if issued is None:
            self.add("verifikasi_tidak_dikenal", review_id=m["review_id"],
                     revision=m["revision"])
            return
        if self.tahun is not None and issued.tahun != self.tahun:
            self.add("tahun_lain", tahun=issued.tahun, expected=self.tahun)
            return
        # the ledger's copy is the truth from here on
        res.nip, res.nama = issued.atasan_nip, issued.atasan_nama
        if self._identity_altered(issued):
            return
        rows: list[VerificationRow] = []
        blocks = issued.manifest["blocks"]
        people = self.ws.reviews.people([b["form_id"] for b in blocks])
        for block in blocks:
            rows.extend(self._block(issued, block, people.get(block["form_id"])))
        if not rows and not any(p.code != "verifikasi_kosong" for p in res.problems):
            self.add("verifikasi_kosong")
        res.verifications = rows
        res.filled = sum(1 for r in rows if r.kind != CATATAN)

    def _identity_altered(self, issued: IssuedReview) -> bool:
        """The atasan's name and NIP on every bawahan sheet, as issued."""
        for block in issued.manifest["blocks"]:
            got = self.raw.review.sheets.get(block["sheet"])
            want = issued.locked_cells.get(block["sheet"], {})
            if got is None:
                continue
            for ref in block["identity"].values():
                if as_seen(got.get(ref)) != as_seen(want.get(ref)):
                    found = ", ".join(str(as_seen(got.get(r))).lstrip(": ") for r in
                                      block["identity"].values()) or "kosong"
                    self.add("verifikasi_atasan_tidak_cocok", sheet=block["sheet"],
                             cell=ref, found=found,
                             issued=f"{issued.atasan_nama} ({issued.atasan_nip})")
                    return True
        return False

    def _block(self, issued: IssuedReview, block: dict, who) -> list[VerificationRow]:
        sheet = block["sheet"]
        reading = self.raw.review
        if sheet in reading.missing or sheet not in reading.sheets:
            self.add("verifikasi_lembar_hilang", sheet=sheet, nama=block["nama"])
            return []
        values = dict(reading.sheets[sheet])
        inputs = {ref: values.pop(ref) for ref in input_cells(block) if ref in values}
        if not self._content_as_issued(issued, block, values):
            return []
        current = atasan_key(who.atasan) if who else ""
        mine = atasan_key({"nip": issued.atasan_nip, "nama": issued.atasan_nama})
        if who is not None and current != mine:
            self.add("verifikasi_bukan_atasan", sheet=sheet, nama=block["nama"],
                     atasan=str(who.atasan.get("nama") or "-"))
            return []
        out = []
        infos = reading.infos.get(sheet, {})
        for row in block["rows"]:
            got = self._decision(issued, block, row, inputs, infos)
            if got is not None:
                out.append(got)
        note = keterangan_text(inputs.get(block["note"]))
        if note:
            out.append(VerificationRow(issued.review_id, block["form_id"], block["revision"],
                                       None, issued.period, CATATAN, None, None, None, "",
                                       note, issued.atasan_nip))
        return out

    def _content_as_issued(self, issued: IssuedReview, block: dict, got: dict) -> bool:
        """The sheet's locked cells against the issued ones: another period shown, or
        anything else altered, and the sheet does not count."""
        sheet = block["sheet"]
        want = issued.locked_cells.get(sheet, {})
        period_ref = block.get("period_cell") or ""
        shown = as_seen(got.get(period_ref))
        if period_ref and shown != as_seen(want.get(period_ref)):
            other = self._period_in(str(shown), issued)
            if other:
                self.add("verifikasi_periode_lain", sheet=sheet, cell=period_ref,
                         found=other, periode=period_label(self.texts, issued.period))
                return False
        changed = sorted(
            [r for r in want if as_seen(got.get(r)) != as_seen(want[r])]
            + [r for r in got if r not in want and as_seen(got[r]) != ""],
            key=lambda r: (int(r.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), r))
        if changed:
            self.add("verifikasi_terkunci_berubah", sheet=sheet, cell=changed[0],
                     cells=changed[:8], count=len(changed))
            return False
        return True

    def _period_in(self, text: str, issued: IssuedReview) -> str:
        """The label of another period the title shows (``TW I`` in a TW II workbook)."""
        for code in ("TW1", "TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN"):
            label = period_label(self.texts, code)
            if code != issued.period and re.search(rf"(?<!\w){re.escape(label)}(?!\w)",
                                                   text):
                return label
        return ""

    def _decision(self, issued: IssuedReview, block: dict, row: dict, inputs: dict,
                  infos: dict) -> VerificationRow | None:
        sheet, name = block["sheet"], str(row.get("indikator") or row["id"])
        k_ref, v_ref, u_ref = row["cells"]
        typed, value = inputs.get(k_ref), inputs.get(v_ref)
        feedback = keterangan_text(inputs.get(u_ref)) or ""
        kind = _verdict(typed, self.texts)
        if kind is None:
            if feedback or keterangan_text(value):
                self.add("verifikasi_tanpa_keputusan", sheet, k_ref, name)
            return None
        if kind == _UNKNOWN:
            self.add("verifikasi_keputusan_tidak_dikenal", sheet, k_ref, name,
                     value=show(typed))
            return None
        if kind == KEMBALIKAN and not feedback:
            self.add("verifikasi_tanpa_umpan_balik", sheet, u_ref, name)
            return None
        counts = row.get("shown")
        if kind == KOREKSI:
            counts = self._correction(sheet, v_ref, name, row, value,
                                      infos.get(v_ref, CellInfo()))
            if counts is None:
                return None
        elif keterangan_text(value):
            self.add("verifikasi_nilai_diabaikan", sheet, v_ref, name, value=show(value),
                     keputusan=self.texts.t(f"verifikasi.pilihan.{kind}"))
        return VerificationRow(issued.review_id, block["form_id"], block["revision"],
                               row["id"], issued.period, kind,
                               None if kind == KEMBALIKAN else counts, row.get("shown"),
                               row.get("base"), str(row.get("source") or ""), feedback,
                               issued.atasan_nip)

    def _correction(self, sheet: str, ref: str, name: str, row: dict, value: object,
                    info: CellInfo) -> object:
        """The Koreksi's value, read as a realisasi is; None (and the problem) when
        there is none or it cannot be used."""
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add("verifikasi_koreksi_kosong", sheet, ref, name)
            return None
        target = row.get("target")
        parsed = parse_realisasi(value, info, yes_no=row.get("polaritas") == "ya/tidak",
                                 target=target if isinstance(target, (int, float)) else None,
                                 satuan=str(row.get("satuan") or ""),
                                 target_text=str(row.get("target_text") or ""),
                                 polaritas=str(row.get("polaritas") or ""))
        if parsed.value is None:
            key = f"verifikasi.alasan.{parsed.problem}"
            reason = self.texts.t(key if self.texts.has(key) else
                                  "verifikasi.alasan.realisasi_tidak_terbaca")
            self.add("verifikasi_koreksi_salah", sheet, ref, name, value=show(value),
                     reason=reason)
            return None
        return parsed.value


def _verdict(typed: object, texts: Texts) -> str | None:
    """setuju / kembalikan / koreksi from what was typed or picked (the template's
    choices and their synonyms, case and punctuation ignored); None when blank,
    :data:`_UNKNOWN` for anything else."""
    text = keterangan_text(typed)
    if not text:
        return None
    key = _norm(text)
    for kind in VERDICTS:
        words = {_norm(texts.t(f"verifikasi.pilihan.{kind}"))}
        words.update(_norm(w) for w in texts.t(f"verifikasi.sinonim.{kind}").split(","))
        if key in words:
            return kind
    return _UNKNOWN


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(_WORDS.sub(" ", text).split())

