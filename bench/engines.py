"""The approaches the benchmark compares, each run as ``python -m bench.engines NAME ORDERS.csv OUTDIR``.

Every approach reads a generated file (``bench.generate``: customer_id, order_id,
order_date, amount) and writes the same two files into OUTDIR, so that
``bench.run`` can check that they agree:

- ``customers.csv``: customer, recency_days, frequency, monetary, r, f, m, tier;
- ``tiers.csv``: tier (High, Medium, Low, All), customers, orders, revenue, aov,
  purchase_frequency, clv.

The rules are METHOD.md's with the default settings: rows of one order are summed
first (date = earliest row, customer = its rows' customer); the window is the 365
days back from the latest order date; orders with a net amount of 0 or less net
against money but are not counted; quantile scores with w = customers strictly
less valuable, score = 1 + (3w >= n) + (3w >= 2n), a single distinct value scores
2; tiers High 7-9, Medium 5-6, Low 3-4; CLV with a 3-year lifespan and 100% margin.

For ``--layout shopify`` files (``bench.generate.shopify_table``) the query is
``duckdb-shopify``: line items grouped by ``Name``, the e-mail (lower-cased) else
the billing name, the earliest ``Created at`` day as written, cancelled and
voided orders out, ``Subtotal - Refunded Amount`` never below 0, a refunded
order 0; then the same window, scores, tiers and files.

The child prints one JSON line with the seconds each phase took (read, compute,
write), which ``bench.run`` keeps next to the wall-clock time it measures itself.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

WINDOW_DAYS = 365
LIFESPAN_YEARS = 3.0
MARGIN = 1.0
TIER_CUTS = (5, 7)
TIERS = ("High", "Medium", "Low", "All")

SHOPIFY_LINES = """
lines AS (           -- a Shopify export: one row per line item, the order's fields on its first row
    SELECT "Name" AS order_id,
           lower(trim(nullif("Email", ''))) AS email, trim(nullif("Billing Name", '')) AS billing_name,
           CAST(left("Created at", 10) AS DATE) AS day, nullif("Financial Status", '') AS status,
           nullif("Cancelled at", '') IS NOT NULL AS cancelled,
           CAST(nullif("Subtotal", '') AS DECIMAL(18, 2)) AS subtotal,
           CAST(nullif("Refunded Amount", '') AS DECIMAL(18, 2)) AS refunded
    FROM read_csv($path, header = true, all_varchar = true)
),
orders AS (          -- rows of one order are one order; refunds never below 0; cancelled and voided out
    SELECT order_id, coalesce(min(email), min(billing_name)) AS customer, min(day) AS day,
           CASE WHEN bool_or(status = 'refunded') THEN 0
                ELSE CAST(100 * (sum(subtotal) - least(coalesce(sum(refunded), 0), greatest(sum(subtotal), 0)))
                          AS BIGINT) END AS cents
    FROM lines GROUP BY order_id
    HAVING NOT bool_or(cancelled) AND NOT bool_or(coalesce(status IN ('voided', 'expired'), false))
),"""

DUCKDB_CUSTOMERS = """
CREATE TEMP TABLE customers AS
WITH lines AS (
    SELECT customer_id AS customer, order_id, CAST(order_date AS DATE) AS day,
           CAST(coalesce(amount, 0) * 100 AS BIGINT) AS cents
    FROM read_csv($path, header = true, timestampformat = '%Y-%m-%d %H:%M:%S',
                  columns = {'customer_id': 'VARCHAR', 'order_id': 'VARCHAR',
                             'order_date': 'TIMESTAMP', 'amount': 'DECIMAL(18,2)'})
),
orders AS (          -- rows of one order are one order
    SELECT order_id, min(customer) AS customer, min(day) AS day, sum(cents) AS cents
    FROM lines GROUP BY order_id
),
-- end of the plain layout's reading
bounds AS (SELECT max(day) AS as_of FROM orders),
per_customer AS (    -- orders in (as_of - window, as_of]; net <= 0 nets money but is no order
    SELECT customer,
           count(*) FILTER (WHERE cents > 0) AS frequency,
           sum(cents) AS cents,
           any_value(as_of) - max(day) FILTER (WHERE cents > 0) AS recency_days
    FROM orders, bounds
    WHERE day > as_of - $window AND day <= as_of AND customer IS NOT NULL
    GROUP BY customer
    HAVING count(*) FILTER (WHERE cents > 0) > 0
),
stats AS (
    SELECT count(*) AS n,
           min(recency_days) = max(recency_days) AS r_flat,
           min(frequency) = max(frequency) AS f_flat,
           min(cents) = max(cents) AS m_flat
    FROM per_customer
),
ranked AS (          -- w: customers strictly less valuable (rank() is 1 + that count)
    SELECT per_customer.*, stats.*,
           rank() OVER (ORDER BY recency_days DESC) - 1 AS r_w,
           rank() OVER (ORDER BY frequency) - 1 AS f_w,
           rank() OVER (ORDER BY cents) - 1 AS m_w
    FROM per_customer, stats
),
scored AS (
    SELECT customer, recency_days, frequency, cents,
           CASE WHEN r_flat THEN 2 ELSE 1 + (3 * r_w >= n)::INT + (3 * r_w >= 2 * n)::INT END AS r,
           CASE WHEN f_flat THEN 2 ELSE 1 + (3 * f_w >= n)::INT + (3 * f_w >= 2 * n)::INT END AS f,
           CASE WHEN m_flat THEN 2 ELSE 1 + (3 * m_w >= n)::INT + (3 * m_w >= 2 * n)::INT END AS m
    FROM ranked
)
SELECT *, CASE WHEN r + f + m >= $high THEN 'High' WHEN r + f + m >= $medium THEN 'Medium' ELSE 'Low' END AS tier
FROM scored
"""

DUCKDB_TIERS = """
WITH sums AS (
    SELECT tier, count(*) AS customers, sum(frequency)::BIGINT AS orders, sum(cents)::BIGINT AS cents
    FROM customers GROUP BY tier
    UNION ALL
    SELECT 'All', count(*), coalesce(sum(frequency), 0)::BIGINT, coalesce(sum(cents), 0)::BIGINT FROM customers
),
tiers(tier, position) AS (VALUES ('High', 1), ('Medium', 2), ('Low', 3), ('All', 4)),
figures AS (
    SELECT tiers.tier, tiers.position,
           coalesce(customers, 0) AS customers, coalesce(orders, 0) AS orders,
           coalesce(cents, 0)::DOUBLE / 100 AS revenue
    FROM tiers LEFT JOIN sums USING (tier)
),
ratios AS (
    SELECT *, revenue / nullif(orders, 0) AS aov, orders::DOUBLE / nullif(customers, 0) AS purchase_frequency
    FROM figures
)
SELECT tier, customers, orders, revenue, aov, purchase_frequency,
       aov * purchase_frequency * 365 / $window * $lifespan * $margin AS clv
