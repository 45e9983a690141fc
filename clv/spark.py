"""The method on Apache Spark, for order tables that live in a data lake or warehouse.

    read_orders_spark(spark, source, mapping=None) -> canonical orders (Spark DataFrame)
    rfm_spark(orders, settings) -> (customers: Spark DataFrame, tiers: pandas DataFrame)

The results are those of the embedded engine (``clv.analysis.analyze``), value
for value: the same recency_days, frequency, monetary, r, f, m, rfm_score,
rfm_code, tier and segment for every customer, and the same tier CLV table.
``tests/test_spark.py`` checks that on hand-made tables and a random one.

How it stays exact and scales
-----------------------------
- Money is summed as whole cents (``bround(amount * 100)`` per order, half to
  even as numpy rounds, then integer sums), so equal spend is equal whatever
  order the partitions add in, and ties score alike.
- A quantile score needs no rank and no global sort, only two order statistics.
  With the ``n`` values sorted ``v_1 <= ... <= v_n`` and ``w(x)`` the number of
  values below ``x``, ``w(x) >= k`` exactly when ``x > v_k``; so
  ``3w >= n`` is ``x > v_k1`` and ``3w >= 2n`` is ``x > v_k2`` with
  ``k1 = ceil(n/3)``, ``k2 = ceil(2n/3)`` (both between 1 and n for n >= 1), and
  ``score = 1 + (x > v_k1) + (x > v_k2)``. ``v_k`` is found by narrowing a
  histogram: count the values per bucket of an integer range (at most
  ``BUCKETS`` buckets; a distributed GROUP BY), find the bucket where the
  running count reaches ``k``, and repeat inside that bucket until a bucket is
  one value wide. The keys are integers (days, orders, cents), so this ends:
  one pass for days and orders (their ranges are narrow), usually two for
  cents, at most four for any 64-bit range. The driver never holds more than
  ``BUCKETS`` counts per variable and round.
  Spark's own tools were not used: ``approxQuantile(relativeError=0)`` is exact
  but merges summaries holding every value on the driver, and
  ``percentile_disc`` keeps a map of every distinct value in one task and
  computes the position from a floating-point fraction (1/3 is not exact in
  binary), which leaves the rank to be proved for every ``n``.
- Range scores need only the minimum and maximum of each key, then integer
  arithmetic (cents for money); a variable with a single distinct value
  scores 2 for everyone, as in ``clv.rfm.rfm_scores``.
- Segments come from joining the 27-row code table ``clv.segments.SEGMENT_CODES``
  as a broadcast.
- The tier table is a three-row Spark aggregate (customers, orders, cents per
  tier) turned into the CLV columns by ``clv.value.clv_from_sums``, the same
  formulas the embedded engine uses: nothing per customer reaches the driver.

What differs from the embedded engine
-------------------------------------
- Input: typed tables, not store exports. ``read_orders_spark`` casts the
  columns it is told about; it knows no export layouts, refunds or statuses.
  Rows without a customer or a readable date are left out, and an amount that
  is blank or unreadable counts as 0; unlike the loader, nothing counts them for
  a data-quality report.
- An order's customer is the smallest non-blank customer among its rows (the
  loader takes the first in file order; a Spark table has no file order). Its
  date is the earliest row date, its amount the sum of its rows.
- No cut-point table, warnings or retention; the lifespan is
  ``settings.lifespan_years`` (``lifespan_from_churn`` is refused).
- ``customers`` comes back unsorted (sorting is a global shuffle the caller may
  not want). The per-customer table it is built on stays cached (memory and
  disk), so that reading it again costs no second pass over the orders;
  ``spark.catalog.clearCache()`` frees it.

Running it
----------
Install ``requirements-spark.txt`` (pyspark; Java 17 or 21). Locally::

    from pyspark.sql import SparkSession
    from clv.settings import Settings
    from clv.spark import read_orders_spark, rfm_spark
    spark = SparkSession.builder.master("local[*]").getOrCreate()
    orders = read_orders_spark(spark, "s3://shop/orders/", mapping={"customer": "customer_id"})
    customers, tiers = rfm_spark(orders, Settings(window_days=365))

On a cluster, ship the package with the job::

    zip -r clv.zip clv
    spark-submit --master yarn --py-files clv.zip job.py     # job.py holds the lines above

``--py-files`` puts the package on the driver wherever it runs, including
``--deploy-mode cluster``. Everything here is Spark SQL, with no Python UDFs,
so executors run no Python of ours; the driver needs numpy, pandas and pyarrow
(requirements.txt).

On Databricks, add the repository as a Git folder (Repos) or install it as a
library (a wheel, or ``%pip install`` from the repository), then call the same
two functions in a notebook with the cluster's ``spark``; a Unity Catalog table
is read by name: ``read_orders_spark(spark, "main.shop.orders")``. Delta tables
by path need the Delta reader (built in on Databricks; ``delta-spark`` elsewhere).

The command line's ``python -m clv PATH --engine spark`` calls
``read_orders_spark(spark, PATH, mapping)`` then ``rfm_spark(orders, settings)``.

This module imports pyspark only inside its functions, so that the rest of
the package, and its doctests, run without it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

from clv.columns import detect_columns
from clv.errors import OrdersError
from clv.rfm import quantile_ranks, rfm_window
from clv.segments import SEGMENT_CODES
from clv.settings import TIERS, Settings
from clv.value import ValueInputs, clv_from_sums

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

ROLES = ("customer", "order", "date", "amount", "email", "name")
"""Columns ``read_orders_spark`` can take; customer, date and amount are required."""

BUCKETS = 1 << 16
"""Histogram buckets per order-statistic search: what the driver collects per variable and round."""

CUSTOMER_COLUMNS = [
    "customer", "email", "name", "recency_days", "frequency", "monetary", "first_order_date", "last_order_date",
    "r", "f", "m", "rfm_score", "rfm_code", "tier", "segment",
]
"""The columns of ``rfm_spark``'s customers, as ``clv.analysis.Analysis.customers`` has them."""

