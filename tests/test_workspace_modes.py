"""Who can read a workspace (issue 21, item 5): on Linux and macOS its folders are 0700
and its files 0600 — the ledger (with its WAL), the stored files, the keys, the portal's
log, backups, and everything a restore writes; a workspace made before this version is
tightened the first time its ledger is opened, and nothing outside it is touched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from filling import fill, realisasi_ref

from iki_xlsx.collect import collect
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.portal import create_app
from iki_xlsx.workspace import Workspace
from iki_xlsx.year import backup, restore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="mode bit POSIX (Linux, macOS)")
ANDI = ("199005202015031003", "IKI-PENGOLAH")


def modes(root: Path) -> dict[str, int]:
    """Every folder and file under ``root`` (itself as "."), with its mode."""
    out = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        out[path.relative_to(root).as_posix()] = stat.S_IMODE(path.lstat().st_mode)
    return out


def loose(root: Path) -> dict[str, str]:
    """What group or others could read: folders not 0700, files not 0600."""
    return {name: oct(mode) for name, mode in modes(root).items()
            if mode != (0o700 if (root / name).is_dir() else 0o600)}


@pytest.fixture
def used(small_master, tmp_path):
    """A workspace after generate, a collect, and the portal's first start."""
    ws = Workspace(tmp_path / "ws")
    forms = {p.form.key: p for p in generate_forms(small_master, tmp_path / "f", ws,
                                                  jobs=1).forms}
    a = forms[ANDI]
    done = fill(a.path, tmp_path / "in" / "andi.xlsx", {realisasi_ref(a.manifest, 0, "TW1"): 5})
    junk = tmp_path / "in" / "foto.xlsx"
    junk.write_bytes(b"\xff\xd8\xff not a workbook")
    report = collect([done, junk], ws, jobs=1)
    assert {str(r.status) for r in report.results} == {"diterima", "ditolak"}
    ws.close()
    create_app(ws.path)  # the portal's folder and its log
    return ws.path


def test_a_new_workspace_is_its_owners_only(used):
    assert loose(used) == {}
    names = set(modes(used))
    assert {"ledger.sqlite3", "kunci-rahasia.key", "berkas", "portal",
            "portal/log-portal.txt"} <= names
    assert any(n.startswith("berkas/") and n.endswith(".xlsx") for n in names)


def test_a_workspace_of_an_earlier_version_is_tightened_once_opened(used, tmp_path):
    outside = tmp_path / "lain.txt"
    outside.write_text("bukan milik ruang kerja")
    os.chmod(outside, 0o644)
    neighbour = used / "catatan-saya.txt"  # the officer's own file beside the ledger
    neighbour.write_text("x")
    os.chmod(neighbour, 0o644)
    for path in [used, *used.rglob("*")]:
        if path != neighbour:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert loose(used) != {}
    ws = Workspace(used)
    assert ws.issued.years()  # the ledger opened: the workspace is tightened
    ws.close()
    assert loose(used) == {"catatan-saya.txt": "0o644"}
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


def test_backups_and_what_restore_writes_are_private(used, tmp_path):
    ws = Workspace(used)
    made = backup(ws, tmp_path / "cadangan.zip")
    ws.close()
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    restore(made.path, tmp_path / "pulih")
    assert loose(tmp_path / "pulih") == {}
    assert {"kunci-rahasia.key", "ledger.sqlite3"} <= set(modes(tmp_path / "pulih"))


def test_the_copy_before_a_migration_is_private(tmp_path):
    import shutil

    shutil.copytree(Path(__file__).parent / "data" / "ledger-v1", tmp_path / "v1")
    ws = Workspace(tmp_path / "v1")
    ws.issued.years()
    ws.close()
    copies = list((tmp_path / "v1").glob("ledger-v1-*.sqlite3.bak"))
    assert copies and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in copies)
