"""A large plain CSV export -> its canonical orders inside DuckDB, read exactly as the loader reads them, or not at all.

    scan_file(path) -> Scan(report, engine), or None: then clv.load reads the file

The general path reads any export the product knows: ``clv.load.read_orders``
(every column as text, every messy-export rule) gives a pandas table of
canonical orders, which ``clv.engine.DuckEngine.of_orders`` puts in DuckDB. For
the commonest large file, a plain table with a customer, an order id, an ISO
date and a plain decimal amount, this module reads the file straight into
DuckDB and gives the same load report and the same canonical orders, value for
value: the same customers, days, cents, rows, e-mails and names, the same
exclusion rows, rows and revenue read. Everything after that, the method
itself, is ``clv.rfm`` and ``clv.retention`` over the engine, whichever way the
file came in. ``tests/test_duck.py`` checks the report and the analysis
against the pandas path on the fixtures and on generated files.

It never guesses. A file that the rules below do not cover gives None, and the
caller reads it the general way (``python -m clv`` does that by itself).

Which files qualify
-------------------
Decided from the header, by the loader's own detection (``clv.load``):

- a CSV file (not gzip, .xlsx or Parquet) in UTF-8, read as the plain "Table
  with recognised headers" (or with columns the caller named);
- a customer (or e-mail, or name) column, a date and one amount column; an
  order id, an e-mail and a name column are optional;
- no status, cancelled, refund, currency, quantity, price or marketing
  consent column, and no amount made of several columns (a total minus
  shipping and tax).

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
excluded and reported.

How: one statement reads the file (every column as text, except the dates
when the head of the file shows them all as ``2026-05-10 13:22:10`` or
``2026-05-10``: DuckDB's reader then parses them, and the file is read again
as text if a later date is written otherwise), checks every value, groups the
rows into orders and resolves each order's customer into a temporary table.
When the head names every order id once, that read does not group the rows by
order id at all (the costliest step: hashing ten million strings): each row is
an order and keeps a 64-bit hash of its id, and if two hashes turn out equal
(an order of several rows after all, or a collision) the file is read again,
grouped, with the checks that only an order of several rows needs (an order
of one row needs no column for its rows and absolute amount either). An id in
the head written otherwise than ``7.0`` settles that the loader rewrites no id
of its column, and then no row is checked for it. A small query then gives the
report's totals (from orders per day), and a view names the orders the loader
would keep in the shape the method reads (``clv.engine.ORDERS``).

Money is summed in whole cents (DECIMAL -> BIGINT). DuckDB uses every core the
process may use and at most ``clv.engine.MEMORY_LIMIT``, spilling to a temporary
directory beyond.
"""

from __future__ import annotations

import mmap
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from clv.columns import TABLE, ColumnPlan, detect_columns, plan_columns
from clv.engine import DuckEngine
from clv.errors import OrdersError
from clv.load import read_table
from clv.parse import keeps_ids_as_written
from clv.reasons import BAD_DATE, NO_CUSTOMER
from clv.report import LoadReport, exclusions_from_counts
from clv.sniff import looks_binary, sniff_delimiter

SAMPLE_BYTES = 1 << 20
"""The head of the file read to find its delimiter and columns, as the loader does on the whole file."""

MAX_CENTS = 10**14
"""Amounts adding up to 10^12 at most (10^14 cents): the loader's float sums round to the same cents."""

WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What ``str.strip()`` removes: every character for which ``str.isspace()`` holds."""

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]|$)"
_CENTS = "CAST(try_cast(a AS DECIMAL(15, 2)) * 100 AS BIGINT)"
_ODD_AMOUNT = ("a IS NOT NULL AND (cents IS NULL OR contains(a, '_') OR contains(a, 'e') OR contains(a, 'E') "
               "OR a LIKE '%.___%')")
"""An amount (``a``, read as ``cents``) the loader may read otherwise: the rest, a decimal DuckDB reads with at
most two places and no exponent or ``_`` (``12.50``, ``-3``, `` +5 ``, ``.5``), reads the same in both."""
_EARLIEST, _LATEST = "1678-01-01", "2261-12-31"
BINARY_STARTS = (b"\x1f\x8b", b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0")
"""How gzip, .xlsx, Parquet and old Excel files begin: never a plain CSV."""


@dataclass(frozen=True, eq=False)
class Scan:
    """A file read into DuckDB (``scan_file``): its load report, and an engine holding its canonical orders
    (``clv.engine.ORDERS``): ``clv.analysis.analyze(scan.engine, settings)``."""

    report: LoadReport
    engine: DuckEngine


def scan_file(path: str | os.PathLike, *, mapping: Mapping[str, str | None] | None = None,
              strict: bool = False) -> Scan | None:
    """The file's canonical orders in DuckDB; None when it does not qualify.

    Gives the load report and the orders ``clv.load.read_orders`` gives for the
    same file (a day written YYYY-MM-DD reads the same in every date order).

    Parameters
    ----------
    path : path of the file
    mapping : role -> column, optional
        As for ``read_orders``.
    strict : bool
        Raise ``OrdersError`` saying why, instead of giving None, for a file
        that does not qualify (the command line's ``--engine duckdb``).

    Returns
    -------
    Scan or None
        None for a file this engine does not read exactly (see the module
        docstring), and for one the loader would refuse (no rows, no readable
        date, no customer): the caller's ``read_orders`` then says why.
    """
    source = _qualify(Path(path), mapping)
    if isinstance(source, str):
        return _refuse(source, strict)
    import duckdb  # for its errors

    engine = DuckEngine()
    try:
        result = _scan(engine, source, refused=duckdb.Error)
    except duckdb.Error as error:  # the reader refused a row: the loader decides what the file holds
        result = f"DuckDB's CSV reader refused a row ({type(error).__name__})"
    return _refuse(result, strict) if isinstance(result, str) else result


def _refuse(reason: str, strict: bool) -> None:
    if strict:
        raise OrdersError(
            f"The DuckDB engine cannot read this file exactly: {reason}. "
            "Run with --engine auto or --engine pandas to read it with the general loader."
        )
    return None


# ---------------------------------------------------------------------------
# Does the file qualify? Its header, by the loader's own detection


@dataclass(frozen=True)
class _Source:
    path: Path
    delimiter: str
    width: int
    plan: ColumnPlan
    position: dict[str, int]  # role -> column number, for the roles in use
    dates: str = "text"  # how DuckDB reads the date column: "timestamp", "date" or "text" (see _date_reading)
    one_row_orders: bool = False  # the head names each order once: skip the two-row checks (see _read_orders)
    # The head holds a customer (order) id that is not a whole number written as a float ("7.0"): the loader
    # leaves every id of that column as written, and no row needs checking for it (the *_as_float columns of
    # _orders_sql).
    customer_ids_kept: bool = False
    order_ids_kept: bool = False

    @property
    def grouped(self) -> bool:
        """Rows are grouped into orders by order id; else each row is an order (no order column, or one-row orders)."""
        return "order" in self.position and not self.one_row_orders


_DATE_LAYOUTS = {
    "timestamp": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"), "TIMESTAMP",
                  "timestampformat = '%Y-%m-%d %H:%M:%S'"),
    "date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "DATE", "dateformat = '%Y-%m-%d'"),
}


def _date_reading(dates: pd.Series) -> str:
    """How to read the date column: "timestamp" or "date" when every date in the head of the file is
    written ``2026-05-10 13:22:10`` or ``2026-05-10``, else "text".

    Typed, DuckDB's CSV reader parses the dates as it reads (faster than checking text) and refuses the
    file at the first date not in the layout; then the dates are read again as text. Whatever the reader
    accepts in those layouts (``2026-5-3 1:2:3``, a tab for the space) the loader reads as the same day,
    and years before 1678 are refused anyway (``tests/test_duck.py`` checks both).
    """
    written = dates[dates != ""]
    for reading, (layout, _, _) in _DATE_LAYOUTS.items():
        if len(written) and written.str.fullmatch(layout.pattern).all():
            return reading
    return "text"


def _qualify(path: Path, mapping: Mapping[str, str | None] | None) -> _Source | str:
    """The file's layout, or why this engine does not read it."""
    try:
        with path.open("rb") as file:
            head = file.read(SAMPLE_BYTES + 1)
    except OSError:
        return "it cannot be opened"
    if head.startswith(BINARY_STARTS):
        return "it is not a plain CSV file (compressed, Excel or Parquet)"
    whole = len(head) <= SAMPLE_BYTES
    if not whole:
        head = head[: head.rfind(b"\n", 0, SAMPLE_BYTES) + 1]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "it is not UTF-8"
    # The loader sniffs the delimiter on the first 100,000 characters: the head must hold them.
    if not text.strip() or looks_binary(text) or (not whole and len(text) <= 100_000):
        return "its first lines are not a plain table"
    try:
        table = read_table(head)
        plan = plan_columns(list(table.columns), dict(mapping or {}))
    except OrdersError as error:
        return f"the loader does not read its header ({error})"
    if table.empty:
        return "it has no rows"
    found = detect_columns(list(table.columns))
    extra = [role for role, column in (("status", plan.status), ("cancelled", plan.cancelled),
                                       ("refund", plan.refund), ("currency", plan.currency),
                                       ("marketing consent", plan.accepts_marketing),
                                       ("quantity", found["quantity"] or plan.quantity),
                                       ("price", found["price"] or plan.price)) if column]
    if plan.layout is not TABLE:
        return f"it is a {plan.layout.name}, whose rules only the loader has"
    if extra:
        return f"it has a {extra[0]} column"
    if len(plan.terms) != 1 or plan.terms[0][0] != 1:
        return "its amount is made of several columns"
    if plan.name is None and (plan.first_name or plan.last_name):
        return "its names come from first and last name columns"
    roles = {"customer": plan.customer, "email": plan.email, "name": plan.name, "order": plan.order,
             "date": plan.date, "amount": plan.terms[0][1]}
    used = [column for column in roles.values() if column]
    if len(set(used)) != len(used):
        return "one column plays two roles"
    columns = list(table.columns)
    position = {role: columns.index(column) for role, column in roles.items() if column}
    order_ids = table[plan.order].str.strip() if plan.order else None
    one_row = order_ids is not None and not order_ids[order_ids != ""].duplicated().any()
    kept = {role: bool(column) and keeps_ids_as_written(table[column]) for role, column in
            (("customer", plan.customer), ("order", plan.order))}
    return _Source(path, sniff_delimiter(text), len(columns), plan, position, _date_reading(table[plan.date]), one_row,
                   customer_ids_kept=kept["customer"], order_ids_kept=kept["order"])


_SPACED_QUOTE = re.compile(rb' "|" ')


def _quotes_are_plain(path: Path) -> bool:
    """No space next to a quote character, which DuckDB drops and the loader keeps (`` "x"``, ``"x" ``).

    Most exports have no quote character at all: then this is one memchr over the file, mapped into
    memory rather than read (``bench/results.md``, "Figures behind the code's choices").
    """
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return True
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return data.find(b'"') < 0 or _SPACED_QUOTE.search(data) is None


# ---------------------------------------------------------------------------
# The file -> orders (one SQL statement, one scan)


def _regex_class(characters: str) -> str:
    """Characters -> an RE2 character class, with ``\\x{..}`` escapes and ranges.

    >>> _regex_class("\\t\\n ")
    '[\\\\x{9}-\\\\x{a}\\\\x{20}]'
    """
    codes = sorted(map(ord, characters))
    parts, start = [], codes[0]
    for previous, code in zip(codes, codes[1:] + [-1]):
        if code != previous + 1:
            parts.append(f"\\x{{{start:x}}}" + (f"-\\x{{{previous:x}}}" if previous != start else ""))
            start = code
    return "[" + "".join(parts) + "]"


_EDGES = "^{0}+|{0}+$".format(_regex_class(WHITESPACE))


def _strip(column: str) -> str:
    """SQL for Python's ``str.strip()``, then blank -> NULL.

    A regular expression on every value is slow, so only values whose first or
    last character is not printable ASCII go through it: every whitespace
    character is below ``!`` or above ``~``.
    """
    edges = f"NOT ({column} BETWEEN '!' AND chr(127)) OR NOT (reverse({column}) BETWEEN '!' AND chr(127))"
    return f"CASE WHEN {edges} THEN nullif(regexp_replace({column}, '{_EDGES}', '', 'g'), '') ELSE {column} END"


def _orders_sql(source: _Source) -> str:
    """SQL that reads the file into the table ``file_orders``: one row per order with its customer (NULL:
    none), day (NULL: no readable date), cents, rows, e-mail and name, and what the checks need.

    lines (the file's fields, trimmed) -> rows (parsed and checked) -> grouped (one row per order id)
    -> orders (the customer resolved: id, else the guest's e-mail or its id, else the name).
    """
    at = source.position
    has = {role: role in at for role in ("customer", "email", "name", "order")}
    typed = source.dates in _DATE_LAYOUTS
    date_type, date_format = _DATE_LAYOUTS[source.dates][1:] if typed else ("VARCHAR", "")
    columns = ", ".join(f"'c{i}': '{date_type if i == at['date'] else 'VARCHAR'}'" for i in range(source.width))
    every_blank = " AND ".join(f"c{i} IS NULL" for i in range(source.width))
    trimmed = [f"{_strip(f'c{at[role]}')} AS {short}" for role, short in
               (("customer", "cs"), ("email", "es"), ("name", "nm"), ("order", "os")) if has[role]]
    lines = (
        f"SELECT c{at['date']} AS d, c{at['amount']} AS a, {', '.join(trimmed)} "
        f"FROM read_csv($path, header = true, auto_detect = false, delim = $delimiter, quote = '\"', "
        f"escape = '\"', columns = {{{columns}}}{', ' + date_format if typed else ''}) WHERE NOT ({every_blank})"
    )

    # A row breaks the rules when its date or amount is not plain, its order id is blank, or text the loader
    # lower-cases is not ASCII. An amount is plain when DuckDB reads it as a decimal with at most two places
    # and no exponent or "_" (which the loader does not read); it then reads as the loader reads it.
    broken = [f"({_ODD_AMOUNT})"]
    if not typed:
        broken.append(f"(d IS NOT NULL AND (day IS NULL OR NOT regexp_matches(d, '{_DATE}')))")
    values = ["CAST(d AS DATE) AS day" if typed else "try_cast(left(d, 10) AS DATE) AS day", f"{_CENTS} AS cents"]
    if has["customer"]:
        values.append("CASE WHEN cs = '0' THEN NULL WHEN contains(cs, '@') THEN lower(cs) ELSE cs END AS cid")
        broken.append("(contains(cs, '@') AND strlen(cs) <> length(cs))")
    if has["email"]:
        values.append("lower(es) AS em")
        broken.append("strlen(es) <> length(es)")
    if has["order"]:
        broken.append("os IS NULL")

    # Rows are grouped by order id, unless every row is an order: no order column, or the head names each
    # order once (then each row keeps a 64-bit hash of its order id, and _read_orders checks they all differ).
    by_order = source.grouped
    breaks = f"coalesce({' OR '.join(broken)}, false)"
    rows = f"SELECT *, {breaks} AS broken FROM (SELECT *, {', '.join(values)} FROM lines)"

    # Per order, each kind of customer its rows name is kept apart with its smallest and largest value:
    # they must agree, or the loader's "first non-blank" would depend on the order of the rows.
    id_cond = "cid IS NOT NULL" if has["customer"] else "false"
    mail_cond = "em IS NOT NULL" if has["email"] else "false"

    def agg(function: str, expression: str, where: str | None = None) -> str:
        """An aggregate per order id, or the row's own value when every row is an order."""
        if by_order:
            return f"{function}({expression})" + (f" FILTER (WHERE {where})" if where else "")
        return expression if where is None else f"CASE WHEN {where} THEN {expression} END"

    per_order = [f"{agg('min', 'day')} AS day", f"coalesce({agg('sum', 'cents')}, 0) AS cents",
                 f"{agg('bool_or', 'broken')} AS broken"]
    if by_order:  # an order of one row needs no column for its rows (1) and absolute amount (_order_sums)
        per_order += ["count(*) AS n_rows", "coalesce(sum(abs(cents)), 0) AS abs_cents"]

    def spread(expression: str, short: str) -> list[str]:
        """The smallest value per order, and the largest to compare with it unless every order is one row."""
        lowest = [f"{agg('min', expression)} AS {short}_lo"]
        return lowest + [f"{agg('max', expression)} AS {short}_hi"] if by_order else lowest

    if has["customer"]:
        per_order += spread("cid", "id")
    if has["email"]:
        per_order += spread("em", "e") + [f"{agg('min', 'em', f'NOT ({id_cond})')} AS guest_mail"]
        if has["customer"]:
            per_order.append(f"{agg('bool_or', f'{id_cond} AND {mail_cond}')} AS paired")
    if has["name"]:
        per_order += spread("nm", "n") + [
            f"{agg('min', 'nm', f'NOT ({id_cond}) AND NOT ({mail_cond})')} AS guest_name"]
    if has["order"] and not by_order:
        per_order.append("hash(os) AS order_hash")
    grouped = (f"SELECT {'os AS order_id, ' if has['order'] else ''}{', '.join(per_order)} FROM rows"
               + (" GROUP BY os" if by_order else ""))

    ctes = [f"lines AS ({lines})", f"rows AS ({rows})", f"grouped AS ({grouped})"]
    conflicts, candidates = [], []
    if has["customer"]:
        candidates.append("o.id_lo")
        conflicts += ["o.id_lo <> o.id_hi"] if by_order else []
    if has["email"]:
        conflicts += ["o.e_lo <> o.e_hi"] if by_order else []
        if has["customer"]:
            # A guest row takes the id its e-mail has on rows that carry both (the loader: the first such).
            ctes.append("mail_ids AS (SELECT e_lo AS mail, min(id_lo) AS id_lo, max(id_lo) AS id_hi "
                        "FROM grouped WHERE paired GROUP BY e_lo)")
            candidates.append("CASE WHEN o.guest_mail IS NOT NULL THEN coalesce(m.id_lo, o.guest_mail) END")
            conflicts.append("m.id_lo <> m.id_hi")
        else:
            candidates.append("o.guest_mail")
    if has["name"]:
        conflicts += ["o.n_lo <> o.n_hi"] if by_order else []
        candidates.append("o.guest_name")
    for i, first in enumerate(candidates):
        conflicts += [f"({first}) <> ({second})" for second in candidates[i + 1:]]
    joined = "grouped o"
    if has["customer"] and has["email"]:
        joined += " LEFT JOIN mail_ids m ON m.mail = o.guest_mail"
    written_as_float = "contains({0}, '.') AND ends_with({0}, '0')"
    orders = [
        (f"coalesce({', '.join(candidates)})" if len(candidates) > 1 else candidates[0]) + " AS customer",
        "o.day", "CAST(o.cents AS BIGINT) AS cents", *(["o.n_rows", "o.abs_cents"] if by_order else []),
        # Broken: a row breaks a rule, or the rows disagree (then the smallest id stands for them all).
        "o.broken OR " + " OR ".join(f"coalesce({c}, false)" for c in conflicts or ["false"]) + " AS broken",
        # Ids written like "7.0", which the loader rewrites when all of a column are (NULL: no id, or the head
        # shows an id that settles it).
        (f"{written_as_float.format('o.id_lo')} AS customer_id_as_float"
         if has["customer"] and not source.customer_ids_kept else "CAST(NULL AS BOOLEAN) AS customer_id_as_float"),
        (f"{written_as_float.format('o.order_id')} AS order_id_as_float"
         if has["order"] and not source.order_ids_kept else "CAST(NULL AS BOOLEAN) AS order_id_as_float"),
    ]
    orders += [f"o.{field} AS {role}" for role, field in (("email", "e_lo"), ("name", "n_lo")) if has[role]]
    if has["order"] and not by_order:
        orders.append("o.order_hash")
    return (f"CREATE OR REPLACE TEMP TABLE file_orders AS WITH {', '.join(ctes)} "
            f"SELECT {', '.join(orders)} FROM {joined}")


# ---------------------------------------------------------------------------
# Orders -> what the report, the summary and the retention need

def _order_sums(source: _Source) -> dict[str, str]:
    """SQL for the rows and the absolute amounts that orders hold, summed: the table ``file_orders`` has them
    when the read grouped rows into orders; else each order is one row, and they need no column."""
    if source.grouped:
        return {"n_rows": "sum(n_rows)", "abs_cents": "sum(abs_cents)"}
    return {"n_rows": "count(*)", "abs_cents": "sum(abs(cents))"}


_BY_DAY_SQL = """
SELECT day, customer IS NULL AS guest, count(*) AS orders, {n_rows} AS n_rows, sum(cents) AS cents,
       {abs_cents} AS abs_cents, count(*) FILTER (WHERE broken) AS broken,
       bool_or(customer_id_as_float IS NOT NULL) AS customer_ids,
       bool_or(NOT customer_id_as_float) AS plain_customer_ids,
       bool_and(order_id_as_float) AS float_order_ids{contacts}
FROM file_orders
GROUP BY ALL
"""
"""Orders per day, apart for those without a customer: a few thousand rows from which every total of
the load report follows, and whether some order has a customer id checked for "7.0", some one written
otherwise, and every order id written like "7.0" (``_orders_sql``)."""

_CANONICAL_SQL = """
CREATE VIEW orders AS
SELECT customer, day, CAST(cents AS BIGINT) AS cents, CAST({n_rows} AS BIGINT) AS rows, {email} AS email, {name} AS name
FROM file_orders
WHERE customer IS NOT NULL AND day IS NOT NULL
"""
"""The orders the loader would keep, as the method reads them (``clv.engine.ORDERS``)."""


def _read_orders(con, source: _Source, refused: type[Exception]) -> tuple[_Days, _Source]:
    """The file -> the table ``file_orders``, read the fast way first; the orders per day, and the source as read.

    Typed dates: a date out of the head's layout makes the reader refuse, and the
    file is read again with dates as text. One-row orders (the head names each order
    once): when some order id comes back on several rows after all (the orders hold
    more rows than there are orders), the file is read again with every check.
    """
    parameters = {"path": str(source.path), "delimiter": source.delimiter}
    try:
        con.execute(_orders_sql(source), parameters)
    except refused:
        if source.dates == "text":
            raise
        source = replace(source, dates="text")
        con.execute(_orders_sql(source), parameters)
    contacts = [role for role in ("email", "name") if role in source.position]
    with ThreadPoolExecutor(max_workers=1) as pool:  # numpy sorts the hashes while DuckDB counts the days
        differ = (pool.submit(_all_differ, con.execute("SELECT order_hash FROM file_orders").fetchnumpy()["order_hash"])
                  if source.one_row_orders else None)
        counts = "".join(f", count({role}) AS {role}s" for role in contacts)
        days = _Days(con.execute(_BY_DAY_SQL.format(contacts=counts, **_order_sums(source))))
        if differ is not None and not differ.result():
            return _read_orders(con, replace(source, one_row_orders=False), refused)
    return days, source


def _scan(engine: DuckEngine, source: _Source, refused: type[Exception]) -> Scan | str:
    """The file -> its report and canonical orders, or why the loader must read it instead."""
    con = engine.connection
    with ThreadPoolExecutor(max_workers=1) as pool:  # Python looks for spaced quotes while DuckDB reads
        plain = pool.submit(_quotes_are_plain, source.path)
        days, source = _read_orders(con, source, refused)
    if not plain.result():
        return "a space stands next to a quote character"
    why = days.why_not(expect_order_ids="order" in source.position)
    if why:
        return why
    dated = days.dated()
    report = LoadReport(
        source_format=source.plan.source_format,
        columns=source.plan.columns(),
        rows_read=days.total("n_rows"),
        revenue_read=days.total("cents") / 100,
        excluded=exclusions_from_counts([
            (NO_CUSTOMER, *days.totals(lambda day, guest: guest)),
            (BAD_DATE, *days.totals(lambda day, guest: not guest and day is None)),
        ]).astype({"reason": "str"}),  # the loader's dtype, even with no row
        first_date=pd.Timestamp(min(dated)),
        last_date=pd.Timestamp(max(dated)),
    )
    contacts = {role: role if role in source.position else "CAST(NULL AS VARCHAR)" for role in ("email", "name")}
    con.execute(_CANONICAL_SQL.format(n_rows="n_rows" if source.grouped else "1", **contacts))
    return Scan(report, engine)


def _all_differ(hashes: np.ndarray) -> bool:
    """True when no two of the order ids' hashes are equal, so no two rows name one order. Equal hashes
    of different ids say False too: that costs only the second read. Sorted in numpy (vectorised: faster
    than DuckDB's count(DISTINCT), ``bench/results.md``). A blank order id has a
    hash too (and breaks a rule: the file is refused either way)."""
    hashes = hashes.view(np.int64)  # the same bits; numpy sorts signed integers faster
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
        if (any(row["customer_ids"] for row in self.rows)
                and not any(row["plain_customer_ids"] for row in self.rows)):
            return "every customer id is written with a decimal point, which the loader may rewrite"
        if expect_order_ids and all(row["float_order_ids"] for row in self.rows):
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
