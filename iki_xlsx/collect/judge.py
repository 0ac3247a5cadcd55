"""Judging a reading against what was issued: what was issued is the truth.

A file is identified by its signed manifest, never by its name; its form id and
revision must be in the ledger, of the expected year, and current. Its locked cells are
compared with the ledger's copy (never with the file's own manifest): a file whose
pegawai identity or indikator texts are not those of the issued form is rejected, an
edited target or other locked text is noted and the issued content used. The realisasi
are then read (:mod:`.realisasi`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from ..core.model import format_nip, whole
from ..core.problems import Problem, Status
from ..core.show import period_label
from ..core.texts import get_texts
from ..forms import ReadingView, load_view, reading_view
from ..forms import layout as L
from ..workspace import ActivePeriods, Workspace
from .reading import RawReading
from .realisasi import as_seen, read_values, show
from .review import judge_review
from .result import FileResult
from .sources import Source

INDICATOR_COL = L.column_of("indikator")
TARGET_COL = L.column_of("target")
NO_COL = L.column_of("no")


@dataclass(frozen=True)
class Issued:
    """The ledger's copy of one issued form, as judging needs it."""

    form_id: str
    revision: int
    nip: str
    kode_iki: str
    tahun: int
    nama: str
    locked_cells: dict  # address → locked content, as issued
    view: ReadingView  # the cell map: where each indikator's realisasi and keterangan are
    issued_at: str = ""  # when this revision was issued (the trusted clock's lower bound)

    def indicator_texts(self) -> list[str]:
        """The indikator texts, in order (from the locked cells)."""
        cells = self.locked_cells
        return [str(cells.get(f"{INDICATOR_COL}{e.row}", "")) for e in self.view.indicators]


def _norm(value: object) -> str:
    """A cell value compared as people see it: numbers without a trailing .0, text
    with its whitespace collapsed."""
    if value is None:
        return ""
    return " ".join(str(whole(value)).split())


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


ISSUED_CACHE = 256  # issued forms kept decoded while judging (a form usually comes once)


@lru_cache(maxsize=ISSUED_CACHE)
def _view_of(text: str) -> ReadingView:
    """A stored reading view decoded (once per text: the forms of one IKI and layout
    share it; a :class:`ReadingView` is immutable)."""
    return load_view(json.loads(text))


