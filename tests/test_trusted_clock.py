"""A file's own saved time is a claim (issue 21, item 1): it never counts as later than
the moment the file first reached us (an upload received, a message as our mail server
dated it, the collect run that first saw it), nor before its form was issued; the file
is noted, and ``riwayat`` and the recap's Riwayat show the claim beside the time that
counts. A copy of someone's form claiming any saved time cannot displace what the
pegawai saves after the copy reached us (property tests, at the timeline and through
collect)."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from filling import fill, realisasi_ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mailshapes import Part, mbox_bytes, message
from portalkit import ANDI, NUR, Client, copy_world, make_world, portal, text_of
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.core.texts import get_texts
from iki_xlsx.core.clock import BEFORE_ISSUED, FUTURE, normal_time, trusted_time
from iki_xlsx.core.timeline import FileInput, load_years, resolve
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.xlsx import write_recap_xlsx
from iki_xlsx.workspace import Workspace

T = get_texts().t
UTC = timezone.utc


def stamp(t: datetime) -> str:
    """A saved time as a program writes it into docProps/core.xml (microseconds kept:
    the tests order files saved within one second)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def counted(ws: Workspace, key=ANDI) -> dict:
    """(indikator, period) → the value that counts now, for one pegawai's form."""
    form = next(f for f in ws.issued.forms() if (f.nip, f.kode_iki) == key)
    year = load_years(ws, None, [form])[form.form_id]
    return {k: v.value for k, v in year.values.items()}


def problem_codes(ws: Workspace, path: Path) -> list[str]:
    row = ws.files.get(hashlib.sha256(path.read_bytes()).hexdigest())
    return [p["code"] for p in row.problems]


@pytest.fixture(scope="module")
def world(tmp_path_factory, small_master):
    root = tmp_path_factory.mktemp("jam")
    ws_path, forms = make_world(root, small_master)
    return root, ws_path, forms


def andi_file(forms, path: Path, values: list, saved: str) -> Path:
    a = forms[ANDI]
    refs = {realisasi_ref(a.manifest, i, "TW1"): v for i, v in enumerate(values)}
    return fill(a.path, path, refs, saved=saved)


# --------------------------------------------------------------------------- the issue

def test_a_copy_dated_2099_no_longer_overrides_the_pegawai(world, tmp_path):
    """The failure of the issue, over HTTP: an anonymous upload of Andi's form with 0 and
    1 saved "2099-01-01", then Andi's own upload. Andi's values count; the copy is noted
    and riwayat shows both times."""
    _, ws_src, forms = world
    ws_path = copy_world(ws_src, tmp_path / "ws")
    copy = andi_file(forms, tmp_path / "salinan.xlsx", [0, 1], "2099-01-01T00:00:00Z")
    with portal(ws_path) as running:
        r = Client(running.url).upload(copy)
        assert T("cli.status.diterima_catatan") in text_of(r.text)
        assert "01-01-2099 00:00 UTC" in text_of(r.text)
        own = andi_file(forms, tmp_path / "andi.xlsx", [12, 85],
                        stamp(datetime.now(UTC)))  # saved after the copy reached us
        page = text_of(Client(running.url).upload(own).text)
        assert T("cli.status.diterima") in page and T("portal.hasil.tanpa_masalah") in page
    ws = Workspace(ws_path)
    assert counted(ws) == {("01", "TW1"): 12, ("02", "TW1"): 85}
    assert problem_codes(ws, copy) == ["waktu_simpan_disesuaikan"]
    assert problem_codes(ws, own) == []
    r = CliRunner().invoke(app, ["riwayat", ANDI[0], "-w", str(ws_path)])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    copy_lines = [text[m.start():text.find(")", m.start()) + 20]
                  for m in re.finditer(r"0[12] TW I: [01] dari", text)]
    assert len(copy_lines) == 2 and all("di berkas tertulis 01-01-2099 00:00" in line and
                                        "— diganti" in line for line in copy_lines), text
    assert re.search(r"01 TW I: 12 dari \S+ \(disimpan [^)]*\)(?! —)", text)
    # the recap's Riwayat: the replaced value, with the time the copy claimed
    out = tmp_path / "rekap.xlsx"
    write_recap_xlsx(build_recap(ws, upto="TW1"), out, get_texts())
    cells = [str(c) for row in openpyxl.load_workbook(out, read_only=True)["Riwayat"]
             .iter_rows(values_only=True) for c in row if c is not None]
    assert any("di berkas tertulis 01-01-2099 00:00" in c for c in cells), cells


