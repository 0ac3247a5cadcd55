"""Each form's values kept in the ledger (issue 25, :mod:`iki_xlsx.core.kept`): after any
order and split of collect runs they are what meeting every file of the form gives,
and a recap then reads no file's values again; a file saved before the kept ones, a
file set aside, a rejudge or kept values that cannot be read make them again from the
files — never a wrong value."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yearkit import ORDER_FILES, drawn_runs, two_forms_files

from iki_xlsx.collect import collect
from iki_xlsx.core import fastjson, kept
from iki_xlsx.core.timeline import load_years, resolve, revision_maps, taking_part
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import FileEntry, Workspace
from iki_xlsx.workspace.schema import SCHEMA_VERSION


@pytest.fixture(scope="module")
def order_files(small_master, tmp_path_factory):
    return two_forms_files(small_master, tmp_path_factory.mktemp("simpan"), ORDER_FILES)


def from_every_file(ws: Workspace) -> dict:
    """form id → its year met from every file it has, with the officer's decisions
    (nothing kept is read)."""
    forms = ws.issued.forms()
    shapes = ws.issued.shapes(forms)
    files = ws.files.year_files([f.form_id for f in forms])
    decisions = ws.decisions.by_form([f.form_id for f in forms])
    return {f.form_id: resolve(files.get(f.form_id, ()),
                               {f.revision: [{}] * shapes[f.form_id][1]}, f.revision,
                               decisions.get(f.form_id, []))
            for f in forms}


def same_year(a, b) -> None:
    assert a.values == b.values
    assert a.keterangan == b.keterangan
    assert a.events == b.events
    assert a.files == b.files


def kept_rows(ws: Workspace) -> dict[str, tuple[int, str]]:
    return {form_id: (revision, state) for form_id, revision, state in ws.db.execute(
        "SELECT form_id, revision, state FROM form_values")}


def kept_covers_every_file(ws: Workspace, form) -> bool:
    """The form's kept values were made of every file it has now."""
    shape = ws.issued.shapes([form])[form.form_id]
    files = taking_part(ws.files.year_files([form.form_id], light=True).get(form.form_id, []),
                        revision_maps({form.revision: [{}] * shape[1]}, form.revision), set())
    row = kept_rows(ws).get(form.form_id)
    met = kept.decode(row[1], files) if row else None
    return met is not None and len(met.files) == len(files)


def copied(ws_path, root):
    shutil.copytree(ws_path, root / "ws")
    return Workspace(root / "ws")


def collect_each(ws, root, batches):
    for n, batch in enumerate(batches):
        inbox = root / f"in{n}"
        inbox.mkdir()
        for f in batch:
            shutil.copy(f, inbox / f.name)
        yield collect([inbox], ws, jobs=1)


