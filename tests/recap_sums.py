"""Reconcile a recap as its reader would (issue 22, item 3): every pegawai listed on one
sheet is counted, or explained, on every other, and every total is the sum of what it
totals — read back from the workbook (openpyxl) and from the HTML page (html.parser),
never from the Recap object that wrote them."""

from __future__ import annotations

import math
from collections import Counter
from html.parser import HTMLParser

import openpyxl

from iki_xlsx.core.texts import get_texts

T = get_texts().t
NOT_COUNTED = {T("rekap.status.belum"), T("rekap.status.kosong")}
NOT_ACTIVE = T("rekap.status.tidak_aktif")
FILLED = T("rekap.status_indikator.terisi")


def rows_of(sheet, header_row: int = 2) -> list[dict]:
    head = [c.value for c in sheet[header_row]]
    return [dict(zip(head, (c.value for c in row)))
            for row in sheet.iter_rows(min_row=header_row + 1) if any(
                c.value is not None for c in row)]


def summary_tables(sheet, labels: list[str]) -> tuple[list[dict], list[dict], dict]:
    """(unit rows, perangkat daerah rows, the total row) of Ringkasan."""
    title_unit, title_pd = T("rekap.tabel.unit"), T("rekap.tabel.perangkat_daerah")
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    at = {r[0]: i for i, r in enumerate(rows) if r and r[0] in (title_unit, title_pd)}
    head = rows[at[title_unit] + 1]

    def table(start: int) -> list[dict]:
        out = []
        for r in rows[start:]:
            if r[0] in (None, "") or r[0] == title_pd:
                break
            out.append(dict(zip(head, r)))
        return out

    units = table(at[title_unit] + 2)
    pds = table(at[title_pd] + 2)
    total = pds.pop()  # the JUMLAH row
    assert total[head[0]] == T("rekap.tabel.total")
    return units, pds, total


def check_summary_row(row: dict, labels: list[str], where: str) -> None:
    forms = row[T("rekap.kolom.formulir")]
    sudah, belum = row[T("rekap.kolom.sudah")], row[T("rekap.kolom.belum")]
    bands = sum(row[label] for label in labels)
    unrated = row[T("rekap.kolom.belum_dinilai")]
    assert forms == sudah + belum, (where, row)
    assert forms == bands + unrated, (where, row)
    assert row[T("rekap.kolom.pegawai")] <= forms, (where, row)


COUNTS = ("pegawai", "formulir", "sudah", "belum", "belum_dinilai")


def check_workbook(path) -> None:
    wb = openpyxl.load_workbook(path)
    forms = rows_of(wb[T("rekap.sheet.pegawai")])
    summary = wb[T("rekap.sheet.ringkasan")]
    head = next(r for r in ([c.value for c in row] for row in summary.iter_rows())
                if r and r[0] == T("rekap.kolom.perangkat_daerah"))
    labels = head[head.index(T("rekap.kolom.rata_rata")) + 1:
                  head.index(T("rekap.kolom.belum_dinilai"))]
    units, pds, total = summary_tables(summary, labels)
    for row in units + pds + [total]:
        check_summary_row(row, labels, "Ringkasan")
    pd_key = T("rekap.kolom.perangkat_daerah")
    for pd in pds:  # a perangkat daerah row sums its unit rows
        mine = [u for u in units if u[pd_key] == pd[pd_key]]
        for key in [T(f"rekap.kolom.{k}") for k in COUNTS[1:]] + labels:
            assert pd[key] == sum(u[key] for u in mine), (pd[pd_key], key)
    for key in [T(f"rekap.kolom.{k}") for k in COUNTS[1:]] + labels:
        assert total[key] == sum(p[key] for p in pds), key
    # Per Pegawai: the active forms are exactly what Ringkasan counts
    status, rata = T("rekap.kolom.status"), T("rekap.kolom.rata_rata")
    predikat = T("rekap.kolom.predikat")
    active = [f for f in forms if f[status] != NOT_ACTIVE]
    assert total[T("rekap.kolom.formulir")] == len(active)
    assert total[T("rekap.kolom.belum")] == sum(f[status] in NOT_COUNTED for f in active)
    assert total[T("rekap.kolom.belum_dinilai")] == sum(f[rata] is None for f in active)
    assert Counter({k: total[k] for k in labels if total[k]}) == Counter(
        f[predikat] for f in active if f[rata] is not None)
    rated = [f[rata] for f in active if f[rata] is not None]
    average = total[T("rekap.kolom.rata_rata")]
    assert (average is None and not rated) or math.isclose(
        average, math.fsum(rated) / len(rated), rel_tol=1e-9)
    check_indicators(wb, forms)
    check_missing(wb, forms, active)
    check_atasan(wb, forms)
    closed = T("rekap_selesai.sheet")
    inactive = [f for f in forms if f[status] == NOT_ACTIVE]
    if inactive:  # each one explained on its own sheet
        listed = {r[T("rekap_selesai.kolom.nip")] for r in rows_of(wb[closed])}
        assert {f[T("rekap.kolom.nip")] for f in inactive} <= listed


