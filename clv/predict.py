"""Predicted value: who will buy again, how often, and for how much (METHOD.md section 9).

Two "buy till you die" models, fitted by maximum likelihood with time in days:

- BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"):
  while alive a customer buys at rate lambda ~ Gamma(r, alpha); after each
  purchase they drop out with probability p ~ Beta(a, b);
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves";
  Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): a customer's
  purchase amounts are Gamma(p, nu) with nu ~ Gamma(q, gamma).

The family, in the order a pipeline calls it:

- ``prediction_inputs``: canonical orders -> each customer's x, t_x, T, m (kept in the engine);
- ``prediction_fit``: those inputs -> both models fitted, or an ``OrdersError`` saying why not;
- ``predictions``: a fit and customers' inputs -> p_alive, expected_orders,
  expected_order_value, predicted_clv over a horizon; ``prediction_table`` the
  same for customers named in any order (the scored customers of an analysis);
- ``prediction_groups``: those per customer -> per tier or segment, and All;
- ``bgnbd_*`` and ``gamma_gamma_*``: each model's likelihood, fit and per-customer formulas.

The inputs are one more statement of the method in SQL (``clv.engine``): from
every counted order (net amount above 0) dated on or before as-of, per customer

    x              purchase days - 1 (orders of one day are one purchase)
    t_x            days from the first to the last purchase day
    T              days from the first purchase day to as-of
    repeat_cents   what the purchase days after the first came to, in cents

and the two tables the models are fitted from, collapsed in the engine so that
on Spark only they reach the driver: customers per (x, t_x, T), and customers
with x >= 1 per (x, repeat_cents). Their mean repeat amount is
``m = repeat_cents / x`` (in the store's currency after dividing by 100).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from clv.engine import ORDERS, PREDICTION_INPUTS, Engine, day_literal
from clv.errors import OrdersError

MIN_REPEAT_CUSTOMERS = 100
"""Fewer customers who came back on another day than this, and the fit is not made: too thin to trust."""
HORIZON_DAYS = 365
"""How far ahead expected orders and predicted value look, by default: a year."""
PREDICTION_COLUMNS = ["p_alive", "expected_orders", "expected_order_value", "predicted_clv"]

_INPUTS_SQL = """
SELECT customer,
       CAST(count(*) - 1 AS BIGINT) AS x,
       CAST(date_diff('day', min(day), max(day)) AS BIGINT) AS t_x,
       CAST(date_diff('day', min(day), {as_of}) AS BIGINT) AS T,
       CAST(sum(cents) - arg_min(cents, day) AS BIGINT) AS repeat_cents
FROM (SELECT customer, day, sum(cents) AS cents
      FROM {orders}
      WHERE cents > 0 AND day <= {as_of}
      GROUP BY customer, day) AS purchase_days
GROUP BY customer
"""
"""Per customer with a counted order on or before as-of: its purchase days (the distinct days of its counted
orders, each with the sum of that day's counted orders) summed up. A customer's days are distinct, so the first
day's amount (``arg_min``, Spark's ``min_by``) is one value."""

_FREQUENCIES_SQL = """
SELECT x, t_x, T, count(*) AS customers FROM {inputs} GROUP BY x, t_x, T
"""
"""The BG/NBD's data: customers with the same (x, t_x, T) are one weighted row (days are whole, so most are)."""

_SPENDS_SQL = """
SELECT x, repeat_cents, count(*) AS customers FROM {inputs} WHERE x >= 1 GROUP BY x, repeat_cents
"""
"""The Gamma-Gamma's data: repeat customers with the same (x, repeat_cents), hence the same mean, in one row."""


