"""Shared fixtures: a small master (YAML), a workspace, and forms generated once per
session from it (tests that change files copy them first).

In CI (``IKI_XLSX_CI=1``, set by ``.ci/run``, which installs every tool the tests use:
LibreOffice, Gnumeric, chromium, dovecot, poppler, the test extra) a skipped test fails:
a tool whose install broke must not turn its tests silently into skips."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from iki_xlsx.define.master import load_master
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

DATA = Path(__file__).parent / "data"
IN_CI = os.environ.get("IKI_XLSX_CI") == "1"
SMALL_MASTER = DATA / "master-kecil.yaml"


@pytest.fixture(scope="session")
def small_master():
    loaded = load_master(SMALL_MASTER)
    assert loaded.ok, [p.message() for p in loaded.problems]
    return loaded.master


@pytest.fixture(scope="session")
def generated(tmp_path_factory, small_master):
    """(result, workspace) of generating the small master once."""
    root = tmp_path_factory.mktemp("gen")
    ws = Workspace(root / "ws")
    result = generate_forms(small_master, root / "forms", ws, jobs=1)
    return result, ws


@pytest.fixture
def form_copy(generated, tmp_path):
    """Copy one generated form (by NIP and Kode IKI) into tmp_path."""
    result, _ = generated

    def copy(nip: str = "199005202015031003", kode: str = "IKI-PENGOLAH") -> Path:
        planned = next(p for p in result.forms if p.form.key == (nip, kode))
        dst = tmp_path / planned.path.name
        shutil.copy(planned.path, dst)
        return dst

    return copy


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skip is a failure, with the reason it gave."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (IKI_XLSX_CI=1 installs every tool): {reason}"
