"""The atasan's decisions in the year's values (issue 26), as pure functions: a decision
applies to the value its row showed; Koreksi sets the atasan's value and keeps the
pegawai's; a value changed since needs verifying again; the latest decision by the
review workbook's saved time counts, whatever order the ledger gives them in."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from iki_xlsx.core.timeline import (
    CATATAN,
    DIKEMBALIKAN,
    KEMBALIKAN,
    KOREKSI,
    MENUNGGU,
    SET,
    SETUJU,
    TERVERIFIKASI,
    ULANG,
    VERIFIKASI,
    Decision,
    FileInput,
    Verification,
    resolve,
    same_value,
)

REVISIONS = {1: [{"no": "1", "sasaran": "S", "indikator": "Laporan"},
                 {"no": "2", "sasaran": "T", "indikator": "Indeks"}]}


def file(sha: str, saved: str, values: dict) -> FileInput:
    """A file giving {(indikator, period): value}."""
    real: dict = {}
    for (ind, period), value in values.items():
        real.setdefault(ind, {"realisasi": {}, "keterangan": None})["realisasi"][period] = value
    return FileInput(sha, 1, saved, saved, f"{sha}.xlsx", real)


def decision(id_: int, kind: str, ind: str | None, base, value=None, note: str = "",
             saved: str = "2025-07-10T00:00:00.000000Z", sha: str = "r1",
             period: str = "TW2", revision: int = 1) -> Verification:
    return Verification(id_, kind, revision, ind, period, value, base, note,
                        "198203152006042002", sha, saved, saved)


PEGAWAI = [file("a", "2025-07-01T00:00:00.000000Z", {("01", "TW2"): 5.0, ("02", "TW2"): 70.0})]


def test_setuju_verifies_the_value_it_was_about():
    year = resolve(PEGAWAI, REVISIONS, 1, verifications=[decision(1, SETUJU, "01", 5.0, 5.0)])
    assert year.value("01", "TW2") == 5.0
    assert year.verification("01", "TW2") == TERVERIFIKASI
    assert year.verification("02", "TW2") == MENUNGGU
    assert year.verification_status("TW2", ["01", "02"]) == MENUNGGU
    assert year.verification("01", "TW3") == ""  # blank, nobody decided: nothing to verify


def test_koreksi_sets_the_atasans_value_and_keeps_the_pegawais():
    v = decision(1, KOREKSI, "02", 70.0, 72.5, "dibulatkan dari laporan BKN")
    year = resolve(PEGAWAI, REVISIONS, 1, verifications=[v])
    assert year.value("02", "TW2") == 72.5
    assert year.values[("02", "TW2")].verification is v
    assert year.own[("02", "TW2")].value == 70.0  # the pegawai's stays in the record
    assert year.verified("02", "TW2")
    assert [(e.kind, e.indicator, e.verification) for e in year.events] == [
        (VERIFIKASI, "02", v)]


def test_kembalikan_then_the_pegawai_resends():
    back = decision(1, KEMBALIKAN, "01", 5.0, note="lampirkan bukti laporan")
    year = resolve(PEGAWAI, REVISIONS, 1, verifications=[back])
    assert year.verification("01", "TW2") == DIKEMBALIKAN and year.value("01", "TW2") == 5.0
    assert year.verification_status("TW2", ["01", "02"]) == DIKEMBALIKAN
    same = PEGAWAI + [file("b", "2025-07-15T00:00:00.000000Z", {("01", "TW2"): 5})]
    assert resolve(same, REVISIONS, 1, verifications=[back]).verification("01", "TW2") \
        == DIKEMBALIKAN  # the same value sent again: still returned
    fixed = PEGAWAI + [file("b", "2025-07-15T00:00:00.000000Z", {("01", "TW2"): 6.0})]
    year = resolve(fixed, REVISIONS, 1, verifications=[back])
    assert year.value("01", "TW2") == 6.0 and year.verification("01", "TW2") == ULANG
    assert year.verification_status("TW2", ["01"]) == MENUNGGU


def test_a_value_changed_after_verification_needs_verifying_again():
    changed = PEGAWAI + [file("b", "2025-07-20T00:00:00.000000Z", {("02", "TW2"): 80.0})]
    setuju = decision(1, SETUJU, "02", 70.0, 70.0)
    year = resolve(changed, REVISIONS, 1, verifications=[setuju])
    assert (year.value("02", "TW2"), year.verification("02", "TW2")) == (80.0, ULANG)
    # a Koreksi no longer applies either: the pegawai's new value counts, unverified
    koreksi = decision(1, KOREKSI, "02", 70.0, 72.5)
    year = resolve(changed, REVISIONS, 1, verifications=[koreksi])
    assert (year.value("02", "TW2"), year.verification("02", "TW2")) == (80.0, ULANG)
    assert not year.verified("02", "TW2")


def test_the_latest_decision_by_saved_time_counts_in_any_order():
    early = decision(1, KEMBALIKAN, "01", 5.0, note="cek", saved="2025-07-10T00:00:00.000000Z")
    late = decision(2, SETUJU, "01", 5.0, 5.0, saved="2025-07-12T00:00:00.000000Z", sha="r2")
    for order in ([early, late], [late, early]):
        assert resolve(PEGAWAI, REVISIONS, 1, verifications=order).verification(
            "01", "TW2") == TERVERIFIKASI
    # a workbook saved earlier but collected later does not undo a later decision
    late_saved_first = decision(3, KEMBALIKAN, "01", 5.0, note="x", sha="r3",
                                saved="2025-07-11T00:00:00.000000Z")
    year = resolve(PEGAWAI, REVISIONS, 1, verifications=[early, late, late_saved_first])
    assert year.verification("01", "TW2") == TERVERIFIKASI


def test_setuju_of_a_corrected_value_keeps_the_correction():
    koreksi = decision(1, KOREKSI, "02", 70.0, 72.5)
    # the next workbook showed 72.5 (counted), the pegawai's 70 under it
    setuju = decision(2, SETUJU, "02", 70.0, 72.5, saved="2025-08-01T00:00:00.000000Z")
    year = resolve(PEGAWAI, REVISIONS, 1, verifications=[koreksi, setuju])
    assert (year.value("02", "TW2"), year.verification("02", "TW2")) == (72.5, TERVERIFIKASI)


def test_the_officer_stands_over_the_atasan_and_counts_as_verified():
    koreksi = decision(1, KOREKSI, "02", 70.0, 72.5)
    officer = Decision(1, "2025-08-01T00:00:00+00:00", SET, "surat koreksi", revision=1,
                       indicator="02", period="TW2", value=75.0)
    year = resolve(PEGAWAI, REVISIONS, 1, [officer], [koreksi])
    assert year.value("02", "TW2") == 75.0 and year.verified("02", "TW2")


def test_decisions_about_an_earlier_revision_follow_the_indikator():
    revisions = {1: REVISIONS[1], 2: [REVISIONS[1][1], REVISIONS[1][0]]}  # swapped
    files = [FileInput("a", 1, "2025-07-01T00:00:00.000000Z", "", "a.xlsx",
                       {"01": {"realisasi": {"TW2": 5.0}}})]
    year = resolve(files, revisions, 2, verifications=[decision(1, SETUJU, "01", 5.0, 5.0)])
    assert year.value("02", "TW2") == 5.0 and year.verified("02", "TW2")


def test_the_overall_note_and_a_blank_row_returned():
    note = decision(1, CATATAN, None, None, note="Secara umum baik")
    blank = decision(2, KEMBALIKAN, "02", None, note="TW II belum diisi", period="TW3")
    year = resolve(PEGAWAI, REVISIONS, 1, verifications=[note, blank])
    assert year.notes["TW2"].note == "Secara umum baik"
    assert year.verification("02", "TW3") == DIKEMBALIKAN
    assert year.verification_status("TW3", ["01", "02"]) == DIKEMBALIKAN


def test_same_value_compares_as_people_read_values():
    assert same_value(85, 85.0) and same_value("Ya", " ya ") and same_value(None, None)
    assert not same_value(None, 0) and not same_value(85, 86) and not same_value("Ya", 1)


KINDS = st.sampled_from([SETUJU, KEMBALIKAN, KOREKSI])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(KINDS, st.sampled_from(["01", "02"]), st.integers(0, 5),
                          st.sampled_from([5.0, 70.0, 6.0])), min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_any_order_of_the_same_decisions_gives_the_same_year(items, rnd):
    decisions = [decision(i + 1, kind, ind, base, base + 1 if kind == KOREKSI else base,
                          note="n", saved=f"2025-07-{10 + day:02d}T00:00:00.000000Z",
                          sha=f"r{i}")
                 for i, (kind, ind, day, base) in enumerate(items)]
    first = resolve(PEGAWAI, REVISIONS, 1, verifications=decisions)
    shuffled = list(decisions)
    random.Random(rnd.random()).shuffle(shuffled)
    again = resolve(PEGAWAI, REVISIONS, 1, verifications=shuffled)
    assert {k: v.value for k, v in first.values.items()} == \
        {k: v.value for k, v in again.values.items()}
    assert {k: (s, v.id) for k, (s, v) in first.checks.items()} == \
        {k: (s, v.id) for k, (s, v) in again.checks.items()}
