"""The changes a collect run reports, found from the run's files and the one earlier file
that last filled each cell (:mod:`iki_xlsx.collect.latest`), are those of resolving each
touched form's whole year — whatever the order and the split of the runs (property
test) — and the short way is taken only where it may be."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yearkit import ORDER_FILES, two_forms_files

from iki_xlsx.collect import collect
from iki_xlsx.collect.latest import latest_changes
from iki_xlsx.core.problems import ACCEPTED
from iki_xlsx.core.timeline import load_years, touching
from iki_xlsx.workspace import Workspace


@pytest.fixture(scope="module")
def files_of_two_forms(small_master, tmp_path_factory):
    """Files of two forms that replace, blank and restate each other's values (k5 every
    value the earlier files of its form leave), two of them saved at the same second
    with different values; and the workspace that issued the forms."""
    plan = ORDER_FILES[:2] + [
        ("k", "k2b.xlsx", {(0, "TW1"): 79}, "2025-04-02T08:00:00Z"),
    ] + ORDER_FILES[2:4] + [
        ("k", "k5.xlsx", {(0, "TW1"): 81, (1, "TW1"): 0, (0, "TW2"): 91, (2, "TW2"): 70},
         "2025-07-05T08:00:00Z"),  # restates what k2 … k4 gave
    ] + ORDER_FILES[4:]
    return two_forms_files(small_master, tmp_path_factory.mktemp("terakhir"), plan)


def what_files_gave(report) -> dict:
    """sha256 → what each file of the run gave, as the run hands it on."""
    return {r.sha256: r.realisasi or {} for r in report.results}


def resolved_changes(ws: Workspace, report) -> list:
    """The changes as resolving every file of each touched form gives them."""
    shas = {r.sha256 for r in report.results if r.status in ACCEPTED and r.form_id}
    touched = sorted({r.form_id for r in report.results if r.sha256 in shas})
    forms = [f for f in ws.issued.forms(report.tahun) if f.form_id in touched]
    years = load_years(ws, report.tahun, forms)
    return [(fid, e) for fid in touched for e in touching(years[fid], shas)]


@settings(max_examples=15, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_changes_are_those_of_the_whole_year_in_any_order_and_split(
        files_of_two_forms, tmp_path_factory, data):
    ws_path, files = files_of_two_forms
    order = data.draw(st.permutations(files))
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(files) - 1), max_size=4))))
    root = tmp_path_factory.mktemp("run")
    shutil.copytree(ws_path, root / "ws")
    ws = Workspace(root / "ws")
    try:
        for n, (i, j) in enumerate(zip([0, *cuts], [*cuts, len(files)])):
            inbox = root / f"in{n}"
            inbox.mkdir()
            for f in order[i:j]:
                shutil.copy(f, inbox / f.name)
            report = collect([inbox], ws, jobs=1)
            got = [(row.form_id, e) for row, e in report.changes]
            assert got == resolved_changes(ws, report)
    finally:
        ws.close()


def test_the_short_way_only_for_files_after_every_earlier_one(files_of_two_forms, tmp_path):
    ws_path, files = files_of_two_forms
    shutil.copytree(ws_path, tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    by_name = {f.name: f for f in files}
    try:
        collect([by_name["k1.xlsx"]], ws, jobs=1)
        later = collect([by_name["k3.xlsx"]], ws, jobs=1)
        form = next(f for f in ws.issued.forms() if f.form_id == later.results[0].form_id)
        shape = {form.form_id: (form.revision, ws.issued.shapes([form])[form.form_id][1])}
        quick = latest_changes(ws, shape, what_files_gave(later))
        # k3 replaces k1's 80 by 81 and leaves k1's 2 blank (TW1): from k1 alone
        assert [(e.kind, e.indicator, e.period, e.old.value, e.new.value)
                for e in quick[form.form_id]] == [("diganti", "01", "TW1", 80, 81),
                                                  ("dikosongkan", "02", "TW1", 2, None)]
        assert [e for _, e in later.changes] == quick[form.form_id]
        earlier = collect([by_name["k2.xlsx"]], ws, jobs=1)  # saved before k3
        assert latest_changes(ws, shape, what_files_gave(earlier)) == {}
        assert [(form.form_id, e) for _, e in earlier.changes] == \
            resolved_changes(ws, earlier)
        assert [e.kind for _, e in earlier.changes] == ["diganti", "diganti", "dikosongkan"]
    finally:
        ws.close()


@pytest.fixture
def copied(files_of_two_forms, tmp_path):
    """A copy of the two forms' workspace, and their files by name."""
    ws_path, files = files_of_two_forms
    shutil.copytree(ws_path, tmp_path / "ws")
    ws = Workspace(tmp_path / "ws")
    yield ws, {f.name: f for f in files}
    ws.close()


def _shape(ws: Workspace, report) -> dict:
    form = next(f for f in ws.issued.forms() if f.form_id == report.results[0].form_id)
    return {form.form_id: (form.revision, ws.issued.shapes([form])[form.form_id][1])}


def test_a_later_file_that_only_replaces_values_meets_them(copied):
    """k2 (after k1) gives every cell k1 filled, two of them with other values: the
    short way finds both replacements — a file that names every cell is not taken for
    one that restates them."""
    ws, by_name = copied
    collect([by_name["k1.xlsx"]], ws, jobs=1)
    later = collect([by_name["k2.xlsx"]], ws, jobs=1)
    shape = _shape(ws, later)
    (form_id,) = shape
    quick = latest_changes(ws, shape, what_files_gave(later))
    assert [(e.kind, e.indicator, e.period, e.old.value, e.new.value)
            for e in quick[form_id]] == [("diganti", "01", "TW1", 80, 81),
                                         ("diganti", "02", "TW1", 2, 0)]
    assert [(row.form_id, e) for row, e in later.changes] == \
        resolved_changes(ws, later)


def test_bits_that_claim_a_value_the_file_lacks_send_the_form_the_long_way(copied):
    """An earlier file whose recorded bits claim cells it does not give (TW2, with the
    same bits as TW1) is not met by the short way: the form is left to be resolved."""
    ws, by_name = copied
    first = collect([by_name["k1.xlsx"]], ws, jobs=1)
    sha = first.results[0].sha256
    with ws.ledger.transaction() as db:
        db.execute("UPDATE files SET filled_mask = ? WHERE sha256 = ?",
                   ('{"TW1": 3, "TW2": 3, "TW3": 0, "TW4": 0}', sha))
    later = collect([by_name["k3.xlsx"]], ws, jobs=1)
    assert latest_changes(ws, _shape(ws, later), what_files_gave(later)) == {}
