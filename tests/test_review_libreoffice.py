"""The atasan verifies, end to end with a real LibreOffice (issue 26).

The pegawai fill their forms in LibreOffice (TW I and TW II) and they are collected; the
review workbooks are made — Andi's pejabat penilai is Sri *as Plt. Kepala Bidang*, a
workbook apart from the one she signs as Sekretaris —; each atasan fills theirs in
LibreOffice (Setuju, Kembalikan with umpan balik, Koreksi; one saved as .ods) and they
are collected; Nur re-sends after the return; Andi changes a value Sri had approved;
new review workbooks show both as needing verification again, and the atasan decide
again. The recap's figures, with and without "only verified values", are computed here
by hand, never with capaian.py. The review workbooks print on the master's paper with
every text visible (also under DejaVu: ``IKI_TEST_FONTS=dejavu``).
"""

from __future__ import annotations

import json

import pytest
import yaml
from filling import realisasi_ref, saved_on
from libreoffice import fill_and_save, needs_libreoffice, to_pdf
from reviewkit import ANDI, KEPALA_NIP, NUR, SEKRETARIS, SRI_NIP, lo_writes, ods_saved_on
from test_generate_libreoffice import normalise, visible_pdf_text

from iki_xlsx.collect import collect
from iki_xlsx.core.texts import YamlLoader
from iki_xlsx.define.master import load_master
from iki_xlsx.forms import generate_reviews
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace

pytestmark = needs_libreoffice

DATA = __import__("pathlib").Path(__file__).parent / "data"
PLT = "Plt. Kepala Bidang Mutasi/Promosi"


def pct(r: float, t: float, cap: float = 120.0) -> float:
    return min(r / t * 100, cap)


def rentang(r: float, low: float = 80, high: float = 90) -> float:
    return 100.0 if low <= r <= high else min((r / high if r > high else r / low) * 100, 120)


def plt_master(dst):
    """The small master, with Andi assessed by Sri as Plt. Kepala Bidang (the atasan's
    columns name her capacity)."""
    data = yaml.load((DATA / "master-kecil.yaml").read_text(encoding="utf-8"),
                     Loader=YamlLoader)
    for person in data["pegawai"]:
        if person["nip"] == ANDI[0]:
            person["atasan"] = {"nip": SRI_NIP, "nama": "Sri Lestari, S.E., M.M.",
                                "jabatan": PLT, "pangkat": "Pembina", "golongan": "IV/a",
                                "unit_kerja": "Bidang Mutasi"}
            person.pop("nip_atasan", None)
    dst.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return dst


def lo_form(planned, dst, values, stamp):
    m = planned.manifest
    fill_and_save(planned.path, {realisasi_ref(m, i, p): v for (i, p), v in values.items()},
                  dst, "xlsx", sheet="IKI")
    return saved_on(dst, stamp)


def lo_review(book, dst, decisions, notes=None, stamp=None, fmt="xlsx"):
    manifest = json.loads(book.ledger_row.manifest)
    fill_and_save(book.path, lo_writes(manifest, decisions, notes), dst, fmt)
    return (ods_saved_on if fmt == "ods" else saved_on)(dst, stamp)


