"""The year's edges (issue 23) that need no spreadsheet program: ``generate`` beside an
existing workspace stops and names it instead of signing forms with a new key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import KEY_FILE, Workspace

DATA = Path(__file__).parent / "data"
MASTER = DATA / "master-kecil.yaml"
runner = CliRunner()


def _snapshot(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.mark.parametrize("where, run_in, args", [
    # the workspace sits in a parent folder of where the command runs
    ("iki-workspace", "2025/output", ["-o", "forms"]),
    # … in a child folder (one level below)
    ("kantor/iki-workspace", ".", ["-o", "forms"]),
    # … beside the output folder written into (run from elsewhere)
    ("dinas/iki-workspace", "lain", ["-o", "../dinas/output/forms"]),
    # --workspace names a folder that is not one, next to one that is
    ("iki-2025", ".", ["-o", "forms", "-w", "iki-2025-baru"]),
])
def test_generate_beside_a_workspace_stops_and_names_it(small_master, tmp_path, monkeypatch,
                                                        where, run_in, args):
    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    existing = tmp_path / where
    ws = Workspace(existing)
    generate_forms(small_master, tmp_path / "asli", ws, jobs=1)
    ws.close()
    key = (existing / KEY_FILE).read_bytes()
    (tmp_path / run_in).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path / run_in)
    before = _snapshot(tmp_path)
    got = runner.invoke(app, ["generate", str(MASTER), *args])
    assert got.exit_code == 2, got.output
    assert str(existing.name) in got.output and str(existing.parent.name) in got.output
    assert "--ruang-kerja-baru" in got.output and "--workspace" in got.output
    assert "Ruang kerja baru dibuat" not in got.output
    assert _snapshot(tmp_path) == before  # no key, no ledger, no form written
    # --dry-run stops too: its "all new" would be a false picture
    got = runner.invoke(app, ["generate", str(MASTER), *args, "--dry-run"])
    assert got.exit_code == 2 and _snapshot(tmp_path) == before
    # on purpose: a new workspace, said in one line; the existing one untouched
    got = runner.invoke(app, ["generate", str(MASTER), *args, "--ruang-kerja-baru"])
    assert got.exit_code == 0, got.output
    assert got.output.count("Ruang kerja baru dibuat") == 1
    assert (existing / KEY_FILE).read_bytes() == key


def test_the_existing_workspace_itself_is_used_quietly(small_master, tmp_path, monkeypatch):
    """Run where the workspace is: nothing nearby stops it, nothing new is made."""
    monkeypatch.delenv("IKI_XLSX_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kantor").mkdir()
    ws = Workspace(tmp_path / "kantor" / "iki-workspace")
    generate_forms(small_master, tmp_path / "kantor" / "f", ws, jobs=1)
    ws.close()
    got = runner.invoke(app, ["generate", str(MASTER), "-o", "forms",
                              "-w", str(tmp_path / "kantor" / "iki-workspace")])
    assert got.exit_code == 0, got.output
    assert "Ruang kerja" not in got.output
    assert "0 baru" in got.output


def test_the_help_names_the_option(tmp_path):
    got = runner.invoke(app, ["generate", "--help"])
    assert got.exit_code == 0 and "--ruang-kerja-baru" in got.output
    assert "--ledger-baru" in got.output
