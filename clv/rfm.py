"""Recency, frequency and money per customer, and their 1-3 scores (METHOD.md 2-5), written once in SQL.

Every rule is a statement over the engine's relations (``clv.engine``), so the
same text runs on DuckDB and, transpiled, on Spark. The family, in the order a
pipeline calls it:

- ``rfm_window``: settings and the orders' first and last day -> the analysis window;
- ``rfm_summary``: canonical orders -> one row per customer (kept in the engine),
  and what the window left out;
- ``rfm_scores``: that summary -> the thresholds each score begins at, the cut
  table, warnings;
- ``rfm_scored_sql``: the SQL giving each customer r, f, m, rfm_score, rfm_code,
  tier and segment (``rfm_tiered_sql``), from which the customer list and the files come;
- ``rfm_cell_sums``: customers, orders and cents per RFM cell, from which every lifetime value comes.

Money is whole cents throughout, so that equal spend is equal whatever order
the engine adds the amounts in, and ties score alike. A score needs two
thresholds per variable: a customer scores 1 + (key >= t2) + (key >= t3), the
key being the variable turned so that more is better (days are negated, money
is cents). Both scoring methods come down to those two whole numbers:

- quantile: with ``n`` customers and ``w`` of them strictly less valuable, the
  score is 1 + (3w >= n) + (3w >= 2n); ``w >= k`` exactly when the k-th smallest
  key is below this one, so t2 and t3 are one more than the ceil(n/3)-th and
  ceil(2n/3)-th smallest keys: two order statistics, no rank and no sort
  (found from the count of each distinct key, which scales on Spark);
- range: 3(x - lo) >= (hi - lo) holds for a whole number x exactly from
  lo + ceil((hi - lo)/3) on, and likewise for two thirds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from clv.engine import CONSENT, CUSTOMERS, ORDERS, DuckEngine, Engine, day_literal
from clv.errors import OrdersError
from clv.reasons import AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY
from clv.report import exclusions_from_counts
from clv.segments import SEGMENT_CODES
from clv.settings import TIERS, Method, Settings

SCORE_COLUMNS = {"recency_days": "r", "frequency": "f", "monetary": "m"}
_KEYS = {"recency_days": "-recency_days", "frequency": "frequency", "monetary": "cents"}
"""Each scored variable as a whole number where more is better."""


@dataclass(frozen=True)
class Window:
    """Orders dated ``start < date <= as_of`` count; ``length_days`` is the window's length."""

    as_of: pd.Timestamp
    start: pd.Timestamp
    length_days: int
    all_history: bool

    @property
    def first_day(self) -> pd.Timestamp:
        return self.start + pd.Timedelta(days=1)


@dataclass(frozen=True, eq=False)
class Summary:
    """The window's customers, held by the engine as ``relation`` (``_SUMMARY_SQL``); the window's exclusions;
    the contacts each customer has (``accepts_marketing`` too where the orders say who agreed to marketing)."""

    window: Window
    engine: Engine
    relation: str
    excluded: pd.DataFrame
    contacts: tuple[str, ...] = ("email", "name")

    @property
    def scoreable(self) -> str:
        """SQL for the customers the window scores: those with a counted order in it."""
        return f"(SELECT * FROM {self.relation} WHERE frequency > 0) AS scoreable"

    @functools.cached_property
    def customers(self) -> pd.DataFrame:
        """The scoreable customers in Python, sorted by customer: customer, email, name, recency_days,
        frequency, monetary, first_order_date (the first counted order ever), last_order_date, and
        accepts_marketing where the orders have it."""
        return edge_customers(self.engine.fetch(
            f"SELECT customer, {', '.join(self.contacts)}, recency_days, frequency, cents, first_day, last_day "
            f"FROM {self.scoreable} ORDER BY customer"))


@dataclass(frozen=True)
class Thresholds:
    """Where scores 2 and 3 begin, on each variable's key (``_KEYS``)."""

    method: Method
    t2: dict[str, int]
    t3: dict[str, int]