def books_by_jabatan(run):
    return {(r.ledger_row.atasan_nip, json.loads(r.ledger_row.manifest)["atasan"]["jabatan"]):
            r for r in run.results}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("verifikasi-lo")
    master = load_master(plt_master(root / "master.yaml")).master
    ws = Workspace(root / "ws")
    forms = {p.form.key: p for p in generate_forms(master, root / "forms", ws, jobs=1).forms}
    out = {"root": root, "ws": ws, "forms": forms}
    # ---- the pegawai fill TW I and TW II in LibreOffice
    inbox = root / "masuk"
    lo_form(forms[ANDI], inbox / "andi.xlsx", {(0, "TW1"): 3, (1, "TW1"): 70,
                                               (0, "TW2"): 4, (1, "TW2"): 74},
            "2025-07-01T09:00:00Z")
    lo_form(forms[NUR], inbox / "nur.xlsx", {(0, "TW1"): 4, (1, "TW1"): 72,
                                             (0, "TW2"): 2, (1, "TW2"): 76},
            "2025-07-02T09:00:00Z")
    lo_form(forms[SEKRETARIS], inbox / "sri.xlsx", {(0, "TW1"): "Ya", (1, "TW1"): 85,
                                                    (0, "TW2"): "Ya", (1, "TW2"): 88},
            "2025-07-03T09:00:00Z")
    out["forms_collected"] = collect([inbox], ws, jobs=1)
    # ---- review workbooks, filled by the atasan in LibreOffice
    first = generate_reviews(ws, "TW2", root / "verifikasi-1", jobs=1)
    out["first"] = books = books_by_jabatan(first)
    plt, sekretaris = books[(SRI_NIP, PLT)], books[(SRI_NIP, "Sekretaris")]
    kepala = books[(KEPALA_NIP, "Kepala Badan")]
    back = root / "kembali-1"
    lo_review(plt, back / "sri-plt.xlsx", {("Andi", 0): ("Setuju", None, None),
                                           ("Andi", 1): ("Koreksi", 72.5, None)},
              stamp="2025-07-20T09:00:00Z")
    lo_review(sekretaris, back / "sri-sekretaris.ods",
              {("Nur", 0): ("Kembalikan", None, "Laporan TW II kurang dua; lampirkan"),
               ("Nur", 1): ("Setuju", None, None)},
              {"Nur": "Secara umum baik"}, stamp="2025-07-20T10:00:00Z", fmt="ods")
    lo_review(kepala, back / "kepala.xlsx", {("Sri Lestari, S.E., M.M.", 0):
                                             ("Setuju", None, None),
                                             ("Sri Lestari, S.E., M.M.", 1):
                                             ("Koreksi", "92", None)},
              stamp="2025-07-21T09:00:00Z")
    out["reviews_collected"] = collect([back], ws, jobs=1)
    out["recap_1"] = build_recap(ws, upto="TW2")
    # ---- Nur re-sends after the return; Andi changes the value Sri approved
    again = root / "masuk-2"
    lo_form(forms[NUR], again / "nur-perbaikan.xlsx", {(0, "TW1"): 4, (1, "TW1"): 72,
                                                       (0, "TW2"): 3, (1, "TW2"): 76},
            "2025-07-25T09:00:00Z")
    lo_form(forms[ANDI], again / "andi-ubah.xlsx", {(0, "TW1"): 3, (1, "TW1"): 70,
                                                    (0, "TW2"): 5, (1, "TW2"): 74},
            "2025-07-26T09:00:00Z")
    out["resent"] = collect([again], ws, jobs=1)
    out["recap_2"] = build_recap(ws, upto="TW2")
    # ---- new review workbooks: the changed values wait again; the atasan decide
    second = generate_reviews(ws, "TW2", root / "verifikasi-2", jobs=1)
    out["second"] = books = books_by_jabatan(second)
    back = root / "kembali-2"
    lo_review(books[(SRI_NIP, PLT)], back / "sri-plt-2.xlsx",
              {("Andi", 0): ("Setuju", None, None)}, stamp="2025-08-05T09:00:00Z")
    lo_review(books[(SRI_NIP, "Sekretaris")], back / "sri-sekretaris-2.xlsx",
              {("Nur", 0): ("Setuju", None, None)}, stamp="2025-08-05T10:00:00Z")
    out["reviews_2"] = collect([back], ws, jobs=1)
    out["recap_all"] = build_recap(ws, upto="TW2", only_verified=False)
    out["recap_verified"] = build_recap(ws, upto="TW2", only_verified=True)
    return out


def by_key(recap, key):
    return next(f for f in recap.forms if (f.nip, f.kode_iki) == key)


def test_the_plt_atasan_signs_a_workbook_of_their_own(year):
    books = year["first"]
    assert set(books) == {(SRI_NIP, PLT), (SRI_NIP, "Sekretaris"),
                          (KEPALA_NIP, "Kepala Badan"), ("", "Bupati Contoh Raya")}
    plt = json.loads(books[(SRI_NIP, PLT)].ledger_row.manifest)
    assert [b["nama"] for b in plt["blocks"]] == ["Andi Pratama, S.Kom"]
    assert books[(SRI_NIP, PLT)].path.endswith(
        "198203152006042002_Sri Lestari, S.E., M.M._Plt. Kepala Bidang Mutasi Promosi.xlsx")


def test_decisions_made_in_libreoffice_are_recorded(year):
    ws = year["ws"]
    assert all(str(r.status) == "diterima" for r in year["forms_collected"].results)
    results = {r.name.rsplit("/", 1)[-1]: r for r in year["reviews_collected"].results}
    assert {n: (str(r.status), r.filled) for n, r in results.items()} == {
        "sri-plt.xlsx": ("diterima", 2), "sri-sekretaris.ods": ("diterima", 2),
        "kepala.xlsx": ("diterima", 2)}
    got = {(f, v.indicator, v.kind, v.value, v.note, v.atasan_nip)
           for f, vs in ws.verifications.by_form().items() for v in vs
           if v.sha256 in {r.sha256 for r in results.values()}}
    f = {k: year["forms"][k].form_id for k in (ANDI, NUR, SEKRETARIS)}
    assert got == {
        (f[ANDI], "01", "setuju", 4, "", SRI_NIP),
        (f[ANDI], "02", "koreksi", 72.5, "", SRI_NIP),
        (f[NUR], "01", "kembalikan", None, "Laporan TW II kurang dua; lampirkan", SRI_NIP),
        (f[NUR], "02", "setuju", 76, "", SRI_NIP),
        (f[NUR], None, "catatan", None, "Secara umum baik", SRI_NIP),
        (f[SEKRETARIS], "01", "setuju", "Ya", "", KEPALA_NIP),
        (f[SEKRETARIS], "02", "koreksi", 92, "", KEPALA_NIP)}
    recap = year["recap_1"]
    assert by_key(recap, ANDI).verification["TW2"] == "terverifikasi"
    assert by_key(recap, NUR).verification["TW2"] == "dikembalikan"
    assert by_key(recap, SEKRETARIS).indicators[1].values["TW2"] == 92


