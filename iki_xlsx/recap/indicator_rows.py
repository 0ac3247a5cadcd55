"""Per Indikator's data rows (one per pegawai × indikator) from plain data. What the rows
need of the recap travels as tuples of texts and numbers (:func:`form_items`), cheap to
pickle for a worker process, never the recap's own objects; :func:`rows` makes the rows'
XML from them, the same in this process and in a worker (:mod:`.rowjobs`)."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from ..core.model import format_nip
from ..core.textfit import MAX_LINES, height_for, one_line_chars, text_lines
from ..core.texts import Texts
from .inline import InlineRows
from .wording import sources_key, sources_text


@dataclass(frozen=True)
class RowPlan:
    """What every row of the sheet shares: the columns' widths, the realisasi periods,
    the status labels, the cells' styles (xf indices) and the templates folder the
    texts came from (a worker loads the same texts)."""

    widths: tuple[int, ...]
    periods: tuple[str, ...]
    status: dict  # indikator status → its label
    styles: tuple[int, ...]  # cell style per column
    number_styles: tuple[int, int, int]  # a number's style by its decimals (0, 1, 2)
    templates: str | None = None  # Texts(override_dir): None for the bundled ones


_OWN = attrgetter("no", "sasaran", "indikator", "satuan", "target", "polaritas",
                  "agregasi", "status", "keterangan", "total", "capaian", "progress")


def form_items(forms, periods) -> list[tuple]:
    """Each form as (NIP as shown, nama, unit kerja, its indikator), an indikator as
    (its own columns, status, keterangan, total, capaian, progress), its realisasi per
    period and its :func:`~.wording.sources_key`."""
    out = []
    for f in forms:
        inds = []
        for i in f.indicators:
            get = i.values.get
            inds.append((_OWN(i), tuple(map(get, periods)), sources_key(i)))
        out.append((format_nip(f.nip), f.nama, f.unit_kerja, inds))
    return out


class Measured:
    """What the rows of some items say and how tall it is, needing no cell style (so a
    worker measures while the styles are not known yet): the lines of an indikator's
    own columns, per distinct set, and the words and lines of its sources."""

    def __init__(self, plan: RowPlan, texts: Texts, items, own: dict | None = None):
        """``own``: the lines of indikator sets measured already (by another slice's
        worker: :mod:`.rowjobs`), taken as they are; the others are measured here."""
        widths = plan.widths
        self.short = {w: one_line_chars(w) for w in widths}
        self.own: dict[tuple, int] = {} if own is None else own
        self.sources: dict[tuple, tuple[str, int]] = {}
        own, sources, short = self.own, self.sources, self.short
        for _, _, _, inds in items:
            for mine, _, source_key in inds:
                key = mine[:7]
                if key not in own:
                    own[key] = max([min(text_lines(x, w), MAX_LINES)
                                    for x, w in zip(key, widths[3:10])
                                    if x and (len(x) > short[w] or "\n" in x)], default=1)
                if source_key not in sources:
                    text = sources_text(source_key, texts)
                    sources[source_key] = text, self.lines(text, widths[-1])

    def lines(self, text, width) -> int:
        if not text or len(text) <= self.short[width] and "\n" not in text:
            return 1
        return min(text_lines(text, width), MAX_LINES)


def rows(plan: RowPlan, measured: Measured, items, r: int, out: InlineRows):
    """The rows of ``items`` (:func:`form_items`, :class:`Measured` first), the first
    numbered ``r + 1``: an indikator's own columns, and its status and sumber, made once
    per distinct set and shared; each row then one string of its cached pieces and its
    numbers."""
    widths = plan.widths
    c_status = 13 + len(plan.periods)
    w_ket = widths[-2]
    lines, own_lines, sources = measured.lines, measured.own, measured.sources
    mids: dict[tuple, tuple[str, int]] = {}  # an indicator's own columns, shared
    tails: dict[tuple, tuple[str, str, int]] = {}  # status and sumber: shared
    starts = [out.start(height_for(n)) for n in range(MAX_LINES + 2)]
    no_note = out.cells(c_status + 1, (None,))
    status = plan.status
    for nip, nama, unit, inds in items:
        head = out.cells(0, (nip, nama, unit))
        head_lines = max(lines(nama, widths[1]), lines(unit, widths[2]))
        for own, values, source_key in inds:
            r += 1
            key = own[:7]
            mid = mids.get(key)
            if mid is None:
                if len(mids) > 100_000:  # bounded: ≤ about 100 MB
                    mids.clear()
                mid = mids[key] = (out.cells(3, key), own_lines[key])
            key = (own[7], source_key)
            tail = tails.get(key)
            if tail is None:
                if len(tails) > 1_000:  # a form's files: reused within the form
                    tails.clear()
                source, tall = sources[source_key]
                tail = tails[key] = (out.cells(c_status, (status[own[7]],)),
                                     out.cells(c_status + 2, (source,)), tall)
            note = own[8]  # each one its own: not kept
            if note:
                tall = max(head_lines, mid[1], tail[2], lines(note, w_ket))
                note = out.cells(c_status + 1, (note,))
            else:
                tall, note = max(head_lines, mid[1], tail[2]), no_note
            yield out.row(r, starts[tall], head, mid[0],
                          out.cells(10, (*values, *own[9:])), tail[0], note, tail[1])
