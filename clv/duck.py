"""A large plain CSV export -> the per-customer summary, computed inside DuckDB: exact, or not at all.

    summarize_file(path, settings) -> FileSummary(report, summary, retention), or None
    summarize_file(path, settings, with_retention=False) -> the same with retention None (one pass less)
    with scan_file(path, settings) as scan: ...   the same, the customers kept in DuckDB (or None)

The general path reads any export the product knows: ``clv.load.read_orders``
(every column as text, every messy-export rule), then ``clv.rfm.rfm_window``,
``clv.rfm.rfm_summary`` and ``clv.retention.retention``. For the commonest large
file, a plain table with a customer, an order id, an ISO date and a plain
decimal amount, this module does the same work in an embedded DuckDB (one scan
of the file grouped into orders, then customers) and returns the same three
objects, value for value: the same customers, recency_days, frequency,
monetary to the cent, first and last order dates, e-mail and name, the same
exclusion rows, rows and revenue read, and the same retention.
``tests/test_duck.py`` checks that against the pandas path on the fixtures and
on generated files.

It never guesses. A file that the rules below do not cover gives None, and the
caller reads it the general way (``python -m clv`` does that by itself).

Which files qualify
-------------------
Decided from the head of the file as the loader reads it (``clv.load.read_table``), by the loader's own
header rules (``clv.columns``; the code is ``clv.duckread.source_of``):

- a CSV file (not gzip, .xlsx or Parquet) in UTF-8, read as the plain "Table
  with recognised headers" (or with columns the caller named);
- a customer (or e-mail, or name) column, a date and one amount column; an
  order id, an e-mail and a name column are optional;
- no status, cancelled, refund, currency, quantity or price column, and no
  amount made of several columns (a total minus shipping and tax).

Then by every value of the file, checked in the same DuckDB scan:

- every non-blank date starts with an ISO day ``YYYY-MM-DD``, followed by
  nothing, a space or a ``T`` (a time and an offset may follow:
  ``2026-05-10 13:22:10 -0700``): the loader reads exactly those ten characters
  then, so the date is the day as written and an offset is never converted;
  the day exists and lies between 1678 and 2261 (pandas' timestamps);
- every non-blank amount is a plain decimal with at most two decimal places
  (``12.50``, ``-3``, ``.5``: no currency, thousands separator, decimal comma
  or exponent), and the amounts add up, in absolute value, to less than 10^12
  (so the loader's float sums still round to the same cents);
- no order id is blank, and the order ids are not all written as whole
  numbers with decimals (``1.0``), nor the customer ids: the loader rewrites
  those; text the loader lower-cases (e-mails) is ASCII;
- within each order, the non-blank customers (trimmed, e-mails lower-cased)
  are all equal, and so are its e-mails and its names. The loader takes the
  *first* non-blank value among an order's rows, which depends on the order of
  the rows in the file; an engine that adds up in parallel does not see that
  order, so an order whose rows disagree sends the whole file to the loader.
  Likewise an e-mail of a guest row (no customer id) that other rows give two
  different customer ids;
- DuckDB's CSV reader (strict mode) accepts the file: every row has as many
  fields as the header, the lines all end alike, and no space stands next to a
  quote character (DuckDB drops such spaces, the loader keeps them).

What it replicates rather than refuses: customers, order ids, e-mails and
names are trimmed as Python's ``str.strip`` trims; a customer id ``0`` is a
guest; a customer id with an ``@`` and every e-mail are lower-cased; a guest
row takes the customer id its e-mail has on other rows, else the e-mail, else
the name; rows of an order are one order (amount = sum, a blank amount counts
0, date = earliest); a file without an order column has one order per row;
fully blank rows are dropped; orders without a customer or a readable date are
excluded and reported; then the window, the customers whose orders in it are
all returns, and retention, as ``clv.rfm`` and ``clv.retention`` define them.

How: one statement reads the file (every column as text, except the dates
when the head of the file shows them all as ``2026-05-10 13:22:10`` or
``2026-05-10``: DuckDB's reader then parses them, and the file is read again
as text if a later date is written otherwise), checks every value, groups the
rows into orders and resolves each order's customer into a temporary table.
When the head names every order id once, that read does not group the rows by
order id at all (the costliest step: hashing ten million strings): each row is
an order and keeps a 64-bit hash of its id, and if two hashes turn out equal
(an order of several rows after all, or a collision) the file is read again,
grouped, with the checks that only an order of several rows needs. Small
queries then give the report's totals (from orders per day), the window's
customers (a table), the returns-only customers and the retention.

That statement is built in ``clv.duckread``, which needs no pandas: ``python
-m clv`` guesses the file's plan from its head with the csv module and starts
the read before it imports pandas, and ``scan_file`` takes the running read
over only when the loader's plan gives the same statement (``started=``); at
10M orders the read ends 0.1-0.25 s sooner.

The command line needs the customers' text only in its customer file. So it
takes ``scan_file``'s ``Scan`` rather than the summary: ``Scan.numbers()`` gives
recency, frequency and money (no text, no sort), ``clv.analysis.score`` scores
them, and ``Scan.write_customers`` has DuckDB give each customer those scores
(from the cut table's value ranges), format the text and order the rows
(``clv.export.copy_scored_customers``): at 10M orders about 1.05 s in all, against
2.5 s (measured 2026-11-22) for a pandas frame of 1.35M customers, scored and written.

Money is summed in whole cents (DECIMAL -> BIGINT). DuckDB uses every core the
process may use and at most ``clv.duckread.MEMORY_LIMIT``, spilling to a temporary directory
beyond.
"""

