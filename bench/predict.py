"""Time the predicted-value models at scale: ``python -m bench.predict`` (default 1M customers).

Customers are drawn from the models themselves (BG/NBD with r 0.25, alpha 30 days,
a 0.8, b 2.5; Gamma-Gamma with p 6, q 3.7, gamma 15), first purchases spread
over the three years to as-of, so the fit has true values to come back to.
Their purchases become canonical orders (one order a purchase, whole cents) in
a ``DuckEngine``; then, timed inside one process as the command line runs them:

- inputs:   ``prediction_inputs`` (SQL in DuckDB, kept as a table);
- collapse: its two collapsed tables (SQL in DuckDB, fetched);
- fit:      ``prediction_fit`` (BG/NBD and Gamma-Gamma from the collapsed tables);
- fetch:    every customer's x, t_x, T, m into pandas (``Inputs.customers``);
- predict:  ``predictions`` for every customer (a horizon or margin change reruns only this).

Each round is a fresh process (``--rounds``, default 3), so that its peak
memory (``ru_maxrss``) is its own; the medians of wall-clock and CPU seconds
(the process's own, which other work on a shared machine moves less) are
printed as a markdown table, with the load average before the first round.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa

TRUE = {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 3.7, "gamma": 15.0}
AS_OF = pd.Timestamp("2026-06-30")
HISTORY_DAYS = 3 * 365


def simulate(customers: int, seed: int) -> pa.Table:
    """Customers drawn from the BG/NBD and Gamma-Gamma -> canonical orders: customer, day, cents."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], customers)  # purchases a day while alive
    dropout = rng.beta(TRUE["a"], TRUE["b"], customers)
    nu = rng.gamma(TRUE["q"], 1 / TRUE["gamma"], customers)
    first = rng.integers(0, HISTORY_DAYS, customers)  # days before as-of of the first purchase
    who, when = [np.arange(customers)], [first.astype("float64")]
    alive, clock = np.arange(customers), first.astype("float64")  # clock: days before as-of, counting down
    repeat = False
    while alive.size:
        if repeat:  # after each repeat purchase (not the first one), drop out with probability p
            keep = rng.random(alive.size) >= dropout[alive]
            alive, clock = alive[keep], clock[keep]
        repeat = True
        clock = clock - rng.exponential(1 / rate[alive])
        keep = clock >= 0
        alive, clock = alive[keep], clock[keep]
        who.append(alive)
        when.append(clock)
    who, when = np.concatenate(who), np.concatenate(when)
    amount = rng.gamma(TRUE["p"], 1 / nu[who])
    days = (AS_OF - pd.to_timedelta(np.floor(when).astype("int64"), unit="D")).to_numpy().astype("datetime64[D]")
    return pa.table({
        "customer": pa.array(np.char.add("c", who.astype("U9")), type=pa.string()),
        "day": pa.array(days, type=pa.date32()),
        "cents": pa.array(np.maximum(np.rint(amount * 100), 1).astype("int64")),
    })


def one_round(customers: int, seed: int) -> dict:
    """One process's timings (seconds), sizes and peak memory (MB)."""
    from clv.engine import ORDERS, DuckEngine
    from clv.predict import prediction_fit, prediction_inputs, predictions

    orders = simulate(customers, seed)
    engine = DuckEngine()
    engine.put(ORDERS, orders)
    del orders
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times, cpu = {}, {}

    def timed(phase, work):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        times[phase], cpu[phase] = time.perf_counter() - start, time.process_time() - start_cpu
        return result

    inputs = timed("inputs", lambda: prediction_inputs(engine, AS_OF))
    frequencies, spends = timed("collapse", lambda: (inputs.frequencies, inputs.spends))
    fit = timed("fit", lambda: prediction_fit(inputs))
    per_customer = timed("fetch", lambda: inputs.customers)
    predicted = timed("predict", lambda: predictions(fit, per_customer, 365, 1.0))
    timed("change", lambda: predictions(fit, per_customer, 180, 0.6))  # a horizon and margin change
    assert np.isfinite(predicted.to_numpy()).all()
    return {
        "times": times, "cpu": cpu,
        "customers": len(per_customer), "purchases": int(per_customer["x"].sum() + len(per_customer)),
        "frequency_rows": len(frequencies), "spend_rows": len(spends),
        "repeat_customers": int(spends["customers"].sum()),
        "fit": {"r": fit.purchases.r, "alpha": fit.purchases.alpha, "a": fit.purchases.a, "b": fit.purchases.b,
                "p": fit.spend.p, "q": fit.spend.q, "gamma": fit.spend.gamma},
        "memory_before_mb": before,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.predict", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_round:
        print(json.dumps(one_round(args.customers, args.seed)))
        return 0
    rounds, load = [], os.getloadavg()[0]
    for i in range(args.rounds):
        done = subprocess.run([sys.executable, "-m", "bench.predict", "--one-round", "--customers",
                               str(args.customers), "--seed", str(args.seed)], capture_output=True, text=True,
                              check=True)
        rounds.append(json.loads(done.stdout))
        print(f"round {i + 1}: {rounds[-1]['times']}", file=sys.stderr)
    first = rounds[0]
    median = {phase: statistics.median(r["times"][phase] for r in rounds) for phase in first["times"]}
    median_cpu = {phase: statistics.median(r["cpu"][phase] for r in rounds) for phase in first["times"]}
    fit = ", ".join(f"{k} {v:.4g} (true {TRUE[k]:g})" for k, v in first["fit"].items())
    print(f"{first['customers']:,} customers, {first['purchases']:,} purchase days; collapsed: "
          f"{first['frequency_rows']:,} (x, t_x, T) rows, {first['spend_rows']:,} (x, m) rows of "
          f"{first['repeat_customers']:,} repeat customers\nfit: {fit}\n")
    print("| phase | median s | median CPU s |\n|---|---:|---:|")
    for phase, seconds in median.items():
        print(f"| {phase} | {seconds:.2f} | {median_cpu[phase]:.2f} |")
    print(f"| fit + predict | {median['fit'] + median['predict']:.2f} | "
          f"{median_cpu['fit'] + median_cpu['predict']:.2f} |\n")
    print(f"peak memory {statistics.median(r['peak_mb'] for r in rounds):,.0f} MB (after the orders were loaded: "
          f"{statistics.median(r['memory_before_mb'] for r in rounds):,.0f} MB); {args.rounds} rounds; "
          f"load average before: {load:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