_FORMATS = {".csv": "csv", ".csv.gz": "csv", ".parquet": "parquet", ".pq": "parquet"}
_KEYS = {"r": "recency_key", "f": "frequency", "m": "cents"}
"""Integer keys scored for r, f, m; higher is better (recency_key = -recency_days)."""


def read_orders_spark(
    spark: SparkSession,
    source: str,
    mapping: Mapping[str, str] | None = None,
    *,
    format: str | None = None,  # noqa: A002 - the word Spark's readers use
    options: Mapping[str, str] | None = None,
) -> DataFrame:
    """A Parquet/CSV/Delta path or a table name -> canonical orders as a Spark DataFrame.

    Parameters
    ----------
    spark : SparkSession
    source : str
        A path (local, ``s3://``, ``abfss://``, ``dbfs:/``...) to a CSV or Parquet
        file or folder, or a Delta folder, or a table name (``db.orders``,
        ``catalog.schema.orders``), read with ``spark.table``.
    mapping : role -> column, optional
        For roles in ``ROLES`` whose column is not named after the role; the
        other roles are found by name, case-insensitively.
    format : {"csv", "parquet", "delta", "table"}, optional
        When the source does not tell: a path ending in ``.csv``/``.parquet`` does,
        a folder with ``_delta_log`` is Delta, any other folder is Parquet, and a
        name with no slash and no extension is a table.
    options : reader options, optional
        For CSV: defaults are ``header=true`` and every column read as text.

    Returns
    -------
    DataFrame
        customer (string, trimmed, blank -> null), order (string; each row its
        own order when there is no order column), date (date: the calendar date
        as written, the time dropped; a timestamp column's date in the session
        time zone), amount (double, may be null), plus email
        and name (string) when present. Several rows may share an order; ``rfm_spark``
        sums them.

    Raises
    ------
    OrdersError
        When a required column cannot be found, naming the columns there are.
    """
    from pyspark.sql import functions as F

    kind = format or _format_of(source)
    if kind == "table":
        frame = spark.table(source)
    elif kind == "csv":
        frame = spark.read.options(**({"header": "true", "inferSchema": "false"} | dict(options or {}))).csv(source)
    else:
        frame = spark.read.options(**dict(options or {})).format(kind).load(source)

    columns = _find_columns(frame.columns, dict(mapping or {}), source)
    text = {role: F.nullif(F.trim(F.col(column).cast("string")), F.lit("")) for role, column in columns.items()
            if role in ("customer", "order", "email", "name")}
    # no order column: every row is an order (as in clv.load); a blank id is named by rfm_spark
    row_named = F.concat(F.lit("row "), F.monotonically_increasing_id().cast("string"))
    order = text.get("order", row_named)
    date = F.col(columns["date"])
    return frame.select(
        text["customer"].alias("customer"),
        order.alias("order"),
        (date if dict(frame.dtypes)[columns["date"]] == "date" else date.try_cast("date")).alias("date"),
        F.col(columns["amount"]).try_cast("double").alias("amount"),
        *(text[role].alias(role) for role in ("email", "name") if role in text),
    )