@dataclass(frozen=True, eq=False)
class Inputs:
    """The per-customer model inputs at ``as_of``, held by the engine as ``relation`` (``_INPUTS_SQL``)."""

    as_of: pd.Timestamp
    engine: Engine
    relation: str

    @functools.cached_property
    def customers(self) -> pd.DataFrame:
        """One row per customer with a counted order on or before as-of, sorted by customer:
        customer, x, t_x, T (whole days, int64), m (mean amount of the repeat purchase days; NaN where x = 0)."""
        table = self.engine.fetch(f"SELECT customer, x, t_x, T, repeat_cents FROM {self.relation} ORDER BY customer")
        x = table.column("x").to_numpy().astype("int64", copy=False)
        cents = table.column("repeat_cents").to_numpy().astype("float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(x > 0, cents / np.maximum(x, 1) / 100, np.nan)
        return pd.DataFrame({
            "customer": table.column("customer").cast("string").to_pandas(),
            "x": x,
            "t_x": table.column("t_x").to_numpy().astype("int64", copy=False),
            "T": table.column("T").to_numpy().astype("int64", copy=False),
            "m": m,
        }, copy=False)

    @functools.cached_property
    def frequencies(self) -> pd.DataFrame:
        """Customers per (x, t_x, T), sorted: x, t_x, T, customers (int64). The BG/NBD is fitted from it."""
        found = self.engine.fetch(_FREQUENCIES_SQL.format(inputs=self.relation)).to_pandas()
        return found.astype("int64").sort_values(["x", "t_x", "T"], ignore_index=True)

    @functools.cached_property
    def spends(self) -> pd.DataFrame:
        """Repeat customers (x >= 1) per (x, m), sorted: x, m (mean repeat amount), customers. The Gamma-Gamma
        is fitted from it."""
        found = self.engine.fetch(_SPENDS_SQL.format(inputs=self.relation)).to_pandas().astype("int64")
        found = found.sort_values(["x", "repeat_cents"], ignore_index=True)
        return pd.DataFrame({"x": found["x"], "m": found["repeat_cents"] / found["x"] / 100,
                             "customers": found["customers"]})


def prediction_inputs(engine: Engine, as_of: pd.Timestamp) -> Inputs:
    """The engine's canonical orders -> each customer's model inputs at ``as_of``, kept in the engine.

    Every counted order (net amount above 0) dated on or before ``as_of`` counts,
    the whole history rather than the window: the models need each customer's
    life since the first purchase (METHOD.md section 9).

    Examples
    --------
    One customer bought twice on 1 January (one purchase day of 15.00), again on
    1 February (20.00) and 1 April (40.00), and returned something in March:

    >>> from clv.engine import DuckEngine
    >>> engine = DuckEngine()
    >>> engine.keep("orders", "SELECT * FROM (VALUES ('a', DATE '2026-01-01', 1000), ('a', DATE '2026-01-01', 500), "
    ...             "('a', DATE '2026-02-01', 2000), ('a', DATE '2026-03-01', -500), ('a', DATE '2026-04-01', 4000)) "
    ...             "AS t(customer, day, cents)")
    >>> prediction_inputs(engine, pd.Timestamp("2026-06-30")).customers
      customer  x  t_x    T     m
    0        a  2   90  180  30.0
    """
    relation = f"{PREDICTION_INPUTS}_{as_of:%Y%m%d}"
    engine.keep(relation, _INPUTS_SQL.format(orders=ORDERS, as_of=day_literal(as_of)))
    return Inputs(as_of, engine, relation)


@dataclass(frozen=True)
class BgNbd:
    """A fitted BG/NBD: purchase rate ~ Gamma(r, alpha) (alpha in days), dropout ~ Beta(a, b).

    ``log_likelihood`` is in days (the paper's, in weeks, is this + ln(7) x sum(x));
    ``customers`` is how many customers it was fitted on.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma: amounts ~ Gamma(p, nu), nu ~ Gamma(q, gamma), fitted on ``customers`` repeat customers."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int


@dataclass(frozen=True)
class Fit:
    """Both models, fitted on the orders known at ``as_of``."""

    as_of: pd.Timestamp
    purchases: BgNbd
    spend: GammaGamma


def prediction_fit(inputs: Inputs) -> Fit:
    """The inputs' collapsed tables -> both models fitted by maximum likelihood.

    Raises
    ------
    OrdersError
        Fewer than ``MIN_REPEAT_CUSTOMERS`` customers bought on a second day, or a
        fit did not converge: the message says which, and no numbers are given.
    """
    frequencies, spends = inputs.frequencies, inputs.spends
    repeat = int(spends["customers"].sum())
    if repeat < MIN_REPEAT_CUSTOMERS:
        raise OrdersError(
            f"Predictions need at least {MIN_REPEAT_CUSTOMERS} customers who bought again on a later day; "
            f"these orders up to {inputs.as_of.date()} have {repeat}. Use a longer history or a later as-of date."
        )
    return Fit(inputs.as_of, bgnbd_fit(frequencies), gamma_gamma_fit(spends))


def predictions(fit: Fit, customers: pd.DataFrame, horizon_days: int = HORIZON_DAYS,
                margin: float = 1.0) -> pd.DataFrame:
    """Customers' inputs (columns x, t_x, T, m, as ``Inputs.customers``) -> p_alive, expected_orders,
    expected_order_value and predicted_clv (= expected_orders x expected_order_value x margin, undiscounted),
    one row each in the same order and index.

    Examples
    --------
    >>> fit = Fit(pd.Timestamp("2026-06-30"), BgNbd(2.0, 1.0, 2.0, 1.0, 0.0, 0), GammaGamma(1.0, 3.0, 10.0, 0.0, 0))
    >>> predictions(fit, pd.DataFrame({"x": [0, 1], "t_x": [0, 1], "T": [0, 1], "m": [np.nan, 20.0]}),
    ...             horizon_days=2, margin=0.5).round(4)
       p_alive  expected_orders  expected_order_value  predicted_clv
    0   1.0000           1.3333                   5.0         3.3333
    1   0.3333           0.5000                  10.0         2.5000
    """
    x, t_x, T = (customers[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T"))
    alive = bgnbd_p_alive(fit.purchases, x, t_x, T)
    orders = _expected_if_alive(fit.purchases, horizon_days, x, T) * alive
    value = gamma_gamma_mean(fit.spend, x, customers["m"].to_numpy(dtype="float64"))
    return pd.DataFrame({
        "p_alive": alive,
        "expected_orders": orders,
        "expected_order_value": value,
        "predicted_clv": orders * value * margin,
    }, index=customers.index)


def prediction_table(fit: Fit, inputs: Inputs, customers: pd.Series, horizon_days: int = HORIZON_DAYS,
                     margin: float = 1.0) -> pd.DataFrame:
    """Customers by name, in any order, each with a counted order on or before as-of (say, an analysis's scored
    customers) -> their ``predictions``, one row each in the same order, indexed 0, 1, ..."""
    known = inputs.customers
    at = pd.Index(known["customer"]).get_indexer(customers)
    if (at < 0).any():
        raise ValueError(f"{int((at < 0).sum())} customers have no model inputs at {inputs.as_of.date()}")
    return predictions(fit, known.iloc[at].reset_index(drop=True), horizon_days, margin)


def valuable_and_slipping(customers: pd.DataFrame, below: float) -> pd.DataFrame:
    """Scored customers with predictions -> those in the top third by spend (M = 3) whose P(alive) is below
    ``below``, most spend first: the win-back list.

    >>> c = pd.DataFrame({"customer": ["a", "b", "c", "d"], "m": [3, 3, 2, 3], "p_alive": [0.2, 0.9, 0.1, 0.4],
    ...                   "monetary": [50.0, 90.0, 20.0, 80.0]})
    >>> valuable_and_slipping(c, 0.5)["customer"].tolist()
    ['d', 'a']
    """
    chosen = customers.loc[(customers["m"] == 3) & (customers["p_alive"] < below)]
    return chosen.sort_values("monetary", ascending=False, kind="stable")


def prediction_groups(groups: pd.Series, predicted: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Each customer's group (tier or segment) and predictions, row for row -> one row per group in ``order``,
    then ``All``: customers, predicted_clv_sum, predicted_clv (mean per customer), p_alive (mean), expected_orders
    (sum). A group without customers has 0 customers and sums and no means.

    >>> predicted = pd.DataFrame({"p_alive": [1.0, 0.5, 0.2], "expected_orders": [2.0, 1.0, 0.5],
    ...                           "predicted_clv": [40.0, 10.0, 4.0]})
    >>> groups = prediction_groups(pd.Series(["High", "Low", "Low"]), predicted, ["High", "Medium", "Low"])
    >>> groups.drop(columns="predicted_clv_sum").round(4)
        group  customers  predicted_clv  p_alive  expected_orders
    0    High          1           40.0   1.0000              2.0
    1  Medium          0            NaN      NaN              0.0
    2     Low          2            7.0   0.3500              1.5
    3     All          3           18.0   0.5667              3.5
    """
    table = pd.DataFrame({"group": np.asarray(groups, dtype=object), "p_alive": predicted["p_alive"].to_numpy(),
                          "expected_orders": predicted["expected_orders"].to_numpy(),
                          "predicted_clv": predicted["predicted_clv"].to_numpy()})
    sums = table.groupby("group").agg(customers=("p_alive", "size"), predicted_clv_sum=("predicted_clv", "sum"),
                                      p_alive_sum=("p_alive", "sum"), expected_orders=("expected_orders", "sum"))
    sums = sums.reindex(order, fill_value=0)
    sums.loc["All"] = [len(table), table["predicted_clv"].sum(), table["p_alive"].sum(),
                       table["expected_orders"].sum()]
    count = sums["customers"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        means = {"predicted_clv": sums["predicted_clv_sum"] / count.where(count > 0),
                 "p_alive": sums["p_alive_sum"] / count.where(count > 0)}
    return pd.DataFrame({"group": sums.index.astype("object"), "customers": count.to_numpy(),
                         "predicted_clv_sum": sums["predicted_clv_sum"].to_numpy(dtype="float64"),
                         "predicted_clv": means["predicted_clv"].to_numpy(dtype="float64"),
                         "p_alive": means["p_alive"].to_numpy(dtype="float64"),
                         "expected_orders": sums["expected_orders"].to_numpy(dtype="float64")})


# The BG/NBD -----------------------------------------------------------------------------------------------------


def _bgnbd_terms(r, alpha, a, b, x, t_x, T):
    """ln L = A1 + ln(e^A2 + [x > 0] e^A3), the paper's eq. 6 in logs; the x = 0 rows get A3 = -inf."""
    repeat = x > 0
    b_back = np.where(repeat, b + x - 1, 1.0)  # b + x - 1 > 0 for x >= 1; a stand-in where the term is absent
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    a3 = np.where(repeat, betaln(a + 1, b_back) - betaln(a, b) - (r + x) * np.log(alpha + t_x), -np.inf)
    return a1, a2, a3


def bgnbd_log_likelihood(r: float, alpha: float, a: float, b: float, x, t_x, T) -> np.ndarray:
    """Each customer's BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6), time in the unit of alpha.

    L = B(a, b+x)/B(a, b) G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))

    Examples
    --------
    With r = alpha = a = b = 1: a customer seen for one day who never came back has
    L = 1/2; one who came back on day 1 and was seen for two has L = 1/18 + 1/8 = 13/72.

    >>> np.exp(bgnbd_log_likelihood(1, 1, 1, 1, np.array([0, 1]), np.array([0, 1]), np.array([1, 2]))) * [2, 72 / 13]
    array([1., 1.])
    """
    x, t_x, T = (np.asarray(v, dtype="float64") for v in (x, t_x, T))
    a1, a2, a3 = _bgnbd_terms(r, alpha, a, b, x, t_x, T)
    return a1 + np.logaddexp(a2, a3)


def _dot(weights: np.ndarray, values: np.ndarray) -> float:
    """sum(weights x values) in numpy's own loop: ``@`` hands long vectors to OpenBLAS, whose threads wait on one
    another when the cores are busy (5 ms a dot instead of 0.03 on 157k rows, measured on this 2-core machine)."""
    return float(np.einsum("i,i->", weights, values))


class _ByX(NamedTuple):
    """Weighted rows grouped by x for a fit: the special functions of a likelihood depend on x alone, so they are
    computed once per distinct x and meet the rows through sums over each x's rows."""

    xs: np.ndarray        # the distinct x
    at: np.ndarray        # each row's place in xs
    x: np.ndarray         # each row's x
    weights: np.ndarray   # each row's customers
    per_x: np.ndarray     # the customers of each distinct x

    @classmethod
    def of(cls, x: np.ndarray, weights: np.ndarray) -> _ByX:
        xs, at = np.unique(x, return_inverse=True)
        return cls(xs, at, x, weights, np.bincount(at, weights=weights, minlength=len(xs)))

    def total(self, values: np.ndarray) -> float:
        """The weighted sum over the rows of a quantity that depends on x alone, given per distinct x."""
        return float(_dot(self.per_x, values))

    def shares(self, row_values: np.ndarray) -> np.ndarray:
        """Per distinct x, the weighted sum of a quantity given per row."""
        return np.bincount(self.at, weights=self.weights * row_values, minlength=len(self.xs))


class _Days(NamedTuple):
    """A column of times (t_x or T) as its distinct values and each row's place among them: days are whole, so
    a few thousand distinct values stand for every row, and logarithms and reciprocals are taken of those."""

    values: np.ndarray
    at: np.ndarray

    @classmethod
    def of(cls, days: np.ndarray) -> _Days:
        values, at = np.unique(days, return_inverse=True)
        return cls(values, at)


def _bgnbd_objective(log_params, rows: _ByX, t_x: _Days, T: _Days):
    """Minus the weighted mean log-likelihood, and its gradient in the log-parameters.

    ln L = A1 + A2 + ln(1 + e^(A3 - A2)), the terms of ``_bgnbd_terms``; the second term's share of L is
    w3 = e^(A3 - A2) / (1 + e^(A3 - A2)) (0 where x = 0). What depends on x alone is summed through ``_ByX``,
    logarithms and reciprocals of alpha + t are taken per distinct t (``_Days``): per row remain an exponential,
    a log1p and arithmetic.
    """
    r, alpha, a, b = np.exp(log_params)
    xs = rows.xs
    b_back = np.where(xs > 0, b + xs - 1, 1.0)  # b + x - 1 > 0 for x >= 1; a stand-in where the term is absent
    beta = betaln(a, b)
    ab, abx = digamma(a + b), digamma(a + b + xs)
    c12 = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - beta  # A1 + A2, less the T term
    c32 = np.where(xs > 0, betaln(a + 1, b_back) - betaln(a, b + xs), -np.inf)  # A3 - A2, less the t_x, T terms
    dr = digamma(r + xs) - digamma(r) + np.log(alpha)
    da2, da3 = ab - abx, digamma(a + 1) - digamma(a) + ab - abx
    db2, db3 = digamma(b + xs) - digamma(b) + ab - abx, digamma(b_back) - digamma(b) + ab - abx

    w = rows.weights
    rx = r + rows.x
    log_T, log_t_x = np.log(alpha + T.values)[T.at], np.log(alpha + t_x.values)[t_x.at]
    per_T, per_t_x = (1 / (alpha + T.values))[T.at], (1 / (alpha + t_x.values))[t_x.at]
    later = log_t_x - log_T
    gap = c32[rows.at] - rx * later
    small = np.exp(-np.abs(gap))  # 1 + e^gap and its share, without overflow: 0 where x = 0
    w3 = np.where(gap > 0, 1.0, small) / (1 + small)
    log_likelihood = rows.total(c12) - _dot(w, rx * log_T) + _dot(w, np.log1p(small) + np.maximum(gap, 0))
    d_r = rows.total(dr) - _dot(w, log_T) - _dot(w, w3 * later)
    d_alpha = r / alpha * w.sum() - _dot(w, rx * (per_T + w3 * (per_t_x - per_T)))
    shares3 = rows.shares(w3)
    d_a = rows.total(da2) + _dot(shares3, da3 - da2)
    d_b = rows.total(db2) + _dot(shares3, db3 - db2)
    n = w.sum()
    return -log_likelihood / n, -np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b]) / n


