"""The atasan's verification through the rest of the year (issue 26): review workbooks
collected through every channel (zip, e-mail, the portal), the recap with and without
"only verified values" (figures computed here by hand), a re-issued form marking what
was returned, remind telling each pegawai what was returned and why, the review
workbooks sent to the atasan, the portal's officer pages, the CLI and the master
setting."""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import zipfile
from datetime import date, datetime, timezone

import openpyxl
import pytest
import yaml
from filling import fill
from mailtools import master_with_contacts, thunderbird_reply
from portalkit import Client, portal, text_of
from reviewkit import (
    ANDI,
    BUPATI,
    KEPALA,
    KEPALA_NIP,
    NUR,
    SRI_NIP,
    block_of,
    build_world,
    fill_review,
    manifest_of,
    review_fixtures,
    sri_filled,
)
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.core.texts import YamlLoader, get_texts
from iki_xlsx.define.master import load_master
from iki_xlsx.forms import generate_reviews
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.mail.remind import remind
from iki_xlsx.portal.auth import set_password
from iki_xlsx.recap.build import build_recap
from iki_xlsx.recap.wording import notes
from iki_xlsx.workspace import Workspace
from iki_xlsx.recap.xlsx import write_recap_xlsx

T = get_texts().t
SETTINGS = {"batas": "10 Agustus 2025", "pengirim": "BKPSDM"}
world, w = review_fixtures()


def by_key(recap, key):
    return next(f for f in recap.forms if (f.nip, f.kode_iki) == key)


def pct(r: float, t: float) -> float:
    return min(r / t * 100, 120.0)


def test_review_workbooks_come_through_every_channel(w, tmp_path):
    ws = w["ws"]
    zipped = tmp_path / "kiriman WA.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.write(sri_filled(w, tmp_path / "sri.xlsx"), "verifikasi/sri.xlsx")
    kepala_book = w["books"][KEPALA_NIP]
    kepala = fill_review(w["paths"][KEPALA_NIP], tmp_path / "kepala.xlsx",
                         manifest_of(kepala_book), {("Sri", 0): ("Setuju", None, None)})
    eml = tmp_path / "balasan.eml"
    eml.write_bytes(thunderbird_reply(  # sent now: the workbook was saved just before
        "rahmat@contoh.go.id", [("Verifikasi TW II.xlsx", kepala.read_bytes())],
        date=email.utils.format_datetime(datetime.now(timezone.utc))))
    report = collect([zipped, eml], ws, jobs=1)
    assert [(str(r.status), r.nip, r.filled) for r in report.results] == [
        ("diterima", SRI_NIP, 3), ("diterima", KEPALA_NIP, 1)]
    # the portal: an upload goes through the one collect path
    bupati_book = w["books"][BUPATI]
    bupati = fill_review(w["paths"][BUPATI], tmp_path / "bupati.xlsx",
                         manifest_of(bupati_book), {("Drs", 0): ("Koreksi", 83, None)})
    set_password(ws.path, "sandi-pengelola-uji-123", get_texts())
    ws.close()
    with portal(ws.path) as running:
        page = text_of(Client(running.url).upload(bupati).text)
    assert T("cli.status.diterima") in page and BUPATI in page
    forms = {v.kind for vs in w["ws"].verifications.by_form().values() for v in vs}
    assert forms == {"setuju", "koreksi", "kembalikan", "catatan"}
    kepala_form = w["forms"][KEPALA].form_id
    (v,) = w["ws"].verifications.by_form([kepala_form])[kepala_form]
    assert (v.kind, v.value, v.atasan_nip) == ("koreksi", 83, "")  # the Bupati has no NIP