def _format_of(source: str) -> str:
    lowered = source.lower().rstrip("/")
    for extension, kind in _FORMATS.items():
        if lowered.endswith(extension):
            return kind
    if os.path.isdir(os.path.join(source, "_delta_log")):
        return "delta"
    if "/" in source or "\\" in source or os.path.exists(source):
        return "parquet"
    return "table"


def _find_columns(available: list[str], mapping: dict[str, str], source: str) -> dict[str, str]:
    """role -> column in ``available``: the mapping first, then the loader's header detection
    (``clv.columns.detect_columns``: customer_id, Order Date, total, ... are recognised as in a file)."""
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise OrdersError(f"Unknown role {unknown[0]!r} in the column mapping; roles are {', '.join(ROLES)}.")
    missing_mapped = [column for column in mapping.values() if column not in available]
    if missing_mapped:
        raise OrdersError(
            f"{source} has no column {missing_mapped[0]!r}; its columns are {', '.join(available)}."
        )
    detected = detect_columns(available)
    found = {role: mapping.get(role) or detected.get(role) for role in ROLES}
    missing = [role for role in ("customer", "date", "amount") if not found[role]]
    if missing:
        raise OrdersError(
            f"{source} has no {' or '.join(missing)} column; its columns are {', '.join(available)}. "
            f"Name them with a mapping, e.g. {{'{missing[0]}': 'YourColumn'}}."
        )
    return {role: column for role, column in found.items() if column}