from __future__ import annotations

import functools
import inspect
import operator
import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np
import pandas as pd

from clv.analysis import Analysis
from clv.duckread import Read, Source, orders_statement, read_head, source_of
from clv.errors import OrdersError
from clv.load import read_table
from clv.parse import DateOrder
from clv.reasons import AFTER_AS_OF, BAD_DATE, BEFORE_WINDOW, NO_CUSTOMER, RETURNS_ONLY
from clv.report import LoadReport, empty_exclusions
from clv.retention import Retention, retention
from clv.rfm import Summary, Window, rfm_window
from clv.settings import Settings
from clv.sniff import sniff_delimiter

RETENTION_DAYS: int = inspect.signature(retention).parameters["period_days"].default
"""The retention period ``clv.analysis`` uses (``retention``'s default)."""

MAX_CENTS = 10**14
"""Amounts adding up to 10^12 at most (10^14 cents): the loader's float sums round to the same cents."""

_EARLIEST, _LATEST = "1678-01-01", "2261-12-31"


@dataclass(frozen=True, eq=False)
class FileSummary:
    """What the pandas path gives for a file: the load report, the window's summary and the retention
    (None when not asked for)."""

    report: LoadReport
    summary: Summary
    retention: Retention | None


def summarize_file(
    path: str | os.PathLike,
    settings: Settings,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: DateOrder = "auto",
    strict: bool = False,
    with_retention: bool = True,
) -> FileSummary | None:
    """A CSV export -> its load report, per-customer summary and retention; None when it does not qualify.

    Gives exactly what ``read_orders`` -> ``rfm_window`` -> ``rfm_summary`` and
    ``retention(orders, window.as_of)`` give for the same file and settings.

    Parameters
    ----------
    path : path of the file
    settings : Settings
        ``as_of`` and ``window_days`` are used.
    mapping : role -> column, optional
        As for ``read_orders``.
    date_order : {"auto", "month-first", "day-first"}
        As for ``read_orders``; ISO dates read the same whatever it says.
    strict : bool
        Raise ``OrdersError`` saying why, instead of returning None, for a file
        that does not qualify (the command line's ``--engine duckdb``).
    with_retention : bool
        Compute the retention (one more pass over every order; the command line
        needs it only for ``--lifespan-from-churn``). False: ``retention`` is None.

    Returns
    -------
    FileSummary or None
        None for a file this engine does not read exactly (see the module
        docstring), and for one the loader would refuse (no rows, no readable
        date, no customer): the caller's ``read_orders`` then says why.

    Raises
    ------
    OrdersError
        As ``rfm_window`` does (no orders left, an as-of date before the first
        order); with ``strict``, for a file that does not qualify.
    """
    with scan_file(path, settings, mapping=mapping, date_order=date_order, strict=strict,
                   with_retention=with_retention) as scan:
        return None if scan is None else FileSummary(scan.report, scan.summary(), scan.retention)