def test_the_recap_counts_verified_values_or_all_of_them(w, tmp_path):
    ws = w["ws"]
    collect([sri_filled(w, tmp_path / "sri.xlsx")], ws, jobs=1)
    every = build_recap(ws, upto="TW2")
    only = build_recap(ws, upto="TW2", only_verified=True)
    # Andi: TW1 3, 70 (not reviewed), TW2 4 (Setuju), 74 → 72,5 (Koreksi); jumlah with
    # the TW2 target 6, rata-rata against BB (70)
    andi = by_key(every, ANDI)
    assert [i.values for i in andi.indicators] == [{"TW1": 3, "TW2": 4},
                                                   {"TW1": 70, "TW2": 72.5}]
    assert [i.capaian for i in andi.indicators] == pytest.approx(
        [pct(3 + 4, 6), pct((70 + 72.5) / 2, 70)])
    andi = by_key(only, ANDI)
    assert [i.values for i in andi.indicators] == [{"TW1": None, "TW2": 4},
                                                   {"TW1": None, "TW2": 72.5}]
    assert [i.capaian for i in andi.indicators] == pytest.approx([pct(4, 6), pct(72.5, 70)])
    assert andi.capaian == pytest.approx((pct(4, 6) + pct(72.5, 70)) / 2)
    assert andi.verification == {"TW1": "menunggu", "TW2": "terverifikasi"}
    # Nur: nothing verified — no capaian when only verified values count
    nur_all, nur_only = by_key(every, NUR), by_key(only, NUR)
    assert nur_all.verification["TW2"] == "dikembalikan"
    assert nur_all.capaian == pytest.approx((pct(4 + 2, 6) + pct((72 + 76) / 2, 70)) / 2)
    assert nur_only.capaian is None
    assert [i.status for i in nur_only.indicators] == ["belum_verifikasi"] * 2
    assert nur_only.status == "lengkap"  # submitted is about the pegawai, not the atasan
    # the recap says which values it counted
    assert "Hanya nilai yang sudah diverifikasi atasan" in " ".join(notes(only, get_texts()))
    assert "Semua nilai dihitung" in " ".join(notes(every, get_texts()))
    # the workbook: per pegawai, per atasan, the atasan's corrections in Riwayat
    wb = openpyxl.load_workbook(write_recap_xlsx(only, tmp_path / "rekap.xlsx"))
    head, *rows = [r for r in wb["Per Pegawai"].iter_rows(min_row=2, values_only=True)]
    col = head.index("Verifikasi TW II")
    assert {r[2]: r[col] for r in rows if r[2] in ("Andi Pratama, S.Kom", "Nur Aini, A.Md")} \
        == {"Andi Pratama, S.Kom": "Terverifikasi", "Nur Aini, A.Md": "Dikembalikan"}
    head, *rows = [r for r in wb["Per Atasan"].iter_rows(min_row=2, values_only=True)]
    waiting = head.index("Bawahan Menunggu Verifikasi (TW II)")
    by_atasan = {r[0]: (r[waiting], r[waiting + 1]) for r in rows}
    assert by_atasan["Sri Lestari, S.E., M.M. (19820315 200604 2 002)"] == (0, 1)
    assert by_atasan["Drs. H. Rahmat Wijaya, S.Sos. (19700101 199503 1 001)"] == (2, 0)
    riwayat = [r for r in wb["Riwayat"].iter_rows(min_row=3, values_only=True)]
    assert ("Atasan mengoreksi nilai", "TW II", 74, 72.5) in [
        (r[3], r[5], r[6], r[8]) for r in riwayat]
    assert any(r[3] == "Atasan mengembalikan nilai kepada pegawai"
               and r[10] == "Lampirkan bukti 2 laporan TW II" for r in riwayat)


def test_a_reissued_form_marks_what_was_returned_and_the_correction_counts(w, tmp_path):
    ws = w["ws"]
    collect([sri_filled(w, tmp_path / "sri.xlsx")], ws, jobs=1)
    master = load_master(w["master"]).master
    planned = {p.form.key: p for p in generate_forms(master, tmp_path / "terbit", ws, jobs=1,
                                                     closed_upto="TW2").forms}
    nur = planned[NUR]
    sheet = openpyxl.load_workbook(nur.path)["IKI"]
    row = nur.manifest["indicators"][0]["row"]
    tw2 = nur.manifest["indicators"][0]["cells"]["realisasi"]["TW2"]
    marks = [c.value for c in sheet[row] if isinstance(c.value, str)
             and c.value.startswith("Dikembalikan")]
    assert marks == ["Dikembalikan atasan (TW II): Lampirkan bukti 2 laporan TW II"]
    assert sheet[tw2].value == 2 and not sheet[tw2].protection.locked  # open to correct
    tw1 = nur.manifest["indicators"][0]["cells"]["realisasi"]["TW1"]
    assert sheet[tw1].protection.locked  # the other closed periods stay locked
    fixed = fill(nur.path, tmp_path / "nur-perbaikan.xlsx", {tw2: 3},
                 saved="2025-07-25T09:00:00Z")
    (res,) = collect([fixed], ws, jobs=1).results
    assert (str(res.status), res.problems) == ("diterima", [])
    nur_form = by_key(build_recap(ws, upto="TW2"), NUR)
    assert nur_form.indicators[0].values["TW2"] == 3
    assert nur_form.indicators[0].verification["TW2"] == "verifikasi_ulang"
    assert nur_form.verification["TW2"] == "menunggu"


