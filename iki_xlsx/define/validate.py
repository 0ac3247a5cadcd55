"""Validating a master's rows into a :class:`~iki_xlsx.core.model.Master`: settings, IKI
definitions and their indikator, pegawai and their atasan, Mulai / Selesai, contacts.
One validator for the workbook and the YAML, so both give the same problems with the same
codes at the same cells; every problem is collected (never the first only) and rows that
cannot be generated are listed with theirs.

Longer than 400 lines because the checks of every sheet share one collector of problems
and one idea of a row, and are read against each other (a setting, an IKI and a pegawai
refer to one another)."""

from __future__ import annotations

import re
from datetime import date, datetime

from ..core.model import (
    PANGKAT,
    Aggregation,
    Assignment,
    Contact,
    IKIDefinition,
    Indicator,
    Master,
    MidYear,
    PeriodScheme,
    Person,
    Polarity,
    Settings,
    nip_problems,
    normalize_golongan,
    normalize_nip,
    normalize_pangkat,
    parse_aggregation,
    parse_midyear,
    parse_number,
    parse_polarity,
    parse_scheme,
    parse_target,
)
from ..core.capaian import parse_answer, prorates
from ..core.predikat import PredikatScale
from ..core.problems import Problem
from ..core.show import row_ranges
from ..core.texts import BULAN
from . import schema
from .rows import LoadedMaster, Rejected, Row, cell_text, norm_title

_LETTER = re.compile(r"^\s*(?:[-•*]\s*)?(?:[a-zA-Z]|\d{1,2})[.)]\s+")


def split_fungsi(text: str) -> tuple[str, ...]:
    """One function per line; leading bullets and ``a.``/``1)`` letters are dropped
    (the form prints its own letters)."""
    items = []
    for line in str(text or "").replace("\r", "\n").split("\n"):
        line = _LETTER.sub("", line.strip()).strip()
        if line:
            items.append(line)
    return tuple(items)


def parse_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = cell_text(value)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", s)
        if m:
            months = [b.lower() for b in BULAN]
            name = m[2].lower()
            month = next((i for i, b in enumerate(months, 1) if b.startswith(name[:3])), None)
            if month:
                return date(int(m[3]), month, int(m[1]))
    except ValueError:
        return None
    return None


