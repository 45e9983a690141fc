"""Realistic synthetic order files for benchmarks: ``python -m bench.generate 1M bench/data/orders-1M.csv``.

A file has the headers ``customer_id,order_id,order_date,amount`` (the loader's
"table with recognised headers" path) and looks like a store's export:

- ``n`` rows in the order layout (one row per order), about ``n / 5`` customers,
  every customer with at least one purchase and the rest spread by a capped
  Pareto weight, so a few customers place many orders and most place a few;
- string customer ids (``C0001234``, or e-mail addresses with ``--emails``) and
  string order ids (``O00000001``; returns ``R00000001``);
- timestamps like ``2025-03-04 13:22:10`` over three years (2023-01-01 to
  2025-12-31), rows sorted by time as exports are;
- lognormal amounts with two decimals (median about 45, long right tail);
- about 3% of the rows are returns: a negative amount (all or part of an earlier
  order of the same customer) with its own order id, 1-30 days later.

With ``--line-items`` each order is split into 1-6 rows (same order id, customer
and time) whose amounts add up to the order's, to the cent; ``n`` then counts
orders (returns included), and the file has about 1.8 x n rows.

With ``--shopify`` the file is a Shopify orders export instead (``shopify_table``):
the sample store's columns (``clv.sample.COLUMNS``), one row per line item with
the order's fields on its first row only, e-mails in mixed case, UTC offsets on
the times, statuses, partial and full refunds (some beyond the products'
value), cancellations and discount codes; ``n`` counts orders, about n / 3.5
customers, about 2.5 x n rows.

Everything is vectorised numpy, and written by Polars: 10M rows take ~10-15 s.
The same ``seed`` gives the same file byte for byte.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl

START = np.datetime64("2023-01-01T00:00:00", "s")
END = np.datetime64("2026-01-01T00:00:00", "s")
RETURN_SHARE = 0.03
CUSTOMERS_PER_ORDER = 0.2
PARETO_SHAPE = 1.2
PARETO_CAP = 100.0
"""Orders-per-customer weights: Pareto(1.2) + 1, capped so that no single customer dominates the file
(median 3 orders, 99th percentile ~45, the most ~130 at any size)."""


def parse_size(text: str) -> int:
    """``"1M"`` -> 1_000_000, ``"100k"`` -> 100_000, ``"2500"`` -> 2500.

    >>> [parse_size(s) for s in ["100k", "1M", "10m", "2500"]]
    [100000, 1000000, 10000000, 2500]
    """
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale != 1 else text) * scale)


def size_label(n: int) -> str:
    """1_000_000 -> ``"1M"``, 100_000 -> ``"100k"``.

    >>> [size_label(n) for n in [100_000, 1_000_000, 10_000_000, 2500]]
    ['100k', '1M', '10M', '2500']
    """
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if n % scale == 0 and n >= scale:
            return f"{n // scale}{unit}"
    return str(n)


def orders_table(n: int, *, seed: int = 2026, emails: bool = False, line_items: bool = False) -> pl.DataFrame:
    """A synthetic order export as a Polars frame with columns customer_id, order_id, order_date, amount.

    ``order_date`` is a Datetime (seconds) and ``amount`` a Float64 with two decimals.
    """
    rng = np.random.default_rng(seed)
    n_returns = int(round(n * RETURN_SHARE))
    n_purchases = n - n_returns
    n_customers = max(1, int(n * CUSTOMERS_PER_ORDER))

    # Every customer buys once; the remaining purchases go to customers in proportion to a Pareto weight.
    weights = np.minimum(rng.pareto(PARETO_SHAPE, n_customers) + 1.0, PARETO_CAP)
    cumulative = np.cumsum(weights)
    extra = np.searchsorted(cumulative, rng.random(n_purchases - n_customers) * cumulative[-1], side="right")
    buyer = np.concatenate([np.arange(n_customers), np.minimum(extra, n_customers - 1)])

    seconds = rng.integers(0, (END - START).astype("int64"), n_purchases)
    cents = np.maximum(1, np.round(rng.lognormal(np.log(4500), 0.9, n_purchases))).astype("int64")

    # Returns: all of an earlier purchase half the time, else part of it; 1-30 days later, within the range.
    returned = rng.choice(n_purchases, n_returns, replace=False)
    share = np.where(rng.random(n_returns) < 0.5, 1.0, rng.uniform(0.1, 0.9, n_returns))
    return_cents = -np.maximum(1, np.round(cents[returned] * share)).astype("int64")
    return_seconds = np.minimum(
        seconds[returned] + rng.integers(86_400, 31 * 86_400, n_returns), (END - START).astype("int64") - 1
    )

    purchase_ids = np.arange(1, n_purchases + 1)
    if line_items:
        lines = np.minimum(rng.geometric(0.55, n_purchases), 6)
        row_order = np.repeat(np.arange(n_purchases), lines)
        row_cents = _split_cents(cents, lines, rng)
        purchases = pl.DataFrame(
            {"buyer": buyer[row_order], "id": purchase_ids[row_order], "kind": "O",
             "seconds": seconds[row_order], "cents": row_cents}
        )
    else:
        purchases = pl.DataFrame({"buyer": buyer, "id": purchase_ids, "kind": "O", "seconds": seconds, "cents": cents})
    returns = pl.DataFrame(
        {"buyer": buyer[returned], "id": np.arange(1, n_returns + 1), "kind": "R",
         "seconds": return_seconds, "cents": return_cents}
    )
    customer = (
        pl.format("user{}@example.com", pl.col("buyer"))
        if emails
        else pl.format("C{}", pl.col("buyer").cast(pl.String).str.zfill(7))
    )
    return (
        pl.concat([purchases, returns])
        .sort(["seconds", "kind", "id"], maintain_order=True)
        .select(
            customer.alias("customer_id"),
            pl.format("{}{}", pl.col("kind"), pl.col("id").cast(pl.String).str.zfill(8)).alias("order_id"),
            (pl.lit(START) + pl.duration(seconds=pl.col("seconds"))).dt.cast_time_unit("ms").alias("order_date"),
            (pl.col("cents") / 100).alias("amount"),
        )
    )


def _split_cents(totals: np.ndarray, parts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each total into ``parts`` non-negative whole-cent pieces that add up to it exactly."""
    owner = np.repeat(np.arange(len(totals)), parts)
    share = rng.random(len(owner)) + 0.05
    ends = np.cumsum(parts)
    cumulative = np.cumsum(share)
    before = np.concatenate([[0.0], cumulative[ends[:-1] - 1]])
    fraction = (cumulative - before[owner]) / (cumulative[ends - 1] - before)[owner]
    running = np.floor(fraction * totals[owner]).astype("int64")
    running[ends - 1] = totals  # the last piece takes the rounding, so the pieces add up exactly
    starts = ends - parts
    previous = np.concatenate([[0], running[:-1]])
    previous[starts] = 0
    return running - previous