def bgnbd_fit(frequencies: pd.DataFrame) -> BgNbd:
    """Customers per (x, t_x, T) in days (``Inputs.frequencies``) -> the BG/NBD by maximum likelihood.

    L-BFGS-B on the logarithms of r, alpha, a, b (so they stay positive), each row
    weighted by its customers, with the gradient written out.

    Raises
    ------
    OrdersError
        The optimiser did not converge, or a parameter ran off to 0 or infinity.
    """
    x, t_x, T, weights = (frequencies[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T", "customers"))
    unit = max(_dot(weights, T) / weights.sum(), 1.0)  # fitted in units of the mean T, so all four start at 1
    data = (_ByX.of(x, weights), _Days.of(t_x / unit), _Days.of(T / unit))
    found = _maximise(_bgnbd_objective, 4, data, "purchase model (BG/NBD)")
    r, alpha, a, b = np.exp(found.x) * [1.0, unit, 1.0, 1.0]
    # The likelihood in days: each repeat purchase's density is per unit of time, 1/unit as much per day.
    log_likelihood = -found.fun * weights.sum() - np.log(unit) * _dot(weights, x)
    return BgNbd(float(r), float(alpha), float(a), float(b), float(log_likelihood), int(weights.sum()))


def bgnbd_p_alive(model: BgNbd, x, t_x, T) -> np.ndarray:
    """P(alive | x, t_x, T) (Fader, Hardie & Lee, "Computing P(alive) Using the BG/NBD Model"):

        1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))

    computed from the log of the odds, so a long-silent heavy buyer gets 0, not NaN.

    >>> bgnbd_p_alive(BgNbd(1, 1, 1, 2, 0, 0), np.array([0, 1]), np.array([0, 1]), np.array([5, 2]))
    array([1.        , 0.47058824])
    """
    x, t_x, T = (np.asarray(v, dtype="float64") for v in (x, t_x, T))
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    repeat = x > 0
    log_odds = np.where(
        repeat,
        np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)),
        -np.inf)
    return expit(-log_odds)