class Validator:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.yearly_only: list[int] = []  # rows of a jumlah with a yearly target only

    def add(self, code: str, row: Row | None = None, fld: str = "", **params) -> Problem:
        p = row.problem(code, fld, self.file, **params) if row else \
            Problem(code, params, file=self.file)
        self.problems.append(p)
        return p

    # -- settings
    def settings(self, rows: list[Row]) -> Settings | None:
        by_field: dict[str, Row] = {}
        titles = {norm_title(t): f for t, f, _ in schema.SETTINGS_KEYS}
        for r in rows:
            f = titles.get(norm_title(r.get("key")), r.text("key"))
            r.titles = {"value": r.text("key")}
            by_field[f] = r
        before = len(self.problems)

        def val(name):
            r = by_field.get(name)
            return (r.get("value"), r) if r else (None, None)

        raw, r = val("tahun")
        tahun = parse_number(raw)
        if tahun is None or not tahun.is_integer() or not 2000 <= tahun <= 2100:
            self.add("pengaturan_tahun", r, "value", value=cell_text(raw))
        raw, r = val("periode")
        scheme = parse_scheme(cell_text(raw)) if cell_text(raw) else PeriodScheme.TRIWULAN
        if scheme is None:
            self.add("pengaturan_periode", r, "value", value=cell_text(raw))
        raw, r = val("kertas")
        kertas = (cell_text(raw) or "A4").upper().replace("FOLIO", "F4")
        if kertas not in schema.PAPER_CHOICES:
            self.add("pengaturan_kertas", r, "value", value=cell_text(raw))
        raw, r = val("batas_capaian")
        cap = parse_number(raw) if cell_text(raw) else 120.0
        if cap is None or not 100 <= cap <= 1000:
            self.add("pengaturan_batas_capaian", r, "value", value=cell_text(raw))
        raw, r = val("tanggal")
        tanggal = parse_date(raw) if cell_text(raw) else None
        if cell_text(raw) and tanggal is None:
            self.add("pengaturan_tanggal", r, "value", value=cell_text(raw))
        raw, r = val("skala_predikat")
        scale = cell_text(raw) or "lima"
        try:
            PredikatScale.from_setting(scale)
        except ValueError as exc:
            self.add("pengaturan_skala", r, "value", value=scale, reason=str(exc))
        raw, r = val("target_tengah_tahun")
        if (midyear := parse_midyear(cell_text(raw) or MidYear.PROPORSIONAL.value)) is None:
            self.add("pengaturan_target_tengah_tahun", r, "value", value=cell_text(raw))
        raw, r = val("hanya_terverifikasi")
        only = parse_answer(raw) if cell_text(raw) else False
        if only is None:
            self.add("pengaturan_hanya_terverifikasi", r, "value", value=cell_text(raw))
        if len(self.problems) > before:
            return None
        return Settings(
            tahun=int(tahun), periode=scheme, tempat=cell_text(val("tempat")[0]),
            tanggal=tanggal, kertas=kertas, batas_capaian=float(cap), skala_predikat=scale,
            sandi=cell_text(val("sandi")[0]), instansi=cell_text(val("instansi")[0]),
            pemerintah_daerah=cell_text(val("pemerintah_daerah")[0]),
            target_tengah_tahun=midyear, hanya_terverifikasi=bool(only))

    # -- IKI and indicators
    def iki(self, rows: list[Row], ind_rows: list[Row],
            scheme: PeriodScheme | None) -> tuple[dict[str, IKIDefinition], set[str]]:
        heads: dict[str, Row] = {}
        bad: set[str] = set()
        for r in rows:
            kode = r.text("kode_iki")
            if not kode:
                self.add("kode_iki_kosong", r, "kode_iki")
                continue
            if kode in heads:
                self.add("kode_iki_ganda", r, "kode_iki", kode=kode, first=heads[kode].row)
                bad.add(kode)
                continue
            heads[kode] = r
            if not r.text("jabatan"):
                self.add("jabatan_kosong", r, "jabatan", kode=kode)
                bad.add(kode)
        indicators: dict[str, list[Indicator]] = {k: [] for k in heads}
        last: dict[str, tuple[str, str]] = {}
        for r in ind_rows:
            kode = r.text("kode_iki")
            if kode not in heads:
                self.add("kode_iki_tidak_dikenal", r, "kode_iki", kode=kode, sheet_iki=schema.SHEET_IKI)
                continue
            ind = self.indicator(r, kode, last, scheme)
            if ind is None:
                bad.add(kode)
            else:
                indicators[kode].append(ind)
        out: dict[str, IKIDefinition] = {}
        for kode, r in heads.items():
            if not indicators[kode] and kode not in bad:
                self.add("iki_tanpa_indikator", r, "kode_iki", kode=kode)
                bad.add(kode)
            if kode in bad:
                continue
            out[kode] = IKIDefinition(
                kode=kode, perangkat_daerah=r.text("perangkat_daerah"), jabatan=r.text("jabatan"),
                tugas=cell_text(r.get("tugas")), fungsi=split_fungsi(r.get("fungsi")),
                label_sasaran=r.text("label_sasaran"),
                indicators=tuple(indicators[kode]))
        return out, bad

    def indicator(self, r: Row, kode: str, last: dict, scheme) -> Indicator | None:
        before = len(self.problems)
        no, sasaran = r.text("no"), cell_text(r.get("sasaran"))
        prev = last.get(kode)
        if prev and (not no or no == prev[0]) and (not sasaran or sasaran == prev[1]):
            no, sasaran = prev  # a row continuing the previous sasaran
        if not no and not prev:
            no = "1"
        if not sasaran:
            self.add("indikator_kosong", r, "sasaran", kode=kode)
        last[kode] = (no, sasaran)
        indikator = cell_text(r.get("indikator"))
        if not indikator:
            self.add("indikator_kosong", r, "indikator", kode=kode)
        from .infer import infer_indicator

        guess = infer_indicator(indikator, cell_text(r.get("penjelasan")), r.text("target"))
        polaritas = parse_polarity(r.text("polaritas")) if r.text("polaritas") else guess.polaritas
        if polaritas is None:
            self.add("polaritas_tidak_dikenal", r, "polaritas", value=r.text("polaritas"))
        agregasi = parse_aggregation(r.text("agregasi")) if r.text("agregasi") else guess.agregasi
        if agregasi is None:
            self.add("agregasi_tidak_dikenal", r, "agregasi", value=r.text("agregasi"))
        elif polaritas is Polarity.YA_TIDAK and Aggregation(agregasi) is Aggregation.JUMLAH:
            self.add("agregasi_ya_tidak_jumlah", r, "agregasi", indikator=indikator)
        target = None
        if polaritas is not None:
            raw = r.get("target")
            if cell_text(raw) == "":
                self.add("target_kosong", r, "target", indikator=indikator)
            else:
                target = parse_target(raw, polaritas)
                if target is None:
                    code = ("target_rentang_salah" if polaritas is Polarity.RENTANG
                            else "target_bukan_angka")
                    self.add(code, r, "target", value=cell_text(raw), polaritas=polaritas.value)
                elif polaritas is Polarity.YA_TIDAK and parse_number(raw) is not None:
                    self.add("target_ya_tidak_angka", r, "target", value=cell_text(raw),
                             indikator=indikator)
        period_targets = {}
        for code in (scheme.periods if scheme else ()):
            raw = r.get(f"target_{code.lower()}")
            if cell_text(raw) == "":
                continue
            value = parse_number(raw)
            if value is None or value < 0:
                self.add("target_periode_bukan_angka", r, f"target_{code.lower()}",
                         value=cell_text(raw), period=code)
            else:
                period_targets[code] = value
        if any(p.is_error for p in self.problems[before:]):
            return None
        ind = Indicator(no=no, sasaran=sasaran, indikator=indikator,
                        penjelasan=cell_text(r.get("penjelasan")),
                        sumber_data=cell_text(r.get("sumber_data")),
                        satuan=r.text("satuan") or guess.satuan or "",
                        target=target, polaritas=polaritas,
                        agregasi=Aggregation(agregasi), period_targets=period_targets)
        if scheme is not None and prorates(ind, scheme):
            self.yearly_only.append(r.row)  # a jumlah compared with a share of its target
        return ind

    # -- pegawai
    def person(self, r: Row, prefix: str = "", suffix: str = "") -> Person:
        def f(name):
            return f"{prefix}{name}{suffix}"

        pangkat, gol_from_pangkat = normalize_pangkat(r.get(f("pangkat")))
        gol_raw = r.text(f("golongan"))
        golongan = normalize_golongan(gol_raw) if gol_raw else gol_from_pangkat
        if gol_raw and golongan is None:
            self.add("golongan_tidak_dikenal", r, f("golongan"), value=gol_raw)
            golongan = gol_raw
        if r.text(f("pangkat")) and pangkat and pangkat not in _KNOWN_PANGKAT:
            self.add("pangkat_tidak_dikenal", r, f("pangkat"), value=r.text(f("pangkat")))
        return Person(nip=normalize_nip(r.get(f("nip"))), nama=r.text(f("nama")),
                      pangkat=pangkat or "", golongan=golongan or "",
                      jabatan=r.text(f("jabatan")), unit_kerja=r.text(f("unit_kerja")),
                      perangkat_daerah=r.text(f("perangkat_daerah")))

    def person_quiet(self, r: Row) -> Person:
        """The person of a row, without reporting its problems a second time."""
        count = len(self.problems)
        person = self.person(r)
        del self.problems[count:]
        return person

    def assignments(self, rows: list[Row], iki: dict[str, IKIDefinition],
                    bad_iki: set[str]) -> tuple[list[Assignment], list[Rejected]]:
        seen: dict[tuple[str, str], int] = {}
        people: dict[str, Row] = {}
        for r in rows:
            nip = normalize_nip(r.get("nip"))
            if nip:
                people.setdefault(nip, r)
        good, rejected = [], []
        for r in rows:
            before = len(self.problems)
            mine: list[Problem] = []
            person = self.person(r)
            kode = r.text("kode_iki")
            for code in nip_problems(person.nip):
                self.add(code, r, "nip", value=r.text("nip"))
            if not person.nama:
                self.add("nama_kosong", r, "nama")
            if not kode:
                self.add("kode_iki_kosong", r, "kode_iki")
            elif kode in bad_iki:
                self.add("iki_tidak_valid", r, "kode_iki", kode=kode)
            elif kode not in iki:
                self.add("kode_iki_tidak_dikenal", r, "kode_iki", kode=kode,
                         sheet_iki=schema.SHEET_IKI)
            key = (person.nip, kode)
            if person.nip and kode and key in seen:
                self.add("pegawai_ganda", r, "nip", nip=person.nip, kode=kode, first=seen[key])
            seen.setdefault(key, r.row)
            atasan_nip = normalize_nip(r.get("nip_atasan"))
            explicit = None
            if r.text("nama_atasan"):
                explicit = self.person(r, suffix="_atasan")
                explicit = Person(atasan_nip, explicit.nama, explicit.pangkat, explicit.golongan,
                                  explicit.jabatan, explicit.unit_kerja)
                if atasan_nip:
                    for code in nip_problems(atasan_nip):
                        self.add(code, r, "nip_atasan", value=r.text("nip_atasan"))
            elif not atasan_nip or atasan_nip not in people:
                self.add("atasan_tidak_dikenal", r, "nip_atasan", value=r.text("nip_atasan"))
            if atasan_nip and atasan_nip == person.nip:
                self.add("atasan_diri_sendiri", r, "nip_atasan")
            mulai, selesai = self.active(r)
            mine = [p for p in self.problems[before:] if p.is_error]
            if mine:
                rejected.append(Rejected(r.row, person.nip, person.nama, kode, mine))
                continue
            definition = iki[kode]
            person = Person(person.nip, person.nama, person.pangkat, person.golongan,
                            person.jabatan or definition.jabatan, person.unit_kerja,
                            person.perangkat_daerah or definition.perangkat_daerah)
            good.append(Assignment(person, kode, atasan_nip, explicit, r.row, mulai, selesai))
        return good, rejected

    def active(self, r: Row) -> tuple[str, str]:
        """The row's Mulai and Selesai as period codes ("" when blank); a bad value is
        reported on its cell (the row is then rejected)."""
        from ..core.active import period_of

        settings = getattr(self, "_settings", None)
        out = []
        for fld in ("mulai", "selesai"):
            if not r.text(fld) or settings is None:
                out.append("")
                continue
            code, problem = period_of(r.get(fld), r.text(fld), settings, parse_date)
            if problem:
                self.add(problem[0], r, fld, **problem[1])
            out.append(code or "")
        mulai, selesai = out
        periods = list(settings.periode.periods) if settings else []
        if mulai and selesai and periods.index(mulai) > periods.index(selesai):
            self.add("mulai_setelah_selesai", r, "mulai", mulai=r.text("mulai"),
                     selesai=r.text("selesai"))
        return mulai, selesai

    def run(self, settings_rows, sheets) -> LoadedMaster:
        settings = self.settings(settings_rows)
        self._settings = settings
        scheme = settings.periode if settings else None
        iki, bad = self.iki(sheets[schema.SHEET_IKI], sheets[schema.SHEET_INDIKATOR], scheme)
        if self.yearly_only:  # issue 22: one suggestion for the sheet, not one per row
            self.add("target_periode_disarankan", n=len(self.yearly_only), baris=row_ranges(
                self.yearly_only), tahunan=settings.target_tengah_tahun is MidYear.TAHUNAN)
        good, rejected = self.assignments(sheets[schema.SHEET_PEGAWAI], iki, bad)
        used = {a.kode_iki for a in good} | {r.kode_iki for r in rejected}
        for r in sheets[schema.SHEET_IKI]:
            if r.text("kode_iki") in iki and r.text("kode_iki") not in used:
                self.add("iki_tidak_dipakai", r, "kode_iki", kode=r.text("kode_iki"))
        people = {}
        for r in sheets[schema.SHEET_PEGAWAI]:
            nip = normalize_nip(r.get("nip"))
            if nip and nip not in people:
                people[nip] = self.person_quiet(r)
        contacts = self.contacts(sheets[schema.SHEET_PEGAWAI])
        mail = self.mail_settings(settings_rows)
        master = Master(settings, good, iki, people, contacts, mail) if settings else None
        return LoadedMaster(master, self.problems, rejected, file=self.file,
                            pegawai_rows={r.row: r for r in sheets[schema.SHEET_PEGAWAI]},
                            iki_rows={r.text("kode_iki"): r for r in sheets[schema.SHEET_IKI]})

    def mail_settings(self, rows: list[Row]) -> dict[str, str]:
        """The optional SMTP rows of Pengaturan (host, port, user, sender address)."""
        from ..core.contacts import normalize_email

        titles = {norm_title(t): f for t, f, _ in schema.SETTINGS_KEYS
                  if f in schema.MAIL_SETTINGS}
        out: dict[str, str] = {}
        for r in rows:
            name = titles.get(norm_title(r.get("key")))
            value = r.text("value")
            if not name or not value:
                continue
            if name == "smtp_port" and not (value.isdigit() and 0 < int(value) < 65536):
                self.add("pengaturan_smtp_port", r, "value", value=value)
                continue
            if name == "email_pengirim":
                if normalize_email(value) is None:
                    self.add("email_tidak_valid", r, "value", value=value)
                    continue
                value = normalize_email(value)
            out[name] = value
        return out

    # -- contacts (optional Email / No HP columns): a bad value is a warning, not used
    def contacts(self, rows: list[Row]) -> dict[str, Contact]:
        from ..core.contacts import normalize_email, normalize_hp

        out: dict[str, Contact] = {}
        for r in rows:
            nip = normalize_nip(r.get("nip"))
            email, hp = normalize_email(r.get("email")), normalize_hp(r.get("no_hp"))
            if email is None:
                self.add("email_tidak_valid", r, "email", value=r.text("email"))
            if hp is None:
                self.add("no_hp_tidak_valid", r, "no_hp", value=r.text("no_hp"))
            if not nip:
                continue
            have = out.get(nip, Contact())
            out[nip] = Contact(have.email or email or "", have.no_hp or hp or "")
        return out

_KNOWN_PANGKAT = set(PANGKAT.values())