def shopify_table(n: int, *, seed: int = 2026) -> pl.DataFrame:
    """``n`` orders as a Shopify orders export (strings, ``clv.sample.COLUMNS``), one row per line item."""
    from clv.sample import COLUMNS

    rng = np.random.default_rng(seed)
    n_customers = max(1, int(n / 3.5))
    weights = np.minimum(rng.pareto(PARETO_SHAPE, n_customers) + 1.0, PARETO_CAP)
    cumulative = np.cumsum(weights)
    buyer = np.concatenate([np.arange(min(n, n_customers)), np.minimum(np.searchsorted(
        cumulative, rng.random(max(0, n - n_customers)) * cumulative[-1], side="right"), n_customers - 1)])
    seconds = np.sort(rng.integers(0, (END - START).astype("int64"), n))
    lines = np.minimum(rng.geometric(0.55, n), 6)
    owner = np.repeat(np.arange(n), lines)
    quantity = rng.choice([1, 1, 1, 2, 3], len(owner))
    price = np.round(rng.lognormal(np.log(1800), 0.6, len(owner))).astype("int64")
    gross = np.bincount(owner, weights=quantity * price, minlength=n).astype("int64")
    coded = rng.random(n) < 0.15
    discount = np.where(coded, gross // 10, 0)
    subtotal = gross - discount
    shipping = np.where(subtotal >= 5000, 0, 590)
    taxes = np.round(subtotal * 0.08).astype("int64")
    total = subtotal + shipping + taxes
    status = rng.choice(np.array(["paid", "partially_refunded", "refunded", "voided", "pending"]), n,
                        p=[0.93, 0.03, 0.02, 0.01, 0.01])
    refunded = np.select([status == "refunded", status == "partially_refunded"],
                         [total, np.round(subtotal * rng.uniform(0.2, 1.1, n)).astype("int64")], 0)
    cancelled = (status == "voided") | ((status == "refunded") & (rng.random(n) < 0.5))
    first = np.concatenate([[True], owner[1:] != owner[:-1]])
    stamp = (START + seconds.astype("timedelta64[s]")).astype(str)
    created = np.char.add(np.char.replace(stamp, "T", " "), " -0700")
    first_name = np.array(["Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo"])[buyer % 10]
    mail = np.char.add(np.char.add(first_name, buyer.astype(str)), "@Example.com")
    mail = np.where(rng.random(n) < 0.5, np.char.lower(mail), mail)

    def money(cents: np.ndarray) -> np.ndarray:
        return np.char.mod("%.2f", cents / 100)

    def order_field(values: np.ndarray) -> np.ndarray:
        """An order-level field: on the order's first line-item row, blank on the others."""
        return np.where(first, values[owner], "")

    columns = {
        "Name": np.char.add("#", (1000 + owner).astype(str)),
        "Email": mail[owner],
        "Financial Status": order_field(status),
        "Paid at": order_field(np.where(status == "pending", "", created)),
        "Fulfillment Status": order_field(np.full(n, "fulfilled")),
        "Accepts Marketing": order_field(np.where(buyer % 3 == 0, "no", "yes")),
        "Currency": order_field(np.full(n, "USD")),
        "Subtotal": order_field(money(subtotal)),
        "Shipping": order_field(money(shipping)),
        "Taxes": order_field(money(taxes)),
        "Total": order_field(money(total)),
        "Discount Code": order_field(np.where(coded, "WELCOME10", "")),
        "Discount Amount": order_field(money(discount)),
        "Created at": created[owner],
        "Lineitem quantity": quantity.astype(str),
        "Lineitem name": np.char.add("Product ", (price % 97).astype(str)),
        "Lineitem price": money(price),
        "Lineitem sku": np.char.add("SKU-", (price % 97).astype(str)),
        "Billing Name": order_field(np.char.add(np.char.add(first_name, " "), buyer.astype(str))),
        "Billing City": order_field(np.full(n, "Sacramento")),
        "Billing Country": order_field(np.full(n, "US")),
        "Cancelled at": order_field(np.where(cancelled, created, "")),
        "Refunded Amount": order_field(money(refunded)),
        "Id": order_field((5550000000 + np.arange(n)).astype(str)),
        "Tags": np.full(len(owner), ""),
        "Source": order_field(np.full(n, "web")),
    }
    return pl.DataFrame({name: columns[name] for name in COLUMNS})


def write_orders(path: Path, n: int, *, seed: int = 2026, emails: bool = False, line_items: bool = False,
                 shopify: bool = False) -> Path:
    """Generate ``n`` orders (see ``orders_table``, or ``shopify_table``) and write them as a CSV at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if shopify:
        shopify_table(n, seed=seed).write_csv(path)
        return path
    table = orders_table(n, seed=seed, emails=emails, line_items=line_items)
    table.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S", float_precision=2)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("size", type=parse_size, help="rows (orders with --line-items), e.g. 100k, 1M, 10M")
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--emails", action="store_true", help="customer ids are e-mail addresses")
    parser.add_argument("--line-items", action="store_true", help="split orders into several rows")
    parser.add_argument("--shopify", action="store_true", help="a Shopify orders export (size counts orders)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    write_orders(args.path, args.size, seed=args.seed, emails=args.emails, line_items=args.line_items,
                 shopify=args.shopify)
    mb = args.path.stat().st_size / 1e6
    print(f"{args.path}: {mb:,.0f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