def bgnbd_expected_purchases(model: BgNbd, t, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next ``t`` days (Fader, Hardie & Lee 2005, eq. 10):

        E[Y(t) | x, t_x, T] = (a + b + x - 1) / (a - 1)
                              x [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)]
                              x P(alive),     z = t / (alpha + T + t)

    For a heavy buyer (x in the hundreds) the 2F1 overflows while the power
    underflows, and the product comes out NaN. Euler's transformation
    (Abramowitz & Stegun 15.3.3), 2F1(A, B; C; z) = (1 - z)^(C-A-B) 2F1(C-A, C-B; C; z),
    turns the bracket's product into (1 - z)^(a-1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z):
    the same number, with small upper parameters and a large lower one, whose
    series converges the faster the more purchases (the problem Fader & Hardie's
    note "Overcoming the BG/NBD Model's #NUM! Error Problem" addresses).

    >>> bgnbd_expected_purchases(BgNbd(2, 1, 2, 1, 0, 0), 1.0, np.array([0]), np.array([0]), np.array([0]))
    array([1.])
    """
    x, t_x, T = (np.asarray(v, dtype="float64") for v in (x, t_x, T))
    return _expected_if_alive(model, t, x, T) * bgnbd_p_alive(model, x, t_x, T)


def _expected_if_alive(model: BgNbd, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Eq. 10 without its P(alive): it depends on (x, T) alone, so it is computed once per distinct pair (a
    million customers have a few tens of thousands) and looked up."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    x_code, xs = pd.factorize(x)
    T_code, Ts = pd.factorize(T)
    pair, pairs = pd.factorize(x_code.astype("int64") * len(Ts) + T_code)
    x, T = xs[pairs // len(Ts)], Ts[pairs % len(Ts)]
    z = t / (alpha + T + t)
    bracket = 1 - (1 - z) ** (a - 1) * _hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    return ((a + b + x - 1) / (a - 1) * bracket)[pair]


def _hyp2f1(A: float, B: float, C, z) -> np.ndarray:
    """The Gauss hypergeometric function for 0 <= z < 1, by scipy; its series where scipy gives no number.

    scipy's 2F1 returns NaN for some arguments it should manage (for instance an integer
    C - A - B with z above 0.9); the series itself converges for every z below 1.
    """
    C, z = np.broadcast_arrays(np.asarray(C, dtype="float64"), np.asarray(z, dtype="float64"))
    values = hyp2f1(A, B, C, z)
    lost = ~np.isfinite(values)
    if lost.any():
        values = values.copy()
        values[lost] = _hyp2f1_series(A, B, C[lost], z[lost])
    return values


def _hyp2f1_series(A: float, B: float, C: np.ndarray, z: np.ndarray, terms: int = 1_000_000) -> np.ndarray:
    """sum_k (A)_k (B)_k / ((C)_k k!) z^k, term by term until the terms no longer count."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    for k in range(terms):
        term = term * (A + k) * (B + k) / ((C + k) * (k + 1)) * z
        total = total + term
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            return total
    return np.full_like(z, np.nan)


