"""PANDUAN.md and PETUNJUK-PEGAWAI.md stay true: the problem list is exactly what the
catalogue generates, every command and option the guide shows exists, and what it links
to is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from iki_xlsx import __version__
from iki_xlsx.cli import app
from iki_xlsx.cli.guide import BEGIN, END, problem_list, sections, updated
from iki_xlsx.cli.guide import main as guide_main
from iki_xlsx.core.problems import KINDS
from iki_xlsx.core.texts import Texts

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "PANDUAN.md"
STAFF = ROOT / "PETUNJUK-PEGAWAI.md"


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_problem_list_is_what_the_catalogue_generates():
    text = guide_text()
    assert updated(text) == text, "run: python -m iki_xlsx.cli.guide"
    assert guide_main(["--check"]) == 0


def test_problem_list_names_every_code_once_with_its_message_and_advice():
    section = guide_text().split(BEGIN, 1)[1].split(END, 1)[0]
    listed = re.findall(r"^- \*\*`(\w+)`\*\*", section, flags=re.M)
    assert sorted(listed) == sorted(KINDS) and len(listed) == len(set(listed))
    texts = Texts()
    # A code's line carries its message as people read it (placeholders as "…").
    line = next(l for l in section.splitlines() if l.startswith("- **`format_xls`**"))
    assert texts.t("masalah.format_xls") in line and texts.t("masalah.format_xls_saran") in line
    line = next(l for l in section.splitlines() if l.startswith("- **`revisi_lama`**"))
    assert "revisi …" in line and "{{" not in section and "{%" not in section


def test_sections_split_master_rejected_and_noted():
    (m, master), (r, rejected), (n, noted) = sections()
    assert (m, r, n) == ("master", "ditolak", "catatan")
    assert "nip_kosong" in master and "format_xls" in rejected and "target_diubah" in noted
    assert "realisasi_satuan_lain" in noted and "berkas_kosong" not in master
    assert len(master) + len(rejected) + len(noted) == len(KINDS)


def test_a_drifted_guide_is_caught_and_rewritten(tmp_path):
    stale = tmp_path / "PANDUAN.md"
    text = guide_text()
    stale.write_text(text.replace("**`nip_kosong`**", "**`nip_hilang`**"), encoding="utf-8")
    assert guide_main(["--check", "--guide", str(stale)]) == 1
    assert guide_main(["--guide", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == text
    with pytest.raises(ValueError):
        updated("no markers here")
    assert problem_list().startswith(BEGIN) and problem_list().endswith(END)


def commands_in(text: str) -> list[list[str]]:
    """Every ``iki-xlsx …`` command line in the guide's code blocks, as arguments."""
    import shlex

    out = []
    for block in re.findall(r"```(?:bat|bash)?\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("iki-xlsx "):
                out.append(shlex.split(line.replace("\\", "/"))[1:])
    return out


def test_every_command_and_option_the_guide_shows_exists():
    group = typer.main.get_command(app)
    shown = commands_in(guide_text())
    assert {c[0] for c in shown if not c[0].startswith("-")} >= {
        "init", "import", "validate", "generate", "collect", "check", "recap"}
    for args in shown:
        if args[0].startswith("-"):
            assert args[0] in {"--version", "--help"}
            continue
        cmd = group.commands[args[0]]
        options = {o for p in cmd.params for o in getattr(p, "opts", [])} | {"--help"}
        for a in args[1:]:
            if a.startswith("-"):
                assert a in options, (args, a)
    # Options named in the prose exist too.
    for opt in set(re.findall(r"`(--[a-z-]+)", guide_text())):
        assert any(opt in {o for p in c.params for o in getattr(p, "opts", [])}
                   for c in group.commands.values()) or opt in {"--version", "--help"}, opt


def test_install_steps_name_this_version():
    text = guide_text()
    assert f"py -m pip install iki_xlsx-{__version__}-py3-none-any.whl" in text
    assert f"`iki-xlsx {__version__}`" in text
    assert "py -m iki_xlsx" in text and (ROOT / "iki_xlsx" / "__main__.py").is_file()


@pytest.mark.parametrize("doc", [GUIDE, STAFF, ROOT / "README.md"])
def test_local_links_and_pictures_exist(doc):
    text = doc.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+?)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    for t in local:
        assert (doc.parent / t).exists(), (doc.name, t)
    if doc is GUIDE:
        pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
        assert sorted(pictures) == ["docs/gambar/formulir.png", "docs/gambar/rekap.png"]
        for p in pictures:
            assert (ROOT / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_opens_with_the_guide_and_its_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "[PANDUAN.md](PANDUAN.md)" in head.splitlines()[2]
    assert "pip install -e . && iki-xlsx generate examples/master-bkpsdm-kukar.xlsx -o " \
           "output/forms" in head
    assert "pip install -e '.[test]' && pytest" in head
    assert "../shared/domain.md" not in (ROOT / "README.md").read_text(encoding="utf-8")


def test_both_guides_show_the_rule_table_the_form_shows():
    """PETUNJUK-PEGAWAI and PANDUAN hold the rule table exactly as generated from
    core/rules.py (the form's Petunjuk sheet renders the same lines: test_rules.py), and
    every example they show is read as it says."""
    from iki_xlsx.cli.guide import RULES_BEGIN, RULES_END, rule_table
    from iki_xlsx.core.rules import RULES, shown_cases, typed_text

    block = rule_table()
    for doc in (GUIDE, STAFF):
        text = doc.read_text(encoding="utf-8")
        assert text.count(RULES_BEGIN) == 1 and block in text, doc.name
        assert updated(text) == text
    section = block.split(RULES_BEGIN, 1)[1].split(RULES_END, 1)[0]
    for rule in RULES:
        for case in shown_cases(rule):
            if case.typed not in (None, ""):
                assert f"`{typed_text(case)}`" in section, (rule.key, case.typed)
    assert "`1.234`" not in section  # 1,234 in an English-locale spreadsheet


def test_the_guide_says_how_capaian_is_computed_with_computed_examples():
    """PANDUAN's capaian rules (issue 22) are generated, their worked examples computed by
    core/capaian.py: the mid-year rule for a jumlah with a yearly target only is there."""
    from iki_xlsx.cli.guide import CAPAIAN_BEGIN, capaian_rules

    block = capaian_rules()
    assert block in guide_text() and guide_text().count(CAPAIAN_BEGIN) == 1
    assert "3 / 3 × 100 = 100" in block and "3 / 12 × 100 = 25" in block
    assert "Target TW1–TW4" in block and "Target Tengah Tahun" in block
