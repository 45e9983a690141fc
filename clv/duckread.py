"""A plain CSV export -> DuckDB's table ``orders``: whether the file qualifies, by its head, and the one
statement that reads it (``clv.duck`` does the rest: the checks' verdict, the report, the customers).

    source_of(path, delimiter, head_table, mapping) -> Source, or why the file does not qualify
    guess_source(path, mapping) -> the same, the head read by the csv module
    Read(source)       the statement (``orders_statement``) running on a connection of its own, in a thread
    read_ahead(...)    the Read ``python -m clv`` will want, started before pandas is imported

None of this imports pandas. ``python -m clv`` guesses the file's plan from its
head and starts the read at once (``clv/__main__.py``), so that DuckDB works on
the machine's second core while Python imports pandas (about 0.4 s). The
decision stays the loader's: ``clv.duck.scan_file`` plans the file from the head
as the loader reads it (``clv.load.read_table``) and takes the started read only
when that plan gives the same statement and parameters, byte for byte; else it
interrupts it and reads anew. The guess can make the command faster, never
different.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from clv.columns import TABLE, ColumnPlan, detect_columns, parse_mapping, plan_columns, tidy_names
from clv.errors import OrdersError
from clv.sniff import looks_binary, sniff_delimiter

MEMORY_LIMIT = "1GB"
"""DuckDB's own cap (it spills to disk beyond it); the Python tables come on top, within 2 GB at 10M rows."""

SAMPLE_BYTES = 1 << 20
"""The head of the file read to find its delimiter and columns, as the loader does on the whole file."""

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
_MAGIC = (b"\x1f\x8b", b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0")


# ---------------------------------------------------------------------------
# Does the file qualify? Its head, by the loader's own header rules


@dataclass(frozen=True)
class Source:
    """How to read a file that qualifies: its delimiter, width, columns and the reading of its dates."""


    path: Path
    delimiter: str
    width: int
    plan: ColumnPlan
    position: dict[str, int]  # role -> column number, for the roles in use
    dates: str = "text"  # how DuckDB reads the date column: "timestamp", "date" or "text" (see _date_reading)
    one_row_orders: bool = False  # the head names each order once: skip the two-row checks (see clv.duck._read_orders)


DATE_LAYOUTS = {
    "timestamp": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"), "TIMESTAMP",
                  "timestampformat = '%Y-%m-%d %H:%M:%S'"),
    "date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "DATE", "dateformat = '%Y-%m-%d'"),
}



def _date_reading(dates: Sequence[str]) -> str:
    """How to read the date column: "timestamp" or "date" when every date in the head of the file is
    written ``2026-05-10 13:22:10`` or ``2026-05-10``, else "text".

    Typed, DuckDB's CSV reader parses the dates as it reads (faster than checking text) and refuses the
    file at the first date not in the layout; then the dates are read again as text. Whatever the reader
    accepts in those layouts (``2026-5-3 1:2:3``, a tab for the space) the loader reads as the same day,
    and years before 1678 are refused anyway (``tests/test_duck.py`` checks both).
    """
    written = [text for text in dates if text != ""]
    for reading, (layout, _, _) in DATE_LAYOUTS.items():
        if written and all(layout.fullmatch(text) for text in written):
            return reading
    return "text"


def read_head(path: Path) -> tuple[bytes, str] | str:
    """The file's first ``SAMPLE_BYTES`` (whole lines) as bytes and text, or why it is no plain UTF-8 CSV."""
    try:
        with path.open("rb") as file:
            head = file.read(SAMPLE_BYTES + 1)
    except OSError:
        return "it cannot be opened"
    if head.startswith(_MAGIC):
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
    return head, text


