"""Recency, frequency and money per customer, and their 1-3 scores (METHOD.md 2-5).

The family, in the order a pipeline calls it:

- ``rfm_window``: settings and orders -> the analysis window;
- ``rfm_summary``: canonical orders -> one row per customer with recency_days,
  frequency, monetary, plus what the window left out;
- ``rfm_scores``: that summary -> r, f, m scores, the cut points used, warnings;
- ``rfm_tiers``: scores -> rfm_score, rfm_code, tier and named segment.

Money is carried as whole cents inside this module, so that equal spend is equal
whatever order the amounts were added in, and ties score alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from clv.errors import OrdersError
from clv.reasons import AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY
from clv.report import empty_exclusions, exclusions
from clv.segments import SEGMENT_CODES
from clv.settings import TIERS, Method, Settings

SCORED_VARIABLES = ("recency_days", "frequency", "monetary")
SCORE_COLUMNS = {"recency_days": "r", "frequency": "f", "monetary": "m"}


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
    """One row per customer with a counted order in the window, and what was left out."""

    window: Window
    customers: pd.DataFrame
    excluded: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Scores:
    """Customers with r, f, m; the cut points used; what the user should be told."""

    customers: pd.DataFrame
    cuts: pd.DataFrame
    warnings: tuple[str, ...]


def rfm_window(orders: pd.DataFrame, settings: Settings) -> Window:
    """The analysis window for canonical orders (METHOD.md section 2).

    ``as_of`` defaults to the latest order date. With ``window_days=None`` the
    window runs from the earliest order date and is ``as_of - earliest + 1`` days long.

    Examples
    --------
    >>> orders = pd.DataFrame({"date": pd.to_datetime(["2026-01-01", "2026-03-01"])})
    >>> w = rfm_window(orders, Settings(window_days=None))
    >>> (w.as_of.date(), w.first_day.date(), w.length_days)
    (datetime.date(2026, 3, 1), datetime.date(2026, 1, 1), 60)
    """
    if orders.empty:
        raise OrdersError("No orders are left to analyse: every row was left out (see the data-quality report).")
    earliest, latest = orders["date"].min(), orders["date"].max()
    as_of = pd.Timestamp(settings.as_of) if settings.as_of is not None else latest
    if as_of < earliest:
        raise OrdersError(
            f"The as-of date {as_of.date()} is before the first order ({earliest.date()}); choose a later date."
        )
    if settings.window_days is None:
        length = (as_of - earliest).days + 1
        return Window(as_of, earliest - pd.Timedelta(days=1), length, all_history=True)
    return Window(as_of, as_of - pd.Timedelta(days=settings.window_days), settings.window_days, all_history=False)


def rfm_summary(orders: pd.DataFrame, window: Window) -> Summary:
    """Canonical orders -> one row per customer with a counted order in the window.

    Orders with a net amount of 0 or less are not counted as orders but their
    amounts net against the customer's money (METHOD.md section 3). Customers are
    factorised once and every sum runs on integer codes: grouping strings is
    what costs time at millions of orders.

    Parameters
    ----------
    orders : DataFrame
        Columns customer, order, date, amount, rows (email and name optional).
    window : Window

    Returns
    -------
    Summary
        ``customers``: customer, email, name, recency_days, frequency, monetary,
        first_order_date, last_order_date (counted orders in the window), sorted by
        customer. ``excluded``: orders left out by reason (after the as-of date,
        before the window, customers whose orders in the window are all returns).
    """
    after = (orders["date"] > window.as_of).to_numpy()
    before = (orders["date"] <= window.start).to_numpy()
    inside = ~(after | before)
    codes, names = pd.factorize(orders["customer"])
    cents = np.rint(orders["amount"].to_numpy(dtype="float64") * 100).astype("int64")
    day = orders["date"].to_numpy().astype("datetime64[D]").astype("int64")
    rows = pd.DataFrame({"code": codes, "cents": cents, "day": day}).loc[inside]
    bought = rows.loc[rows["cents"] > 0]
    per_code = pd.DataFrame(
        {
            "monetary_cents": rows.groupby("code")["cents"].sum(),
            "frequency": bought.groupby("code").size(),
            "first_day": bought.groupby("code")["day"].min(),
            "last_day": bought.groupby("code")["day"].max(),
        }
    )
    has_order = per_code["frequency"].notna()
    kept = per_code.loc[has_order]
    as_of_day = np.datetime64(window.as_of.date(), "D").astype("int64")
    summary = (
        pd.DataFrame(
            {
                "customer": names[kept.index.to_numpy()],
                "recency_days": (as_of_day - kept["last_day"]).to_numpy(dtype="int64"),
                "frequency": kept["frequency"].to_numpy(dtype="int64"),
                "monetary": kept["monetary_cents"].to_numpy(dtype="int64") / 100,
                "first_order_date": _days_to_dates(kept["first_day"]),
                "last_order_date": _days_to_dates(kept["last_day"]),
            }
        )
        .join(_contacts(orders, codes, inside, day).reindex(kept.index).reset_index(drop=True))
        .sort_values("customer", kind="stable", ignore_index=True)
        .loc[:, ["customer", "email", "name", "recency_days", "frequency", "monetary",
                 "first_order_date", "last_order_date"]]
    )
    returns_only = np.zeros(len(names) + 1, dtype=bool)
    returns_only[per_code.index[~has_order].to_numpy()] = True
    reasons = np.select(
        [after, before, inside & returns_only[codes]], [AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY], ""
    )
    left_out = orders.loc[reasons != "", ["rows", "amount"]].assign(reason=reasons[reasons != ""])
    excluded = exclusions(left_out) if not left_out.empty else empty_exclusions()
    return Summary(window, summary, excluded)


def _days_to_dates(days: pd.Series) -> np.ndarray:
    return days.to_numpy(dtype="int64").astype("datetime64[D]").astype("datetime64[us]")


def _contacts(orders: pd.DataFrame, codes: np.ndarray, inside: np.ndarray, day: np.ndarray) -> pd.DataFrame:
    """Per customer code: the e-mail and name of their latest order in the window that has one.

    Two on the same day: the greater text wins, so the result never depends on row order.
    """
    found = {}
    for column in ("email", "name"):
        values = orders[column] if column in orders.columns else None
        if values is None or values.isna().all():
            found[column] = pd.Series(dtype="object")
            continue
        present = inside & values.notna().to_numpy()
        rows = pd.DataFrame({"code": codes[present], "day": day[present], "value": values.to_numpy()[present]})
        latest = rows.groupby("code")["day"].transform("max")
        found[column] = rows.loc[rows["day"] == latest].groupby("code")["value"].max()
    return pd.DataFrame(found).reindex(columns=["email", "name"])


def quantile_ranks(n: int) -> tuple[int, int]:
    """The ranks k1 = ceil(n/3), k2 = ceil(2n/3) whose values cut a quantile score.

    A value scores 1 + (value > v_k1) + (value > v_k2), with v_k the k-th smallest.

    >>> [quantile_ranks(n) for n in (1, 2, 3, 4, 5, 6)]
    [(1, 1), (1, 2), (1, 2), (2, 3), (2, 4), (2, 4)]
    """
    return (n + 2) // 3, (2 * n + 2) // 3


def score_quantile(values: np.ndarray) -> np.ndarray:
    """Thirds of the customers, higher values better; equal values share a score.

    With ``n`` values and ``w`` values strictly lower, the score is
    1 + (3w >= n) + (3w >= 2n). Since ``w >= k`` exactly when the k-th smallest
    value is below ``x``, the score needs only two order statistics,
    ``k = ceil(n/3)`` and ``ceil(2n/3)``: found in linear time, with no sort and
    no rank (the same trick keeps the Spark engine exact).

    Examples
    --------
    >>> score_quantile(np.array([1, 1, 1, 2, 5, 9])).tolist()
    [1, 1, 1, 2, 3, 3]
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype="int64")
    k1, k2 = quantile_ranks(n)
    low, high = _kth_smallest(values, [k1, k2])
    return 1 + (values > low).astype("int64") + (values > high).astype("int64")


