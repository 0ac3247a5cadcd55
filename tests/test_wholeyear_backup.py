"""The whole year (issue 11): backup during a collect and restore, a lost ledger that
generate and collect refuse to start afresh from, recovery from the forms folder (the
recap after recovery equals the recap before the loss), finding the workspace, and bad
archives — each refused with a message, nothing changed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from filling import fill, realisasi_ref, rewrite_member
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import DB_FILE, KEY_FILE, Workspace, check_ledger_file
from iki_xlsx.year.backup import BackupError, backup, restore
from iki_xlsx.year.recovery import RecoveryError, recover

DATA = Path(__file__).parent / "data"
MASTER = DATA / "master-kecil.yaml"
runner = CliRunner()


def figures(ws: Workspace) -> list:
    recap = build_recap(ws, upto="TW2")
    return sorted((f.form_id, f.revision, f.status, sorted(f.period_status.items()),
                   f.capaian, [(i.id, sorted(i.values.items()), i.capaian, i.keterangan)
                               for i in f.indicators]) for f in recap.forms)


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


@pytest.fixture
def issued(small_master, tmp_path):
    """Forms generated and 24 distinct returned files (two pegawai, values varying)."""
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    forms = {p.form.key: p for p in result.forms}
    andi = forms[("199005202015031003", "IKI-PENGOLAH")]
    nur = forms[("199107112019032011", "IKI-PENGOLAH")]
    inbox = tmp_path / "masuk"
    for n in range(12):
        for who, p in (("andi", andi), ("nur", nur)):
            refs = {realisasi_ref(p.manifest, 0, "TW1"): n + 1,
                    realisasi_ref(p.manifest, 1, "TW1"): 60 + n}
            if n % 3 == 0:
                refs[realisasi_ref(p.manifest, 0, "TW2")] = n + 2
            fill(p.path, inbox / f"{who}-{n:02d}.xlsx", refs)
    ws.close()
    return tmp_path, result


# --------------------------------------------------------------------------- backup

def test_backup_during_a_collect_and_restore(issued, monkeypatch):
    from iki_xlsx.collect import record

    root, _ = issued
    ws = Workspace(root / "ws")
    archive = root / "cadangan.zip"
    taken = []

    def progress(done, total):
        if done == 14 and not taken:  # mid-run, from another connection
            other = Workspace(root / "ws")
            taken.append(backup(other, archive))
            other.close()

    monkeypatch.setattr(record, "BATCH_FILES", 4)  # small transactions: some committed
    collect([root / "masuk"], ws, jobs=1, progress=progress)
    assert taken and taken[0].path == archive
    final = figures(ws)
    restored = restore(archive, root / "pulih").path
    assert check_ledger_file(restored / DB_FILE) == ""
    assert (restored / KEY_FILE).read_bytes() == (root / "ws" / KEY_FILE).read_bytes()
    back = Workspace(restored)
    had = len(back.files.all())
    assert 0 < had < 24  # the backup saw part of the run, consistently
    for row in back.files.all():  # every file it names has its bytes
        assert back.store.path_of(row.sha256, row.kind).is_file()
    collect([root / "masuk"], back, jobs=1)  # the rest collected again
    assert figures(back) == final
    back.close()
    ws.close()


def _tamper(archive: Path, dst: Path, member: str, edit=None) -> Path:
    """A copy of ``archive`` with one member edited (by default its last byte flipped)."""
    with zipfile.ZipFile(archive) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = edit(data) if edit else data[:-1] + bytes([data[-1] ^ 1])
            zout.writestr(item, data)
    return dst


def test_bad_archives_are_refused_and_nothing_changes(issued, tmp_path):
    root, _ = issued
    ws = Workspace(root / "ws")
    collect([root / "masuk"], ws, jobs=1)
    archive = backup(ws, root / "cadangan.zip").path
    data = archive.read_bytes()
    cut = root / "terpotong.zip"
    cut.write_bytes(data[: len(data) * 2 // 3])
    stored = next(n for n in zipfile.ZipFile(archive).namelist() if n.startswith("berkas/"))
    cases = {
        cut: "terpotong",
        _tamper(archive, root / "diubah.zip", stored): "telah diubah",
        _tamper(archive, root / "indeks.zip", "iki-cadangan.json",
                lambda b: b.replace(b'"created": "2', b'"created": "1')): "telah diubah",
        MASTER: "bukan arsip cadangan",
    }
    target = tmp_path / "kosong"
    for bad, words in cases.items():
        with pytest.raises(BackupError, match=words):
            restore(bad, target)
        assert not target.exists()
    # another workspace's key in the destination; a destination already in use
    other = tmp_path / "lain"
    Workspace(other).key  # noqa: B018 (creates the other workspace's key)
    before = snapshot(other)
    with pytest.raises(BackupError, match="ruang kerja lain"):
        restore(archive, other)
    assert snapshot(other) == before
    with pytest.raises(BackupError, match="tidak kosong"):
        restore(archive, root / "ws")
    # the CLI says it in one line, exit 2
    got = runner.invoke(app, ["restore", str(cut), "--workspace", str(target)])
    assert got.exit_code == 2 and "terpotong" in got.output and not target.exists()
    # only the same key in the destination (a lost ledger): restored beside it
    same = tmp_path / "kunci-saja"
    same.mkdir()
    (same / KEY_FILE).write_bytes((root / "ws" / KEY_FILE).read_bytes())
    restore(archive, same)
    assert figures(Workspace(same)) == figures(ws)
    ws.close()


# --------------------------------------------------------------------------- recovery

def _lose_ledger(ws_path: Path) -> None:
    for p in ws_path.glob("ledger.sqlite3*"):
        p.unlink()


def test_lost_ledger_is_refused_then_recovered_from_the_forms(issued, monkeypatch):
    root, result = issued
    ws = Workspace(root / "ws")
    collect([root / "masuk"], ws, jobs=1)
    before = figures(ws)
    ws.close()
    _lose_ledger(root / "ws")
    # generate and collect stop instead of starting afresh
    for args in (["collect", str(root / "masuk")],
                 ["generate", str(MASTER), "-o", str(root / "lagi")]):
        got = runner.invoke(app, [*args, "--workspace", str(root / "ws")])
        assert got.exit_code == 2, got.output
        assert "ledger-nya hilang" in got.output and "recover" in got.output
    assert not (root / "ws" / DB_FILE).exists() and not (root / "lagi").exists()
    with pytest.raises(BackupError, match="tanpa ledger"):
        backup(Workspace(root / "ws"), root / "kosong.zip")
    assert not (root / "ws" / DB_FILE).exists() and not (root / "kosong.zip").exists()
    # a copy of a form with its locked content edited, and a form of another workspace
    extra = root / "lain"
    extra.mkdir()
    andi = next(p for p in result.forms if p.form.pegawai.nip == "199005202015031003")
    rewrite_member(andi.path, extra / "diubah.xlsx", "xl/sharedStrings.xml",
                   b"Andi Pratama", b"Andi Pratomo")
    foreign = Workspace(root / "ws-lain")
    generate_forms(_master(), root / "f-lain", foreign, jobs=1)
    theirs = next(p for p in (root / "f-lain").rglob("*.xlsx") if p.parent != root / "f-lain")
    (extra / "lain.xlsx").write_bytes(theirs.read_bytes())
    got = runner.invoke(app, ["recover", str(root / "forms"), str(extra),
                              "--kembali", str(root / "masuk"),
                              "--workspace", str(root / "ws")])
    assert got.exit_code == 1, got.output  # two files refused, said so
    assert "diubah.xlsx" in got.output and "lain.xlsx" in got.output
    assert "ruang kerja lain" in got.output
    assert "Ledger dibangun kembali: 5 formulir" in got.output
    ws = Workspace(root / "ws")
    assert figures(ws) == before
    # generate with the same master: nothing revised, nothing withdrawn
    again = generate_forms(_master(), root / "forms", ws, jobs=1)
    assert {p.status for p in again.forms} == {"sama"} and not again.withdrawn
    assert figures(ws) == before
    # a second recovery is refused: the ledger is not empty
    with pytest.raises(RecoveryError, match="masih berisi"):
        recover(ws, [root / "forms"])
    ws.close()


def _master():
    from iki_xlsx.define.master import load_master

    return load_master(MASTER).master


def test_forms_issued_before_recovery_existed_are_named(small_master, tmp_path,
                                                       monkeypatch):
    """A form whose manifest has no copy of the form (issued by an earlier version)
    cannot rebuild the ledger: it is refused by name, nothing invented."""
    import iki_xlsx.forms.generate as gen
    from iki_xlsx.year.recovery import issued_row

    real = gen.sign_text
    monkeypatch.setattr(gen, "sign_text", lambda body, key: real(
        {k: v for k, v in body.items() if k != "form_z"}, key))
    ws = Workspace(tmp_path / "ws")
    old = generate_forms(small_master, tmp_path / "forms", ws, jobs=1).forms[0]
    monkeypatch.setattr(gen, "sign_text", real)
    row, why = issued_row(old.path, ws.key, ws.key_id, old.path.name)
    assert row is None and why == "versi_lama"
    ws.close()
    _lose_ledger(tmp_path / "ws")
    got = recover(Workspace(tmp_path / "ws"), [tmp_path / "forms"])
    assert got.forms == 0 and len(got.refused) == 5
    assert all("versi iki-xlsx sebelum" in why for _, why in got.refused)


# --------------------------------------------------------------------------- finding it

def test_commands_never_create_an_empty_workspace(tmp_path, monkeypatch, small_master):
    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "masuk").mkdir()
    for args in (["recap"], ["collect", "masuk"], ["backup", "c.zip"],
                 ["riwayat", "199005202015031003"]):
        got = runner.invoke(app, args)
        assert got.exit_code == 2, (args, got.output)
        assert "Ruang kerja tidak ditemukan" in got.output
        assert str(tmp_path / "iki-workspace") in got.output and "--workspace" in got.output
        assert not (tmp_path / "iki-workspace").exists()
    # a workspace one folder down is suggested
    generate_forms(small_master, tmp_path / "kantor" / "forms",
                   Workspace(tmp_path / "kantor" / "iki-workspace"), jobs=1)
    got = runner.invoke(app, ["recap"])
    assert got.exit_code == 2 and str(Path("kantor") / "iki-workspace") in got.output
    # check still works without the workspace named (signature unchecked), says where
    form = next(p for p in (tmp_path / "kantor" / "forms").rglob("*.xlsx")
                if p.parent.name != "forms")
    got = runner.invoke(app, ["check", str(form), "-w", "entah"])
    assert got.exit_code == 1 and "Ruang kerja tidak ditemukan" in got.output
    assert "Kunci ruang kerja tidak tersedia" in got.output and not Path("entah").exists()
    # generate beside a workspace stops and names it (issue 23), creating nothing
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms"])
    assert got.exit_code == 2, got.output
    assert str(Path("kantor") / "iki-workspace") in got.output
    assert "--ruang-kerja-baru" in got.output
    assert not (tmp_path / "iki-workspace").exists() and not (tmp_path / "forms").exists()
    # a new workspace on purpose says so in one line
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms", "--ruang-kerja-baru"])
    assert got.exit_code == 0, got.output
    lines = [line for line in got.output.splitlines() if "Ruang kerja baru" in line]
    assert len(lines) == 1 and "iki-workspace" in lines[0]
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms"])
    assert "Ruang kerja baru" not in got.output


def test_generate_dry_run_and_reissue_options_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms", "--dry-run"])
    assert got.exit_code == 0, got.output
    assert "5 formulir — 5 baru" in got.output and "Tidak ada yang berubah" in got.output
    assert not (tmp_path / "iki-workspace").exists() and not (tmp_path / "forms").exists()
    assert runner.invoke(app, ["generate", str(MASTER), "-o", "forms"]).exit_code == 0
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms2", "--dry-run"])
    assert "0 baru" in got.output and "5 tidak berubah" in got.output
    assert not (tmp_path / "forms2").exists()
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms3", "--terisi-sampai", "S1"])
    assert got.exit_code == 2 and "S1" in got.output and "TW1, TW2, TW3, TW4" in got.output
    assert not (tmp_path / "forms3").exists()
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms3", "--terisi-sampai", "TW2"])
    assert got.exit_code == 0 and "Terbit ulang" in got.output
    got = runner.invoke(app, ["backup", "cadangan.zip"])
    assert got.exit_code == 0 and "Cadangan ditulis" in got.output
    assert zipfile.ZipFile(tmp_path / "cadangan.zip").testzip() is None
