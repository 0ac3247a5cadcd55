"""Build the bundled example master from a seed IKI document.

    python examples/build_example.py [tests/data/seeds/kukar-bkpsdm-2025.txt]

Keeps the organisational content the importer reads from the seed (perangkat daerah,
jabatan, tugas, fungsi, sasaran, indikator, penjelasan, sumber data) and replaces every
person with a synthetic one: names from a fixed list, NIPs made up (valid shape, birth
dates 1966–1996), so no real identity is shipped. Targets are filled with plausible
values for each indicator's satuan and polarity. The result is deterministic.

It also makes sure the example exercises what the product must handle: IKI shared by
several pegawai, a pegawai holding a second (Plt.) IKI, a superior outside the sheet
(the Bupati), and every polarity and aggregation.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from iki_xlsx.core.model import (
    PANGKAT,
    Aggregation,
    Assignment,
    Master,
    Person,
    Polarity,
    Settings,
    Target,
)
from iki_xlsx.define.documents import import_documents
from iki_xlsx.define.master import load_master
from iki_xlsx.define.masterbook import write_master

SEED = HERE.parent / "tests" / "data" / "seeds" / "kukar-bkpsdm-2025.txt"  # anonymised copy
OUT = HERE / "master-bkpsdm-kukar.xlsx"

FIRST = ("Andi Budi Citra Dewi Eka Fajar Gita Hendra Indah Joko Kartika Lestari Muhammad "
         "Nur Putri Rizki Sari Teguh Utami Wahyu Yudi Agus Bayu Dian Endah Firman Hadi "
         "Irawan Lina Rina Siti Ahmad Rudi Ratna Yusuf Nanda Ayu Reza Maya").split()
LAST = ("Santoso Wijaya Pratama Saputra Hidayat Nugroho Rahmawati Kurniawan Setiawan "
        "Permata Syahputra Maharani Ramadhan Fitriani Susanto Wibowo Handayani Purnomo "
        "Anggraini Firdaus Hakim Marlina Sembiring Lubis Tambunan").split()
GELAR_DEPAN = ("", "", "", "", "Drs. ", "Hj. ", "H. ", "Ir. ")
GELAR = (", S.Sos", ", S.E.", ", S.Kom", ", S.STP, M.Si", ", M.M.", ", A.Md", ", S.H.",
         ", S.Pd", ", S.AP", "", ", S.IP, M.AP")


class People:
    """Deterministic synthetic identities, one per real person seen in the seed."""

    def __init__(self, seed: int = 2025):
        self.rnd = random.Random(seed)
        self.by_key: dict[str, Person] = {}
        self.used: set[str] = set()

    def nip(self, golongan: str) -> str:
        rnd = self.rnd
        while True:
            born = date(rnd.randint(1966, 1996), rnd.randint(1, 12), rnd.randint(1, 28))
            start = max(born.year + 22, 1990) + rnd.randint(0, 8)
            pppk = golongan and "/" not in golongan
            mid = f"{start}{'2' if pppk else '0'}{rnd.randint(1, 9)}" if pppk else \
                f"{start}{rnd.randint(1, 12):02d}"
            nip = f"{born:%Y%m%d}{mid}{rnd.randint(1, 2)}{rnd.randint(1, 60):03d}"
            if nip not in self.used:
                self.used.add(nip)
                return nip

    def name(self) -> str:
        r = self.rnd
        return f"{r.choice(GELAR_DEPAN)}{r.choice(FIRST)} {r.choice(LAST)}{r.choice(GELAR)}"

    def replace(self, real: Person, key: str) -> Person:
        if key not in self.by_key:
            gol = real.golongan if real.golongan in PANGKAT else \
                self.rnd.choice(("III/a", "III/b", "III/c", "III/d"))
            pangkat = PANGKAT[gol]
            self.by_key[key] = Person(self.nip(gol), self.name(), pangkat, gol)
        fake = self.by_key[key]
        return replace(real, nip=fake.nip, nama=fake.nama, pangkat=fake.pangkat,
                       golongan=fake.golongan)


def plausible_target(ind, rnd: random.Random) -> Target:
    p, satuan = ind.polaritas, (ind.satuan or "").lower()
    if p is Polarity.YA_TIDAK:
        return Target("Ya")
    if p is Polarity.MINIMAL:
        return Target("0", value=0.0)
    if p is Polarity.RENTANG:
        return Target("80 - 90", low=80.0, high=90.0)
    if ind.target and ind.target.text and (ind.target.value is not None):
        return ind.target  # the seed gave one
    if "%" in satuan or "persen" in satuan:
        return Target("100", value=100.0)
    if "indeks" in satuan:
        return Target("3,5", value=3.5)
    if "nilai" in satuan:
        return Target("BB (70)", value=70.0)
    n = rnd.choice((1, 2, 4, 4, 12))
    return Target(str(n), value=float(n))


def build(seed_path: Path = SEED, out: Path = OUT) -> Path:
    result = import_documents([seed_path], tahun=2025)
    src = result.master
    rnd = random.Random(7)
    people = People()
    # Indicators: plausible targets; make sure rentang exists (serapan/capaian anggaran).
    iki = {}
    has_range = False
    for kode, d in src.iki.items():
        inds = []
        for ind in d.indicators:
            if not has_range and ind.polaritas is Polarity.MAKSIMAL and "%" in (ind.satuan or "") \
                    and "anggaran" in ind.indikator.lower():
                ind = replace(ind, polaritas=Polarity.RENTANG)
                has_range = True
            inds.append(replace(ind, target=plausible_target(ind, rnd)))
        iki[kode] = replace(d, indicators=tuple(inds))
    if not has_range:  # no budget indicator in this seed: use the first percentage
        for kode, d in iki.items():
            for i, ind in enumerate(d.indicators):
                if "%" in (ind.satuan or ""):
                    inds = list(d.indicators)
                    inds[i] = replace(ind, polaritas=Polarity.RENTANG,
                                      target=Target("80 - 90", low=80.0, high=90.0))
                    iki[kode] = replace(d, indicators=tuple(inds))
                    has_range = True
                    break
            if has_range:
                break
    # People: one synthetic identity per real NIP (or name, when the NIP is missing).
    assignments: list[Assignment] = []
    boss = None
    for i, a in enumerate(src.assignments):
        # Keyed by NIP and name: the seed reuses some NIPs for different people.
        pegawai = people.replace(a.pegawai, f"{a.pegawai.nip}|{_name_key(a.pegawai.nama)}|"
                                            f"{'' if a.pegawai.nip else i}")
        atasan_nip, atasan = "", None
        if a.atasan is not None and a.atasan.nip:
            atasan = people.replace(a.atasan, f"{a.atasan.nip}|{_name_key(a.atasan.nama)}|")
            atasan_nip = atasan.nip if atasan.nip != pegawai.nip else ""
        elif a.atasan is not None:  # a superior without NIP: the Bupati
            atasan = Person("", "Bupati Kutai Kartanegara (contoh)", jabatan="Bupati Kutai Kartanegara")
        if boss is None:
            boss = pegawai
        if atasan is None or (not atasan_nip and not atasan.nama):
            atasan_nip, atasan = boss.nip, None
        assignments.append(Assignment(pegawai, a.kode_iki, atasan_nip, atasan, a.row))
    # A superior who is also a pegawai is referenced by NIP alone (no duplicate identity).
    sheet_nips = {a.pegawai.nip for a in assignments}
    assignments = [replace(a, atasan=None) if a.atasan_nip in sheet_nips else a
                   for a in assignments]
    # An atasan the seed spells differently from the pegawai holding that jabatan (the
    # Kepala) is that pegawai: referenced by NIP, so the form prints their unit kerja.
    by_jabatan = {re.sub(r"\s+", " ", a.pegawai.jabatan).strip().casefold(): a.pegawai.nip
                  for a in reversed(assignments) if a.pegawai.jabatan}
    assignments = [
        replace(a, atasan=None, atasan_nip=by_jabatan[key])
        if a.atasan is not None and a.atasan.nip and a.atasan_nip not in sheet_nips
        and (key := re.sub(r"\s+", " ", a.atasan.jabatan).strip().casefold()) in by_jabatan
        and by_jabatan[key] != a.pegawai.nip else a
        for a in assignments]
    # An atasan the seed names without a jabatan: the head of the agency instead.
    assignments = [replace(a, atasan=None, atasan_nip=boss.nip)
                   if a.atasan is not None and not a.atasan.jabatan
                   and a.pegawai.nip != boss.nip else a for a in assignments]
    # Shared IKI: two more pegawai on the most common staff IKI; one Plt. second IKI.
    counts: dict[str, int] = {}
    for a in assignments:
        counts[a.kode_iki] = counts.get(a.kode_iki, 0) + 1
    staff = max((a for a in assignments[1:]), key=lambda a: counts[a.kode_iki])
    for n in range(2):
        fake = people.replace(staff.pegawai, f"extra:{n}")
        assignments.append(replace(staff, pegawai=fake, row=0))
    head_of_unit = next(a for a in assignments[2:] if a.pegawai.jabatan.lower().startswith(
        ("kepala bidang", "kepala sub")) or "KEPALA" in a.pegawai.jabatan.upper()[:7])
    acting = assignments[-1]
    assignments.append(replace(head_of_unit, pegawai=replace(
        acting.pegawai, jabatan=f"Plt. {head_of_unit.pegawai.jabatan}",
        unit_kerja=head_of_unit.pegawai.unit_kerja), row=0))
    settings = Settings(
        tahun=2025, tempat="Tenggarong", tanggal=date(2025, 1, 20), kertas="F4",
        instansi="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        pemerintah_daerah="Kabupaten Kutai Kartanegara")
    # One spelling of the agency (the seed has typos and a document without it).
    pd = settings.instansi
    iki = {k: replace(d, perangkat_daerah=pd) for k, d in iki.items()}
    # Every form header complete: a position the seed gives no tugas or fungsi gets a
    # plain one (validate warns about a header with a missing part).
    iki = {k: replace(d, tugas=d.tugas or f"Melaksanakan tugas {d.jabatan}",
                      fungsi=d.fungsi or (f"Pelaksanaan tugas {d.jabatan}",))
           for k, d in iki.items()}
    assignments = [replace(a, pegawai=replace(a.pegawai, perangkat_daerah=pd))
                   for a in assignments]
    assignments = with_units(with_jabatan(assignments, iki), pd)
    master = Master(settings, assignments, iki)
    _check(master)
    write_master(out, master)
    loaded = load_master(out)
    if not loaded.ok:
        for p in loaded.errors[:20]:
            print(p.location(), p.message())
        raise SystemExit("the example master does not validate")
    print(f"{out}: {len(assignments)} pegawai, {len(iki)} IKI, "
          f"{sum(len(d.indicators) for d in iki.values())} indikator")
    return out


def with_jabatan(assignments: list[Assignment], iki: dict) -> list[Assignment]:
    """Every pegawai with a jabatan (the IKI's when the seed has none): a pegawai who is
    someone's atasan prints it in that form's header and signature block."""
    return [a if a.pegawai.jabatan else replace(a, pegawai=replace(
        a.pegawai, jabatan=iki[a.kode_iki].jabatan)) for a in assignments]


_UNIT = re.compile(r"^(?:plt\.?|plh\.?)?\s*kepala\s+(?P<unit>(?:bidang|sub\s*bagian|subbagian|"
                   r"seksi|sub\s*bidang|subbidang|uptd)\b.*)$", re.IGNORECASE)


def unit_of(jabatan: str) -> str | None:
    """The unit a head's jabatan names (``Kepala Bidang Mutasi`` → ``Bidang Mutasi``)."""
    text = re.sub(r"\s+", " ", jabatan or "").strip()
    for short, long in (("kasubbag", "Kepala Subbagian"), ("kasubag", "Kepala Subbagian"),
                        ("kabid", "Kepala Bidang"), ("kasi", "Kepala Seksi")):
        text = re.sub(rf"^((?:plt\.?|plh\.?)\s*)?{short}\.?\s+", rf"\g<1>{long} ", text,
                      flags=re.IGNORECASE)
    m = _UNIT.match(text)
    if m:
        unit = m["unit"]
        if unit.isupper():  # the seed's headings are in capitals
            unit = " ".join(w if w in ("ASN", "SDM", "UPTD") else
                            "dan" if w == "DAN" else w.capitalize() for w in unit.split())
        return unit[0].upper() + unit[1:]
    if re.match(r"^(?:plt\.?|plh\.?)?\s*sekretaris\b", text, re.IGNORECASE):
        return "Sekretariat"
    return None


def with_units(assignments: list[Assignment], pd: str) -> list[Assignment]:
    """Every pegawai with a unit kerja: the unit their jabatan heads, else their atasan's
    (up the chain), else the agency itself (its head)."""
    by_nip = {a.pegawai.nip: a for a in assignments}

    def unit(a: Assignment, seen: frozenset = frozenset()) -> str:
        own = unit_of(a.pegawai.jabatan)
        if own:
            return own
        boss = by_nip.get(a.atasan_nip)
        if boss is None or boss.pegawai.nip in seen or boss is a:
            return pd
        return unit(boss, seen | {a.pegawai.nip})

    units = [replace(a, pegawai=replace(a.pegawai, unit_kerja=unit(a))) for a in assignments]
    # Staff the seed puts directly under the head of the agency: spread over the units,
    # under their heads (the recap per unit kerja then has several rows and bars).
    heads = sorted({(u, a.pegawai.nip) for a in units if (u := unit_of(a.pegawai.jabatan))})
    out, k = [], 0
    top = next((a.pegawai.nip for a in assignments if not a.atasan_nip), None)
    for a in units:
        if heads and a.pegawai.unit_kerja == pd and a.pegawai.nip != top:
            u, nip = heads[k % len(heads)]
            k += 1
            if nip != a.pegawai.nip:
                moved = replace(a.pegawai, unit_kerja=u)
                a = (replace(a, atasan_nip=nip, pegawai=moved)
                     if a.atasan is None and a.atasan_nip == top else replace(a, pegawai=moved))
        out.append(a)
    return out


def _name_key(nama: str) -> str:
    return "".join(ch for ch in nama.lower() if ch.isalpha())


def _check(master: Master) -> None:
    pols = {i.polaritas for d in master.iki.values() for i in d.indicators}
    aggs = {i.agregasi for d in master.iki.values() for i in d.indicators}
    assert pols == set(Polarity), pols
    assert aggs == set(Aggregation), aggs
    assert len(master.iki) >= 25


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED)