@dataclass(frozen=True, eq=False)
class Scan:
    """A file read into DuckDB (``scan_file``): the load report, the window, the orders it left out and
    the retention, with the window's customers in the connection's table ``customers`` while it is open."""

    report: LoadReport
    window: Window
    excluded: pd.DataFrame
    retention: Retention | None
    con: object = field(repr=False)
    text: Mapping[str, bool] = field(repr=False)  # "email"/"name" -> some order in the window has one

    def summary(self) -> Summary:
        """The summary ``rfm_summary`` gives, value for value and dtype for dtype."""
        table = self.con.sql(_SUMMARY_SQL.format(contacts="".join(f", {role}" for role in self.text)),
                             params={"as_of": self.window.as_of.date()}).to_arrow_table()
        return Summary(self.window, _customers_frame(table, self.text), self.excluded)

    def numbers(self) -> Summary:
        """The summary's numbers only: recency_days, frequency and monetary, one row per customer, in no
        particular order (``clv.analysis.score`` scores them; ``write_customers`` writes the file)."""
        found = self.con.execute(_NUMBERS_SQL, {"as_of": self.window.as_of.date()}).fetchnumpy()
        customers = pd.DataFrame({"recency_days": found["recency_days"].astype("int64"),
                                  "frequency": found["frequency"].astype("int64"),
                                  "monetary": found["cents"].astype("int64") / 100})
        return Summary(self.window, customers, self.excluded)

    def write_customers(self, analysis: Analysis, path: Path) -> None:
        """``numbers()`` scored (``clv.analysis.score``) -> the ``--customers-out`` file, with the bytes the
        pandas path writes (``clv.export.copy_scored_customers``).

        DuckDB gives each customer in its table the scores the analysis gave: a score is monotone in
        the value scored and equal values share it, so the customers with score s are exactly those
        whose value lies in the range the cut table gives for s (its lower and upper values).
        """
        from clv.export import copy_scored_customers

        def scored(variable: str, value: str, scale: int = 1) -> str:
            held = analysis.cuts.loc[(analysis.cuts["variable"] == variable) & (analysis.cuts["customers"] > 0)]
            ranges = [f"WHEN {value} BETWEEN {round(lower * scale)} AND {round(upper * scale)} THEN {score}"
                      for score, lower, upper in held[["score", "lower", "upper"]].itertuples(index=False)]
            return f"CASE {' '.join(ranges)} END" if ranges else "NULL"

        contacts = [role if role in self.text else f"CAST(NULL AS VARCHAR) AS {role}" for role in ("email", "name")]
        customers = (
            f"SELECT * EXCLUDE (r, f, m), 9 * (r - 1) + 3 * (f - 1) + (m - 1) AS cell FROM (SELECT *, "
            f"{scored('recency_days', 'recency_days')} AS r, {scored('frequency', 'frequency')} AS f, "
            f"{scored('monetary', 'cents', 100)} AS m FROM (SELECT customer, {', '.join(contacts)}, "
            f"DATE '{self.window.as_of.date()}' - last_day AS recency_days, frequency, cents, "
            "first_day AS first_order_date, last_day AS last_order_date FROM customers WHERE frequency > 0))"
        )
        copy_scored_customers(self.con, customers, analysis.settings.tier_cuts, path)


@contextmanager
def scan_file(
    path: str | os.PathLike,
    settings: Settings,
    *,
    mapping: Mapping[str, str | None] | None = None,
    date_order: DateOrder = "auto",
    strict: bool = False,
    with_retention: bool = True,
    started: Read | None = None,
) -> Iterator[Scan | None]:
    """``with scan_file(...) as scan:`` the file read into DuckDB, its customers kept there; None when the
    file does not qualify. Parameters, refusals and errors as for ``summarize_file``, and:

    started : clv.duckread.Read, optional
        A read of the file already running (``python -m clv`` starts one from
        its guess of the file's plan, before pandas is imported). Taken over
        when it runs the very statement this file's plan gives; else it is
        stopped, and the file read anew.

    For a caller that needs the customers' text only in a file (the command line):
    ``scan.numbers()`` gives the summary's numbers, ``clv.analysis.score`` scores
    them, and ``scan.write_customers`` writes the customer file from DuckDB's table.
    """
    del date_order  # a day written YYYY-MM-DD reads the same in every order
    source = _qualify(Path(path), mapping)
    if started is not None and (isinstance(source, str) or started.statement != orders_statement(source)):
        started.close()  # a wrong guess: stop it now, it only takes the cores from what comes next
        started = None
    if isinstance(source, str):
        yield _refuse(source, strict)
        return
    import duckdb  # here, not at the top: the dashboard never needs it

    with started or Read(source) as read:
        try:
            result = _summarize(read, source, settings, with_retention, refused=duckdb.Error)
        except duckdb.Error as error:  # the reader refused a row: the loader decides what the file holds
            result = f"DuckDB's CSV reader refused a row ({type(error).__name__})"
        yield _refuse(result, strict) if isinstance(result, str) else result