def test_the_pegawai_is_told_when_a_copy_still_stands_and_what_to_do(world, tmp_path):
    """Andi's file was saved before the copy reached us: the copy's values stand (it may
    have been saved later), and Andi's verdict says which of his values do not count and
    what to do — never "all is well". Saved again and sent, his values count."""
    _, ws_src, forms = world
    ws_path = copy_world(ws_src, tmp_path / "ws")
    copy = andi_file(forms, tmp_path / "salinan.xlsx", [0, 1], "2099-01-01T00:00:00Z")
    older = andi_file(forms, tmp_path / "andi-lama.xlsx", [12, 85], "2025-04-01T08:00:00Z")
    with portal(ws_path) as running:
        Client(running.url).upload(copy)
        page = text_of(Client(running.url).upload(older).text)
        assert T("portal.hasil.tidak_dipakai", sel="TW I indikator ke-1, TW I indikator ke-2") in page
        again = andi_file(forms, tmp_path / "andi-lagi.xlsx", [12, 85],
                          stamp(datetime.now(UTC)))
        page = text_of(Client(running.url).upload(again).text)
        assert "tidak dipakai" not in page and T("portal.hasil.tanpa_masalah") in page
    assert counted(Workspace(ws_path)) == {("01", "TW1"): 12, ("02", "TW1"): 85}


def test_a_file_claiming_a_time_before_its_form_was_issued_is_noted(world, tmp_path):
    _, ws_src, forms = world
    ws = Workspace(copy_world(ws_src, tmp_path / "ws"))
    early = andi_file(forms, tmp_path / "jam-rusak.xlsx", [3], "2001-01-01T08:00:00Z")
    report = collect([early], ws, jobs=1)
    res = report.results[0]
    assert res.status == "diterima_catatan"
    note = next(p for p in res.problems if p.code == "waktu_simpan_sebelum_terbit")
    assert "01-01-2001 08:00 UTC" in note.message() and note.advice()
    # the form is of 2025: it counts as saved a day before that year began, at the
    # latest (the ledger's own issue time of these test forms is today)
    assert ws.files.get(res.sha256).trusted_at == "2024-12-31T00:00:00.000000Z"
    assert counted(ws) == {("01", "TW1"): 3}


def test_an_ordinary_file_is_not_noted_and_keeps_its_own_time(world, tmp_path):
    _, ws_src, forms = world
    ws = Workspace(copy_world(ws_src, tmp_path / "ws"))
    ok = andi_file(forms, tmp_path / "biasa.xlsx", [4], "2025-04-02T03:00:00Z")
    res = collect([ok], ws, jobs=1).results[0]
    assert res.status == "diterima" and res.problems == []
    row = ws.files.get(res.sha256)
    assert row.trusted_at == row.saved_at == "2025-04-02T03:00:00.000000Z"
    assert row.arrived_at > row.saved_at