@settings(max_examples=12, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_kept_values_are_those_of_every_file_in_any_order_and_split(
        order_files, tmp_path_factory, data):
    ws_path, files = order_files
    root = tmp_path_factory.mktemp("kept")
    ws = copied(ws_path, root)
    try:
        for _ in collect_each(ws, root, drawn_runs(data, files)):
            truth = from_every_file(ws)
            years = load_years(ws, None, ws.issued.forms())
            for form_id, year in truth.items():
                same_year(years[form_id], year)
        # every form with a file has values kept of all its files: a recap reads them
        for form in ws.issued.forms():
            assert kept_covers_every_file(ws, form) == bool(truth[form.form_id].files)
    finally:
        ws.close()


def test_a_recap_reads_the_kept_values_and_the_files_when_they_do_not_match(
        order_files, tmp_path):
    ws_path, files = order_files
    ws = copied(ws_path, tmp_path)
    try:
        by_name = {f.name: f for f in files}
        first = collect([by_name["k1.xlsx"], by_name["k3.xlsx"]], ws, jobs=1)
        form_id = first.results[0].form_id
        kepala = next(f for f in build_recap(ws, upto="TW2").forms if f.form_id == form_id)
        assert kepala.indicators[0].values == {"TW1": 81, "TW2": 90}
        # what the files gave, spoiled in the ledger: the recap still shows the kept values
        with ws.ledger.transaction() as db:
            db.execute("UPDATE files SET realisasi = '{}' WHERE form_id = ?", (form_id,))
        again = next(f for f in build_recap(ws, upto="TW2").forms if f.form_id == form_id)
        assert again.indicators[0].values == {"TW1": 81, "TW2": 90}
        # kept values that cannot be read are not used: the files' values count
        with ws.ledger.transaction() as db:
            db.execute("UPDATE form_values SET state = '[1, 2' WHERE form_id = ?", (form_id,))
        spoiled = next(f for f in build_recap(ws, upto="TW2").forms if f.form_id == form_id)
        assert spoiled.indicators[0].values == {"TW1": None, "TW2": None}
    finally:
        ws.close()


def test_a_file_saved_before_the_kept_ones_makes_them_again(order_files, tmp_path):
    ws_path, files = order_files
    ws = copied(ws_path, tmp_path)
    try:
        by_name = {f.name: f for f in files}
        collect([by_name["k1.xlsx"]], ws, jobs=1)
        collect([by_name["k3.xlsx"]], ws, jobs=1)
        late = collect([by_name["k2.xlsx"]], ws, jobs=1)  # saved between k1 and k3
        form = next(f for f in ws.issued.forms() if f.form_id == late.results[0].form_id)
        assert kept_covers_every_file(ws, form)
        same_year(load_years(ws, None, [form])[form.form_id], from_every_file(ws)[form.form_id])
        assert [(e.kind, e.old.value, e.new.value) for _, e in late.changes] == [
            ("diganti", 80, 81), ("diganti", 2, 0), ("dikosongkan", 0, None)]
    finally:
        ws.close()


def test_a_rejudged_file_voids_what_was_kept_of_its_form(order_files, tmp_path):
    """A rejudge can change what a file gave: the values kept before it are not used —
    also when the rejudge was made by a version that keeps no values (the ``rejudged``
    row is all it left)."""
    ws_path, files = order_files
    ws = copied(ws_path, tmp_path)
    try:
        by_name = {f.name: f for f in files}
        got = collect([by_name["k1.xlsx"]], ws, jobs=1)
        sha, form_id = got.results[0].sha256, got.results[0].form_id
        with ws.ledger.transaction() as db:  # what an older version's rejudge leaves
            old = db.execute("SELECT realisasi FROM files WHERE sha256 = ?", (sha,)).fetchone()
            changed = json.loads(old[0])
            changed["01"]["realisasi"]["TW1"] = 55
            db.execute("INSERT INTO rejudged (sha256, at, old) VALUES (?, '', '{}')", (sha,))
            db.execute("UPDATE files SET realisasi = ? WHERE sha256 = ?",
                       (json.dumps(changed), sha))
        form = next(f for f in ws.issued.forms() if f.form_id == form_id)
        assert load_years(ws, None, [form])[form_id].value("01", "TW1") == 55
        # and this version's rejudge forgets the row itself
        load_years(ws, None, [form], keep=True)
        assert form_id in kept_rows(ws)
        entry = ws.files.get(sha)
        ws.files.replace_verdict(_entry(entry, 56))
        assert form_id not in kept_rows(ws)
        assert load_years(ws, None, [form])[form_id].value("01", "TW1") == 56
    finally:
        ws.close()


def _entry(row, value):
    """``row`` (a :class:`CollectedFile`) judged again: its TW1 value of 01 is ``value``."""
    realisasi = dict(row.realisasi)
    realisasi["01"] = {**realisasi["01"], "realisasi": {**realisasi["01"]["realisasi"],
                                                        "TW1": value}}
    fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(FileEntry)}
    return FileEntry(**{**fields, "realisasi": realisasi})