@dataclass(frozen=True, eq=False)
class Scores:
    """The thresholds; the cut points shown (one row per variable and score); what the user should be told."""

    thresholds: Thresholds
    cuts: pd.DataFrame
    warnings: tuple[str, ...]


def rfm_window(engine: Engine, settings: Settings) -> Window:
    """The analysis window over the engine's orders (METHOD.md section 2).

    ``as_of`` defaults to the latest order date. With ``window_days=None`` the
    window runs from the earliest order date and is ``as_of - earliest + 1`` days long.

    Examples
    --------
    >>> engine = DuckEngine()
    >>> engine.keep("orders", "SELECT * FROM (VALUES (DATE '2026-01-01'), (DATE '2026-03-01')) AS t(day)")
    >>> w = rfm_window(engine, Settings(window_days=None))
    >>> (w.as_of.date(), w.first_day.date(), w.length_days)
    (datetime.date(2026, 3, 1), datetime.date(2026, 1, 1), 60)
    """
    bounds = engine.fetch(f"SELECT min(day) AS earliest, max(day) AS latest FROM {ORDERS}").to_pylist()[0]
    earliest, latest = bounds["earliest"], bounds["latest"]
    if earliest is None:
        raise OrdersError("No orders are left to analyse: every row was left out (see the data-quality report).")
    earliest, latest = pd.Timestamp(earliest), pd.Timestamp(latest)
    as_of = pd.Timestamp(settings.as_of) if settings.as_of is not None else latest
    if as_of < earliest:
        raise OrdersError(
            f"The as-of date {as_of.date()} is before the first order ({earliest.date()}); choose a later date."
        )
    if settings.window_days is None:
        length = (as_of - earliest).days + 1
        return Window(as_of, earliest - pd.Timedelta(days=1), length, all_history=True)
    return Window(as_of, as_of - pd.Timedelta(days=settings.window_days), settings.window_days, all_history=False)


_CONTACT = "arg_max({0}, {{'day': day, 'value': {0}}}) FILTER (WHERE {0} IS NOT NULL) AS {0}"
_CONTACT_TYPES = {CONSENT: "BOOLEAN"}
"""The contact of the customer's latest order that gives one; on a day with several, the greatest text
(a rule every engine follows without a row order)."""

_SUMMARY_SQL = """
SELECT customer,
       count(*) FILTER (WHERE cents > 0 AND day > {start}) AS frequency,
       CAST(coalesce(sum(cents) FILTER (WHERE day > {start}), 0) AS BIGINT) AS cents,
       date_diff('day', max(day) FILTER (WHERE cents > 0 AND day > {start}), {as_of}) AS recency_days,
       min(day) FILTER (WHERE cents > 0) AS first_day,
       max(day) FILTER (WHERE cents > 0 AND day > {start}) AS last_day,
       count(*) FILTER (WHERE day > {start}) AS window_orders,
       CAST(coalesce(sum(rows) FILTER (WHERE day > {start}), 0) AS BIGINT) AS window_rows,
       {contacts}
FROM {orders}
WHERE day <= {as_of}
GROUP BY customer
"""
"""Per customer with an order on or before as_of: the window's counted orders (frequency), its net cents
(returns included), days since its last counted order, the first counted order ever, and the window's
orders and rows (for the returns-only count)."""

_LEFT_OUT_SQL = """
SELECT count(*) FILTER (WHERE day > {as_of}) AS after_orders,
       coalesce(sum(rows) FILTER (WHERE day > {as_of}), 0) AS after_rows,
       coalesce(sum(cents) FILTER (WHERE day > {as_of}), 0) AS after_cents,
       count(*) FILTER (WHERE day <= {start}) AS before_orders,
       coalesce(sum(rows) FILTER (WHERE day <= {start}), 0) AS before_rows,
       coalesce(sum(cents) FILTER (WHERE day <= {start}), 0) AS before_cents
FROM {orders}
"""

_RETURNS_ONLY_SQL = """
SELECT coalesce(sum(window_orders), 0) AS orders, coalesce(sum(window_rows), 0) AS rows,
       coalesce(sum(cents), 0) AS cents
FROM {customers}
WHERE frequency = 0 AND window_orders > 0
"""