def rfm_spark(orders: DataFrame, settings: Settings) -> tuple[DataFrame, pd.DataFrame]:
    """Canonical orders on Spark -> per-customer scores (Spark) and the tier CLV table (pandas).

    Parameters
    ----------
    orders : Spark DataFrame
        Columns customer (string), order (string), date (date), amount (double),
        optionally email and name; one row per order or per order line (rows of
        one order are summed first).
    settings : Settings
        As for ``clv.analysis.analyze``; ``lifespan_from_churn`` is not available here.

    Returns
    -------
    customers : Spark DataFrame
        ``CUSTOMER_COLUMNS``, one row per customer with a counted order in the
        window, unsorted; dates as dates, tier and segment as strings.
    tiers : pandas DataFrame
        ``clv.analysis.Analysis.tiers``: High, Medium, Low and All.

    Raises
    ------
    OrdersError
        No orders, or an as-of date before the first order (as ``rfm_window``).
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    if settings.lifespan_from_churn:
        raise OrdersError(
            "The Spark engine takes the lifespan as given: set lifespan_years and turn off lifespan_from_churn."
        )
    by_order = _orders(orders).persist(StorageLevel.MEMORY_AND_DISK)  # read by the next two jobs only
    earliest, latest = by_order.agg(F.min("date"), F.max("date")).first()
    known = pd.to_datetime(pd.Series([earliest, latest]).dropna())
    window = rfm_window(pd.DataFrame({"date": known}), settings)

    counted = F.col("cents") > 0
    in_window = (F.col("date") > F.lit(window.start.date())) & (F.col("date") <= F.lit(window.as_of.date()))
    inside = by_order.where(in_window)
    summary = (
        inside.groupBy("customer")
        .agg(
            F.sum("cents").alias("cents"),
            F.count(F.when(counted, 1)).alias("frequency"),
            F.min(F.when(counted, F.col("date"))).alias("first_order_date"),
            F.max(F.when(counted, F.col("date"))).alias("last_order_date"),
            *(_latest(inside, column).alias(column) for column in ("email", "name")),
        )
        .where(F.col("frequency") > 0)
        .withColumn("recency_days", F.datediff(F.lit(window.as_of.date()), F.col("last_order_date")).cast("long"))
        .withColumn("recency_key", -F.col("recency_days"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    scores = _scores(summary, settings)  # its first job caches summary, so by_order can go
    by_order.unpersist()
    scored = summary.select("*", *scores)
    medium, high = settings.tier_cuts
    rfm_score = F.col("r") + F.col("f") + F.col("m")
    codes = summary.sparkSession.createDataFrame(
        [(int(r), int(f), int(m), str(segment)) for r, f, m, segment in SEGMENT_CODES.itertuples(index=False)],
        "r long, f long, m long, segment string",
    )
    customers = (
        scored.withColumn("rfm_score", rfm_score)
        .withColumn("rfm_code", 100 * F.col("r") + 10 * F.col("f") + F.col("m"))
        .withColumn("tier", F.when(rfm_score >= high, "High").when(rfm_score >= medium, "Medium").otherwise("Low"))
        .join(F.broadcast(codes), on=["r", "f", "m"], how="left")
        .withColumn("monetary", F.col("cents") / 100)
        .select(*CUSTOMER_COLUMNS)
    )
    inputs = ValueInputs(
        window_length_days=window.length_days,
        lifespan_years=settings.lifespan_years,
        margin=settings.margin,
        conversion_rate=settings.conversion_rate,
        cac=settings.acquisition_cost,
    )
    return customers, _tier_table(customers, inputs)


def _orders(orders: DataFrame) -> DataFrame:
    """Rows -> one row per order: customer (smallest non-blank), date (earliest), cents (sum, rounded once).

    Orders with no customer or no date on any row are left out.
    """
    from pyspark.sql import functions as F

    contacts = [F.min(column).alias(column) for column in ("email", "name") if column in orders.columns]
    row_named = F.concat(F.lit("row "), F.monotonically_increasing_id().cast("string"))
    return (
        orders.withColumn("order", F.coalesce(F.col("order"), row_named))  # a row without an id is its own order
        .groupBy("order")
        .agg(
            F.min("customer").alias("customer"),
            F.min("date").alias("date"),
            F.sum(F.coalesce(F.col("amount"), F.lit(0.0))).alias("amount"),
            *contacts,
        )
        .where(F.col("customer").isNotNull() & F.col("date").isNotNull())
        .withColumn("cents", F.bround(F.col("amount") * 100, 0).cast("long"))
    )


def _latest(orders: DataFrame, column: str) -> Column:
    """The customer's latest non-blank ``column`` by (date, order), as ``clv.rfm`` picks contacts."""
    from pyspark.sql import functions as F

    if column not in orders.columns:
        return F.lit(None).cast("string")
    latest = F.max(F.when(F.col(column).isNotNull(), F.struct("date", "order", column)))
    return latest.getField(column)


