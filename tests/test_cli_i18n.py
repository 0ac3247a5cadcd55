"""The CLI's frame in Bahasa Indonesia: help pages, usage lines, option errors, --version,
exit statuses, and numbers with a decimal comma."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from iki_xlsx import __version__
from iki_xlsx.cli import app

runner = CliRunner()
COMMANDS = ["init", "validate", "generate", "import", "collect", "check", "recap"]
# What click and typer print in English around our own texts.
ENGLISH = ["Usage", "Options", "Arguments", "Commands", "Show this message", "required]",
           "<bool>", "<path>", "{path}", "default:", "Error", "Try '", "for help", "Missing",
           "No such", "Invalid value", "Possible options", "unexpected extra", "Got ",
           "requires an argument", "integer", "Aborted"]


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w in text]


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("args", [[], ["--help"]] + [[c, "--help"] for c in COMMANDS])
def test_help_pages_are_indonesian_and_fit_80_columns(args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert english_in(r.output) == [], r.output
    assert r.output.startswith("Pemakaian: iki-xlsx"), r.output
    assert "Opsi:" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    if args and args[0] != "--help":
        assert "Argumen:" in r.output or args[0] == "recap"
        assert "Tampilkan bantuan ini lalu keluar." in r.output
    else:
        assert "Perintah:" in r.output and all(c in r.output for c in COMMANDS)
        assert "--version" in r.output


def test_help_shows_placeholders_required_and_defaults_in_indonesian():
    r = run("collect", "--help")  # inputs optional since --rejudge needs none
    assert "Pemakaian: iki-xlsx collect [OPSI] [BERKAS_ATAU_FOLDER...]" in r.output
    assert "[wajib]" in run("generate", "--help").output
    assert "--report BERKAS" in r.output and "[bawaan: output/laporan-" in r.output
    assert re.search(r"--json\s+Cetak", r.output)  # a flag has no placeholder


@pytest.mark.parametrize("args, expected", [
    (["collect", "--bogus", "x"], "Galat: Opsi --bogus tidak dikenal."),
    (["collect"], "Sebutkan berkas, folder atau arsip yang dikumpulkan"),
    (["collect", "--jobs", "0", "x"], "Galat: Nilai untuk --jobs tidak dapat dipakai."),
    (["recap", "--tahun", "dua"], "Galat: Nilai untuk --tahun tidak dapat dipakai."),
    (["check", "a.xlsx", "b.xlsx"], "Galat: Ada argumen berlebih: b.xlsx."),
    (["frob"], "Galat: Perintah 'frob' tidak dikenal."),
    (["generate", "m.xlsx", "-o"], "Galat: Opsi -o memerlukan nilai."),
])
def test_usage_errors_are_indonesian_with_exit_2(args, expected):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert expected in r.output, r.output
    assert english_in(r.output) == [], r.output


def test_a_mistyped_option_suggests_the_right_one():
    r = run("collect", "--repot", "x.xlsx", "x")
    assert "Mungkin maksud Anda: --report." in r.output


@pytest.mark.parametrize("typed, meant", [("colect", "collect"), ("rekap", "recap"),
                                          ("kumpulkan", "collect"), ("ingatkan", "remind"),
                                          ("genrate", "generate")])
def test_a_mistyped_command_suggests_the_right_one(typed, meant):
    r = run(typed)
    assert r.exit_code == 2
    assert f"Perintah '{typed}' tidak dikenal. Maksud Anda: {meant}?" in r.output, r.output


def test_nothing_like_a_command_gets_no_guess():
    assert "Maksud Anda" not in run("frob").output


def _commands():
    import click
    import typer.main

    group = typer.main.get_command(app)
    ctx = click.Context(group)
    return [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]


def test_usage_names_each_argument_for_what_it_is():
    """No placeholder falls back to the generic NILAI: every argument and option value
    is named (NIP, INDIKATOR, BERKAS, TANGGAL, ALAMAT_SUREL, …); only --isi takes a
    value, and says so."""
    from iki_xlsx.cli.help import metavar

    generic = []
    for name, command in _commands():
        for param in command.params:
            if getattr(param, "hidden", False) or getattr(param, "is_flag", False):
                continue
            if metavar(param) == "NILAI" and param.name != "isi":
                generic.append(f"{name} {param.name}")
    assert generic == []
    assert run("nilai", "--help").output.startswith(
        "Pemakaian: iki-xlsx nilai [OPSI] NIP INDIKATOR PERIODE")
    assert run("kecualikan", "--help").output.startswith(
        "Pemakaian: iki-xlsx kecualikan [OPSI] BERKAS")


def test_usage_error_shows_the_usage_line_and_where_to_get_help():
    r = run("check", "--bogus")
    assert "Pemakaian: iki-xlsx check [OPSI] BERKAS" in r.output
    assert "Coba 'iki-xlsx check --help' untuk bantuan." in r.output


def test_version():
    r = run("--version")
    assert r.exit_code == 0 and r.output.strip() == f"iki-xlsx {__version__}"


def test_missing_paths_are_usage_errors_and_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["collect", "masuuk", "-w", "ws"], ["check", "tidak-ada.xlsx", "-w", "ws"],
                 ["generate", "master-tidak-ada.xlsx", "-w", "ws"],
                 ["import", "dokumen-tidak-ada.txt", "-o", "m.xlsx"]):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "tidak ditemukan" in r.output and "Tidak ada yang ditulis." in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no report, no workspace


def test_collect_typo_keeps_the_previous_report(tmp_path, monkeypatch, generated):
    _, ws = generated
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "output" / "laporan-pengumpulan.xlsx"
    report.parent.mkdir()
    report.write_bytes(b"laporan sebelumnya")
    r = run("collect", "masuuk", "-w", str(ws.path))
    assert r.exit_code == 2
    assert report.read_bytes() == b"laporan sebelumnya"


def test_generate_on_an_iki_document_suggests_import(tmp_path):
    doc = tmp_path / "dokumen-iki.txt"
    doc.write_text("INDIKATOR KINERJA INDIVIDU\nJABATAN : Kepala Badan\n", encoding="utf-8")
    r = run("generate", str(doc), "-o", str(tmp_path / "forms"), "-w", str(tmp_path / "ws"))
    assert r.exit_code == 2
    assert "iki-xlsx import" in r.output and "bukan workbook master" in r.output
    assert "openpyxl" not in r.output and english_in(r.output) == []
    assert not (tmp_path / "forms").exists()


def test_generate_speaks_of_seconds_with_a_decimal_comma(tmp_path):
    from conftest import SMALL_MASTER

    r = run("generate", str(SMALL_MASTER), "-o", str(tmp_path / "forms"),
            "-w", str(tmp_path / "ws"))
    assert r.exit_code == 0, r.output
    m = re.search(r"dalam (\S+) detik", r.output)
    assert m and re.fullmatch(r"\d+,\d", m[1]), r.output