def check_indicators(wb, forms: list[dict]) -> None:
    """Per Indikator holds each form's indikator, in Per Pegawai's order: as many as
    Jumlah Indikator, Terisi as many as Indikator Terisi, and their capaian average to
    the form's Rata-rata."""
    rows = rows_of(wb[T("rekap.sheet.indikator")])
    at = 0
    for f in forms:
        mine = rows[at:at + f[T("rekap.kolom.indikator_total")]]
        at += len(mine)
        assert {r[T("rekap.kolom.nip")] for r in mine} == {f[T("rekap.kolom.nip")]}
        assert sum(r[T("rekap.kolom.status")] == FILLED for r in mine) == \
            f[T("rekap.kolom.indikator_terisi")]
        caps = [r[T("rekap.kolom.capaian")] for r in mine
                if r[T("rekap.kolom.capaian")] is not None]
        mean = f[T("rekap.kolom.rata_rata")]
        assert (mean is None and not caps) or math.isclose(
            mean, math.fsum(caps) / len(caps), rel_tol=1e-9), f[T("rekap.kolom.nama")]
    assert at == len(rows)


def check_missing(wb, forms: list[dict], active: list[dict]) -> None:
    """Belum Mengumpulkan lists, per period, exactly the forms whose status for it is
    belum or kosong."""
    rows = rows_of(wb[T("rekap.sheet.belum")])
    period_col = T("rekap.kolom.periode")
    by_period = Counter(r[period_col] for r in rows)
    columns = [k for k in forms[0] if k and k.startswith(T("rekap.kolom.status") + " ")]
    for col in columns:
        period = col[len(T("rekap.kolom.status")) + 1:]
        assert by_period.get(period, 0) == sum(f[col] in NOT_COUNTED for f in forms), period
    last = columns[-1][len(T("rekap.kolom.status")) + 1:]
    assert sorted(r[T("rekap.kolom.nip")] for r in rows if r[period_col] == last) == sorted(
        f[T("rekap.kolom.nip")] for f in active if f[T("rekap.kolom.status")] in NOT_COUNTED)


def check_atasan(wb, forms: list[dict]) -> None:
    rows = rows_of(wb[T("rekap.sheet.atasan")])
    nip = T("rekap.kolom.nip")
    assert Counter(r[nip] for r in rows) == Counter(f[nip] for f in forms)
    columns = [k for k in rows[0] if k and k.startswith(T("rekap.kolom.status") + " ")]
    for r in rows:
        assert r[T("rekap.kolom.belum_periode")] == sum(r[c] in NOT_COUNTED for c in columns)


# --------------------------------------------------------------------------- HTML


class Tables(HTMLParser):
    """The page's headings and tables (rows of cell texts), in order."""

    def __init__(self):
        super().__init__()
        self.items: list = []  # ("h2"|"h3"|"p", text) or ("table", rows)
        self._text: list[str] | None = None
        self._tag = ""
        self._rows: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "p", "td", "th"):
            self._text, self._tag = [], tag
        if tag == "table":
            self._rows = []
        if tag == "tr" and self._rows is not None:
            self._rows.append([])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._rows is not None and self._text is not None:
            self._rows[-1].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag in ("h2", "h3", "p") and self._text is not None:
            self.items.append((tag, " ".join("".join(self._text).split())))
            self._text = None
        elif tag == "table" and self._rows is not None:
            self.items.append(("table", self._rows))
            self._rows = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _table_after(items, heading: str):
    i = next(k for k, (kind, v) in enumerate(items) if kind == "h2" and v == heading)
    return next(v for kind, v in items[i:] if kind == "table")


def _int(text: str) -> int:
    return int(text.replace(".", ""))


def check_html(path, labels: list[str]) -> None:
    page = Tables()
    page.feed(path.read_text(encoding="utf-8"))
    items = page.items
    units = _table_after(items, T("rekap.tabel.unit"))
    pds = _table_after(items, T("rekap.tabel.perangkat_daerah"))
    head = units[0]
    n_fixed = head.index(T("rekap.kolom.rata_rata")) + 1
    for table, first in ((units, 2), (pds, 1)):
        for row in table[1:]:
            nums = [_int(x) for x in row[first:first + 4]]  # pegawai, formulir, sudah, belum
            bands = [_int(x) for x in row[len(row) - 1 - len(labels):-1]]
            assert nums[1] == nums[2] + nums[3] == sum(bands) + _int(row[-1]), row
    total = pds[-1]
    for k in range(1, 5):
        assert _int(total[k]) == sum(_int(r[k]) for r in pds[1:-1]), total
    forms = _table_after(items, T("rekap.sheet.pegawai"))[1:]
    assert _int(total[2]) == len([f for f in forms if f[9] != NOT_ACTIVE])
    missing = _table_after(items, T("rekap.sheet.belum"))
    if _int(total[4]):
        assert len(missing) - 1 == _int(total[4])
    # the detail: every active form with a value, the others counted in one note
    detailed = [v for kind, v in items if kind == "h3"]
    with_values = [f for f in forms if f[9] != NOT_ACTIVE and not f[6].startswith("0 /")]
    assert len(detailed) == len(with_values)
    assert [d.split(" · ")[0] for d in detailed] == [f[1] for f in with_values]
    without = len([f for f in forms if f[9] != NOT_ACTIVE and f[6].startswith("0 /")])
    note = T("rekap.html.rincian_belum", n=without)
    assert (note in [v for kind, v in items if kind == "p"]) == bool(without)
    assert head[n_fixed:n_fixed + len(labels)] == labels
