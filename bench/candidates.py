"""How to write the method once: SQL in DuckDB's dialect (transpiled by SQLGlot) against Ibis, measured.

``python -m bench.candidates [ORDERS]`` (default 5M synthetic orders, made in DuckDB): the import
cost of each, the per-customer summary of METHOD.md section 3 run both ways on the same DuckDB
table (best of 3), the time Ibis takes to build and compile its expression, and the time
SQLGlot takes to transpile the statement to Spark SQL. Needs ``pip install ibis-framework``
(not a dependency of the project). Prints a markdown table for bench/results.md.
"""

from __future__ import annotations

import subprocess
import sys
import time


def imported(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter (best of 3)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
               for _ in range(3))


def best(function, repeats: int = 3) -> float:
    fastest = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest


def main(argv: list[str] | None = None) -> int:
    import ibis
    import sqlglot

    from clv.engine import DuckEngine, day_literal
    from clv.rfm import _CONTACT, _SUMMARY_SQL

    n = int(float((argv or sys.argv[1:] or ["5e6"])[0]))
    engine = DuckEngine()
    con = engine.connection
    con.execute(f"""CREATE TABLE orders AS SELECT 'c' || (hash(i) % {n // 5})::VARCHAR AS customer,
        DATE '2024-01-01' + CAST(i % 1000 AS INTEGER) AS day, CAST(hash(i * 7) % 50000 AS BIGINT) - 1900 AS cents,
        1::BIGINT AS rows, 'x' || (hash(i) % {n // 5})::VARCHAR || '@example.com' AS email, NULL::VARCHAR AS name
        FROM range({n}) t(i)""")
    as_of, start = "2026-09-26", "2025-09-26"
    import pandas as pd

    sql = _SUMMARY_SQL.format(orders="orders", email=_CONTACT.format("email"), name=_CONTACT.format("name"),
                              as_of=day_literal(pd.Timestamp(as_of)), start=day_literal(pd.Timestamp(start)))
    backend = ibis.duckdb.from_connection(con)
    orders = backend.table("orders")

    def expression():
        until = orders.filter(orders.day <= ibis.date(as_of))
        inside, counted = until.day > ibis.date(start), until.cents > 0
        return until.group_by("customer").aggregate(
            frequency=(counted & inside).sum(), cents=until.cents.sum(where=inside).fill_null(0),
            first_day=until.day.min(where=counted), last_day=until.day.max(where=counted & inside),
            window_orders=inside.sum(), window_rows=until.rows.sum(where=inside).fill_null(0),
            email=until.email.argmax(until.day, where=until.email.notnull()),  # no tie rule: see the README
            name=until.name.argmax(until.day, where=until.name.notnull()),
        )

    rows = [
        ("import", f"{imported('sqlglot'):.2f} s (sqlglot)", f"{imported('ibis; import ibis.backends.duckdb'):.2f} s"),
        (f"per-customer summary, {n:,} orders", f"{best(lambda: con.sql(sql).to_arrow_table()):.2f} s",
         f"{best(lambda: backend.to_pyarrow(expression())):.2f} s"),
        ("per statement", f"{1000 * best(lambda: sqlglot.transpile(sql, read='duckdb', write='spark'), 5):.0f} ms "
         "to transpile to Spark", f"{1000 * best(lambda: ibis.to_sql(expression(), dialect='duckdb'), 5):.0f} ms "
         "to build and compile"),
    ]
    print("| | SQL + SQLGlot | Ibis |\n|---|---|---|")
    print("\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