def test_a_file_set_aside_and_taken_back_is_met_again(order_files, tmp_path):
    ws_path, files = order_files
    ws = copied(ws_path, tmp_path)
    try:
        by_name = {f.name: f for f in files}
        got = collect([by_name["k1.xlsx"], by_name["k2.xlsx"]], ws, jobs=1)
        k2 = next(r for r in got.results if r.name.endswith("k2.xlsx"))
        form = next(f for f in ws.issued.forms() if f.form_id == k2.form_id)
        ws.decisions.add("kecualikan", reason="salah kirim", form_id=form.form_id,
                         sha256=k2.sha256)
        aside = load_years(ws, None, [form], keep=True)[form.form_id]
        assert aside.value("01", "TW1") == 80 and aside.files == 1
        ws.decisions.add("sertakan", reason="benar", form_id=form.form_id, sha256=k2.sha256)
        back = load_years(ws, None, [form], keep=True)[form.form_id]
        assert back.value("01", "TW1") == 81 and back.files == 2
        same_year(back, from_every_file(ws)[form.form_id])
    finally:
        ws.close()


def test_a_ledger_of_schema_3_gains_the_table_and_keeps_a_copy(order_files, tmp_path):
    ws_path, files = order_files
    ws = copied(ws_path, tmp_path)
    collect([files[0]], ws, jobs=1)
    ws.close()
    path = tmp_path / "ws" / "ledger.sqlite3"
    db = sqlite3.connect(path)
    db.execute("DROP TABLE form_values")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    ws = Workspace(tmp_path / "ws")
    try:
        form = next(f for f in ws.issued.forms() if f.form_id)
        load_years(ws, None, ws.issued.forms())
        assert ws.db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                             ).fetchone() == (str(SCHEMA_VERSION),)
        assert list((tmp_path / "ws").glob("ledger-v3-*.sqlite3.bak"))
        assert form is not None
    finally:
        ws.close()


values = st.one_of(st.none(), st.booleans(), st.integers(-(1 << 70), 1 << 70),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
documents = st.recursive(values, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=12)


def plain_all(value) -> bool:
    if isinstance(value, list):
        return all(plain_all(v) for v in value)
    if isinstance(value, dict):
        return all(plain_all(v) for v in value.values())
    return fastjson.plain(value)


def same_json(a, b) -> bool:
    """Equal as JSON values, NaN equal to NaN."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(doc=documents)
def test_the_ledgers_json_reads_and_writes_the_values_json_does(doc):
    """What :mod:`iki_xlsx.core.fastjson` writes and reads back is what :mod:`json`
    writes and reads back — NaN, infinities and wide integers included."""
    text = json.dumps(doc)
    assert same_json(fastjson.loads(text), json.loads(text))
    written = fastjson.dumps(doc, checked=plain_all(doc))
    assert same_json(fastjson.loads(written, ours=True), json.loads(text))
    assert same_json(fastjson.loads(written), json.loads(text))


@pytest.mark.parametrize("odd", [math.nan, math.inf, -math.inf, 1 << 70, -(1 << 64), 1e308])
def test_kept_values_keep_any_value_a_file_gave(odd):
    """A value orjson would not write as json does (NaN, infinity, a wide integer) is
    kept as json writes it, and read back the same."""
    from iki_xlsx.core.meeting import FileInput, meet

    f1 = FileInput("a" * 64, 1, "2025-04-01T00:00:00Z", "2025-04-02T00:00:00Z", "x.xlsx",
                   {"01": {"realisasi": {"TW1": 1.5, "TW2": 1e308}}})
    f2 = FileInput("b" * 64, 1, "2025-07-01T00:00:00Z", "2025-07-02T00:00:00Z", "y.xlsx",
                   {"01": {"realisasi": {"TW1": odd}, "keterangan": "catatan"}})
    revisions = {1: [{}] * 2}
    maps = revision_maps(revisions, 1)
    met = meet([f1, f2], revisions, 1, maps)
    back = kept.decode(kept.encode(met), [f1, f2])
    assert same_json({"|".join(k): v[0] for k, v in back.cells.items()},
                     {"|".join(k): v[0] for k, v in met.cells.items()})
    assert same_json([e.new.value for e in back.events], [odd])
