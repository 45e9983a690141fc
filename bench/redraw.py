"""A settings change in the dashboard at a million customers: ``python -m bench.redraw``.

Generates (once, into ``bench/data/``) an order file whose 365-day window holds
about ``--customers`` customers, opens the dashboard on it through Streamlit's
``AppTest`` (the upload put straight into the session, past the browser's upload
limit), then times what a store owner does next, one script run each:

- change the scoring method, the tier cut points, the lifespan and the margin
  on the Segments page (only ``clv.analysis.score`` reruns; the file and the
  summary come from the cache);
- open each other page with those settings.

Each row is the wall-clock time of one rerun of the app's script, which builds
every element, charts included, as the server would send them; the browser's
own drawing comes on top. The first view (reading the file, the summary) is
printed for reference, not as a target. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from bench.generate import write_orders

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
TIMEOUT_S = 900
ORDERS_PER_WINDOW_CUSTOMER = 7.4
"""Generated orders per customer active in the last 365 days (``bench.generate``'s 3 years, measured)."""


def timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.redraw", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers in the window (default 1M)")
    args = parser.parse_args(argv)
    from streamlit.testing.v1 import AppTest

    n = int(args.customers * ORDERS_PER_WINDOW_CUSTOMER)
    path = DATA / f"orders-redraw-{n}.csv"
    if not path.exists():
        write_orders(path, n)
    data = path.read_bytes()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    at.session_state["_upload"] = {"name": path.name, "data": data, "key": hashlib.sha256(data).hexdigest()}
    at.session_state["_mapping"] = None
    at.session_state["date_order"] = "auto"

    def run() -> None:
        at.run(timeout=TIMEOUT_S)
        if at.exception:
            raise SystemExit(f"the app failed: {[e.message for e in at.exception]}")

    first = timed(run)
    customers = next(t.value for t in at.dataframe if {"Tier", "Customers"} <= set(t.value.columns))
    counted = int(customers.set_index("Tier").loc["All", "Customers"])
    rows = [("first view: read the file, summarize, score (Segments page)", first)]
    changes = [
        ("method: quantile -> range", lambda: at.radio(key="method").set_value("range")),
        ("tier cut points: 5,7 -> 4,8", lambda: at.slider(key="tiers").set_value((4, 8))),
        ("lifespan: 3 -> 2 years", lambda: at.number_input(key="lifespan").set_value(2.0)),
        ("margin: 100% -> 40%", lambda: at.number_input(key="margin").set_value(40.0)),
    ]
    for label, change in changes:
        change()
        rows.append((f"Segments page, {label}", timed(run)))
    for page in ("pages/value.py", "pages/retention.py", "pages/customers.py", "pages/data.py"):
        at.switch_page(page)
        rows.append((f"open {Path(page).stem} with those settings", timed(run)))

    print(f"{counted:,} customers in the window ({n:,} orders, {len(data) / 2**20:,.0f} MB); "
          f"Python {sys.version.split()[0]}\n")
    print("| step | seconds |\n|---|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