def test_remind_tells_each_pegawai_what_was_returned_and_sends_the_atasan_their_workbook(
        w, tmp_path):
    ws = w["ws"]
    collect([sri_filled(w, tmp_path / "sri.xlsx")], ws, jobs=1)
    result = remind(ws, get_texts(), "TW2", tmp_path / "ingat", sender="b@contoh.go.id",
                    settings=SETTINGS, forms_dir=w["root"] / "forms",
                    today=date(2025, 7, 28), reviews_dir=w["root"] / "verifikasi")
    assert [(f.nama, [i["umpan_balik"] for i in items]) for f, items in result.returned] == [
        ("Nur Aini, A.Md", ["Lampirkan bukti 2 laporan TW II"])]
    (nur_mail,) = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                   for p in result.returned_mail.written]
    assert nur_mail["To"] == "nur.aini@contoh.go.id" and "dikembalikan" in nur_mail["Subject"]
    body = nur_mail.get_body(("plain",)).get_content()
    assert "1. Jumlah laporan pengolahan data yang tersusun (TW II): Lampirkan bukti 2" in body
    assert next(nur_mail.iter_attachments()).get_filename().startswith("199107112019032011")
    wa = openpyxl.load_workbook(result.files[0])["WhatsApp"]
    assert "Nur Aini, A.Md" in [r[2] for r in wa.iter_rows(min_row=5, values_only=True)]
    # the atasan with bawahan still waiting get their workbook again: the Kepala (both of
    # Sri's forms wait) and Sri (Nur's second indikator waits); the Bupati has no e-mail
    sent = {str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"])
            for p in result.review_mail.written}
    assert sent == {"rahmat@contoh.go.id", "sri.lestari@contoh.go.id"}
    assert [f.nama for f in result.review_mail.no_email] == [BUPATI]


def test_distribute_sends_each_atasan_their_workbook(w, tmp_path):
    ws = w["ws"]
    out = tmp_path / "surel"
    res = CliRunner().invoke(app, ["distribute", "--verifikasi", str(w["root"] / "verifikasi"),
                                   "-w", str(ws.path), "-o", str(out),
                                   "--from", "iki@bkpsdm.contoh.go.id"])
    assert res.exit_code == 1, res.output  # the Bupati has no e-mail: listed
    assert BUPATI in res.output and "2 pesan ditulis" in res.output
    msgs = {str(m["To"]): (p.name, m) for p in out.rglob("*.eml") for m in [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)]}
    assert set(msgs) == {"rahmat@contoh.go.id", "sri.lestari@contoh.go.id"}
    name, sri = msgs["sri.lestari@contoh.go.id"]
    assert name == "198203152006042002_Sri Lestari, S.E., M.M-verifikasi-TW2.eml"
    assert "Verifikasi" in sri["Subject"] and "TW II" in sri["Subject"]
    attachment = next(sri.iter_attachments())
    assert attachment.get_filename() == "198203152006042002_Sri Lestari, S.E., M.M.xlsx"
    assert "2 pegawai yang Anda nilai" in sri.get_body(("plain",)).get_content()


def test_the_officer_pages_show_the_verification(w, tmp_path):
    ws = w["ws"]
    collect([sri_filled(w, tmp_path / "sri.xlsx")], ws, jobs=1)
    set_password(ws.path, "sandi-pengelola-uji-123", get_texts())
    ws.close()
    with portal(ws.path) as running:
        client = Client(running.url)
        client.login("sandi-pengelola-uji-123")
        page = text_of(client.get("/petugas?periode=TW2").text)
    assert T("portal.petugas.ringkas_verifikasi", periode="TW II", terverifikasi=1,
             dikembalikan=1, menunggu=3) in page
    assert "Andi Pratama, S.Kom (19900520 201503 1 003) — lengkap · Terverifikasi" in page