def rfm_summary(engine: Engine, window: Window) -> Summary:
    """The engine's canonical orders -> one row per customer with a counted order in the window.

    Orders with a net amount of 0 or less are not counted as orders, but their
    amounts net against the customer's money (METHOD.md section 3).

    Returns
    -------
    Summary
        ``relation``: every customer with an order on or before as_of (``_SUMMARY_SQL``),
        kept in the engine; those with a counted order in the window are scored.
        ``contacts``: email, name, and accepts_marketing where the orders have it.
        ``excluded``: orders left out by reason (after the as-of date, before the
        window, customers whose orders in the window are all returns).
    """
    relation = f"{CUSTOMERS}_{window.as_of:%Y%m%d}_{window.start:%Y%m%d}"
    dates = {"as_of": day_literal(window.as_of), "start": day_literal(window.start)}
    consent = CONSENT in engine.fetch(f"SELECT * FROM {ORDERS} LIMIT 0").column_names
    contacts = ("email", "name", CONSENT) if consent else ("email", "name")
    # A contact no order gives is NULL for everyone, without the aggregate (a second per 10M orders).
    given = engine.fetch("SELECT " + ", ".join(f"count({c}) > 0 AS {c}" for c in contacts) + f" FROM {ORDERS}")
    columns = [_CONTACT.format(c) if given[c][0].as_py()
               else f"CAST(NULL AS {_CONTACT_TYPES.get(c, 'VARCHAR')}) AS {c}" for c in contacts]
    engine.keep(relation, _SUMMARY_SQL.format(orders=ORDERS, contacts=", ".join(columns), **dates))
    left = engine.fetch(_LEFT_OUT_SQL.format(orders=ORDERS, **dates)).to_pylist()[0]
    returns = engine.fetch(_RETURNS_ONLY_SQL.format(customers=relation)).to_pylist()[0]
    excluded = exclusions_from_counts([
        (AFTER_AS_OF, left["after_rows"], left["after_orders"], left["after_cents"]),
        (BEFORE_WINDOW, left["before_rows"], left["before_orders"], left["before_cents"]),
        (RETURNS_ONLY, returns["rows"], returns["orders"], returns["cents"]),
    ])
    return Summary(window, engine, relation, excluded, contacts)


def edge_customers(table: pa.Table) -> pd.DataFrame:
    """The engine's per-customer rows (Arrow) -> the pandas table pages and files read.

    Text stays Arrow's (no copy), cents become money, days become dates (midnight,
    as the loader's dates are), whole numbers become int64, and marketing consent
    (where there is one) a nullable boolean. Built a column at a time from Arrow:
    a million customers in a few hundredths of a second.
    """
    renamed = {"cents": "monetary", "first_day": "first_order_date", "last_day": "last_order_date"}
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_date32(column.type):
            values = column.to_numpy().astype("datetime64[us]")
        elif pa.types.is_integer(column.type):
            values = column.to_numpy().astype("int64", copy=False)
        elif pa.types.is_boolean(column.type):
            values = column.to_pandas().astype("boolean")
        else:  # text; a column of nothing but NULLs is text too
            values = column.cast(pa.string()).to_pandas()
        columns[renamed.get(name, name)] = values / 100 if name == "cents" else values
    return pd.DataFrame(columns, copy=False)


_STATS_SQL = """
SELECT count(*) AS n, {bounds} FROM {scoreable}
"""

_ORDER_STATISTICS_SQL = """
WITH counted AS (SELECT {key} AS value, count(*) AS n FROM {scoreable} GROUP BY 1),
running AS (SELECT value, sum(n) OVER (ORDER BY value ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
            FROM counted)
SELECT min(value) FILTER (WHERE upto >= {k1}) AS low, min(value) FILTER (WHERE upto >= {k2}) AS high FROM running
"""
"""The k1-th and k2-th smallest keys: the first distinct key whose running count reaches k. The running
count runs over distinct keys only (days, orders, cents), not over every customer."""