FROM ratios ORDER BY position
"""


def shopify_customers() -> str:
    """``DUCKDB_CUSTOMERS`` with the Shopify layout's reading in place of the plain one's."""
    start = DUCKDB_CUSTOMERS.index("WITH lines AS (") + len("WITH ")
    end = DUCKDB_CUSTOMERS.index("-- end of the plain layout's reading")
    return DUCKDB_CUSTOMERS[:start] + SHOPIFY_LINES.strip() + "\n" + DUCKDB_CUSTOMERS[end:]


def run_duckdb(path: Path, out: Path, customers: str = DUCKDB_CUSTOMERS) -> dict[str, float]:
    """One SQL query from the CSV to per-customer scores and tiers, then the tier table from it."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    medium, high = TIER_CUTS
    con.execute(customers, {"path": str(path), "window": WINDOW_DAYS, "medium": medium, "high": high})
    computed = time.perf_counter()
    con.execute(
        f"COPY (SELECT customer, recency_days, frequency, cents::DOUBLE / 100 AS monetary, r, f, m, tier "
        f"FROM customers) TO '{out / 'customers.csv'}' (HEADER)"
    )
    tiers = con.execute(DUCKDB_TIERS, {"window": WINDOW_DAYS, "lifespan": LIFESPAN_YEARS, "margin": MARGIN})
    with (out / "tiers.csv").open("w", newline="") as sink:
        writer = csv.writer(sink)
        writer.writerow(column for column, *_ in tiers.description)
        writer.writerows(tiers.fetchall())
    return {"read+compute": computed - started, "write": time.perf_counter() - computed}