def _refuse(reason: str, strict: bool) -> None:
    if strict:
        raise OrdersError(
            f"The DuckDB engine cannot read this file exactly: {reason}. "
            "Run with --engine auto or --engine pandas to read it with the general loader."
        )
    return None


# ---------------------------------------------------------------------------
# Does the file qualify? Its head, as the loader reads it


def _qualify(path: Path, mapping: Mapping[str, str | None] | None) -> Source | str:
    """How to read the file, by the loader's own reading of its head (``clv.load.read_table``), or why
    this engine does not read it."""
    head = read_head(path)
    if isinstance(head, str):
        return head
    try:
        table = read_table(head[0])
    except OrdersError as error:
        return f"the loader does not read its header ({error})"
    return source_of(path, sniff_delimiter(head[1]), table, mapping)


_SPACED_QUOTE = re.compile(rb' "|" ')


def _quotes_are_plain(path: Path) -> bool:
    """No space next to a quote character, which DuckDB drops and the loader keeps (`` "x"``, ``"x" ``).

    Most exports have no quote character at all: then this is one memchr per block.
    """
    previous = b""
    with path.open("rb") as file:
        while block := file.read(1 << 23):
            if (b'"' in block or previous == b'"') and _SPACED_QUOTE.search(previous + block):
                return False
            previous = block[-1:]
    return True


# ---------------------------------------------------------------------------
# Orders -> what the report, the summary and the retention need

_BY_DAY_SQL = """
SELECT day, customer IS NULL AS guest, count(*) AS orders, sum(n_rows) AS n_rows, sum(cents) AS cents,
       sum(abs_cents) AS abs_cents, sum(flags & 1) AS broken, bit_or(flags) AS some_flags,
       bit_and(flags) AS every_flags{contacts}
FROM orders
GROUP BY ALL
"""
"""Orders per day, apart for those without a customer: a few thousand rows from which every total of
the report and every exclusion of the window follows, whatever the window. some_flags / every_flags:
the flags (``_orders_sql``) that some / every order of the day has (bit aggregates: a third cheaper
than a boolean aggregate per flag at 10M orders)."""

_CUSTOMERS_SQL = """
CREATE TEMP TABLE customers AS
SELECT customer, count(*) FILTER (WHERE cents > 0) AS frequency, CAST(sum(cents) AS BIGINT) AS cents,
       min(day) FILTER (WHERE cents > 0) AS first_day, max(day) FILTER (WHERE cents > 0) AS last_day,
       count(*) AS orders, sum(n_rows) AS n_rows{contacts}
FROM orders
WHERE customer IS NOT NULL AND day > $start AND day <= $as_of
GROUP BY customer
"""

_CONTACT = ", max({{'day': day, 'value': {0}}}) FILTER (WHERE {0} IS NOT NULL).value AS {0}"
"""The e-mail (name) of the customer's latest order in the window that has one; the greater text on a tie."""

_RETURNS_ONLY_SQL = """
SELECT coalesce(sum(n_rows), 0), coalesce(sum(orders), 0), coalesce(sum(cents), 0) FROM customers WHERE frequency = 0
"""

_RETENTION_SQL = """
SELECT count(*) FILTER (WHERE (seen & 1) = 1), count(*) FILTER (WHERE (seen & 2) = 2),
       count(*) FILTER (WHERE (seen & 6) = 2)
FROM (
    SELECT bit_or(CASE WHEN day > $period_start THEN 2 WHEN day > $before_start THEN 5 ELSE 4 END) AS seen
    FROM orders
    WHERE customer IS NOT NULL AND day <= $as_of AND cents > 0
    GROUP BY customer
)
"""
"""Customers who bought in the period before the period (1), in the period (2), on or before its
start (4): customers at start, at end, and new (2 without 4)."""

_NUMBERS_SQL = """
SELECT CAST($as_of AS DATE) - last_day AS recency_days, frequency, cents FROM customers WHERE frequency > 0
"""