# The Gamma-Gamma ------------------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood(p: float, q: float, gamma: float, x, m) -> np.ndarray:
    """Each repeat customer's Gamma-Gamma log-likelihood for the mean ``m`` of ``x`` amounts (Fader & Hardie 2013):

        f(m | x) = G(p x + q) / (G(p x) G(q)) gamma^q m^(p x - 1) x^(p x) / (gamma + m x)^(p x + q)

    Examples
    --------
    With p = 1, q = 2, gamma = 1, one amount of 1 has density 2 / 2^3 = 1/4:

    >>> np.exp(gamma_gamma_log_likelihood(1, 2, 1, np.array([1.0]), np.array([1.0]))).round(12)
    array([0.25])
    """
    x, m = np.asarray(x, dtype="float64"), np.asarray(m, dtype="float64")
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(gamma + m * x))


def _gamma_gamma_objective(log_params, rows: _ByX, log_m, spent):
    """Minus the weighted mean log-likelihood, and its gradient in the log-parameters.

    ``log_m`` and ``spent`` (m x, what the repeat purchases came to) are the rows' own; what depends on x alone
    (the special functions) is summed through ``_ByX``.
    """
    p, q, gamma = np.exp(log_params)
    xs, w = rows.xs, rows.weights
    pxs = p * xs
    both = digamma(pxs + q)
    c = gammaln(pxs + q) - gammaln(pxs) - gammaln(q) + q * np.log(gamma) + pxs * np.log(xs)
    px = p * rows.x
    log_total = np.log(gamma + spent)
    log_likelihood = rows.total(c) + _dot(w, (px - 1) * log_m - (px + q) * log_total)
    d_p = rows.total(xs * (both - digamma(pxs) + np.log(xs))) + _dot(w, rows.x * (log_m - log_total))
    d_q = rows.total(both - digamma(q) + np.log(gamma)) - _dot(w, log_total)
    d_gamma = q / gamma * w.sum() - _dot(w, (px + q) / (gamma + spent))
    n = w.sum()
    return -log_likelihood / n, -np.array([d_p * p, d_q * q, d_gamma * gamma]) / n