def test_cli_verifikasi(w, tmp_path):
    ws = w["ws"]
    runner = CliRunner()
    res = runner.invoke(app, ["verifikasi", "--periode", "TW II", "-w", str(ws.path), "-o",
                              str(tmp_path / "v")])
    assert res.exit_code == 0, res.output
    assert "3 workbook verifikasi TW II untuk 5 bawahan" in " ".join(res.output.split())
    res = runner.invoke(app, ["verifikasi", "--periode", "TW2", "--atasan",
                              "19820315 200604 2 002", "-w", str(ws.path), "-o",
                              str(tmp_path / "sri")])
    assert res.exit_code == 0 and [p.name for p in (tmp_path / "sri").iterdir()] == [
        "198203152006042002_Sri Lestari, S.E., M.M.xlsx"]
    bad = runner.invoke(app, ["verifikasi", "--periode", "TW5", "-w", str(ws.path)])
    assert bad.exit_code == 2 and "TW5" in bad.output and "TW1, TW2, TW3, TW4" in bad.output
    nobody = runner.invoke(app, ["verifikasi", "--periode", "TW2", "--atasan",
                                 "199005202015031003", "-w", str(ws.path)])
    assert nobody.exit_code == 2 and "199005202015031003" in nobody.output
    returned = sri_filled(w, tmp_path / "sri.xlsx")
    checked = runner.invoke(app, ["check", str(returned)])  # without the workspace's key
    assert "Sri Lestari" in checked.output and checked.exit_code == 1, checked.output
    first = runner.invoke(app, ["collect", str(returned), "-w", str(ws.path), "--json",
                                "--report", str(tmp_path / "laporan.xlsx")])
    assert first.exit_code == 0, (first.output, first.exception)
    data = json.loads(first.output)
    assert data["verifikasi"] == {"berkas": 1, "keputusan": 4, "setuju": 1, "kembalikan": 1,
                                  "koreksi": 1, "catatan": 1}
    assert {v["keputusan"] for v in data["berkas"][0]["verifikasi"]} == {
        "setuju", "koreksi", "kembalikan", "catatan"}
    kepala = fill_review(w["paths"][KEPALA_NIP], tmp_path / "kepala.xlsx",
                         manifest_of(w["books"][KEPALA_NIP]),
                         {("Sri", 0): ("Setuju", None, None)})
    copy = tmp_path / "salinan sri.xlsx"
    copy.write_bytes(returned.read_bytes())
    res = runner.invoke(app, ["collect", str(kepala), str(copy), "-w", str(ws.path), "--report",
                              str(tmp_path / "laporan2.xlsx")])
    assert res.exit_code == 0, res.output  # Sri's copy: the same content, nothing more
    assert T("verifikasi.kumpul", berkas=1, keputusan=1, setuju=1, kembalikan=0, koreksi=0,
             catatan=0) in " ".join(res.output.split())
    history = runner.invoke(app, ["riwayat", NUR[0], "-w", str(ws.path)])
    assert "Atasan mengembalikan nilai kepada pegawai" in history.output
    assert "Lampirkan bukti 2 laporan TW II" in history.output
    recap = runner.invoke(app, ["recap", "--periode", "TW2", "--hanya-terverifikasi", "-w",
                                str(ws.path), "-o", str(tmp_path / "r.xlsx")])
    assert recap.exit_code == 0, recap.output


def test_the_master_setting_counts_only_verified_values(tmp_path):
    data = yaml.load(master_with_contacts(tmp_path / "m.yaml").read_text(encoding="utf-8"),
                     Loader=YamlLoader)
    data["pengaturan"]["hanya nilai terverifikasi"] = "Ya"
    path = tmp_path / "hanya.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    world = build_world(tmp_path / "dunia", path)
    ws = Workspace(world["root"] / "ws")
    recap = build_recap(ws, upto="TW2")
    assert recap.only_verified and recap.only_verified_setting
    assert all(f.capaian is None for f in recap.forms)  # nothing verified yet
    assert not build_recap(ws, upto="TW2", only_verified=False).only_verified
    data["pengaturan"]["hanya nilai terverifikasi"] = "mungkin"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_master(path)
    assert [p.code for p in loaded.problems] == ["pengaturan_hanya_terverifikasi"]