_SUMMARY_SQL = """
SELECT customer{contacts}, CAST($as_of AS DATE) - last_day AS recency_days, frequency, cents,
       first_day - DATE '1970-01-01' AS first_day, last_day - DATE '1970-01-01' AS last_day
FROM customers WHERE frequency > 0 ORDER BY customer
"""


def _read_orders(con, source: Source, refused: type[Exception], first: Read | None = None) -> _Days:
    """The file -> the table ``orders``, read the fast way first (by ``first``, already running, when
    given); the orders per day.

    Typed dates: a date out of the head's layout makes the reader refuse, and the
    file is read again with dates as text. One-row orders (the head names each order
    once): when some order id comes back on several rows after all (the orders hold
    more rows than there are orders), the file is read again with every check.
    """
    try:
        first.wait() if first is not None else con.execute(*orders_statement(source))
    except refused:
        if source.dates == "text":
            raise
        source = replace(source, dates="text")
        con.execute(*orders_statement(source))
    contacts = [role for role in ("email", "name") if role in source.position]
    with ThreadPoolExecutor(max_workers=1) as pool:  # numpy sorts the hashes while DuckDB counts the days
        differ = (pool.submit(_all_differ, con.execute("SELECT order_hash FROM orders").fetchnumpy()["order_hash"])
                  if source.one_row_orders else None)
        days = _Days(con.execute(_BY_DAY_SQL.format(contacts="".join(f", count({role}) AS {role}s" for role in contacts))))
        if differ is not None and not differ.result():
            return _read_orders(con, replace(source, one_row_orders=False), refused)
    return days


def _summarize(read: Read, source: Source, settings: Settings, with_retention: bool,
               refused: type[Exception]) -> Scan | str:
    if not _quotes_are_plain(source.path):  # Python looks for spaced quotes while DuckDB reads, in its thread
        return "a space stands next to a quote character"
    con = read.con
    days = _read_orders(con, source, refused, first=read)
    contacts = [role for role in ("email", "name") if role in source.position]
    why = days.why_not(expect_order_ids="order" in source.position)
    if why:
        return why
    dated = days.dated()
    report = LoadReport(
        source_format=source.plan.source_format,
        columns=source.plan.columns(),
        rows_read=days.total("n_rows"),
        revenue_read=days.total("cents") / 100,
        excluded=_exclusion_table([
            (NO_CUSTOMER, *days.totals(lambda day, guest: guest)),
            (BAD_DATE, *days.totals(lambda day, guest: not guest and day is None)),
        ]).astype({"reason": "str"}),
        first_date=pd.Timestamp(min(dated)),
        last_date=pd.Timestamp(max(dated)),
    )
    window = rfm_window(pd.DataFrame({"date": pd.to_datetime(days.kept_bounds()).astype("datetime64[us]")}), settings)
    as_of, start = window.as_of.date(), window.start.date()

    def kept_and(test):
        return lambda day, guest: not guest and day is not None and test(day)

    con.execute(_CUSTOMERS_SQL.format(contacts="".join(_CONTACT.format(role) for role in contacts)),
                {"start": start, "as_of": as_of})
    returns_only = con.execute(_RETURNS_ONLY_SQL).fetchall()[0]
    excluded = _exclusion_table([
        (AFTER_AS_OF, *days.totals(kept_and(lambda day: day > as_of))),
        (BEFORE_WINDOW, *days.totals(kept_and(lambda day: day <= start))),
        (RETURNS_ONLY, *returns_only),
    ])
    text = {role: days.total(f"{role}s", kept_and(lambda day: start < day <= as_of)) > 0 for role in contacts}
    kept = _retention(con, window.as_of) if with_retention else None
    return Scan(report, window, excluded, kept, con, text)


def _retention(con, as_of: pd.Timestamp) -> Retention:
    """``clv.retention.retention`` over the table ``orders``."""
    period_start = as_of - pd.Timedelta(days=RETENTION_DAYS)
    at_start, at_end, new = con.execute(_RETENTION_SQL, {
        "as_of": as_of.date(), "period_start": period_start.date(),
        "before_start": (period_start - pd.Timedelta(days=RETENTION_DAYS)).date(),
    }).fetchall()[0]
    return Retention.from_counts(as_of, RETENTION_DAYS, at_start, at_end, new)