def gamma_gamma_fit(spends: pd.DataFrame) -> GammaGamma:
    """Repeat customers per (x, m) (``Inputs.spends``) -> the Gamma-Gamma by maximum likelihood.

    Raises
    ------
    OrdersError
        The optimiser did not converge, a parameter ran off, or q <= 1 (then the
        model's average order value has no finite mean).
    """
    x, m, weights = (spends[c].to_numpy(dtype="float64") for c in ("x", "m", "customers"))
    unit = _dot(weights, m) / weights.sum()  # fitted in units of the mean m, so all three start at 1
    data = (_ByX.of(x, weights), np.log(m / unit), x * m / unit)
    found = _maximise(_gamma_gamma_objective, 3, data, "spend model (Gamma-Gamma)")
    p, q, gamma = np.exp(found.x) * [1.0, 1.0, unit]
    if q <= 1:
        raise OrdersError(
            f"The spend model (Gamma-Gamma) found q = {q:.3g}, at most 1: order values this spread out have no "
            "finite average under the model, so there are no predicted values."
        )
    # The likelihood in the currency: m's density is per unit of money, 1/unit as much per currency unit.
    log_likelihood = -found.fun * weights.sum() - np.log(unit) * weights.sum()
    return GammaGamma(float(p), float(q), float(gamma), float(log_likelihood), int(weights.sum()))