@pytest.mark.parametrize("claim", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:00-03:30"])
def test_a_saved_time_outside_the_calendar_in_utc_is_no_time(world, tmp_path, claim):
    """A file claiming a moment that is before year 1 or after 9999 once in UTC (a
    sender can write anything there) is read as a file whose document says no saved
    time (its time on disk counts, never after it reached us) — not refused as
    damaged, as it was."""
    _, ws_src, forms = world
    ws = Workspace(copy_world(ws_src, tmp_path / "ws"))
    odd = andi_file(forms, tmp_path / "jam-aneh.xlsx", [6], claim)
    res = collect([odd], ws, jobs=1).results[0]
    assert res.status in ("diterima", "diterima_catatan"), [p.code for p in res.problems]
    row = ws.files.get(res.sha256)
    assert row.saved_from != "dokumen" and row.trusted_at <= row.arrived_at
    assert counted(ws) == {("01", "TW1"): 6}



def test_a_saved_time_before_year_1000_is_a_time_before_the_form(world, tmp_path):
    """A file claiming it was saved in the year 999 is noted like any file claiming a
    time before its form was issued (the claim kept, written in four digits)."""
    _, ws_src, forms = world
    ws = Workspace(copy_world(ws_src, tmp_path / "ws"))
    old = andi_file(forms, tmp_path / "jam-kuno.xlsx", [7], "0999-06-01T00:00:00Z")
    res = collect([old], ws, jobs=1).results[0]
    assert res.status == "diterima_catatan"
    assert [p.code for p in res.problems] == ["waktu_simpan_sebelum_terbit"]
    row = ws.files.get(res.sha256)
    assert row.saved_at == "0999-06-01T00:00:00.000000Z"
    assert row.trusted_at == "2024-12-31T00:00:00.000000Z"
    assert counted(ws) == {("01", "TW1"): 7}


# --------------------------------------------------------------------------- mail

def test_by_mail_the_time_our_server_took_the_message_bounds_the_claim(world, tmp_path):
    """An attachment claiming 2099 in a message our server received on 3 April 2025 (its
    topmost Received header; the sender's Date says 2099 too): it counts from 3 April."""
    _, ws_src, forms = world
    ws = Workspace(copy_world(ws_src, tmp_path / "ws"))
    copy = andi_file(forms, tmp_path / "salinan.xlsx", [0, 1], "2099-01-01T00:00:00Z")
    raw = message("orang@lain.id", [Part(copy.read_bytes())],
                  date="Thu, 01 Jan 2099 00:00:00 +0000")
    raw = (b"Received: from mx.contoh.go.id by imap.contoh.go.id; "
           b"Thu, 03 Apr 2025 10:15:00 +0700\r\nReceived: from orang by x; "
           b"Thu, 01 Jan 2099 00:00:00 +0000\r\n" + raw)
    box = tmp_path / "kotak.mbox"
    box.write_bytes(mbox_bytes([raw]))
    res = collect([box], ws, jobs=1).results[0]
    row = ws.files.get(res.sha256)
    assert row.arrived_at == row.trusted_at == "2025-04-03T03:15:00.000000Z"
    assert [p.code for p in res.problems] == ["waktu_simpan_disesuaikan"]
    # Andi's own file, saved after that and collected from a folder today, counts
    own = andi_file(forms, tmp_path / "andi.xlsx", [9, 90], "2025-04-03T05:00:00Z")
    collect([own], ws, jobs=1)
    assert counted(ws) == {("01", "TW1"): 9, ("02", "TW1"): 90}


def test_the_same_file_by_two_ways_counts_from_the_earlier_whatever_the_order(world,
                                                                               tmp_path):
    _, ws_src, forms = world
    copy = andi_file(forms, tmp_path / "in" / "salinan.xlsx", [0], "2099-01-01T00:00:00Z")
    raw = message("orang@lain.id", [Part(copy.read_bytes())],
                  date="Thu, 03 Apr 2025 10:15:00 +0700")
    box = tmp_path / "kotak.mbox"
    box.write_bytes(mbox_bytes([raw]))
    rows = []
    for order in ([box, copy.parent], [copy.parent, box]):
        ws = Workspace(copy_world(ws_src, tmp_path / f"ws{len(rows)}"))
        for item in order:
            collect([item], ws, jobs=1)
        row = ws.files.get(hashlib.sha256(copy.read_bytes()).hexdigest())
        rows.append((row.arrived_at, row.trusted_at, row.status,
                     [p["code"] for p in row.problems]))
    assert rows[0] == rows[1] == ("2025-04-03T03:15:00.000000Z",
                                  "2025-04-03T03:15:00.000000Z", "diterima_catatan",
                                  ["waktu_simpan_disesuaikan"])


def test_imap_internaldate_is_when_our_mailbox_took_the_message():
    from iki_xlsx.collect.mail.imap import internal_date

    head = b'7 (UID 42 INTERNALDATE " 3-Apr-2025 10:15:00 +0700" BODY[] {2048}'
    assert normal_time(internal_date(head)) == "2025-04-03T03:15:00.000000Z"
    assert internal_date(b"7 (UID 42 BODY[] {2048}") == ""


# --------------------------------------------------------------------------- old ledgers

def test_an_old_ledger_gets_the_trusted_time_and_rejudge_adds_the_note(world, tmp_path):
    _, ws_src, forms = world
    ws_path = copy_world(ws_src, tmp_path / "ws")
    ws = Workspace(ws_path)
    copy = andi_file(forms, tmp_path / "salinan.xlsx", [0, 1], "2099-01-01T00:00:00Z")
    sha = collect([copy], ws, jobs=1).results[0].sha256
    ws.close()
    # as a ledger of the previous version holds it: no trusted time, no note
    db = sqlite3.connect(ws_path / "ledger.sqlite3")
    with db:
        db.execute("UPDATE files SET arrived_at = NULL, trusted_at = NULL, problems = '[]',"
                   " status = 'diterima'")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.close()
    ws = Workspace(ws_path)
    row = ws.files.get(sha)
    assert row.trusted_at == row.arrived_at == normal_time(row.first_seen)
    assert row.status == "diterima"
    r = CliRunner().invoke(app, ["collect", "--rejudge", "-w", str(ws_path)])
    assert r.exit_code == 0, r.output
    assert "salinan.xlsx" in r.output and "01-01-2099 00:00 UTC" in r.output
    row = Workspace(ws_path).files.get(sha)
    assert row.status == "diterima_catatan"
    assert [p["code"] for p in row.problems] == ["waktu_simpan_disesuaikan"]


# --------------------------------------------------------------------------- the rule

def test_trusted_time_rule():
    arrived = "2025-04-03T03:15:00.000000Z"
    assert trusted_time("2025-04-01T00:00:00.000000Z", arrived, "", 2025) == \
        ("2025-04-01T00:00:00.000000Z", "")
    assert trusted_time("2099-01-01T00:00:00.000000Z", arrived) == (arrived, FUTURE)
    # a few minutes fast: clamped, not noted; a time without a zone: up to UTC+14
    assert trusted_time("2025-04-03T03:20:00.000000Z", arrived) == (arrived, "")
    assert trusted_time("2025-04-03T10:15:00.000000Z", arrived, zoned=False) == (arrived, "")
    assert trusted_time("2025-04-03T10:15:00.000000Z", arrived) == (arrived, FUTURE)
    assert trusted_time("2001-01-01T00:00:00.000000Z", arrived,
                        "2025-01-05T02:00:00.000000Z", 2025) == \
        ("2024-12-31T00:00:00.000000Z", BEFORE_ISSUED)
    assert trusted_time("", arrived) == (arrived, "")


# --------------------------------------------------------------------------- properties

MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(UTC))
YEAR = st.datetimes(min_value=datetime(2025, 1, 10), max_value=datetime(2025, 12, 1),
                    timezones=st.just(UTC))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(claim=st.one_of(st.just(""), MOMENTS.map(stamp)), copy_at=YEAR,
       later=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=60)),
       sent_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
       copy_first=st.booleans())