def _kth_smallest(values: np.ndarray, ks: list[int]) -> np.ndarray:
    """The k-th smallest values (k from 1), for each k in ``ks``.

    Whole numbers within a span narrower than their count (days, orders, and cents
    at a million customers) are counted rather than partitioned, in less than half the time.

    >>> _kth_smallest(np.array([5, 1, 3, 3, 2]), [1, 3, 4, 5]).tolist()  # counted: span 4, five values
    [1, 3, 3, 5]
    >>> _kth_smallest(np.array([50, 1, 3]), [2]).tolist(), _kth_smallest(np.array([0.5, -2.0]), [2]).tolist()
    ([3], [0.5])
    """
    if values.dtype.kind in "iu":
        lowest = values.min()
        span = int(values.max()) - int(lowest)
        if span < len(values):
            seen = np.cumsum(np.bincount((values - lowest).astype(np.intp), minlength=span + 1))
            return lowest + np.searchsorted(seen, ks).astype(values.dtype)
    return np.partition(values, [k - 1 for k in ks])[[k - 1 for k in ks]]


def score_range(values: np.ndarray) -> np.ndarray:
    """Three equal parts of the observed range, higher values better; a value on a cut scores higher.

    Examples
    --------
    >>> score_range(np.array([0, 3, 4, 7, 8, 12])).tolist()
    [1, 1, 2, 2, 3, 3]
    """
    lo, hi = values.min(), values.max()
    offset = 3 * (values - lo)
    return 1 + (offset >= hi - lo).astype("int64") + (offset >= 2 * (hi - lo)).astype("int64")


