"""Where the method runs: an embedded DuckDB by default, Apache Spark at scale.

The method (``clv.rfm``, ``clv.retention``) is written once, as SQL in DuckDB's
dialect, over relations an engine holds by name. An engine does two things:

    engine.fetch(sql) -> pyarrow.Table         run a query, bring its (small or edge) result to Python
    engine.keep(name, sql)                     keep a query's result as a relation later statements read

``DuckEngine`` runs the statements as written. ``SparkEngine`` runs them after
SQLGlot has transpiled them to Spark SQL, so no rule has a second copy in
PySpark; the same transpiler writes BigQuery, Snowflake or Postgres SQL, where
stores keep their orders.

Every statement the method sends reads only the relations below (``ORDERS``, the
per-window ``CUSTOMERS_...`` relations ``clv.rfm.rfm_summary`` keeps, and the
per-as-of ``PREDICTION_INPUTS_...`` of ``clv.predict.prediction_inputs``) and
literals the method writes itself (dates and whole numbers; never text from a
file), so a statement is complete without parameters, which dialects bind differently.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from typing import Protocol

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

MEMORY_LIMIT = "1GB"
"""DuckDB's own cap: it spills to a temporary directory beyond it."""

ORDERS = "orders"
"""The canonical orders: one row per order the loader kept.

customer  text, never null    who bought
day       DATE, never null    the order's calendar date
cents     BIGINT              its net amount in whole cents (0 or below: not counted as an order)
rows      BIGINT              how many file rows made it
email     text or null        for campaign lists
name      text or null

and, where the file has a marketing consent column (``clv.columns.CONSENT_WORDS``):

accepts_marketing  BOOLEAN or null    whether the customer agreed to marketing, as that order says
"""

CONSENT = "accepts_marketing"
"""The orders' optional column of marketing consent; a file without one has no such column."""

CUSTOMERS = "customers"
"""How the relations ``clv.rfm.rfm_summary`` keeps begin: one per window, named by its as-of and start days."""

PREDICTION_INPUTS = "prediction_inputs"
"""How the relations ``clv.predict.prediction_inputs`` keeps begin: every customer's model inputs, one per as-of."""


class Engine(Protocol):
    """What the method needs of an engine."""

    def fetch(self, sql: str) -> pa.Table: ...

    def keep(self, name: str, sql: str) -> None: ...


class DuckEngine:
    """An in-memory DuckDB database on every core the process may use, capped at ``MEMORY_LIMIT``, spilling to
    a folder of its own that goes when the engine goes.

    The dashboard's script threads share one engine per upload: a lock lets one
    statement run at a time (DuckDB itself spreads each statement over the cores).
    """

    def __init__(self):
        spill = tempfile.mkdtemp(prefix="clv-duckdb-")
        self.connection = duckdb.connect(config={
            "threads": _cores(), "memory_limit": MEMORY_LIMIT, "temp_directory": spill,
            "preserve_insertion_order": False,  # every result that needs an order says ORDER BY
        })
        self._lock = threading.Lock()
        weakref.finalize(self, _close, self.connection, spill)

    @classmethod
    def of_orders(cls, orders: pd.DataFrame) -> DuckEngine:
        """Canonical orders as the loader gives them (``clv.report.ORDER_COLUMNS``) -> an engine holding them.

        The amount becomes whole cents here, rounding half to even as numpy does, once per order.
        """
        engine = cls()
        missing = pd.Series(np.full(len(orders), None, dtype=object), dtype="str")
        engine.put(ORDERS, pa.table({
            "customer": pa.array(orders["customer"], type=pa.string()),
            "day": pa.array(orders["date"].to_numpy().astype("datetime64[D]"), type=pa.date32()),
            "cents": pa.array(np.rint(orders["amount"].to_numpy(dtype="float64") * 100).astype("int64")),
            "rows": pa.array(orders["rows"].to_numpy(dtype="int64")),
            **{role: pa.array(orders[role] if role in orders else missing, type=pa.string(), from_pandas=True)
               for role in ("email", "name")},
            **({CONSENT: pa.array(orders[CONSENT], type=pa.bool_(), from_pandas=True)} if CONSENT in orders else {}),
        }))
        return engine

    def put(self, name: str, table: pa.Table | pd.DataFrame) -> None:
        """Copy a table from Python into the database as the relation ``name``."""
        with self._lock:
            self.connection.register("incoming", table)
            self.connection.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
            self.connection.unregister("incoming")

    def fetch(self, sql: str) -> pa.Table:
        with self._lock:
            return self.connection.sql(sql).to_arrow_table()

    def keep(self, name: str, sql: str) -> None:
        with self._lock:
            self.connection.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")


def _close(connection: duckdb.DuckDBPyConnection, spill: str) -> None:
    connection.close()
    shutil.rmtree(spill, ignore_errors=True)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class SparkEngine:
    """A Spark session: each statement transpiled from DuckDB's dialect to Spark SQL.

    ``keep`` caches the result (memory, then disk) under a temporary view, so a
    relation the method reads several times is computed once.
    """

    def __init__(self, spark):
        self.spark = spark

    def fetch(self, sql: str) -> pa.Table:
        return self.spark.sql(spark_sql(sql)).toArrow()

    def keep(self, name: str, sql: str) -> None:
        from pyspark import StorageLevel

        if self.spark.catalog.tableExists(name):
            self.spark.catalog.uncacheTable(name)
        self.spark.sql(spark_sql(sql)).persist(StorageLevel.MEMORY_AND_DISK).createOrReplaceTempView(name)


def day_literal(day: pd.Timestamp) -> str:
    """A date as a SQL literal every dialect reads.

    >>> day_literal(pd.Timestamp("2026-03-01 13:00"))
    "DATE '2026-03-01'"
    """
    return f"DATE '{day.date().isoformat()}'"


def spark_sql(sql: str) -> str:
    """A statement of the method, in DuckDB's dialect -> the same statement in Spark SQL.

    >>> spark_sql("SELECT count(*) FILTER (WHERE cents > 0) FROM orders WHERE day > DATE '2026-01-01'")
    "SELECT COUNT(*) FILTER(WHERE cents > 0) FROM orders WHERE day > CAST('2026-01-01' AS DATE)"
    """
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]