def gamma_gamma_mean(model: GammaGamma, x, m) -> np.ndarray:
    """Expected value of a customer's next order: p (gamma + m x) / (p x + q - 1) for x >= 1 (a weighted mean of
    the population's p gamma / (q - 1) and the customer's own ``m``); the population mean for x = 0.

    >>> gamma_gamma_mean(GammaGamma(1, 3, 10, 0, 0), np.array([0, 2]), np.array([np.nan, 20.0]))
    array([ 5. , 12.5])
    """
    x, m = np.asarray(x, dtype="float64"), np.asarray(m, dtype="float64")
    p, q, gamma = model.p, model.q, model.gamma
    return np.where(x > 0, p * (gamma + np.where(x > 0, m, 0.0) * x) / (p * x + q - 1), p * gamma / (q - 1))


# Fitting ---------------------------------------------------------------------------------------------------------

_LOG_BOUND = 18.0
"""Log-parameters are searched within +-18 (about 1.5e-8 to 6.6e7)."""
_LOG_PLAUSIBLE = np.log(1e4)
"""A fit with a parameter beyond 1e-4 .. 1e4 (alpha and gamma in units of the data's mean T and mean m) has found
no maximum inside: a parameter is running off to 0 or infinity, towards a model without heterogeneity or without
dropout, where the likelihood keeps creeping up and the estimate means nothing."""


def _maximise(objective, parameters: int, data: tuple, model: str):
    """L-BFGS-B on ``objective`` (value and gradient) from log-parameters 0; an ``OrdersError`` unless it
    converged to a maximum inside the plausible range."""
    with np.errstate(all="ignore"):
        found = minimize(objective, np.zeros(parameters), args=data, jac=True, method="L-BFGS-B",
                         bounds=[(-_LOG_BOUND, _LOG_BOUND)] * parameters,
                         options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
    finite = np.all(np.isfinite(found.x)) and np.isfinite(found.fun)
    if finite and np.any(np.abs(found.x) > _LOG_PLAUSIBLE):
        raise OrdersError(
            f"The {model} did not settle on these orders: a parameter ran off to 0 or infinity (the orders show "
            "too little variety in how often customers buy, how much they spend or when they go quiet), so there "
            "are no predictions.")
    settled = found.success or np.max(np.abs(found.jac)) < 1e-6  # stopped by rounding, at the maximum
    if not (finite and settled):
        raise OrdersError(
            f"The {model} did not converge on these orders (the optimiser stopped after {found.nit} steps without "
            "settling), so there are no predictions. A longer history or a later as-of date may help.")
    return found