def test_the_master_workbook_has_the_setting_with_its_choices(tmp_path):
    from iki_xlsx.define import write_master

    master = load_master(master_with_contacts(tmp_path / "m.yaml")).master
    path = tmp_path / "master.xlsx"
    write_master(path, master)
    ws = openpyxl.load_workbook(path)["Pengaturan"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["Hanya Nilai Terverifikasi"] == "Tidak"
    assert load_master(path).master.settings.hanya_terverifikasi is False


def test_the_review_of_a_period_a_form_does_not_count_in_leaves_it_out(tmp_path):
    """A form active only from TW3 (Mulai) is in no TW2 review workbook."""
    data = yaml.load(master_with_contacts(tmp_path / "m.yaml").read_text(encoding="utf-8"),
                     Loader=YamlLoader)
    for person in data["pegawai"]:
        if person["nip"] == ANDI[0]:
            person["mulai"] = "TW3"
    path = tmp_path / "mulai.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    world = build_world(tmp_path / "dunia", path, fill_forms=False)
    sheets = [b["sheet"] for b in manifest_of(world["books"][SRI_NIP])["blocks"]]
    assert sheets == ["1. Nur Aini, A.Md"]
    ws = Workspace(world["root"] / "ws")
    tw3 = {r.ledger_row.atasan_nip: r for r in generate_reviews(
        ws, "TW3", tmp_path / "tw3", jobs=1).results}
    assert [b["nama"] for b in manifest_of(tw3[SRI_NIP])["blocks"]] == [
        "Andi Pratama, S.Kom", "Nur Aini, A.Md"]
    assert block_of(manifest_of(tw3[SRI_NIP]), "Andi")["rows"][0]["shown"] is None


def _figures(ws) -> dict:
    """What a recap says of every form: values, capaian and the atasan's verification
    per indikator and period, counted with all values and with verified ones only."""
    out = {}
    for only in (False, True):
        for f in build_recap(ws, upto="TW2", only_verified=only).forms:
            out[(only, f.nip, f.kode_iki)] = (
                f.capaian, f.predikat, f.verification, f.unverified,
                [(i.values, i.capaian, i.verification, i.status) for i in f.indicators])
    return out


def test_recovery_brings_back_the_atasans_decisions(w, tmp_path):
    """Issues 23 and 26: the ledger lost after the atasan verified; recovery from the
    journal rebuilds the review workbooks issued and judges the returned one again, so the
    recap after recovery is the recap before (Koreksi, Kembalikan and Setuju alike)."""
    ws = w["ws"]
    collect([sri_filled(w, tmp_path / "sri.xlsx")], ws, jobs=1)
    before = _figures(ws)
    kinds = sorted(((fid, v.indicator, v.period, v.kind, v.value, v.note, v.saved_at)
                    for fid, vs in ws.verifications.by_form().items() for v in vs), key=repr)
    assert {k[3] for k in kinds} == {"setuju", "koreksi", "kembalikan", "catatan"}
    assert before[(True, *ANDI)] != before[(False, *ANDI)]  # verification changes figures
    ws.close()
    for p in (w["root"] / "ws").glob("ledger.sqlite3*"):
        p.unlink()
    got = CliRunner().invoke(app, ["recover", str(w["root"] / "forms"),
                                   "-w", str(w["root"] / "ws")])
    assert got.exit_code in (0, 1), got.output
    again = Workspace(w["root"] / "ws")
    try:
        assert sorted(((fid, v.indicator, v.period, v.kind, v.value, v.note, v.saved_at)
                      for fid, vs in again.verifications.by_form().items()
                       for v in vs), key=repr) == kinds
        assert _figures(again) == before
        assert [r.review_id for r in again.reviews.latest()] == [
            b.ledger_row.review_id for b in w["books"].values()]
    finally:
        again.close()


def test_the_officer_page_shows_what_resolving_every_form_shows(w, tmp_path):
    """The atasan's decisions (Setuju, Kembalikan, Koreksi) on some forms, none on the
    others: the page is the same as every form's year resolved."""
    from overviewkit import assert_same_page

    collect([sri_filled(w, tmp_path / "sri.xlsx")], w["ws"], jobs=1)
    assert assert_same_page(w["ws"]) > 0