def test_no_claimed_time_displaces_what_was_saved_after_the_copy_arrived(
        claim, copy_at, later, sent_after, copy_first):
    """A copy (any claimed saved time, reaching us at ``copy_at``) and the pegawai's own
    file saved ``later`` than that and sent ``sent_after`` its saving: the pegawai's value
    counts, whatever order the two were collected in."""
    issued = "2025-01-05T02:00:00.000000Z"
    own_saved = copy_at + later
    trusted_copy, _ = trusted_time(claim, stamp(copy_at), issued, 2025)
    trusted_own, _ = trusted_time(stamp(own_saved), stamp(own_saved + sent_after),
                                  issued, 2025)
    files = [FileInput("c" * 64, 1, trusted_copy, "", "salinan", _gives(0), claim),
             FileInput("a" * 64, 1, trusted_own, "", "milik", _gives(12), stamp(own_saved))]
    year = resolve(files if copy_first else files[::-1], {1: [{}]}, 1)
    assert year.value("01", "TW1") == 12


def _gives(value) -> dict:
    return {"01": {"realisasi": {"TW1": value}}}


@settings(max_examples=10, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(claim=st.one_of(st.just("none"), MOMENTS.map(stamp)),
       copy_at=YEAR, later=st.timedeltas(min_value=timedelta(seconds=1),
                                         max_value=timedelta(days=30)),
       copy_first=st.booleans(), data=st.data())
def test_through_collect_a_copy_never_displaces_a_file_saved_after_it_arrived(
        world, tmp_path_factory, claim, copy_at, later, copy_first, data):
    """The same property with real files through collect: each arrives as an upload
    received at its own moment (``collect(received_at=…)``), in either order; a copy
    that did arrive after the pegawai saved may win — only then."""
    root, ws_src, forms = world
    tmp = tmp_path_factory.mktemp("sifat")
    ws = Workspace(copy_world(ws_src, tmp / "ws"))
    copy = andi_file(forms, tmp / "salinan.xlsx", [0, 1],
                     "2099-01-01T00:00:00Z" if claim == "none" else claim)
    if claim == "none":  # a file that says nothing of when it was saved
        _drop_saved_time(copy)
    own_saved = copy_at + later
    own = andi_file(forms, tmp / "andi.xlsx", [12, 85], stamp(own_saved))
    own_at = own_saved + data.draw(st.timedeltas(min_value=timedelta(0),
                                                 max_value=timedelta(days=10)))
    arrivals = [(copy, copy_at), (own, own_at)]
    for path, at in (arrivals if copy_first else arrivals[::-1]):
        collect([path], ws, jobs=1, received_at=at)
    assert counted(ws) == {("01", "TW1"): 12, ("02", "TW1"): 85}
    ws.close()
    shutil.rmtree(tmp, ignore_errors=True)


def _drop_saved_time(path: Path) -> None:
    import re
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", body)
            zout.writestr(item, body)
    tmp.replace(path)


def test_per_indikator_names_each_files_own_claim(world, tmp_path):
    """Andi's file and, a run later, Nur's at the same place (an inbox folder the officer
    reuses) with the saved time that counts for Andi's: only Andi's claimed another time
    (2001, before the form was issued), and the recap's Per Indikator says the claim on
    Andi's rows alone (its SUMBER text is made once per distinct source: the claim is
    part of what makes a source distinct)."""
    _, ws_src, forms = world
    ws = Workspace(copy_world(ws_src, tmp_path / "ws"))
    (tmp_path / "masuk").mkdir()
    place = tmp_path / "masuk" / "iki.xlsx"
    andi = andi_file(forms, place, [3], "2001-01-01T08:00:00Z")
    collect([andi], ws, jobs=1)
    counted_at = ws.files.get(hashlib.sha256(andi.read_bytes()).hexdigest()).trusted_at
    n = forms[NUR]
    nur = fill(n.path, place, {realisasi_ref(n.manifest, 0, "TW1"): 4}, saved=counted_at)
    assert collect([nur], ws, jobs=1).results[0].problems == []
    out = tmp_path / "rekap.xlsx"
    write_recap_xlsx(build_recap(ws, upto="TW1"), out, get_texts())
    rows = list(openpyxl.load_workbook(out, read_only=True)[
        T("rekap.sheet.indikator")].iter_rows(values_only=True))
    head = next(i for i, row in enumerate(rows) if T("rekap.kolom.sumber") in row)
    nip, source = rows[head].index(T("rekap.kolom.nip")), rows[head].index(
        T("rekap.kolom.sumber"))
    said = {str(row[nip]).replace(" ", ""): row[source] for row in rows[head + 1:]
            if row[source]}
    assert "di berkas tertulis 01-01-2001" in said[ANDI[0]], said
    assert "iki.xlsx" in said[NUR[0]] and "tertulis" not in said[NUR[0]], said