_SCORERS = {"quantile": score_quantile, "range": score_range}


def whole_cents(money: pd.Series) -> np.ndarray:
    """Amounts in the currency -> whole cents (int64), the unit money is scored and added up in.

    >>> whole_cents(pd.Series([12.5, 0.1 + 0.2, -3.0])).tolist()
    [1250, 30, -300]
    """
    return (money * 100).round().to_numpy(dtype="int64")


def rfm_scores(customers: pd.DataFrame, method: Method) -> Scores:
    """One row per customer -> the same rows with r, f, m (1 least valuable, 3 most).

    Recency is scored on fewer days being better, money on whole cents. A variable
    with a single distinct value scores 2 for everyone.

    Returns
    -------
    Scores
        ``customers`` with columns r, f, m added; ``cuts`` with one row per variable
        and score: variable, score, customers, lower, upper (the values that
        customers with that score have), threshold (where the score begins:
        the range method's cut, or the quantile's first value); ``warnings``.
    """
    keys = {
        "recency_days": -customers["recency_days"].to_numpy(dtype="int64"),
        "frequency": customers["frequency"].to_numpy(dtype="int64"),
        "monetary": whole_cents(customers["monetary"]),
    }
    scores, cuts, warnings = {}, [], []
    for variable, key in keys.items():
        if len(key) == 0 or key.min() == key.max():
            score = np.full(len(key), 2, dtype="int64")
            if len(key):
                warnings.append(
                    f"Every customer has the same {_LABELS[variable]}, so it carries no information: "
                    f"everyone scores {SCORE_COLUMNS[variable].upper()}=2."
                )
        else:
            score = _SCORERS[method](key)
        scores[SCORE_COLUMNS[variable]] = score
        table = _cut_table(variable, customers[variable], score, key, method)
        cuts.append(table)
        empty = table.loc[table["customers"] == 0, "score"].tolist()
        if method == "quantile" and empty and len(key) >= 3 and key.min() != key.max():
            warnings.append(
                f"Ties in {_LABELS[variable]} leave no customer with "
                + " or ".join(f"{SCORE_COLUMNS[variable].upper()}={s}" for s in empty)
                + ": equal values share a score rather than being split arbitrarily."
            )
    return Scores(customers.assign(**scores), pd.concat(cuts, ignore_index=True), tuple(warnings))


_LABELS = {"recency_days": "recency", "frequency": "number of orders", "monetary": "spend"}


def _cut_table(variable: str, values: pd.Series, score: np.ndarray, key: np.ndarray, method: Method) -> pd.DataFrame:
    """Per score: how many customers, the values they span, and where the score begins."""
    numbers = values.to_numpy()
    counts = np.bincount(score, minlength=4)[1:]
    present = [s for s in (1, 2, 3) if counts[s - 1]]
    lower, upper = (np.full(3, start, dtype=numbers.dtype) for start in
                    ((numbers.max(), numbers.min()) if len(numbers) else (0, 0)))
    np.minimum.at(lower, score - 1, numbers)  # one pass each: a tenth of three masks at a million customers
    np.maximum.at(upper, score - 1, numbers)
    at = [s - 1 for s in present]
    grouped = pd.DataFrame({"score": present, "customers": counts[at],
                            "lower": pd.Series(lower[at], dtype=values.dtype),
                            "upper": pd.Series(upper[at], dtype=values.dtype)})
    table = (
        pd.DataFrame({"score": [1, 2, 3]})
        .merge(grouped, on="score", how="left")
        .fillna({"customers": 0})
        .astype({"customers": "int64"})
    )
    threshold = table["upper"] if variable == "recency_days" else table["lower"]
    if method == "range" and len(key) and key.min() != key.max():
        lo, hi = values.min(), values.max()
        span = hi - lo
        if variable == "recency_days":  # fewer days is better: score 3 begins at the low end
            threshold = pd.Series([hi, hi - span / 3, hi - 2 * span / 3])
        else:
            threshold = pd.Series([lo, lo + span / 3, lo + 2 * span / 3])
    return table.assign(variable=variable, threshold=threshold.to_numpy(dtype="float64")).loc[
        :, ["variable", "score", "customers", "lower", "upper", "threshold"]
    ]


