"""The wheel an officer installs (PANDUAN.md step 1d) works outside the checkout: it holds
the templates and the guide's ``py -m iki_xlsx`` entry, and its ``iki-xlsx`` command runs
``--version`` and the main job from a fresh venv. (.ci/run does the same with the
dependencies installed from PyPI; here the venv borrows them from the environment that
runs the tests — a virtualenv or the system Python — so no network is needed.)"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from iki_xlsx import __version__

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("build", reason="the 'build' package (in the test extra) builds "
                                        "the wheel: pip install -e '.[test]'")
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                          str(ROOT)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    wheels = list(out.glob("iki_xlsx-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_templates_and_entry_points(wheel):
    assert wheel.name == f"iki_xlsx-{__version__}-py3-none-any.whl"  # as PANDUAN.md names it
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        assert "iki-xlsx = iki_xlsx.cli:main" in zf.read(entry).decode()
    for name in ("cli.yaml", "pesan.yaml", "label.yaml", "panduan.yaml", "petunjuk.txt.j2",
                 "rekap.html.j2"):
        assert f"iki_xlsx/templates/{name}" in names, name
    assert "iki_xlsx/__main__.py" in names and "iki_xlsx/cli/help.py" in names
    assert not any(n.startswith("tests/") for n in names)


def _borrow_dependencies(py: Path) -> None:
    """Let the new venv import the dependencies of the environment running the tests (a
    ``.pth`` file naming its site-packages, read after the venv's own, where the wheel
    goes): ``--system-site-packages`` would only reach the base interpreter's packages,
    not those of a virtualenv the tests run in."""
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True, check=True)
    outer = [*site.getsitepackages(), site.getusersitepackages(),
             *(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))]
    Path(purelib.stdout.strip(), "borrowed-dependencies.pth").write_text(
        "\n".join(dict.fromkeys(p for p in outer if Path(p).is_dir())) + "\n",
        encoding="utf-8")


def test_installed_wheel_runs_version_and_the_main_job(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / ("python.exe" if os.name == "nt" else "python")
    _borrow_dependencies(py)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "IKI_XLSX_TEMPLATES", "IKI_XLSX_WORKSPACE")}
    work = tmp_path / "kerja"  # not the checkout: nothing may come from the repository
    work.mkdir()
    where = subprocess.run([str(py), "-c", "import iki_xlsx, iki_xlsx.core.texts as t; "
                            "print(iki_xlsx.__file__); print(t.bundled_templates_dir())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    module, templates = where.stdout.split("\n")[:2]
    assert Path(module).is_relative_to(venv) and Path(templates).is_relative_to(venv)
    exe = bindir / ("iki-xlsx.exe" if os.name == "nt" else "iki-xlsx")
    version = subprocess.run([str(exe), "--version"], cwd=work, env=env,
                             capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.strip() == f"iki-xlsx {__version__}"
    gen = subprocess.run([str(exe), "generate", str(ROOT / "examples" /
                                                   "master-bkpsdm-kukar.xlsx"),
                          "-o", "output/forms", "-w", "iki-workspace"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    assert "formulir dibuat" in gen.stdout
    assert (work / "output" / "forms" / "daftar-distribusi.xlsx").is_file()
    assert len(list((work / "output" / "forms").rglob("*.xlsx"))) > 10
    same = subprocess.run([str(py), "-m", "iki_xlsx", "--help"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)
    assert same.returncode == 0 and same.stdout.startswith("Pemakaian: iki-xlsx")