def run_pandas(path: Path, out: Path) -> dict[str, float]:
    """read_csv, group rows into orders, then customers, rank for the scores."""
    import numpy as np
    import pandas as pd

    started = time.perf_counter()
    rows = pd.read_csv(path, dtype={"customer_id": str, "order_id": str, "order_date": str, "amount": "float64"})
    read = time.perf_counter()
    rows = rows.assign(
        day=pd.to_datetime(rows["order_date"].str.slice(0, 10), format="%Y-%m-%d"),
        cents=(rows["amount"].fillna(0) * 100).round().astype("int64"),
    )
    orders = rows.groupby("order_id", sort=False).agg(
        customer=("customer_id", "first"), day=("day", "min"), cents=("cents", "sum")
    )
    as_of = orders["day"].max()
    inside = orders.loc[(orders["day"] > as_of - pd.Timedelta(days=WINDOW_DAYS)) & (orders["day"] <= as_of)]
    counted = inside["cents"] > 0
    per_customer = (
        inside.assign(counted=counted, counted_day=inside["day"].where(counted))
        .groupby("customer", sort=False)
        .agg(frequency=("counted", "sum"), cents=("cents", "sum"), last=("counted_day", "max"))
        .query("frequency > 0")
    )
    customers = per_customer.assign(recency_days=(as_of - per_customer["last"]).dt.days)
    n = len(customers)
    scores = {}
    for name, key in (("r", -customers["recency_days"]), ("f", customers["frequency"]), ("m", customers["cents"])):
        below = key.rank(method="min").to_numpy("int64") - 1
        flat = key.min() == key.max()
        scores[name] = np.full(n, 2) if flat else 1 + (3 * below >= n) + (3 * below >= 2 * n).astype("int64")
    total = scores["r"] + scores["f"] + scores["m"]
    medium, high = TIER_CUTS
    customers = customers.assign(
        monetary=customers["cents"] / 100,
        **scores,
        tier=np.select([total >= high, total >= medium], ["High", "Medium"], "Low"),
    )
    groups = customers.groupby("tier").agg(
        customers=("frequency", "size"), orders=("frequency", "sum"), cents=("cents", "sum")
    )
    everyone = pd.DataFrame(
        {"customers": [n], "orders": [customers["frequency"].sum()], "cents": [customers["cents"].sum()]},
        index=pd.Index(["All"]),
    )
    table = pd.concat([groups.reindex(list(TIERS[:-1])), everyone]).fillna(0).astype("int64")
    revenue = table["cents"] / 100
    aov = revenue / table["orders"].where(table["orders"] != 0)
    purchase_frequency = table["orders"] / table["customers"].where(table["customers"] != 0)
    tiers = pd.DataFrame(
        {
            "customers": table["customers"],
            "orders": table["orders"],
            "revenue": revenue,
            "aov": aov,
            "purchase_frequency": purchase_frequency,
            "clv": aov * purchase_frequency * 365 / WINDOW_DAYS * LIFESPAN_YEARS * MARGIN,
        }
    ).rename_axis("tier")
    computed = time.perf_counter()
    customers.reset_index().loc[:, ["customer", "recency_days", "frequency", "monetary", "r", "f", "m", "tier"]].to_csv(
        out / "customers.csv", index=False
    )
    tiers.reset_index().to_csv(out / "tiers.csv", index=False)
    return {"read": read - started, "compute": computed - read, "write": time.perf_counter() - computed}


def run_lifetimes(path: Path, out: Path) -> dict[str, float]:
    """lifetimes' RFM summary over the whole history (its own definitions: see bench/results.md)."""
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    started = time.perf_counter()
    rows = pd.read_csv(path, usecols=["customer_id", "order_date", "amount"], dtype={"customer_id": str})
    read = time.perf_counter()
    end = rows["order_date"].max()
    summary = summary_data_from_transaction_data(
        rows, "customer_id", "order_date", monetary_value_col="amount",
        datetime_format="%Y-%m-%d %H:%M:%S", observation_period_end=end,
    )
    computed = time.perf_counter()
    summary.to_csv(out / "lifetimes_summary.csv")
    return {"read": read - started, "compute": computed - read, "write": time.perf_counter() - computed}


def run_project_phases(path: Path, out: Path) -> dict[str, float]:
    """The project's own stages, timed one by one (the CLI run is timed as a whole by bench.run).

    As ``python -m clv`` runs them for these plain files (``clv.duck``): read = the file into DuckDB
    (``scan_file``), analyze = window, summary, retention, scores and tier tables in the engine
    (``clv.analysis.analyze``), write = the customer list fetched and written, and the tier table.
    """
    from clv.analysis import analyze
    from clv.duck import scan_file
    from clv.export import customers_export, segments_export, to_csv
    from clv.settings import Settings

    started = time.perf_counter()
    scan = scan_file(path, strict=True)
    read = time.perf_counter()
    analysis = analyze(scan.engine, Settings())
    analyzed = time.perf_counter()
    (out / "customers.csv").write_bytes(to_csv(customers_export(analysis)))
    (out / "tiers.csv").write_bytes(to_csv(segments_export(analysis)))
    return {"read": read - started, "analyze": analyzed - read, "write": time.perf_counter() - analyzed}


ENGINES = {
    "duckdb": run_duckdb,
    "duckdb-shopify": lambda path, out: run_duckdb(path, out, shopify_customers()),
    "pandas": run_pandas,
    "lifetimes": run_lifetimes,
    "project-phases": run_project_phases,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3 or argv[0] not in ENGINES:
        print(f"usage: python -m bench.engines {{{','.join(ENGINES)}}} ORDERS.csv OUTDIR", file=sys.stderr)
        return 2
    name, path, out = argv[0], Path(argv[1]), Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    print(json.dumps({"phases": ENGINES[name](path, out)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