def source_of(path: Path, delimiter: str, table: Mapping[str, Sequence[str]],
              mapping: Mapping[str, str | None] | None) -> Source | str:
    """The head of the file as a table of text (column -> values, in the file's order; the loader's
    ``read_table`` frame or ``guess_source``'s lists) -> how to read the file, or why this engine does not."""
    columns = list(table)
    try:
        plan = plan_columns(columns, dict(mapping or {}))
    except OrdersError as error:
        return f"the loader does not read its header ({error})"
    if not len(table[columns[0]]):
        return "it has no rows"
    found = detect_columns(columns)
    extra = [role for role, column in (("status", plan.status), ("cancelled", plan.cancelled),
                                       ("refund", plan.refund), ("currency", plan.currency),
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
    position = {role: columns.index(column) for role, column in roles.items() if column}
    order_ids = [text.strip() for text in table[plan.order]] if plan.order else None
    written = [text for text in order_ids or () if text]
    one_row = order_ids is not None and len(set(written)) == len(written)
    return Source(path, delimiter, len(columns), plan, position, _date_reading(table[plan.date]), one_row)


def guess_source(path: Path, mapping: Mapping[str, str | None] | None) -> Source | str:
    """``source_of`` the head as Python's csv module reads it: what the loader's reading of the head
    (pyarrow, then pandas) gives for any ordinary file, without importing either."""
    head = read_head(path)
    if isinstance(head, str):
        return head
    delimiter = sniff_delimiter(head[1])
    records = csv.reader(io.StringIO(head[1], newline=""), delimiter=delimiter)
    columns = tidy_names(next(records, []))
    rows = [record for record in records if any(record)]  # fully blank rows are dropped, as the loader does
    if not columns:
        return "its first lines are not a plain table"
    return source_of(path, delimiter, {column: [row[i] if i < len(row) else "" for row in rows]
                                        for i, column in enumerate(columns)}, mapping)


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


def _orders_sql(source: Source) -> str:
    """SQL that reads the file into the table ``orders``: one row per order with its customer (NULL:
    none), day (NULL: no readable date), cents, rows, e-mail and name, and what the checks need.

    lines (the file's fields, trimmed) -> rows (parsed and checked) -> grouped (one row per order id)
    -> orders (the customer resolved: id, else the guest's e-mail or its id, else the name).
    """
    at = source.position
    has = {role: role in at for role in ("customer", "email", "name", "order")}
    typed = source.dates in DATE_LAYOUTS
    date_type, date_format = DATE_LAYOUTS[source.dates][1:] if typed else ("VARCHAR", "")
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
    rows = (f"SELECT *, CASE WHEN coalesce({' OR '.join(broken)}, false) THEN {1 + (1 << 32)} ELSE 1 END AS tally "
            f"FROM (SELECT *, {', '.join(values)} FROM lines)")

    # Per order, each kind of customer its rows name is kept apart with its smallest and largest value:
    # they must agree, or the loader's "first non-blank" would depend on the order of the rows.
    id_cond = "cid IS NOT NULL" if has["customer"] else "false"
    mail_cond = "em IS NOT NULL" if has["email"] else "false"

    # Rows are grouped by order id, unless every row is an order: no order column, or the head names each
    # order once (then each row keeps a 64-bit hash of its order id, and _read_orders checks they all differ).
    by_order = has["order"] and not source.one_row_orders

    def agg(function: str, expression: str, where: str | None = None) -> str:
        """An aggregate per order id, or the row's own value when every row is an order."""
        if by_order:
            return f"{function}({expression})" + (f" FILTER (WHERE {where})" if where else "")
        return expression if where is None else f"CASE WHEN {where} THEN {expression} END"

    # Per order: rows, rows breaking a rule, and the amounts' absolute sum, packed in one 128-bit sum
    # (bits 0-31, 32-63, 64-127): one aggregate instead of three, over millions of orders.
    per_order = [f"{agg('min', 'day')} AS day", f"coalesce({agg('sum', 'cents')}, 0) AS cents",
                 f"{agg('sum', '(CAST(coalesce(abs(cents), 0) AS HUGEINT) << 64) + tally')} AS tally"]

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
    orders = [
        (f"coalesce({', '.join(candidates)})" if len(candidates) > 1 else candidates[0]) + " AS customer",
        "o.day", "CAST(o.cents AS BIGINT) AS cents", "CAST(o.tally >> 64 AS BIGINT) AS abs_cents",
        f"CAST(o.tally & {(1 << 32) - 1} AS INTEGER) AS n_rows",
        # Flags: 1 breaks a rule (or its rows disagree), 2 has a customer id, 4 one not written like "7.0"
        # (the loader rewrites the ids when all are), 8 an order id written like "7.0". An order whose rows
        # name different ids is broken, so its smallest id stands for them all.
        f"CAST(CASE WHEN (o.tally >> 32) & {(1 << 32) - 1} > 0 OR "
        + " OR ".join(f"coalesce({c}, false)" for c in conflicts or ["false"]) + " THEN 1 ELSE 0 END"
        + (" + CASE WHEN o.id_lo IS NULL THEN 0 WHEN contains(o.id_lo, '.') AND ends_with(o.id_lo, '0') THEN 2 "
           "ELSE 6 END" if has["customer"] else "")
        + (" + CASE WHEN contains(o.order_id, '.') AND ends_with(o.order_id, '0') THEN 8 ELSE 0 END"
           if has["order"] else "") + " AS UTINYINT) AS flags",
    ]
    orders += [f"o.{field} AS {role}" for role, field in (("email", "e_lo"), ("name", "n_lo")) if has[role]]
    if has["order"] and not by_order:
        orders.append("o.order_hash")
    return f"CREATE OR REPLACE TEMP TABLE orders AS WITH {', '.join(ctes)} SELECT {', '.join(orders)} FROM {joined}"


def orders_statement(source: Source) -> tuple[str, dict[str, str]]:
    """The statement that reads ``source`` into the table ``orders``, and its parameters."""
    return _orders_sql(source), {"path": str(source.path), "delimiter": source.delimiter}


# ---------------------------------------------------------------------------
# Running it


class Read:
    """``orders_statement(source)`` running, from the moment this is made, on a DuckDB connection of its
    own (every core, ``MEMORY_LIMIT``, a spill folder) in a worker thread: DuckDB does not hold Python's
    lock while it works. ``with Read(source) as read:`` closes it at the end.
    """

    def __init__(self, source: Source):
        import duckdb  # here, not at the top: the dashboard never needs it

        self.statement = orders_statement(source)
        self._spill = tempfile.TemporaryDirectory(prefix="clv-duckdb-")
        self.con = duckdb.connect(config={"threads": _cores(), "memory_limit": MEMORY_LIMIT,
                                          "temp_directory": self._spill.name, "preserve_insertion_order": False})
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="clv-read")
        self._done = pool.submit(self.con.execute, *self.statement)
        pool.shutdown(wait=False)

    def wait(self) -> None:
        """Until the statement has run; raises what DuckDB raised (its CSV reader refused a row)."""
        self._done.result()

    def close(self) -> None:
        """Interrupts the statement if it still runs, closes the connection, removes the spill folder.
        Closing twice is harmless."""
        while not self._done.done():
            self.con.interrupt()
            concurrent.futures.wait([self._done], timeout=0.05)
        self.con.close()
        self._spill.cleanup()

    def __enter__(self) -> Read:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@contextmanager
def read_ahead(orders: str, engine: str, map_text: str | None) -> Iterator[Read | None]:
    """``with read_ahead(args.orders, args.engine, args.map) as read:`` the read of the file that the
    command line's DuckDB engine will likely want (``guess_source``), already running; None when it will
    not (another engine, a file that does not qualify). Closed at the end, unless ``clv.duck.scan_file``
    took it over and closed it first.
    """
    read = None
    if engine in ("auto", "duckdb"):
        try:
            source = guess_source(Path(orders), parse_mapping(map_text) if map_text else None)
            read = None if isinstance(source, str) else Read(source)
        except Exception:  # a guess only: the command line meets the same problem again and says what it is
            read = None
    try:
        yield read
    finally:
        if read is not None:
            read.close()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