class Judge:
    """Judges raw readings against the ledger (issued forms cached per run)."""

    def __init__(self, ws: Workspace, tahun: int | None):
        self.ws = ws
        self.tahun = tahun
        self._issued: dict[tuple[str, int], Issued | None] = {}
        self._latest: dict[str, int | None] | None = None
        self._identity_cells: dict[tuple[str, int], dict[str, str]] = {}
        self._active: dict[str, ActivePeriods] | None = None  # issue 11: form id → when

    def issued(self, form_id: str, revision: int,
               raw: RawReading | None = None) -> Issued | None:
        """The ledger's copy of an issued form. A form issued by an earlier version has
        no stored reading view: it is made from the manifest (the one ``raw`` decoded,
        when the two texts are the same)."""
        key = (form_id, revision)
        if key not in self._issued:
            if len(self._issued) >= ISSUED_CACHE:
                self._issued.clear()
            row = self.ws.issued.for_reading(form_id, revision, reading_text=True)
            issued = None
            if row is not None:
                if row.reading is not None:
                    view = _view_of(row.reading)
                else:
                    text = self.ws.issued.manifest_text(form_id, revision)
                    same = raw is not None and raw.manifest is not None and \
                        "indicators" in raw.manifest and raw.manifest_text == text
                    view = load_view(reading_view(raw.manifest if same else json.loads(text)))
                issued = Issued(row.form_id, row.revision, row.nip, row.kode_iki, row.tahun,
                                row.nama, row.locked_cells, view, row.issued_at)
            self._issued[key] = issued
        return self._issued[key]

    def current_revision(self, form_id: str) -> int | None:
        if self._latest is None:
            self._latest = self.ws.issued.current_revisions()
        if form_id not in self._latest:  # issued after this run started
            self._latest[form_id] = self.ws.issued.current_revision(form_id)
        return self._latest[form_id]

    def judge(self, raw: RawReading, src: Source) -> FileResult:
        res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size, Status.OK,
                         kind=raw.kind, modified_at=raw.modified_at,
                         saved_at=raw.saved_at, saved_from=raw.saved_from)
        problems = res.problems

        def add(code, cell="", indicator="", **params):
            problems.append(Problem(code, params, file=src.name,
                                    sheet=L.SHEET_FORM if cell else "", cell=cell,
                                    indicator=indicator))

        for fp in raw.problems:
            add(fp.code, fp.cell, **fp.params)
        if raw.fatal:
            res.status = Status.of(problems)
            return res
        if raw.review is not None:  # an atasan's review workbook (issue 26)
            return judge_review(self, raw, src)
        m = raw.manifest  # its shape was checked by the reader
        res.form_id, res.nip, res.nama = m["form_id"], m["nip"], str(m.get("nama", ""))
        if not raw.key_match:
            add("ruang_kerja_lain")
        elif not raw.signature_ok:
            add("tanda_tangan_salah")
        if problems:
            res.status = Status.of(problems)
            return res
        res.revision, res.tahun, res.kode_iki = m["revision"], m["tahun"], m["kode_iki"]
        issued = self.issued(res.form_id, res.revision, raw)
        if issued is None:
            if self.ws.issued.is_known(res.form_id):  # signed by us, never recorded: a ledger
                add("revisi_tidak_dikenal", revision=res.revision)  # restored from before
            else:
                add("formulir_tidak_dikenal", form_id=res.form_id)
        elif self.tahun is not None and res.tahun != self.tahun:
            add("tahun_lain", tahun=res.tahun, expected=self.tahun)
        if problems:
            res.status = Status.of(problems)
            return res
        current = self.current_revision(res.form_id)
        if current is None:  # issue 11: withdrawn — recorded, not counted
            add("formulir_ditarik")
        elif res.revision != current:
            # An earlier (or later, after a return to earlier content) revision: its values
            # count for the indikator the current revision still has (see timeline).
            add("revisi_lama", revision=res.revision, latest=current)
        # The ledger's copy is the truth from here on (names, cells, targets).
        res.nip, res.nama, res.kode_iki = issued.nip, issued.nama, issued.kode_iki
        raw.split(issued.view.inputs)
        if "terisi" in m:  # issue 11: a re-issued form's note is not issued content
            from ..forms import drop_note

            drop_note(raw.locked, m)
        self._compare_locked(raw, issued, add)
        if not any(p.is_error for p in problems):
            read_values(raw, issued.view, issued.indicator_texts, res, add)
            self._closed_periods(raw, res, add, issued)
            self._inactive_periods(res, add)
        res.status = Status.of(problems)
        return res

    def _closed_periods(self, raw: RawReading, res: FileResult, add, issued: Issued) -> None:
        """Issue 11: a re-issued form's filled-in periods come from the ledger, not from
        the file; a value altered there is noted."""
        from ..forms import closed_in_file, drop_closed

        part = closed_in_file(raw.manifest)
        if part is None or not res.realisasi:
            return
        entries = {e.id: (k, e) for k, e in enumerate(issued.view.indicators)}
        periods = list(issued.view.periods)
        for ind, period, got, want in drop_closed(res.realisasi, part):
            k, entry = entries.get(ind, (None, None))
            cell = entry.realisasi[periods.index(period)] if entry and period in periods \
                else ""
            add("terisi_diubah", cell=cell,
                indicator=issued.indicator_texts()[k] if k is not None else "",
                period=period_label(get_texts(), period),
                value=show(got) if got is not None else "kosong",
                issued=show(want) if want is not None else "kosong")

    def _inactive_periods(self, res: FileResult, add) -> None:
        """Issue 11: a realisasi in a period the form is not active in is noted (the
        timeline keeps it, the recap does not count it)."""
        if self._active is None:
            self._active = self.ws.issued.active_periods()
        active = self._active.get(res.form_id)
        if not active or not res.realisasi:
            return
        periods = active.periods
        outside = sorted({p for entry in res.realisasi.values() if isinstance(entry, dict)
                          for p, v in (entry.get("realisasi") or {}).items()
                          if v is not None and p not in periods})
        for period in outside:
            add("periode_tidak_aktif", periode=period_label(get_texts(), period),
                berlaku=", ".join(period_label(get_texts(), p) for p in periods))

    # -- the issued content against the file's
    def _compare_locked(self, raw: RawReading, issued: Issued, add) -> None:
        """The issued locked content (ledger copy) against the file's, cell by cell:
        identity, then table rows, then everything else."""
        want: dict = issued.locked_cells
        got = raw.locked
        if got != want and self._compare_cells(got, issued, add):
            return  # not this pegawai's form, or not its table: nothing else matters
        if raw.protected is False:
            add("proteksi_dibuka")
        if raw.formulas_missing:
            add("rumus_diubah", cell=raw.formulas_missing[0], cells=raw.formulas_missing[:8],
                count=len(raw.formulas_missing))

    def _compare_cells(self, got: dict, issued: Issued, add) -> bool:
        """Locked cells that differ: True when the file is not this form at all."""
        want: dict = issued.locked_cells
        if self._identity(got, issued, add) or self._rows(got, issued, add):
            return True
        changed = sorted((r for r in want if got.get(r) != want[r]
                          and as_seen(got.get(r)) != as_seen(want[r])), key=L.ref_order)
        extra = sorted((r for r in got if r not in want and as_seen(got[r]) != ""),
                       key=L.ref_order)
        rows = {e.row: text for e, text in zip(issued.view.indicators,
                                                  issued.indicator_texts())}
        targets = {f"{TARGET_COL}{row}": text for row, text in rows.items()}
        for ref in changed:
            if ref in targets:
                add("target_diubah", cell=ref, indicator=targets[ref],
                    found=show(got.get(ref)), issued=show(want[ref]))
        others = [r for r in changed if r not in targets]
        if others:
            add("isi_terkunci_berubah", cell=others[0], cells=others[:8], count=len(others))
        misplaced = [r for r in extra if L.ref_row(r) in rows]
        for ref in misplaced[:10]:
            add("realisasi_salah_kolom", cell=ref, indicator=rows[L.ref_row(ref)],
                value=show(got[ref]))
        outside = [r for r in extra if r not in misplaced[:10]]
        if outside:
            add("isian_di_luar", cell=outside[0], cells=outside[:8], count=len(outside))
        return False

    def identity_cells(self, issued: Issued) -> dict[str, str]:
        """The issued form's cells that name its pegawai: ref → "nama" | "nip"."""
        key = (issued.form_id, issued.revision)
        cells = self._identity_cells.get(key)
        if cells is None:
            nama, nip = _norm(issued.nama), issued.nip
            shown = format_nip(nip)
            cells = {}
            for ref, value in issued.locked_cells.items():
                if not isinstance(value, str):
                    continue
                if nama in value and _norm(value.lstrip(":")) == nama:
                    cells[ref] = "nama"
                elif len(nip) >= 9 and (shown in value or nip in value) \
                        and _digits(value) == nip:
                    cells[ref] = "nip"
            self._identity_cells[key] = cells
        return cells

    def _identity(self, got: dict, issued: Issued, add) -> bool:
        """Whose form is this? The pegawai's nama and NIP cells must be those issued
        (found where issued, or in the same column when rows moved)."""
        want = issued.locked_cells
        cells = self.identity_cells(issued)
        differ = [ref for ref in cells if got.get(ref) != want[ref]
                  and _norm(got.get(ref)) != _norm(want[ref])]
        if not differ:
            return False
        by_col: dict[str, set[str]] = {}
        for ref, value in got.items():
            by_col.setdefault(L.ref_col(ref), set()).add(_norm(value))
        wrong = sorted((ref for ref in differ
                        if _norm(want[ref]) not in by_col.get(L.ref_col(ref), ())), key=L.ref_order)
        if not wrong:
            return False
        nip = issued.nip
        found_nip = next((d for ref in wrong if cells[ref] == "nip"
                          for d in [_digits(got.get(ref))] if len(d) == 18), "")
        found_nama = next((_norm(got.get(ref)).lstrip(": ") for ref in wrong
                           if cells[ref] == "nama" and got.get(ref) is not None), "")
        found = ", ".join(x for x in (found_nama, f"NIP {format_nip(found_nip)}"
                                      if found_nip else "") if x) or "kosong"
        owner = ""
        if found_nip and found_nip != nip:
            others = self.ws.issued.of_nip(found_nip, issued.tahun)
            if others:
                owner = "; ".join(f"{o.nama} (NIP {format_nip(o.nip)}, {o.kode_iki})"
                                  for o in others[:3])
        add("identitas_tidak_cocok", cell=wrong[0], found=found,
            issued=f"{issued.nama} (NIP {format_nip(nip)})", owner=owner)
        return True

    def _rows(self, got: dict, issued: Issued, add) -> bool:
        """Rows inserted, deleted, or indikator texts that are not the issued ones."""
        want = issued.locked_cells
        entries = [(f"{INDICATOR_COL}{e.row}", text)
                   for e, text in zip(issued.view.indicators, issued.indicator_texts())]
        if all(got.get(ref) == text for ref, text in entries):
            return False
        col_c: dict[str, list[int]] = {}
        for ref, value in got.items():
            if L.ref_col(ref) == INDICATOR_COL:
                col_c.setdefault(_norm(value), []).append(L.ref_row(ref))
        shifted, missing = [], []
        for ref, text in entries:
            if _norm(got.get(ref)) == _norm(text):
                continue
            rows = sorted(col_c.get(_norm(text), ()))
            if rows:
                near = min(rows, key=lambda r: abs(r - L.ref_row(ref)))
                shifted.append((ref, f"{INDICATOR_COL}{near}", text, near - L.ref_row(ref)))
            else:
                missing.append((ref, text))
        if not shifted and not missing:
            return False
        # The first locked cell under the table tells whether rows went missing.
        last = max(L.ref_row(ref) for ref, _ in entries)
        below = sorted((r for r in want if L.ref_row(r) > last and L.ref_col(r) == NO_COL),
                       key=L.ref_order)
        delta = 0
        if below:
            anchor = below[0]
            if _norm(got.get(anchor)) != _norm(want[anchor]):
                rows = [L.ref_row(r) for r, v in got.items()
                        if L.ref_col(r) == NO_COL and _norm(v) == _norm(want[anchor])]
                if rows:
                    at = L.ref_row(anchor)
                    delta = min(rows, key=lambda r: abs(r - at)) - at
        if missing and (delta < 0 or any(d < 0 for *_, d in shifted)):
            ref, text = missing[0]
            add("baris_dihapus", cell=ref, indicator=text,
                count=-delta if delta < 0 else len(missing))
        elif shifted:
            ref, found, text, _ = shifted[0]
            add("baris_bergeser", cell=ref, indicator=text, found=found, count=len(shifted))
        else:
            ref, text = missing[0]
            owner = self._owner_of_table(got, issued, entries)
            add("indikator_tidak_cocok", cell=ref, indicator=text,
                found=show(got.get(ref)), owner=owner)
        return True

    def _owner_of_table(self, got: dict, issued: Issued, entries) -> str:
        """Another form of the same pegawai whose indikator texts the file shows."""
        texts = [_norm(got.get(ref)) for ref, _ in entries]
        for other in self.ws.issued.of_nip(issued.nip, issued.tahun):
            if other.form_id == issued.form_id:
                continue
            full = self.issued(other.form_id, other.revision)
            inds = [_norm(text) for text in full.indicator_texts()] if full else []
            if inds[: len(texts)] == texts or (texts and texts[0] in inds):
                return f"{other.nama} ({other.kode_iki})"
        return ""

