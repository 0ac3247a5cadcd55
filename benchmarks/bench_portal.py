"""Benchmark: the portal — server time from upload to verdict, and a bounded load test.

    python benchmarks/bench_portal.py                   # 200 pegawai, 200 uploads, 20 at once
    python benchmarks/bench_portal.py -p 1000 -n 400 -c 20

1. *Server time*: one form uploaded at a time through the application in process
   (Flask's test client: no network, no client), median and p95 over ``--single``
   uploads — what a pegawai waits for on top of the network. Goal: median ≤ 100 ms.
2. *Load*: ``-n`` uploads of distinct filled forms, ``-c`` at a time, against waitress on
   127.0.0.1 (a free port); p50 / p95 of the time a client waits, uploads per second,
   and nothing lost: every upload answered 200 with a receipt and every file's sha256
   in the ledger afterwards.

The workspace has ``-p`` pegawai × 25 indikator (common.synthetic_master);
each upload is a quarterly return (bench_year's fill). Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from common import synthetic_master  # noqa: E402
from bench_year import fill_quarter  # noqa: E402

from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.portal import create_app
from iki_xlsx.portal.server import start_background
from iki_xlsx.workspace import Workspace


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def make_files(root: Path, pegawai: int, count: int) -> tuple[Workspace, list[bytes]]:
    ws = Workspace(root / "ws")
    forms = generate_forms(synthetic_master(pegawai), root / "forms", ws).forms
    files = []
    for k in range(count):
        planned = forms[k % len(forms)]
        quarter = 1 + (k // len(forms)) % 4
        files.append(fill_quarter(planned.path.read_bytes(), planned.manifest, quarter, k))
    return ws, files


def single(ws: Workspace, files: list[bytes]) -> list[float]:
    app = create_app(ws.path, upload_limit=(10 ** 9, 60.0))
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    times = []
    for k, data in enumerate(files):
        import io

        start = time.perf_counter()
        r = client.post("/unggah", data={"csrf": token,
                                         "berkas": (io.BytesIO(data), f"iki-{k}.xlsx")},
                        content_type="multipart/form-data")
        times.append(time.perf_counter() - start)
        assert r.status_code == 200 and b"TT-" in r.data, r.status_code
    return times


def load(ws: Workspace, files: list[bytes], concurrency: int) -> tuple[list[float], float]:
    running = start_background(ws.path, upload_limit=(10 ** 9, 60.0), threads=concurrency)
    try:
        def one(k: int) -> float:
            s = requests.Session()
            page = s.get(running.url, timeout=60).text
            token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            start = time.perf_counter()
            r = s.post(running.url + "unggah", data={"csrf": token},
                       files={"berkas": (f"iki-{k}.xlsx", files[k])}, timeout=300)
            took = time.perf_counter() - start
            assert r.status_code == 200 and "TT-" in r.text, r.status_code
            return took

        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            times = list(pool.map(one, range(len(files))))
        wall = time.perf_counter() - start
    finally:
        running.stop()
    return times, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-p", "--pegawai", type=int, default=200)
    ap.add_argument("-n", "--uploads", type=int, default=200)
    ap.add_argument("-c", "--concurrency", type=int, default=20)
    ap.add_argument("--single", type=int, default=50)
    args = ap.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" is the point
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        ws, files = make_files(root, args.pegawai, args.single + args.uploads)
        print(f"workspace: {args.pegawai} pegawai × 25 indikator, "
              f"{len(files)} filled forms made in {time.perf_counter() - t0:.1f} s")
        times = single(ws, files[: args.single])
        ms = [t * 1000 for t in times]
        print(f"server time, one upload at a time ({len(ms)}): median {statistics.median(ms):.1f}"
              f" ms, p95 {quantile(ms, 0.95):.1f} ms  (goal: median ≤ 100 ms)")
        batch = files[args.single:]
        times, wall = load(ws, batch, args.concurrency)
        ms = [t * 1000 for t in times]
        ledger = Workspace(ws.path)
        lost = [k for k, data in enumerate(batch)
                if ledger.files.get(hashlib.sha256(data).hexdigest()) is None]
        print(f"load on 127.0.0.1: {len(batch)} uploads, {args.concurrency} at a time: "
              f"p50 {quantile(ms, 0.5):.0f} ms, p95 {quantile(ms, 0.95):.0f} ms, "
              f"{len(batch) / wall:.1f} uploads/s, lost {len(lost)}")
        ledger.close()
        if lost:
            sys.exit(1)


if __name__ == "__main__":
    main()