def _scores(summary: DataFrame, settings: Settings) -> list[Column]:
    """Columns r, f, m by ``settings.method``; 2 for everyone on a variable with one distinct value."""
    from pyspark.sql import functions as F

    stats = summary.agg(
        F.count(F.lit(1)),
        *(F.min(key) for key in _KEYS.values()),
        *(F.max(key) for key in _KEYS.values()),
    ).first()
    n, lows, highs = stats[0], stats[1:4], stats[4:7]
    bounds = {key: (lo, hi) for key, lo, hi in zip(_KEYS.values(), lows, highs)}
    varying = {key: (lo, hi) for key, (lo, hi) in bounds.items() if n and lo != hi}
    if settings.method == "quantile":
        ranks = quantile_ranks(n) if n else ()
        cuts = order_statistics(summary, {key: list(ranks) for key in varying}, varying)
        score = {key: 1 + (F.col(key) > cuts[key][ranks[0]]).cast("long") + (F.col(key) > cuts[key][ranks[1]]).cast(
            "long") for key in varying}
    else:
        score = {}
        for key, (lo, hi) in varying.items():
            offset = 3 * (F.col(key) - F.lit(lo))
            score[key] = 1 + (offset >= hi - lo).cast("long") + (offset >= 2 * (hi - lo)).cast("long")
    return [score.get(key, F.lit(2).cast("long")).alias(name) for name, key in _KEYS.items()]


def order_statistics(
    frame: DataFrame, ranks: Mapping[str, list[int]], bounds: Mapping[str, tuple[int, int]], buckets: int = BUCKETS
) -> dict[str, dict[int, int]]:
    """The k-th smallest value of integer columns, exactly, without sorting: ``{column: {k: v_k}}``.

    ``ranks`` names, per column, the ranks wanted (1 = the smallest, at most the
    row count); ``bounds`` its minimum and maximum. Each round counts the rows per
    bucket of every open search's interval in one Spark job (at most ``buckets``
    buckets each, so the driver collects at most that many counts per search),
    then narrows each search to the bucket where the running count reaches its
    rank; a search ends when its buckets are one value wide. Searches of the same
    column and interval share their counts.
    """
    from pyspark.sql import functions as F

    # (column, k) -> (lo, hi, rank of the wanted value among the values in [lo, hi])
    open_searches = {(column, k): (*bounds[column], k) for column, ks in ranks.items() for k in ks}
    found: dict[str, dict[int, int]] = {column: {} for column in ranks}
    while open_searches:
        intervals = sorted({(column, lo, hi) for (column, _), (lo, hi, _) in open_searches.items()})
        widths = [-(-(hi - lo + 1) // buckets) for _, lo, hi in intervals]
        parts = [
            frame.where(F.col(column).between(lo, hi))
            .groupBy(F.expr(f"(`{column}` - ({lo})) div {width}").alias("bucket"))
            .count()
            .withColumn("interval", F.lit(i))
            for i, ((column, lo, hi), width) in enumerate(zip(intervals, widths))
        ]
        union = parts[0]
        for part in parts[1:]:
            union = union.unionByName(part)
        rows = union.collect()
        counts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i in range(len(intervals)):
            mine = sorted((row["bucket"], row["count"]) for row in rows if row["interval"] == i)
            counts[i] = (np.array([b for b, _ in mine], dtype="int64"), np.cumsum([c for _, c in mine]))
        narrowed = {}
        for (column, k), (lo, hi, rank) in open_searches.items():
            i = intervals.index((column, lo, hi))
            bucket_ids, running = counts[i]
            at = int(np.searchsorted(running, rank))  # first bucket whose running count reaches the rank
            before = int(running[at - 1]) if at else 0
            width = widths[i]
            start = lo + int(bucket_ids[at]) * width
            if width == 1:
                found[column][k] = start
            else:
                narrowed[(column, k)] = (start, min(start + width - 1, hi), rank - before)
        open_searches = narrowed
    return found


def _tier_table(customers: DataFrame, inputs: ValueInputs) -> pd.DataFrame:
    """``clv_from_sums`` over a three-row Spark aggregate: customers, orders and cents per tier."""
    from pyspark.sql import functions as F

    sums = (
        customers.groupBy("tier")
        .agg(
            F.count(F.lit(1)).alias("customers"),
            F.sum("frequency").alias("orders"),
            F.sum(F.round(F.col("monetary") * 100).cast("long")).alias("cents"),
        )
        .toArrow()
        .to_pandas()
        .set_index("tier")
    )
    return clv_from_sums(sums, "tier", list(TIERS), inputs)