def rfm_cell_of(scored: pd.DataFrame) -> np.ndarray:
    """Customers with r, f, m -> each one's row in ``rfm_grid``."""
    r, f, m = (scored[c].to_numpy(dtype="int64") for c in ("r", "f", "m"))
    return 9 * (r - 1) + 3 * (f - 1) + (m - 1)


_SEGMENT_BY_CELL = pd.array(SEGMENT_CODES["segment"].iloc[np.argsort(rfm_cell_of(SEGMENT_CODES))].tolist(), dtype="str")
"""The segment of each of the 27 codes, indexed by 9(r-1) + 3(f-1) + (m-1) (pandas text: taking from it
is Arrow's take, 10x faster than building text from a million Python strings)."""


def rfm_tiers(scored: pd.DataFrame, tier_cuts: tuple[int, int]) -> pd.DataFrame:
    """Customers with r, f, m -> with rfm_score (3-9), rfm_code (e.g. 312), tier and segment.

    ``tier_cuts`` are the lowest scores of Medium and High (default 5 and 7).
    ``tier`` is an ordered categorical High > Medium > Low; ``segment`` comes from
    the code table in ``clv.segments``.

    Examples
    --------
    >>> t = rfm_tiers(pd.DataFrame({"r": [3, 2, 1], "f": [3, 2, 1], "m": [1, 2, 1]}), (5, 7))
    >>> t[["rfm_score", "rfm_code", "tier", "segment"]].values.tolist()
    [[7, 331, 'High', 'Loyal customers'], [6, 222, 'Medium', 'Need attention'], [3, 111, 'Low', 'Lost']]
    """
    medium, high = tier_cuts
    r, f, m = (scored[c].to_numpy(dtype="int64") for c in ("r", "f", "m"))
    rfm_score = r + f + m
    tier_codes = np.where(rfm_score >= high, 0, np.where(rfm_score >= medium, 1, 2))
    return scored.assign(
        rfm_score=rfm_score,
        rfm_code=100 * r + 10 * f + m,
        tier=pd.Categorical.from_codes(tier_codes, categories=list(TIERS)),
        segment=pd.Series(_SEGMENT_BY_CELL.take(rfm_cell_of(scored)), index=scored.index),
    )


def rfm_grid(tier_cuts: tuple[int, int]) -> pd.DataFrame:
    """The 27 RFM cells, row ``9(r-1) + 3(f-1) + (m-1)``: r, f, m, rfm_score, rfm_code, tier and segment.

    What a customer's scores give depends on its cell alone, so a table per customer
    can be added up per cell first (``clv.analysis.score``) or written per cell (``clv.export``).

    >>> rfm_grid((5, 7)).loc[[0, 26], ["rfm_code", "tier", "segment"]].values.tolist()
    [[111, 'Low', 'Lost'], [333, 'High', 'Champions']]
    """
    cell = np.arange(27)
    return rfm_tiers(pd.DataFrame({"r": 1 + cell // 9, "f": 1 + cell // 3 % 3, "m": 1 + cell % 3}), tier_cuts)


def rfm_cells(customers: pd.DataFrame, tier_cuts: tuple[int, int], by: tuple[str, ...] = ("r", "f", "m")) -> pd.DataFrame:
    """Scored customers -> one row per combination of the scores in ``by``, best first, empty ones included.

    Columns: the ``by`` scores, customers, revenue (their money summed) and average
    (money per customer, NaN where nobody is). For all three scores (the 27 RFM
    codes) also rfm_score, rfm_code, tier and segment, by the same rule as ``rfm_tiers``.

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
    return rfm_tiers(cells, tier_cuts) if set(keys) == set(SCORE_COLUMNS.values()) else cells