def _all_differ(hashes: np.ndarray) -> bool:
    """True when no two of the order ids' hashes are equal, so no two rows name one order. Equal hashes
    of different ids say False too: that costs only the second read. Sorted in numpy (vectorised: a
    third of the time of DuckDB's count(DISTINCT) over 10M hashes on two cores). A blank order id has a
    hash too (and breaks a rule: the file is refused either way)."""
    hashes = hashes.view(np.int64)  # the same bits; numpy sorts signed integers faster (0.15 s vs 0.17 at 10M)
    hashes.sort()
    return not (hashes[1:] == hashes[:-1]).any()


class _Days:
    """The orders per day (``_BY_DAY_SQL``), and the totals taken from them."""

    def __init__(self, cursor):
        fields = [column for column, *_ in cursor.description]
        self.rows = [dict(zip(fields, row)) for row in cursor.fetchall()]

    def total(self, field: str, where=lambda day, guest: True) -> int:
        return sum(int(row[field]) for row in self.rows if where(row["day"], row["guest"]) and row[field])

    def totals(self, where) -> tuple[int, int, int]:
        """(rows, orders, cents) of the orders ``where(day, guest)`` holds for."""
        return self.total("n_rows", where), self.total("orders", where), self.total("cents", where)

    def dated(self) -> list:
        """Every day with an order (with a customer or not)."""
        return [row["day"] for row in self.rows if row["day"] is not None]

    def kept_bounds(self) -> list:
        """The first and last day of the orders with a customer and a date ([] if none)."""
        kept = [row["day"] for row in self.rows if not row["guest"] and row["day"] is not None]
        return [min(kept), max(kept)] if kept else []

    def why_not(self, expect_order_ids: bool) -> str:
        """'' when every order is inside the rules, else the first rule the file breaks."""
        broken = self.total("broken")
        dated = self.dated()
        if broken:
            return (f"{broken:,} orders have a value outside the plain grammar (ISO dates, plain amounts, "
                    "ASCII e-mails) or rows that disagree on the customer, e-mail or name")
        some = functools.reduce(operator.or_, (row["some_flags"] for row in self.rows), 0)  # flags: _orders_sql
        if some & 2 and not some & 4:
            return "every customer id is written with a decimal point, which the loader may rewrite"
        if expect_order_ids and all(row["every_flags"] & 8 for row in self.rows):
            return "every order id is written with a decimal point, which the loader may rewrite"
        if self.total("abs_cents") >= MAX_CENTS:
            return "its amounts add up to 10^12 or more"
        if not dated:
            return "no date can be read"
        if not self.total("orders", lambda day, guest: not guest):
            return "no row has a customer"
        if str(min(dated)) < _EARLIEST or str(max(dated)) > _LATEST:
            return f"a date lies outside {_EARLIEST} to {_LATEST}"
        return ""


def _exclusion_table(rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    """(reason, rows, orders, cents) in the report's order -> the exclusions table, reasons with orders only."""
    present = [(reason, int(n_rows), int(orders), int(cents) / 100) for reason, n_rows, orders, cents in rows if orders]
    if not present:
        return empty_exclusions()
    return pd.DataFrame(present, columns=["reason", "rows", "orders", "revenue"]).astype(
        {"reason": "str", "rows": "int64", "orders": "int64", "revenue": "float64"}
    )


def _customers_frame(table, text: Mapping[str, bool]) -> pd.DataFrame:
    """DuckDB's per-customer rows (Arrow) -> the table ``rfm_summary`` returns, dtype for dtype.

    ``rfm_summary`` has an e-mail (name) column of text when some order in the
    window has one, else a column of missing values of dtype object.
    """
    def contact(role: str) -> pd.Series:
        if text.get(role):
            return table.column(role).to_pandas()
        return pd.Series(np.full(table.num_rows, np.nan, dtype=object), dtype="object")

    def dates(column: str) -> np.ndarray:
        return table.column(column).to_numpy().astype("int64").astype("datetime64[D]").astype("datetime64[us]")

    return pd.DataFrame(
        {
            "customer": table.column("customer").to_pandas(),
            "email": contact("email"),
            "name": contact("name"),
            "recency_days": table.column("recency_days").to_numpy().astype("int64"),
            "frequency": table.column("frequency").to_numpy().astype("int64"),
            "monetary": table.column("cents").to_numpy().astype("int64") / 100,
            "first_order_date": dates("first_day"),
            "last_order_date": dates("last_day"),
        }
    )