def quantile_ranks(n: int) -> tuple[int, int]:
    """The ranks k1 = ceil(n/3), k2 = ceil(2n/3) whose values cut a quantile score.

    A value scores 1 + (value > v_k1) + (value > v_k2), with v_k the k-th smallest.

    >>> [quantile_ranks(n) for n in (1, 2, 3, 4, 5, 6)]
    [(1, 1), (1, 2), (1, 2), (2, 3), (2, 4), (2, 4)]
    """
    return (n + 2) // 3, (2 * n + 2) // 3


def rfm_scores(summary: Summary, method: Method) -> Scores:
    """The summary's customers -> where each score begins, the cut points, and what to tell the user.

    Recency is scored on fewer days being better, money on whole cents. A variable
    with a single distinct value scores 2 for everyone.

    Returns
    -------
    Scores
        ``thresholds`` for ``rfm_scored_sql``; ``cuts`` with one row per variable
        and score: variable, score, customers, lower, upper (the values that
        customers with that score have), threshold (where the score begins:
        the range method's cut, or the quantile's first value); ``warnings``.
    """
    scoreable = summary.scoreable
    bounds = ", ".join(f"min({key}) AS lo_{v}, max({key}) AS hi_{v}" for v, key in _KEYS.items())
    stats = summary.engine.fetch(_STATS_SQL.format(bounds=bounds, scoreable=scoreable)).to_pylist()[0]
    n = stats["n"]
    t2, t3, warnings = {}, {}, []
    for variable, key in _KEYS.items():
        lo, hi = stats[f"lo_{variable}"], stats[f"hi_{variable}"]
        if n == 0 or lo == hi:
            t2[variable], t3[variable] = (lo or 0), (lo or 0) + 1  # everyone scores 2
            if n:
                warnings.append(
                    f"Every customer has the same {_LABELS[variable]}, so it cannot tell them apart: "
                    f"everyone scores {SCORE_COLUMNS[variable].upper()}=2 on it."
                )
        elif method == "quantile":
            k1, k2 = quantile_ranks(n)
            cut = summary.engine.fetch(_ORDER_STATISTICS_SQL.format(key=key, scoreable=scoreable, k1=k1, k2=k2))
            low, high = cut.to_pylist()[0].values()
            t2[variable], t3[variable] = low + 1, high + 1
        else:
            t2[variable], t3[variable] = lo + -(-(hi - lo) // 3), lo + -(-2 * (hi - lo) // 3)
    thresholds = Thresholds(method, t2, t3)
    cuts = _cut_table(summary, thresholds, stats)
    for variable in _KEYS:
        table = cuts.loc[cuts["variable"] == variable]
        empty = table.loc[table["customers"] == 0, "score"].tolist()
        if method == "quantile" and empty and n >= 3 and stats[f"lo_{variable}"] != stats[f"hi_{variable}"]:
            label = _LABELS[variable]
            warnings.append(
                "Nobody scores " + " or ".join(f"{SCORE_COLUMNS[variable].upper()}={s}" for s in empty)
                + f" on {label}: so many customers have the same {label} that together they fill more than a "
                f"third, and customers with the same {label} always get the same score."
            )
    return Scores(thresholds, cuts, tuple(warnings))


_LABELS = {"recency_days": "recency", "frequency": "number of orders", "monetary": "spend"}

_CUT_SQL = """
SELECT '{variable}' AS variable, {score} AS score, count(*) AS customers, min({value}) AS lower, max({value}) AS upper
FROM ({scored}) AS scored GROUP BY {score}
"""


def _cut_table(summary: Summary, thresholds: Thresholds, stats: dict) -> pd.DataFrame:
    """Per variable and score: how many customers, the values they span, and where the score begins."""
    scored = _scores_sql(summary.scoreable, thresholds)
    values = {"recency_days": "recency_days", "frequency": "frequency", "monetary": "cents"}
    found = summary.engine.fetch(" UNION ALL ".join(
        _CUT_SQL.format(variable=variable, score=SCORE_COLUMNS[variable], value=value, scored=scored)
        for variable, value in values.items()
    )).to_pandas()
    tables = []
    for variable in values:
        grouped = found.loc[found["variable"] == variable, ["score", "customers", "lower", "upper"]]
        if variable == "monetary":
            grouped = grouped.assign(lower=grouped["lower"] / 100, upper=grouped["upper"] / 100)
        else:
            grouped = grouped.astype({"lower": "int64", "upper": "int64"})
        table = (
            pd.DataFrame({"score": [1, 2, 3]})
            .merge(grouped.astype({"score": "int64"}), on="score", how="left")
            .fillna({"customers": 0})
            .astype({"customers": "int64"})
        )
        threshold = table["upper"] if variable == "recency_days" else table["lower"]
        lo, hi = stats[f"lo_{variable}"], stats[f"hi_{variable}"]
        if thresholds.method == "range" and stats["n"] and lo != hi:
            if variable == "recency_days":  # the key is minus the days: score 3 begins at the fewest days
                low, high = -hi, -lo
                threshold = pd.Series([high, high - (high - low) / 3, high - 2 * (high - low) / 3])
            else:
                scale = 100 if variable == "monetary" else 1
                low, high = lo / scale, hi / scale
                threshold = pd.Series([low, low + (high - low) / 3, low + 2 * (high - low) / 3])
        tables.append(table.assign(variable=variable, threshold=threshold.to_numpy(dtype="float64")).loc[
            :, ["variable", "score", "customers", "lower", "upper", "threshold"]])
    return pd.concat(tables, ignore_index=True)


def _scores_sql(scoreable: str, thresholds: Thresholds) -> str:
    """SQL for the scoreable customers (``Summary.scoreable``) with r, f, m added."""
    scores = ", ".join(
        f"CASE WHEN {_KEYS[v]} >= {thresholds.t3[v]} THEN 3 WHEN {_KEYS[v]} >= {thresholds.t2[v]} THEN 2 "
        f"ELSE 1 END AS {s}" for v, s in SCORE_COLUMNS.items())
    return f"SELECT *, {scores} FROM {scoreable}"


@functools.cache
def _segment_sql() -> str:
    """The named segment of ``rfm_code``, from the code table (``clv.segments``): the table written as SQL."""
    arms = " ".join(f"WHEN {100 * r + 10 * f + m} THEN '{segment.replace(chr(39), chr(39) * 2)}'"
                    for r, f, m, segment in SEGMENT_CODES.itertuples(index=False))
    return f"CASE rfm_code {arms} END"


def rfm_tiered_sql(scored: str, tier_cuts: tuple[int, int]) -> str:
    """SQL adding rfm_score (3-9), rfm_code (e.g. 312), tier and segment to a query with r, f, m.

    The tier is High from the second cut, Medium from the first, else Low (METHOD.md section 5).

    >>> engine = DuckEngine()
    >>> engine.fetch(rfm_tiered_sql("SELECT 3 AS r, 2 AS f, 1 AS m", (5, 7))).to_pylist()
    [{'r': 3, 'f': 2, 'm': 1, 'rfm_score': 6, 'rfm_code': 321, 'tier': 'Medium', 'segment': 'Potential loyalists'}]
    """
    medium, high = tier_cuts
    return f"""
SELECT *, CASE WHEN rfm_score >= {high} THEN 'High' WHEN rfm_score >= {medium} THEN 'Medium' ELSE 'Low' END AS tier,
       {_segment_sql()} AS segment
FROM (SELECT *, r + f + m AS rfm_score, 100 * r + 10 * f + m AS rfm_code FROM ({scored}) AS scored) AS coded"""


def rfm_scored_sql(scoreable: str, thresholds: Thresholds, tier_cuts: tuple[int, int]) -> str:
    """SQL for the scored customers (``Summary.scoreable``): their columns, then r, f, m and ``rfm_tiered_sql``'s.

    Examples
    --------
    >>> engine = DuckEngine()
    >>> engine.keep("c", "SELECT * FROM (VALUES (0, 1, 100), (30, 2, 900)) AS t(recency_days, frequency, cents)")
    >>> t = Thresholds("range", {"recency_days": -20, "frequency": 2, "monetary": 400},
    ...                {"recency_days": -10, "frequency": 2, "monetary": 700})
    >>> engine.fetch(rfm_scored_sql("c", t, (5, 7))).select(["r", "f", "m", "tier"]).to_pylist()
    [{'r': 3, 'f': 1, 'm': 1, 'tier': 'Medium'}, {'r': 1, 'f': 3, 'm': 3, 'tier': 'High'}]
    """
    return rfm_tiered_sql(_scores_sql(scoreable, thresholds), tier_cuts)


_CELLS_SQL = """
SELECT r, f, m, count(*) AS customers, CAST(sum(frequency) AS BIGINT) AS orders, CAST(sum(cents) AS BIGINT) AS cents
FROM ({scored}) AS scored GROUP BY r, f, m
"""


def rfm_cell_sums(summary: Summary, thresholds: Thresholds) -> pd.DataFrame:
    """Customers, orders and cents added up per RFM cell (r, f, m): every lifetime value follows from these."""
    found = summary.engine.fetch(_CELLS_SQL.format(scored=_scores_sql(summary.scoreable, thresholds)))
    return found.to_pandas().astype("int64")


@functools.cache
def rfm_grid(tier_cuts: tuple[int, int]) -> pd.DataFrame:
    """The 27 RFM cells, row ``9(r-1) + 3(f-1) + (m-1)``: r, f, m, rfm_score, rfm_code, tier and segment.

    What a customer's scores give depends on its cell alone (``rfm_tiered_sql``'s rule, run here on the 27
    cells), so a table per customer can be added up per cell first and then tiered.

    >>> rfm_grid((5, 7)).loc[[0, 26], ["rfm_code", "tier", "segment"]].values.tolist()
    [[111, 'Low', 'Lost'], [333, 'High', 'Champions']]
    """
    cells = ("SELECT * FROM (SELECT unnest([1, 2, 3]) AS r) AS r CROSS JOIN (SELECT unnest([1, 2, 3]) AS f) AS f "
             "CROSS JOIN (SELECT unnest([1, 2, 3]) AS m) AS m")
    table = DuckEngine().fetch(f"{rfm_tiered_sql(cells, tier_cuts)} ORDER BY r, f, m").to_pandas()
    return table.astype({c: "int64" for c in ("r", "f", "m", "rfm_score", "rfm_code")}).assign(
        tier=lambda t: pd.Categorical(t["tier"], categories=list(TIERS)))


def rfm_cells(customers: pd.DataFrame, tier_cuts: tuple[int, int],
              by: tuple[str, ...] = ("r", "f", "m")) -> pd.DataFrame:
    """Scored customers -> one row per combination of the scores in ``by``, best first, empty ones included.

    Columns: the ``by`` scores, customers, revenue (their money summed) and average
    (money per customer, NaN where nobody is). For all three scores (the 27 RFM
    codes) also rfm_score, rfm_code, tier and segment, from ``rfm_grid``.

    Examples
    --------
    >>> c = pd.DataFrame({"r": [3, 3, 1], "f": [3, 3, 1], "m": [1, 1, 1], "monetary": [10.0, 30.0, 5.0]})
    >>> cells = rfm_cells(c, (5, 7), by=("r", "f"))
    >>> cells.loc[cells["customers"] > 0, ["r", "f", "customers", "revenue", "average"]]
       r  f  customers  revenue  average
    0  3  3          2     40.0     20.0
    8  1  1          1      5.0      5.0
    """
    keys = list(by)
    grid = pd.MultiIndex.from_product([[3, 2, 1]] * len(keys), names=keys).to_frame(index=False)
    stats = (
        customers.groupby(keys)["monetary"]
        .agg(customers="size", revenue="sum")
        .reset_index()
    )
    cells = grid.merge(stats, on=keys, how="left").fillna({"customers": 0, "revenue": 0.0})
    cells = cells.assign(
        customers=cells["customers"].astype("int64"),
        revenue=cells["revenue"].round(2),
        average=(cells["revenue"] / cells["customers"]).where(cells["customers"] > 0),
    )
    if set(keys) != set(SCORE_COLUMNS.values()):
        return cells
    return cells.merge(rfm_grid(tier_cuts), on=["r", "f", "m"], how="left")
