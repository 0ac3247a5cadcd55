"""What every benchmark shares, so that none of them can flatter by accident.

- :func:`synthetic_master`: N pegawai with unique NIPs in 24 perangkat daerah × 5 unit
  kerja (120 units), ~700 atasan for 10,000 pegawai (each eselon an atasan of the pegawai
  of their unit, and a pegawai with a form of their own; the kepala of each perangkat
  daerah above them), IKIs of 25 indicators shared by ~4 pegawai each.
- :func:`fresh_path`: a workspace path no earlier round used (a store rebuilt at the same
  path hides files a process believes it made).
- :func:`check_store`: after a round, every file the ledger recorded has its bytes in the
  store and they hash to its sha256; the benchmark stops otherwise.
- :func:`measure`: runs the measured work in a process of its own (spawned, so it
  inherits nothing from the benchmark) and returns its wall time, its CPU time (its own
  plus that of the workers it waited for) and its peak memory: its own high-water mark
  (``VmHWM``), the same method everywhere. The workers' peak (``ru_maxrss`` of the
  children) is reported beside it.
- :func:`machine` and :func:`load`: what a figure ran on, and how busy the machine was.
- :func:`pace`: how fast the host runs a fixed piece of work like ours right now, alone
  and two copies at once: the shared host's speed swings by 40 % and more within the
  hour, so every benchmark prints it before and after its figures. A figure is compared
  with another of the same pace (or A with B beside it), never scaled by it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import platform
import random
import resource
import statistics
import time
from datetime import date, timedelta
from itertools import count
from pathlib import Path

from iki_xlsx.core.model import (
    Aggregation,
    Assignment,
    IKIDefinition,
    Indicator,
    Master,
    Person,
    Polarity,
    Settings,
    Target,
)

WORDS = ("pelayanan administrasi kepegawaian daerah dokumen laporan kinerja pegawai data "
         "informasi evaluasi perencanaan pengembangan kompetensi aparatur sipil negara "
         "persentase jumlah indeks kepuasan tindak lanjut hasil pemeriksaan").split()
PERANGKAT_DAERAH = 24
UNITS_PER_PD = 5


# --------------------------------------------------------------------------- the master

def nip_of(j: int) -> str:
    """A valid, unique 18-digit NIP for pegawai number ``j`` (< 1,000,000): born
    19650101 + (j // 1000) * 11 + j % 11 days, appointed 20YYMM, sex 1, serial j % 1000
    — for a given serial the birth date tells j // 1000 apart."""
    born = date(1965, 1, 1) + timedelta(days=(j // 1000) * 11 + j % 11)
    return f"{born:%Y%m%d}{2000 + j % 20:04d}{1 + j % 12:02d}1{j % 1000:03d}"


def _kepala(pd: int) -> Person:
    nip = f"{date(1964, 1, 1) + timedelta(days=pd * 13):%Y%m%d}19900110{pd:02d}"
    return Person(nip, f"Kepala Perangkat Daerah {pd + 1:02d}", "Pembina Utama Muda", "IV/c",
                  "Kepala", "", _pd_name(pd))


def _pd_name(pd: int) -> str:
    return f"Perangkat Daerah {pd + 1:02d}"


def _group(j: int) -> tuple[int, int]:
    """(perangkat daerah, unit) of pegawai ``j``: j % 120 decides both."""
    return j % PERANGKAT_DAERAH, j // PERANGKAT_DAERAH % UNITS_PER_PD


def _ikis(rnd: random.Random, count_: int, indicators: int) -> dict[str, IKIDefinition]:
    def text(k):
        return " ".join(rnd.choice(WORDS) for _ in range(k)).capitalize()

    pol = [Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.RENTANG, Polarity.YA_TIDAK]
    targets = {Polarity.MAKSIMAL: Target("100", 100.0), Polarity.MINIMAL: Target("0", 0.0),
               Polarity.RENTANG: Target("80 - 90", low=80.0, high=90.0),
               Polarity.YA_TIDAK: Target("Ya")}
    iki = {}
    for k in range(count_):
        inds = tuple(Indicator(str(i // 2 + 1), text(10), text(12), text(15), text(5), "%",
                               targets[pol[i % 4]], pol[i % 4], list(Aggregation)[i % 3])
                     for i in range(indicators))
        iki[f"IKI-{k:04d}"] = IKIDefinition(f"IKI-{k:04d}", _pd_name(k % PERANGKAT_DAERAH),
                                             text(4), text(40),
                                             tuple(text(12) for _ in range(6)), "SASARAN",
                                             inds)
    return iki


def synthetic_master(n: int, indicators: int = 25, seed: int = 1) -> Master:
    """N pegawai (see the module's docstring). Pegawai 0 … A-1 (A = n // 15, 666 for
    10,000) are the eselon: each is the atasan of the other pegawai of their unit, and
    has the kepala of their perangkat daerah (not a pegawai of the master) as atasan."""
    rnd = random.Random(seed)
    per_pd = max(1, n // 4 // PERANGKAT_DAERAH)  # IKI k belongs to perangkat daerah k % 24
    iki = _ikis(rnd, per_pd * PERANGKAT_DAERAH, indicators)
    eselon = max(1, n // 15)
    by_group: dict[int, list[int]] = {}
    for j in range(min(eselon, n)):
        by_group.setdefault(j % (PERANGKAT_DAERAH * UNITS_PER_PD), []).append(j)
    people = [Person(nip_of(j), f"Pegawai Sintetis {j}", "Penata", "III/c",
                     "Kepala Bidang" if j < eselon else "Analis",
                     f"Bidang {_group(j)[1] + 1}", _pd_name(_group(j)[0])) for j in range(n)]
    assignments = []
    for j, person in enumerate(people):
        pd = _group(j)[0]
        kode = f"IKI-{(j // PERANGKAT_DAERAH % per_pd) * PERANGKAT_DAERAH + pd:04d}"
        bosses = by_group.get(j % (PERANGKAT_DAERAH * UNITS_PER_PD))
        if j < eselon or not bosses:
            boss = _kepala(pd)
            assignments.append(Assignment(person, kode, boss.nip, boss))
        else:
            boss = people[bosses[j // (PERANGKAT_DAERAH * UNITS_PER_PD) % len(bosses)]]
            assignments.append(Assignment(person, kode, boss.nip))
    return Master(Settings(2025, tempat="Tenggarong", tanggal=date(2025, 1, 2)), assignments,
                  iki)


def describe_master(master: Master) -> str:
    atasan = {a.atasan_nip for a in master.assignments}
    units = {(a.pegawai.perangkat_daerah, a.pegawai.unit_kerja) for a in master.assignments}
    nips = {a.pegawai.nip for a in master.assignments}
    if len(nips) != len(master.assignments):
        raise SystemExit("FAILED: the synthetic master has a NIP twice")
    return (f"{len(master.assignments)} pegawai (unique NIPs), {len(units)} units, "
            f"{len(atasan)} atasan, {len(master.iki)} IKI")


# --------------------------------------------------------------------------- workspaces

_paths = count()


def fresh_path(root: Path, label: str) -> Path:
    """A path under ``root`` that no earlier round used (of this run, or of an earlier
    one that kept its folder)."""
    while True:
        path = Path(root) / f"{label}-{next(_paths)}"
        if not path.exists():
            return path


def check_store(ws_path: Path) -> int:
    """Stop the benchmark unless every file recorded in the ledger at ``ws_path`` has its
    bytes in the store, hashing to its sha256. Returns how many files were checked."""
    from iki_xlsx.workspace import Workspace

    ws = Workspace(ws_path)
    try:
        files = ws.files.all(light=True)
        missing = []
        for f in files:
            kept = ws.store.kept(f.sha256, f.kind)
            if kept is None or hashlib.sha256(kept.read_bytes()).hexdigest() != f.sha256:
                missing.append(f.sha256)
    finally:
        ws.close()
    if missing or not files:
        raise SystemExit(f"FAILED: {ws_path}: {len(missing)} of {len(files)} recorded files "
                         "have no (or wrong) bytes in the store")
    return len(files)


# --------------------------------------------------------------------------- measuring

def vm_hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _child(conn, setup, work, args) -> None:
    try:
        state = setup(*args) if setup else args
        cpu0, kids0, wall0 = time.process_time(), _children_cpu(), time.perf_counter()
        out = work(state) if setup else work(*args)
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        kids = _children_cpu() - kids0
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        conn.send({"wall": wall, "cpu": cpu + kids, "cpu_main": cpu, "peak_mb": vm_hwm_mb(),
                   "workers_peak_mb": workers, "out": out or {}})
    except BaseException as exc:  # the parent reports it
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
        raise


def measure(work, *args, setup=None) -> dict:
    """Run ``work(*args)`` (or ``work(setup(*args))``, setup not timed) in a spawned
    process; its figures: wall and cpu seconds, peak_mb (VmHWM of that process),
    workers_peak_mb, load (1-minute load average before and after), and ``out`` (what
    ``work`` returned, a small dict). ``work`` and ``setup`` are module-level functions."""
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    before = os.getloadavg()[0]
    proc = ctx.Process(target=_child, args=(send, setup, work, args))
    proc.start()
    send.close()
    try:
        result = recv.recv()
    except EOFError:
        result = {"error": "the measured process died"}
    proc.join()
    if "error" in result:
        raise SystemExit(f"FAILED: {getattr(work, '__name__', work)}: {result['error']}")
    result["load"] = (before, os.getloadavg()[0])
    return result


def fmt(r: dict) -> str:
    """One measurement: wall, CPU, peak memory, load."""
    return (f"wall {r['wall']:7.2f} s  CPU {r['cpu']:7.2f} s  peak {r['peak_mb']:5.0f} MB"
            f" (workers {r['workers_peak_mb']:4.0f} MB)  load {r['load'][0]:.1f}→"
            f"{r['load'][1]:.1f}")


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summary(label: str, runs: list[dict], per: int = 1, unit: str = "") -> str:
    """Median wall and CPU over the rounds (each round's figure beside it), per item when
    ``per`` > 1, and the highest peak."""
    def one(key: str) -> str:
        each = " ".join(f"{r[key] * (1000 / per if per > 1 else 1):.2f}" for r in runs)
        med = median_of(runs, key) * (1000 / per if per > 1 else 1)
        return f"{med:.2f}{' ms/' + unit if per > 1 else ' s'} ({each})"

    return (f"{label}: wall {one('wall')}; CPU {one('cpu')}; peak "
            f"{max(r['peak_mb'] for r in runs):.0f} MB; load "
            f"{' '.join(format(r['load'][0], '.1f') for r in runs)}")


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh
                          if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0.0
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({model}), "
            f"{mem:.0f} GB, Python {platform.python_version()}; load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")


# --------------------------------------------------------------------------- the host's pace

PACE_ROWS = 12_000  # rows of the fixed work: ~0.2 s of CPU on the reference machine


def pace_work(seed: int = 7) -> tuple[float, float]:
    """A fixed piece of work in the proportions of ours — Python objects and texts, JSON
    both ways, deflate, SQLite inserts and a sorted read — and its (CPU, wall) seconds.
    Module level: it runs in spawned processes."""
    import json
    import sqlite3
    import zlib

    cpu, wall = time.process_time(), time.perf_counter()
    rnd = random.Random(seed)
    rows = [{"nip": f"{rnd.getrandbits(59):018d}", "nama": " ".join(
        rnd.choice(WORDS) for _ in range(rnd.randint(2, 6))), "nilai": rnd.random() * 120}
        for _ in range(PACE_ROWS)]
    text = json.dumps(rows, sort_keys=True)
    back = json.loads(text)
    packed = zlib.compress(text.encode("utf-8"), 6)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (nip TEXT, nama TEXT, nilai REAL)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?)",
                   [(r["nip"], r["nama"].title(), r["nilai"]) for r in back])
    seen = sum(len(nama) for nama, in db.execute("SELECT nama FROM t ORDER BY nip"))
    db.close()
    if not packed or seen <= 0:  # never: the work is kept from being optimised away
        raise RuntimeError("pace work lost its result")
    return time.process_time() - cpu, time.perf_counter() - wall


def _pace_copy(barrier, out, repeat: int, first: bool) -> None:
    """One of the two copies: each round, the first runs the work alone while the other
    waits, then both run it at once; it sends its times (alone: the first's only)."""
    pace_work()  # warm: not measured
    alone, together = [], []
    for i in range(repeat):
        barrier.wait()
        if first:
            alone.append(pace_work(i)[1])
        barrier.wait()  # both copies start at once
        together.append(pace_work(i)[1])
    out.put((alone, together))


def pace(repeat: int = 5) -> dict:
    """The host's pace now: the fixed work's wall time (ms) alone and with two copies at
    once, ``repeat`` rounds of each in turn in two spawned processes (the two ways
    interleaved: this host changes speed from one second to the next), the median of
    each (together: the slower copy of each round), and the cores' worth the two copies
    got (2 × alone / together: 2.0 when the two cores are whole cores to us, less when
    they are one core's two threads or busy — more than 2.0 says how much the pace itself
    moved between the rounds)."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_pace_copy, args=(barrier, out, repeat, i == 0))
             for i in range(2)]
    for proc in procs:
        proc.start()
    got = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    alone = statistics.median(next(a for a, _ in got if a))
    together = statistics.median(max(pair) for pair in zip(*(t for _, t in got)))
    return {"alone_ms": alone * 1000, "together_ms": together * 1000,
            "cores": 2 * alone / together if together else 0.0}


def pace_line(label: str = "host pace") -> str:
    """:func:`pace` as a line of a benchmark's output."""
    p = pace()
    return (f"{label}: fixed work {p['alone_ms']:.0f} ms alone, {p['together_ms']:.0f} ms "
            f"each two at once ({p['cores']:.2f} cores' worth); load "
            f"{os.getloadavg()[0]:.1f}")
