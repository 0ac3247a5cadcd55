"""The year the ledger keeps per form (``kept_years``, advanced file by file as collect
records them) is exactly what resolving every file and decision gives: after random
sequences of files recorded in any order (earlier- and later-saved, same-second, blank
cells, keterangan), files set aside and taken back, values set, cleared and released,
verdicts judged again, the year read (and its rows made again) in between."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iki_xlsx.core.timeline import resolve
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import FileEntry, Workspace

PERIODS = ("TW1", "TW2", "TW3", "TW4")
VALUES = st.one_of(st.none(), st.sampled_from([0, 1, 2.5, 80, 80.0, 95, "Ya", "Tidak"]))
STAMPS = st.one_of(st.none(), st.sampled_from(
    ["2025-04-01T08:00:00.000000Z", "2025-04-02T08:00:00.000000Z",
     "2025-07-01T08:00:00.000000Z", "2025-07-01T08:00:00.000000Z"]))


@pytest.fixture(scope="module")
def issued(small_master, tmp_path_factory):
    """A workspace with the small master's forms issued, and those forms."""
    root = tmp_path_factory.mktemp("kept")
    ws = Workspace(root / "ws")
    generate_forms(small_master, root / "f", ws, jobs=1)
    forms = ws.issued.forms()
    ws.close()
    return root / "ws", forms[:2]


def full_years(ws: Workspace, forms) -> dict:
    """The year of each form resolved from all its files and decisions, independently of
    what the ledger keeps."""
    ids = [f.form_id for f in forms]
    files = ws.files.year_files(ids)
    decisions = ws.decisions.by_form(ids)
    verifications = ws.verifications.by_form(ids)
    out = {}
    for f in forms:
        revisions = {r.revision: r.indicators for r in ws.issued.indicators(None, [f.form_id])
                     if r.form_id == f.form_id}
        out[f.form_id] = resolve(files.get(f.form_id, ()), revisions, f.revision,
                                 decisions.get(f.form_id, []), verifications.get(f.form_id, ()))
    return out


def same(kept, full) -> None:
    assert kept.values == full.values
    assert kept.keterangan == full.keterangan
    assert (kept.files, kept.excluded) == (full.files, full.excluded)
    assert kept.events == full.events


def entry(form, count: int, k: int, cells: dict, notes: dict, saved, status: str):
    realisasi = {f"{i + 1:02d}": {"realisasi": {p: cells.get((i, p)) for p in PERIODS},
                                  "keterangan": notes.get(i)} for i in range(count)}
    sha = hashlib.sha256(json.dumps([k, form.form_id, realisasi, saved]).encode()).hexdigest()
    return FileEntry(sha, 1000, "xlsx", status, [], form.form_id, form.revision, form.nip,
                     2025, realisasi, saved_at=saved)


a_file = st.tuples(
    st.just("file"), st.integers(0, 1),
    st.dictionaries(st.tuples(st.integers(0, 1), st.sampled_from(PERIODS[:2])), VALUES,
                    min_size=1, max_size=4),  # few cells: files meet in the same ones
    st.dictionaries(st.integers(0, 1), st.sampled_from(["", "bukti", "laporan"]), max_size=2),
    STAMPS, st.sampled_from(["diterima", "diterima", "diterima_catatan", "ditolak"]))
step = st.one_of(
    a_file, a_file, a_file,
    st.tuples(st.just("file_decision"), st.sampled_from(["kecualikan", "sertakan"]),
              st.integers(0, 20)),
    st.tuples(st.just("value_decision"), st.integers(0, 1),
              st.sampled_from(["tetapkan", "kosongkan", "lepas"]), st.integers(0, 4),
              st.sampled_from(PERIODS), st.sampled_from([None, 1, 2])),
    st.tuples(st.just("rejudge"), st.integers(0, 20),
              st.sampled_from(["diterima", "ditolak"])),
)


@settings(max_examples=120, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=1, max_size=14),
       reads=st.lists(st.sampled_from([True, True, False]), min_size=14, max_size=14))
def test_the_kept_year_is_what_resolving_every_file_gives(issued, tmp_path_factory, steps,
                                                          reads):
    ws_path, forms = issued
    root = tmp_path_factory.mktemp("seq")
    shutil.copytree(ws_path, root / "ws")
    ws = Workspace(root / "ws")
    shapes = ws.issued.shapes(forms)
    recorded: list[FileEntry] = []
    try:
        for n, (kind, *args) in enumerate(steps):
            if kind == "file":
                which, cells, notes, saved, status = args
                form = forms[which]
                e = entry(form, shapes[form.form_id].count, n, cells, notes, saved, status)
                ws.files.record([(e, "masuk", f"berkas{n}.xlsx")], f"run{n}")
                recorded.append(e)
            elif kind == "file_decision" and recorded:
                e = recorded[args[1] % len(recorded)]
                ws.decisions.add(args[0], "alasan", form_id=e.form_id, sha256=e.sha256)
            elif kind == "value_decision":
                which, what, ind, period, revision = args
                ws.decisions.add(what, "alasan", form_id=forms[which].form_id,
                                 revision=revision, indicator=f"{ind + 1:02d}", period=period,
                                 value=77 if what == "tetapkan" else None)
            elif kind == "rejudge" and recorded:
                e = recorded[args[0] % len(recorded)]
                ws.files.replace_verdict(replace(e, status=args[1]))
            if reads[n % len(reads)]:  # reading in between keeps (and drops) rows too
                kept = ws.years.load(2025, forms)
                full = full_years(ws, forms)
                for f in forms:
                    same(kept[f.form_id], full[f.form_id])
        kept = ws.years.load(2025, forms)
        full = full_years(ws, forms)
        for f in forms:
            same(kept[f.form_id], full[f.form_id])
    finally:
        ws.close()