def test_a_resent_or_changed_value_needs_verifying_again(year):
    assert all(str(r.status) == "diterima" for r in year["resent"].results)
    recap = year["recap_2"]
    nur, andi = by_key(recap, NUR), by_key(recap, ANDI)
    assert (nur.indicators[0].values["TW2"], nur.indicators[0].verification["TW2"]) == (
        3, "verifikasi_ulang")
    assert (andi.indicators[0].values["TW2"], andi.indicators[0].verification["TW2"]) == (
        5, "verifikasi_ulang")
    # Andi sent 74 again: Sri's correction still applies to it
    assert (andi.indicators[1].values["TW2"], andi.indicators[1].verification["TW2"]) == (
        72.5, "terverifikasi")
    assert nur.verification["TW2"] == andi.verification["TW2"] == "menunggu"
    second = year["second"]
    plt = json.loads(second[(SRI_NIP, PLT)].ledger_row.manifest)
    assert (second[(SRI_NIP, PLT)].ledger_row.revision,
            [(r["shown"], r["base"]) for r in plt["blocks"][0]["rows"]]) == (
        2, [(5, 5), (72.5, 74)])


def test_the_recap_with_and_without_only_verified_values(year):
    every, only = year["recap_all"], year["recap_verified"]
    assert all(str(r.status) == "diterima" for r in year["reviews_2"].results)
    # Andi: TW I 3, 70 (never reviewed); TW II 5 (Setuju, second round), 74 → 72,5
    andi = [pct(3 + 5, 6), pct((70 + 72.5) / 2, 70)]
    assert [i.capaian for i in by_key(every, ANDI).indicators] == pytest.approx(andi)
    andi_v = [pct(5, 6), pct(72.5, 70)]
    assert [i.capaian for i in by_key(only, ANDI).indicators] == pytest.approx(andi_v)
    assert by_key(only, ANDI).capaian == pytest.approx(sum(andi_v) / 2)
    # Nur: TW I 4, 72; TW II 3 (re-sent, then Setuju), 76 (Setuju)
    nur = [pct(4 + 3, 6), pct((72 + 76) / 2, 70)]
    assert [i.capaian for i in by_key(every, NUR).indicators] == pytest.approx(nur)
    nur_v = [pct(3, 6), pct(76, 70)]
    assert [i.capaian for i in by_key(only, NUR).indicators] == pytest.approx(nur_v)
    assert by_key(only, NUR).predikat == "Baik"  # (50 + 108,57) / 2 = 79,3
    # Sri as Sekretaris: ya/tidak (terakhir) and a range 80–90, corrected to 92 by the
    # Kepala: the same with or without, for TW II is the last period and was verified
    sri = [100.0, rentang(92)]
    assert [i.capaian for i in by_key(every, SEKRETARIS).indicators] == pytest.approx(sri)
    assert [i.capaian for i in by_key(only, SEKRETARIS).indicators] == pytest.approx(sri)
    assert by_key(only, SEKRETARIS).verification["TW2"] == "terverifikasi"
    # nothing else verified: the Kepala and Sri's Plt. form count nothing
    assert by_key(only, ("197001011995031001", "IKI-KEPALA")).capaian is None
    assert every.only_verified is False and only.only_verified is True
    verified_forms = [f for f in only.forms if f.capaian is not None]
    assert only.total.average == pytest.approx(
        sum(f.capaian for f in verified_forms) / len(verified_forms))


def test_review_workbooks_print_whole_on_the_masters_paper(year, tmp_path):
    """Each bawahan's sheet prints on one page, landscape, with every text visible: the
    indikator, the value's source, the pegawai and the atasan (as Plt.) in the signature."""
    import pymupdf

    book = year["second"][(SRI_NIP, PLT)]
    pdf = to_pdf(book.path, tmp_path)
    with pymupdf.open(pdf) as doc:
        pages = [page.get_text() for page in doc]
        width, height = doc[0].rect.width, doc[0].rect.height
    assert width > height and len(pages) == 2  # Petunjuk, then Andi's sheet
    text = visible_pdf_text(pdf)
    for expected in ("Andi Pratama, S.Kom", "Sri Lestari, S.E., M.M.", PLT,
                     "Jumlah laporan pengolahan data yang tersusun",
                     "Nilai kualitas data SIASN", "andi-ubah.xlsx", "NIP. 19820315 200604 2 002",
                     "Perlu verifikasi ulang", "KEPUTUSAN", "UMPAN BALIK",
                     "CATATAN ATASAN UNTUK PEGAWAI"):
        assert normalise(expected) in text, expected
    sekretaris = to_pdf(year["second"][(SRI_NIP, "Sekretaris")].path, tmp_path)
    text = visible_pdf_text(sekretaris)
    assert normalise("Laporan TW II kurang dua; lampirkan") in text  # the last umpan balik
    assert normalise("Sekretaris") in text and normalise(PLT) not in text
