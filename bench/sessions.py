"""Ten people at once: ``python -m bench.sessions`` (``--sessions N``, ``--rounds N``, ``--linger``).

Starts ``streamlit run app.py`` on a free localhost port, opens the sample store
once (the baseline), then opens N browser contexts in one headless Chromium at
the same time. Each uploads its own generated Shopify orders export (2k to 20k
orders, e-mails of its own domain) through the real file input, opens the
Segments page and must show the customer count the core computes for its file
(``analyze(read_orders(file).orders, Settings())``), with no error element. Then
every context closes.

The server's resident memory (``VmRSS`` from ``/proc/PID/status``) is sampled
every 0.2 s from before the baseline to the end: the baseline after the sample
store has loaded once, the peak, and ~15 s after the last context closed (the
session-scoped caches go when a session disconnects). Streamlit keeps a
disconnected session's state, which holds the uploaded bytes, for
``server.disconnectedSessionTTL`` (120 s) so that a dropped connection can come
back; ``--linger`` waits that out, lets one new visitor in (Streamlit drops
expired sessions when it next looks) and measures once more. Freed memory need not
go back to the operating system, so "after" is an upper bound on what is held.
RSS alone cannot tell held data from memory the allocator keeps, so the script
also prints Streamlit's own account (``/_stcore/metrics``, cache_memory_bytes)
of what its caches, session state and uploaded files hold; ``--rounds 3``
repeats the whole crowd on the same server.

Prints a markdown table, one row per round. Every wait is bounded; only localhost.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clv.analysis import analyze
from clv.load import read_orders
from clv.sample import COLUMNS
from clv.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SESSION_TTL_SECONDS = 120  # Streamlit's server.disconnectedSessionTTL default


def shopify_orders(session: int, orders: int, seed: int) -> bytes:
    """A Shopify orders export (the sample store's columns), one line item per order, ~orders/4 customers
    whose e-mails end in ``@store{session}.test``."""
    rng = np.random.default_rng(seed)
    customers = max(50, orders // 4)
    who = np.concatenate([np.arange(customers), rng.integers(0, customers, orders - customers)])
    created = (pd.Timestamp("2026-06-30 20:00") - pd.to_timedelta(rng.integers(0, 730 * 24 * 60, orders), unit="min"))
    created = created.sort_values(ascending=False)
    stamps = created.strftime("%Y-%m-%d %H:%M:%S -0700")
    amount = pd.Series(np.round(rng.lognormal(3.6, 0.6, orders), 2)).map("{:.2f}".format)
    email = pd.Series(who).map(lambda j: f"s{session:02d}c{j:05d}@store{session:02d}.test")
    table = pd.DataFrame({
        "Name": [f"#{1001 + k}" for k in range(orders)], "Email": email, "Financial Status": "paid",
        "Paid at": stamps, "Fulfillment Status": "fulfilled", "Accepts Marketing": "no", "Currency": "USD",
        "Subtotal": amount, "Shipping": "0.00", "Taxes": "0.00", "Total": amount, "Discount Code": "",
        "Discount Amount": "0.00", "Created at": stamps, "Lineitem quantity": "1", "Lineitem name": "House Blend",
        "Lineitem price": amount, "Lineitem sku": "CB-HOUSE-12", "Billing Name": [f"Buyer {session}-{j}" for j in who],
        "Billing City": "Sacramento", "Billing Country": "US", "Cancelled at": "", "Refunded Amount": "0.00",
        "Id": [str(5_812_004_317_233 + k) for k in range(orders)], "Tags": "", "Source": "web",
    })[COLUMNS]
    out = io.StringIO()
    table.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Sampler(threading.Thread):
    """The server's RSS every 0.2 s, and the highest seen."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except (OSError, RuntimeError):
                return


def held_mb(url: str) -> dict[str, float]:
    """What Streamlit says it holds (``/_stcore/metrics``, cache_memory_bytes), in MB by kind:
    st_cache_data, st_cache_resource, st_session_state, UploadedFileManager."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as answer:
        text = answer.read().decode()
    held: dict[str, float] = {}
    for kind, size in re.findall(r'^cache_memory_bytes\{cache_type="([^"]+)"[^}]*\} (\S+)$', text, re.MULTILINE):
        held[kind] = held.get(kind, 0.0) + float(size) / 2**20
    return held


def held_text(held: dict[str, float]) -> str:
    names = {"st_cache_data": "pickled caches", "st_cache_resource": "kept tables", "st_session_state": "session state",
             "UploadedFileManager": "uploads"}
    return ", ".join(f"{names.get(kind, kind)} {mb:,.1f}" for kind, mb in sorted(held.items()))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none",  # as deployed: no module reloads when someone saves a file
             "--server.enableExpensiveMemoryStats", "true"],  # real sizes of st.cache_resource, not a count
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return server
        except OSError:
            time.sleep(0.25)
    stop_server(server)
    raise RuntimeError("streamlit did not answer /_stcore/health within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


@dataclass
class Round:
    seconds: float  # from the first upload to every session showing its result
    uploaded: float  # from the first upload to every data page naming its file
    server_cpu: float  # CPU seconds the server used in that time
    errors: int
    wrong: int
    peak: float  # MB, the server's highest RSS during the round
    after: float  # MB, ``settle`` seconds after the round's contexts closed
    held_open: dict[str, float]  # MB Streamlit holds with every session open
    held_after: dict[str, float]  # and ``settle`` seconds after they closed


def one_round(browser, url: str, files: list[bytes], expected: list[str], pid: int, sampler: Sampler,
              settle: float, timeout_ms: int) -> Round:
    """Every session uploads its file at once, shows its Segments page; then all close."""
    sampler.peak = rss_mb(pid)
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in files]
    pages = [context.new_page() for context in contexts]
    for tab in pages:
        tab.set_default_timeout(timeout_ms)
        tab.goto(f"{url}/data")
    for tab in pages:
        tab.locator("[data-testid=stFileUploader] input[type=file]").wait_for(state="attached")

    began, cpu_began = time.monotonic(), cpu_seconds(pid)
    for i, (tab, data) in enumerate(zip(pages, files)):  # set_input_files returns as the upload starts
        tab.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
            {"name": f"store{i:02d}.csv", "mimeType": "text/csv", "buffer": data})
    for i, tab in enumerate(pages):
        tab.locator("[data-testid=stSidebar]").get_by_text(f"Your file: store{i:02d}.csv").wait_for()
    uploaded = time.monotonic() - began
    for tab in pages:
        tab.locator("[data-testid=stSidebarNav] a", has_text="Segments").click()
    shown = []
    for tab in pages:
        metric = tab.locator("[data-testid=stMetric]").filter(
            has=tab.locator("[data-testid=stMetricLabel]", has_text=re.compile(r"^\s*Customers\s*$")))
        metric.locator("[data-testid=stMetricValue]").wait_for()
        tab.locator('[data-testid=stApp][data-test-script-state="notRunning"]').wait_for()
        shown.append(metric.locator("[data-testid=stMetricValue]").inner_text().strip())
    seconds, server_cpu = time.monotonic() - began, cpu_seconds(pid) - cpu_began
    errors = sum(tab.locator("[data-testid=stException], [data-testid=stAlertContentError]").count() for tab in pages)
    wrong = sum(s != e for s, e in zip(shown, expected))
    held_open = held_mb(url)
    for context in contexts:
        context.close()
    time.sleep(settle)
    return Round(seconds, uploaded, server_cpu, errors, wrong, max(sampler.peak, rss_mb(pid)), rss_mb(pid),
                 held_open, held_mb(url))


def run(files: list[bytes], rounds: int, settle: float, linger: bool, timeout_s: float
        ) -> tuple[float, dict[str, float], list[Round], tuple[float, dict[str, float]] | None]:
    """Baseline RSS and what Streamlit holds (MB), the rounds, and both after the session TTL (``linger``)."""
    from playwright.sync_api import sync_playwright

    expected = [f"{len(analyze(read_orders(data).orders, Settings()).customers):,}" for data in files]
    port, log = free_port(), ROOT / "bench" / "data" / "sessions-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    url, timeout_ms = f"http://127.0.0.1:{port}", int(timeout_s * 1000)
    server = start_server(port, log)
    sampler = Sampler(server.pid)
    sampler.start()
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first = browser.new_context()
            page = first.new_page()
            page.goto(url)
            page.get_by_text("You are looking at a sample store").wait_for(timeout=timeout_ms)
            page.locator('[data-testid=stApp][data-test-script-state="notRunning"]').wait_for(timeout=timeout_ms)
            first.close()
            time.sleep(3)
            baseline, held_baseline = rss_mb(server.pid), held_mb(url)
            results = [one_round(browser, url, files, expected, server.pid, sampler, settle, timeout_ms)
                       for _ in range(rounds)]
            after_ttl = None
            if linger:  # expired sessions are dropped when the server next looks, e.g. when someone connects
                time.sleep(max(0.0, SESSION_TTL_SECONDS + 10 - settle))
                visitor = browser.new_context()
                visitor.new_page().goto(url)
                time.sleep(5)
                visitor.close()
                time.sleep(5)
                after_ttl = rss_mb(server.pid), held_mb(url)
            browser.close()
    finally:
        sampler.stopped.set()
        stop_server(server)
    return baseline, held_baseline, results, after_ttl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--smallest", type=int, default=2_000, help="orders in the first session's file")
    parser.add_argument("--largest", type=int, default=20_000, help="orders in the last session's file")
    parser.add_argument("--rounds", type=int, default=1, help="open and close all sessions this many times")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds after closing before 'after'")
    parser.add_argument("--linger", action="store_true", help="also measure after the 120 s session TTL")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds any one wait may take")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    sizes = np.linspace(args.smallest, args.largest, args.sessions).round().astype(int)
    files = [shopify_orders(i, int(n), seed=100 + i) for i, n in enumerate(sizes)]
    baseline, held_baseline, rounds, after_ttl = run(files, args.rounds, args.settle, args.linger, args.timeout)

    described = f"{len(files)} x {sizes.min():,}-{sizes.max():,} orders, {sum(map(len, files)) / 2**20:.1f} MB"
    print(f"| round | sessions | files | seconds to all results | server CPU s | errors | wrong counts "
          f"| RSS baseline MB | RSS peak MB | RSS {args.settle:g} s after MB |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for number, done in enumerate(rounds, 1):
        print(f"| {number} | {args.sessions} | {described} | {done.seconds:.1f} | {done.server_cpu:.1f} "
              f"| {done.errors} | {done.wrong} | {baseline:,.0f} | {done.peak:,.0f} | {done.after:,.0f} |")
    print(f"Streamlit's own account (/_stcore/metrics, MB): baseline: {held_text(held_baseline)}")
    for number, done in enumerate(rounds, 1):
        print(f"  round {number}, all open: {held_text(done.held_open)}; {args.settle:g} s after: "
              f"{held_text(done.held_after)}")
    if after_ttl is not None:
        print(f"{SESSION_TTL_SECONDS + 10} s after the last round closed (past the session TTL) and one new visit: "
              f"RSS {after_ttl[0]:,.0f} MB; {held_text(after_ttl[1])}")
    print(f"Uploads read and data pages drawn after {', '.join(f'{r.uploaded:.1f}' for r in rounds)} s; the browser's "
          f"{args.sessions} tabs share the server's {os.cpu_count()} cores. 1-minute load average before: {load:.1f}.")
    if any(r.errors or r.wrong for r in rounds):
        sys.exit(1)


if __name__ == "__main__":
    main()
