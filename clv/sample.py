"""The sample store: a synthetic Shopify orders export the dashboard opens with.

Fernwood Coffee & Tea is a made-up online roaster in Sacramento, California,
open since May 2024. Its history is generated here, from a fixed seed, and
written exactly as Shopify's *Orders -> Export* writes a file: one row per line
item, order-level fields on an order's first row only. The shipped copy,
``clv/data/sample_store.csv``, goes through the same loader as an upload.

Regenerate the shipped copy with ``python -m clv.sample``.

The story the data tells:

- a loyal core of about 115 customers: 60 coffee and tea subscribers renewed
  every four weeks, and 55 regulars who reorder beans about once a month;
- about 100 early customers (first order before July 2025) who bought every six
  or seven weeks and went quiet between December 2025 and June 2026 ("at risk");
- everyone else: many one-time buyers and some occasional ones, arriving faster
  every quarter and in a rush each November and December.

People, e-mails (example.com, example.org, example.net) and orders are fictional.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE_PATH = Path(__file__).parent / "data" / "sample_store.csv"

COLUMNS = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
    "Billing Name", "Billing City", "Billing Country", "Cancelled at", "Refunded Amount",
    "Id", "Tags", "Source",
]  # fmt: skip
"""The export's header: a subset of Shopify's columns, in Shopify's order and spelling."""

REPEATED_COLUMNS = [
    "Name", "Email", "Created at",
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
]  # fmt: skip
"""Columns filled on every line-item row; every other column is blank after an order's first row."""

FIRST_DAY = pd.Timestamp("2024-05-01")
LAST_DAY = pd.Timestamp("2026-10-31")
TIMEZONE = "America/Los_Angeles"

FREE_SHIPPING_FROM = 5000  # cents
SHIPPING = 590  # cents

# Who buys, and how. customers: how many; join_until: the last day (index from
# FIRST_DAY) they can place a first order; gap_days, gap_shape: a gamma
# distribution of days between orders (shape 1 is erratic, 5 is regular);
# repeats: the most repeat orders they place.
ARCHETYPES = pd.DataFrame(
    [
        ("one_time", 875, 913, np.nan, np.nan, 0),
        ("occasional", 420, 913, 120.0, 1.3, 4),
        ("at_risk", 105, 420, 48.0, 3.0, 40),
        ("regular", 55, 820, 32.0, 5.0, 40),
        ("subscriber", 60, 820, 28.0, np.nan, 40),
    ],
    columns=["archetype", "customers", "join_until", "gap_days", "gap_shape", "repeats"],
)

# The catalogue. weight: how often it is picked outside the holidays; holiday:
# in November and December; repeat: chance of a quantity above one.
PRODUCTS = pd.DataFrame(
    [
        ("House Blend - 12 oz", "CB-HOUSE-12", 1600, "coffee", 10.0, 8.0, 0.20),
        ("Ethiopia Yirgacheffe - 12 oz", "CB-ETH-12", 1950, "coffee", 6.0, 5.0, 0.15),
        ("Colombia Huila - 12 oz", "CB-COL-12", 1800, "coffee", 6.0, 5.0, 0.15),
        ("Guatemala Antigua - 12 oz", "CB-GUA-12", 1800, "coffee", 4.0, 3.0, 0.12),
        ("Sumatra Mandheling - 12 oz", "CB-SUM-12", 1850, "coffee", 4.0, 3.0, 0.12),
        ("Decaf Swiss Water - 12 oz", "CB-DECAF-12", 1750, "coffee", 3.0, 2.5, 0.12),
        ("Espresso Blend - 2 lb", "CB-ESP-2LB", 3800, "coffee", 3.0, 2.5, 0.05),
        ("Holiday Blend - 12 oz", "CB-HOLIDAY-12", 1900, "coffee", 0.0, 9.0, 0.25),
        ("Earl Grey - 100 g Tin", "TEA-EARL-100", 1200, "tea", 5.0, 4.0, 0.12),
        ("English Breakfast - 100 g Tin", "TEA-BFAST-100", 1200, "tea", 3.0, 2.5, 0.12),
        ("Masala Chai - 100 g Tin", "TEA-CHAI-100", 1350, "tea", 4.0, 5.0, 0.12),
        ("Sencha - 100 g Tin", "TEA-SENCHA-100", 1400, "tea", 3.0, 2.0, 0.10),
        ("Jasmine Pearls - 50 g Tin", "TEA-JASMINE-50", 1800, "tea", 2.0, 2.5, 0.08),
        ("Chamomile - 50 g Tin", "TEA-CHAMO-50", 1100, "tea", 3.0, 2.0, 0.10),
        ("Stoneware Mug - Slate", "MUG-SLATE", 2200, "gear", 2.0, 5.0, 0.15),
        ("Stoneware Mug - Sand", "MUG-SAND", 2200, "gear", 2.0, 5.0, 0.15),
        ("Enamel Camp Mug", "MUG-ENAMEL", 1600, "gear", 1.5, 3.0, 0.10),
        ("Paper Filters #2 - 100 ct", "GEAR-FILTER-100", 750, "gear", 2.5, 2.0, 0.20),
        ("Tea Infuser Basket", "GEAR-INFUSER", 900, "gear", 1.5, 2.0, 0.05),
        ("Pour-Over Dripper", "GEAR-DRIPPER", 2800, "gear", 1.5, 3.0, 0.02),
        ("French Press - 34 oz", "GEAR-PRESS-34", 3900, "gear", 0.7, 1.8, 0.02),
        ("Gooseneck Kettle", "GEAR-KETTLE", 6900, "gear", 0.4, 1.2, 0.0),
        ("Hand Burr Grinder", "GEAR-GRINDER", 8900, "gear", 0.5, 1.8, 0.0),
        ("Holiday Gift Box", "GIFT-BOX", 4900, "gift", 0.0, 6.0, 0.10),
        ("Coffee Subscription - 2 Bags Every 4 Weeks", "SUB-COFFEE-2", 3000, "subscription", 0.0, 0.0, 0.0),
        ("Tea Subscription - 2 Tins Every 4 Weeks", "SUB-TEA-2", 2300, "subscription", 0.0, 0.0, 0.0),
    ],
    columns=["name", "sku", "price", "category", "weight", "holiday", "repeat"],
)
COFFEE_SUBSCRIPTION = int(np.flatnonzero(PRODUCTS["sku"] == "SUB-COFFEE-2")[0])
TEA_SUBSCRIPTION = int(np.flatnonzero(PRODUCTS["sku"] == "SUB-TEA-2")[0])

# How much more (or less) each kind of drinker likes each category.
PREFERENCES = pd.DataFrame(
    {"coffee": [1.0, 0.3, 1.0, 1.0, 0.0], "tea": [0.25, 3.0, 1.0, 1.0, 0.0]},
    index=["coffee", "tea", "gear", "gift", "subscription"],
)

# Billing cities and their combined sales-tax rates; Sacramento is home.
CITIES = pd.DataFrame(
    [
        ("Sacramento", 0.0875, 14), ("Davis", 0.0825, 3), ("San Francisco", 0.08625, 8),
        ("Oakland", 0.1025, 5), ("San Jose", 0.09375, 4), ("Los Angeles", 0.095, 8),
        ("San Diego", 0.0775, 5), ("Portland", 0.0, 5), ("Seattle", 0.1035, 5),
        ("Denver", 0.0881, 4), ("Phoenix", 0.086, 3), ("Austin", 0.0825, 4),
        ("Chicago", 0.1025, 4), ("Minneapolis", 0.0803, 2), ("New York", 0.08875, 6),
        ("Brooklyn", 0.08875, 3), ("Boston", 0.0625, 3), ("Philadelphia", 0.08, 2),
        ("Atlanta", 0.089, 2), ("Raleigh", 0.0725, 2), ("Madison", 0.055, 2),
        ("Salt Lake City", 0.0775, 2),
    ],
    columns=["city", "tax_rate", "weight"],
)  # fmt: skip
HOME_CITY = "Sacramento"

FIRST_NAMES = [
    "Maria", "James", "Olivia", "Noah", "Emma", "Liam", "Sophia", "Ethan", "Ava", "Lucas",
    "Mia", "Daniel", "Chloe", "David", "Grace", "Samuel", "Hannah", "Benjamin", "Zoë", "José",
    "Priya", "Arjun", "Mei", "Kenji", "Aisha", "Omar", "Fatima", "Diego", "Lucía", "Mateo",
    "Sarah", "Michael", "Emily", "Andrew", "Rachel", "Kevin", "Laura", "Brian", "Nicole", "Ryan",
    "Jessica", "Tyler", "Megan", "Jordan", "Renée", "Caleb", "Nora", "Isaac", "Leah", "Owen",
    "Anna", "Thomas", "Julia", "Marcus", "Elena", "Victor", "Claire", "Adrian", "Naomi", "Felix",
]  # fmt: skip
LAST_NAMES = [
    "Lopez", "Smith", "Johnson", "Nguyen", "Garcia", "Brown", "Patel", "Kim", "Martinez", "Lee",
    "Wilson", "Anderson", "Chen", "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Perez", "Roberts", "Turner", "Phillips", "Campbell",
    "Parker", "Evans", "Edwards", "Collins", "Stewart", "Sanchez", "Morris", "Rogers", "Reed", "Cook",
    "Morgan", "Bell", "Murphy", "Bailey", "Rivera", "Cooper", "Núñez", "O'Brien", "Müller", "Tanaka",
]  # fmt: skip
DOMAINS = (["example.com"] * 3) + ["example.org", "example.net"]

# Seasonal pull on orders, by month; the first weeks of December are the peak,
# orders slow once Christmas delivery is no longer promised.
MONTH_SEASON = np.array([np.nan, 0.8, 0.85, 0.95, 0.95, 1.0, 0.9, 0.85, 0.9, 1.0, 1.05, 1.6, 2.1])
LATE_DECEMBER_SEASON = 0.9
BLACK_FRIDAY_WEEKENDS = ["2024-11-29", "2025-11-28"]  # Friday to Cyber Monday, x2.5
WEEKDAY_PULL = np.array([1.1, 1.05, 1.0, 1.0, 0.9, 0.85, 1.1])  # Monday first
GROWTH = 3.0  # new customers arrive (1 + GROWTH) times as fast at the end as at the start

# Hour of day: web orders peak at lunch and in the evening; renewals run early morning.
WEB_HOURS = np.array([0.4, 0, 0, 0, 0, 0, 0.3, 0.8, 1.2, 1.4, 1.5, 1.5,
                      1.7, 1.6, 1.4, 1.3, 1.3, 1.4, 1.6, 2.0, 2.2, 2.0, 1.5, 0.9])  # fmt: skip

# Discount codes: share of eligible orders that use them, and what they take off.
WELCOME_SHARE, WELCOME_OFF = 0.20, 0.10  # first web orders
HOLIDAY_SHARE, HOLIDAY_OFF = 0.30, 0.15  # web orders from Nov 22 to Dec 15
BREW5_SHARE, BREW5_OFF, BREW5_FROM = 0.03, 500, 4000  # $5 off $40, any web order
FRIENDS_SHARE, FRIENDS_OFF = 0.008, 0.20

CANCELLED_SHARE = 0.02
REFUNDED_SHARE = 0.03
PENDING_ORDERS, PENDING_DAYS = 3, 7  # bank payments not yet arrived, among the last week's web orders
UNSHIPPED_DAYS = 2  # orders this recent are not fulfilled yet

POS_CUSTOMERS = 11
POS_ORDERS = 16


def sample_orders_csv(seed: int = 7) -> bytes:
    """Generate the sample store's Shopify orders export.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same bytes.

    Returns
    -------
    bytes
        A UTF-8 CSV with the columns of ``COLUMNS``: one row per line item,
        orders ``#1001``, ``#1002``, ... in time order from ``FIRST_DAY`` to
        ``LAST_DAY``, timestamps such as ``2026-05-10 14:18:22 -0700``.

    Examples
    --------
    >>> sample_orders_csv().decode().splitlines()[0].split(",")[:4]
    ['Name', 'Email', 'Financial Status', 'Paid at']
    """
    rng = np.random.default_rng(seed)
    days = _calendar()
    customers = _customers(rng, days)
    orders = _orders(rng, customers, days)
    items = _line_items(rng, orders, customers)
    orders = _money(rng, orders, items, customers)
    return _export(rng, orders, items, customers).to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_sample(path: Path = SAMPLE_PATH) -> Path:
    """Write the sample store's export to ``path`` (the shipped copy by default) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(sample_orders_csv())
    return path


def _calendar() -> pd.DataFrame:
    """One row per day from FIRST_DAY to LAST_DAY with ``season`` and ``arrivals`` weights.

    ``season`` is the pull of the time of year on every order; ``arrivals`` adds
    the store's growth and the day of the week, for first orders.
    """
    date = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    season = np.where((date.month == 12) & (date.day > 18), LATE_DECEMBER_SEASON, MONTH_SEASON[date.month])
    black_friday = np.zeros(len(date), dtype=bool)
    for friday in pd.to_datetime(BLACK_FRIDAY_WEEKENDS):
        black_friday |= (date >= friday) & (date <= friday + pd.Timedelta(days=3))
    season = np.where(black_friday, 2.5 * season, season)
    growth = 1 + GROWTH * np.arange(len(date)) / (len(date) - 1)
    return pd.DataFrame(
        {"date": date, "season": season, "arrivals": season * growth * WEEKDAY_PULL[date.day_of_week]}
    )


def _customers(rng: np.random.Generator, days: pd.DataFrame) -> pd.DataFrame:
    """Draw the store's customers -> one row per customer.

    Columns: name, email ("" for market walk-ins), city, tax_rate,
    accepts_marketing, archetype, tea (prefers tea), join_day, stop_day
    (indexes into ``days``), gap_days, gap_shape, repeats.
    """
    online = ARCHETYPES.loc[ARCHETYPES.index.repeat(ARCHETYPES["customers"])].reset_index(drop=True)
    walk_ins = pd.DataFrame({"archetype": ["pos"] * POS_CUSTOMERS, "join_until": len(days) - 1, "repeats": 0})
    table = pd.concat([online, walk_ins], ignore_index=True).drop(columns="customers")
    n = len(table)
    is_pos = (table["archetype"] == "pos").to_numpy()

    # Distinct first + last name pairs, so two customers never share a name.
    pair = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=n, replace=False)
    first = pd.Series(FIRST_NAMES).iloc[pair // len(LAST_NAMES)].reset_index(drop=True)
    last = pd.Series(LAST_NAMES).iloc[pair % len(LAST_NAMES)].reset_index(drop=True)
    email = _email_addresses(rng, first, last).where(~is_pos, "")

    city = rng.choice(len(CITIES), size=n, p=CITIES["weight"] / CITIES["weight"].sum())
    city = np.where(is_pos, np.flatnonzero(CITIES["city"] == HOME_CITY)[0], city)

    # A first order: drawn from the arrival weights, up to the archetype's last day.
    cdf = np.cumsum(days["arrivals"].to_numpy())
    cdf /= cdf[-1]
    join_day = np.searchsorted(cdf, rng.random(n) * cdf[table["join_until"].to_numpy()], side="right")

    last_day = len(days) - 1
    quit_day = last_day - rng.integers(140, 331, size=n)  # at-risk customers went quiet
    cancel_day = join_day + rng.integers(120, 421, size=n)  # a quarter of subscribers cancel
    archetype = table["archetype"].to_numpy()
    stop_day = np.select(
        [archetype == "at_risk", (archetype == "subscriber") & (rng.random(n) < 0.25)],
        [quit_day, np.minimum(cancel_day, last_day)],
        last_day,
    )
    occasional_repeats = rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.30, 0.15, 0.10])
    return table.assign(
        name=first + " " + last,
        email=email,
        city=CITIES["city"].to_numpy()[city],
        tax_rate=CITIES["tax_rate"].to_numpy()[city],
        accepts_marketing=np.where((rng.random(n) < 0.55) & ~is_pos, "yes", "no"),
        tea=rng.random(n) < 0.3,
        join_day=join_day,
        stop_day=stop_day,
        repeats=np.where(archetype == "occasional", occasional_repeats, table["repeats"]),
    )


def _email_addresses(rng: np.random.Generator, first: pd.Series, last: pd.Series) -> pd.Series:
    """First and last names -> distinct lower-case e-mail addresses in the example domains."""
    ascii_first, ascii_last = (
        names.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
        .str.lower().str.replace(r"[^a-z]", "", regex=True)
        for names in (first, last)
    )  # fmt: skip
    n = len(first)
    digits = pd.Series(rng.integers(10, 100, size=n)).astype(str)
    forms = [
        ascii_first + "." + ascii_last,
        ascii_first + ascii_last,
        ascii_first + "_" + ascii_last,
        ascii_first.str[0] + ascii_last,
        ascii_first + "." + ascii_last + digits,
    ]
    form = rng.choice(len(forms), size=n, p=[0.55, 0.15, 0.08, 0.12, 0.10])
    local = pd.Series(np.choose(form, [f.to_numpy() for f in forms]))
    domain = pd.Series(np.array(DOMAINS)[rng.integers(len(DOMAINS), size=n)])
    email = local + "@" + domain
    # "m.lopez" can be Maria or Mateo: the later one gets a number.
    clash = email.duplicated()
    return email.where(~clash, local + pd.Series(np.arange(n)).astype(str) + "@" + domain)


def _orders(rng: np.random.Generator, customers: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Customers -> one row per order, in time order.

    Columns: customer (row of ``customers``), day, kind ("first", "repeat",
    "renewal", "pos"), local (wall-clock time), created (tz-aware), source,
    number (the customer's 1st, 2nd, ... order).
    """
    n = len(customers)
    k = int(customers["repeats"].max())
    step = np.arange(1, k + 1)
    join = customers["join_day"].to_numpy()
    archetype = customers["archetype"].to_numpy()

    # Repeat orders run on a seasonal clock: a gap of 30 "days" passes faster in December.
    clock = np.cumsum(days["season"].to_numpy())
    shape = customers["gap_shape"].fillna(1.0).to_numpy()[:, None]
    scale = customers["gap_days"].fillna(1.0).to_numpy()[:, None] / shape
    gaps = np.maximum(rng.gamma(shape, scale, (n, k)), 4)
    seasonal = np.searchsorted(clock, clock[join][:, None] + np.cumsum(gaps, axis=1))
    # Subscriptions renew every 28 calendar days; about one renewal in twelve is skipped.
    renewal = join[:, None] + 28 * step
    is_subscriber = (archetype == "subscriber")[:, None]
    day = np.where(is_subscriber, renewal, seasonal)
    keep = (
        (day <= customers["stop_day"].to_numpy()[:, None])
        & (step <= customers["repeats"].to_numpy()[:, None])
        & ~(is_subscriber & (rng.random((n, k)) < 0.08))
    )
    who, _ = np.nonzero(keep)
    repeats = pd.DataFrame(
        {"customer": who, "day": day[keep], "kind": np.where(is_subscriber[who, 0], "renewal", "repeat")}
    )

    online = np.flatnonzero(archetype != "pos")
    firsts = pd.DataFrame({"customer": online, "day": join[online], "kind": "first"})
    # Walk-ins at the Saturday farmers' market, April to October 2025 and 2026; one or two come back.
    date = days["date"]
    market = np.flatnonzero((date.dt.day_of_week == 5) & date.dt.month.between(4, 10) & (date >= "2025-04-01"))
    walk_in = np.flatnonzero(archetype == "pos")
    pos = pd.DataFrame(
        {
            "customer": np.concatenate([walk_in, rng.choice(walk_in[:2], POS_ORDERS - len(walk_in))]),
            "day": rng.choice(market, POS_ORDERS, replace=False),
            "kind": "pos",
        }
    )

    table = pd.concat([firsts, repeats, pos], ignore_index=True)
    kind = table["kind"].to_numpy()
    hour = np.select(
        [kind == "renewal", kind == "pos"],
        [rng.integers(6, 8, len(table)), rng.integers(8, 13, len(table))],
        rng.choice(24, len(table), p=WEB_HOURS / WEB_HOURS.sum()),
    )
    seconds = hour * 3600 + rng.integers(0, 3600, len(table))
    local = days["date"].to_numpy()[table["day"].to_numpy()] + pd.to_timedelta(seconds, unit="s").to_numpy()
    return (
        table.assign(
            local=local,
            created=_localize(local),
            source=np.select([kind == "renewal", kind == "pos"], ["subscription_contract", "pos"], "web"),
        )
        .sort_values("created", kind="stable")
        .reset_index(drop=True)
        .pipe(lambda t: t.assign(number=t.groupby("customer").cumcount() + 1))
    )


def _localize(local: pd.DatetimeIndex | pd.Series | np.ndarray) -> pd.DatetimeIndex:
    """Wall-clock times in the store's time zone -> tz-aware times (-0700 in summer, -0800 in winter).

    Orders avoid the small hours, but a payment or cancellation may still land in
    the hour the clocks repeat (read as daylight time) or skip (moved forward).
    """
    daylight = np.ones(len(local), dtype=bool)
    return pd.DatetimeIndex(local).tz_localize(TIMEZONE, ambiguous=daylight, nonexistent="shift_forward")


def _line_items(rng: np.random.Generator, orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Orders -> one row per line item: order (row of ``orders``), line, product, quantity.

    Products of an order are distinct, drawn by weight (holiday weights in
    November and December, tea or coffee leaning by the customer); a
    subscriber's first order and every renewal carry the subscription.
    """
    n = len(orders)
    kind = orders["kind"].to_numpy()
    who = orders["customer"].to_numpy()
    tea = customers["tea"].to_numpy()[who]
    holiday = orders["created"].dt.month.isin([11, 12]).to_numpy()

    base = np.where(holiday[:, None], PRODUCTS["holiday"].to_numpy(), PRODUCTS["weight"].to_numpy())
    lean = PREFERENCES.loc[PRODUCTS["category"]].to_numpy()  # products x (coffee, tea)
    lean = np.where(tea[:, None], lean[:, 1], lean[:, 0])
    with np.errstate(divide="ignore"):
        key = np.log(base * lean) + rng.gumbel(size=(n, len(PRODUCTS)))  # Gumbel top-k: weighted, no repeats
    subscriber = customers["archetype"].to_numpy()[who] == "subscriber"
    subscribed = (kind == "renewal") | ((kind == "first") & subscriber)
    plan = np.where(tea, TEA_SUBSCRIPTION, COFFEE_SUBSCRIPTION)
    key[np.flatnonzero(subscribed), plan[subscribed]] = np.inf

    count = np.select(
        [kind == "renewal", kind == "pos"],
        [1 + (rng.random(n) < 0.12), rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15])],
        rng.choice([1, 2, 3, 4], n, p=[0.55, 0.28, 0.12, 0.05]),
    )
    ranked = np.argsort(-key, axis=1, kind="stable")[:, : count.max()]
    order, line = np.nonzero(np.arange(count.max()) < count[:, None])
    product = ranked[order, line]
    repeat = PRODUCTS["repeat"].to_numpy()[product]
    roll = rng.random(len(product))
    quantity = 1 + (roll < repeat) + (roll < repeat * 0.2)
    # Coffee comes whole bean or ground; the variant is part of the line item's name.
    ground = (PRODUCTS["category"].to_numpy()[product] == "coffee") & (rng.random(len(product)) < 0.3)
    return pd.DataFrame({"order": order, "line": line, "product": product, "quantity": quantity, "ground": ground})


def _money(
    rng: np.random.Generator, orders: pd.DataFrame, items: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """Orders and their line items -> orders with the money and the order's fate, money in cents.

    Adds: discount_code, discount, subtotal, shipping, taxes, total,
    status, fulfillment, paid, cancelled (bool), refunded, tags.
    """
    n = len(orders)
    kind = orders["kind"].to_numpy()
    local = orders["local"]
    who = orders["customer"].to_numpy()
    tax_rate = customers["tax_rate"].to_numpy()[who]
    price = PRODUCTS["price"].to_numpy()[items["product"].to_numpy()]
    line_cents = price * items["quantity"].to_numpy()
    order_of = items["order"].to_numpy()
    gross = np.bincount(order_of, weights=line_cents, minlength=n).astype(np.int64)

    web = np.isin(kind, ["first", "repeat"])
    holiday_days = ((local.dt.month == 11) & (local.dt.day >= 22)) | ((local.dt.month == 12) & (local.dt.day <= 15))
    roll = rng.random(n)
    code = np.select(
        [
            web & (kind == "first") & (roll < WELCOME_SHARE),
            web & holiday_days.to_numpy() & (roll < HOLIDAY_SHARE),
            web & (gross >= BREW5_FROM) & (roll < BREW5_SHARE),
            web & (roll > 1 - FRIENDS_SHARE),
        ],
        ["WELCOME10", "HOLIDAY15", "BREW5", "FRIENDS20"],
        "",
    )
    discount = np.select(
        [code == "WELCOME10", code == "HOLIDAY15", code == "BREW5", code == "FRIENDS20"],
        [np.rint(gross * WELCOME_OFF), np.rint(gross * HOLIDAY_OFF), BREW5_OFF, np.rint(gross * FRIENDS_OFF)],
        0,
    ).astype(np.int64)
    subtotal = gross - discount
    shipping = np.where((subtotal >= FREE_SHIPPING_FROM) | (kind == "pos"), 0, SHIPPING)
    taxes = np.rint(subtotal * tax_rate).astype(np.int64)
    total = subtotal + shipping + taxes

    # Fates: cancelled (voided before capture, or refunded), refunded after delivery, pending.
    fate = rng.random(n)
    cancelled = (kind != "pos") & (fate < CANCELLED_SHARE)
    refunded = (kind != "pos") & (fate >= CANCELLED_SHARE) & (fate < CANCELLED_SHARE + REFUNDED_SHARE)
    voided = cancelled & (rng.random(n) < 0.6)
    fully = (cancelled & ~voided) | (refunded & (rng.random(n) < 0.3))
    partly = refunded & ~fully
    # A partial refund gives back one unit of the cheapest item with its tax, or half a one-item order.
    units = np.bincount(order_of, weights=items["quantity"].to_numpy(), minlength=n)
    cheapest = pd.Series(price).groupby(order_of).min().reindex(range(n)).to_numpy()
    one_unit = np.rint(cheapest * (1 + tax_rate))
    partial = np.where(units > 1, one_unit, np.rint(total * 0.5)).astype(np.int64)
    refund = np.select([fully, partly], [total, partial], 0)

    recent = (local >= LAST_DAY - pd.Timedelta(days=UNSHIPPED_DAYS)).to_numpy()
    pending = np.zeros(n, dtype=bool)
    last_week = (local >= LAST_DAY - pd.Timedelta(days=PENDING_DAYS)).to_numpy()
    candidates = np.flatnonzero(last_week & web & ~cancelled & ~refunded)
    pending[rng.choice(candidates, PENDING_ORDERS, replace=False)] = True
    status = np.select(
        [voided, fully, partly, pending], ["voided", "refunded", "partially_refunded", "pending"], "paid"
    )
    fulfillment = np.where(cancelled | pending | recent, "unfulfilled", "fulfilled")

    has_gift = np.bincount(order_of, weights=PRODUCTS["category"].to_numpy()[items["product"]] == "gift", minlength=n)
    gift = (has_gift > 0) & (rng.random(n) < 0.6)
    archetype = customers["archetype"].to_numpy()[who]
    vip = (archetype == "regular") & (orders["number"].to_numpy() > 6)
    tags = np.select(
        [kind == "renewal", (kind == "first") & (archetype == "subscriber"), kind == "pos", gift, vip],
        [
            "Subscription, Subscription Recurring Order",
            "Subscription, Subscription First Order",
            "farmers market",
            "gift",
            "VIP",
        ],
        "",
    )
    return orders.assign(
        discount_code=code, discount=discount, subtotal=subtotal, shipping=shipping,
        taxes=taxes, total=total, status=status, fulfillment=fulfillment,
        paid=~voided & ~pending, cancelled=cancelled, refunded=refund, tags=tags,
    )  # fmt: skip


def _export(
    rng: np.random.Generator, orders: pd.DataFrame, items: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """Orders with money and their line items -> the export: one row per line item, columns ``COLUMNS``, all text.

    Order-level columns are filled on an order's first row only; ``REPEATED_COLUMNS`` on every row.
    """
    n = len(orders)
    who = orders["customer"].to_numpy()
    email = pd.Series(customers["email"].to_numpy()[who])
    # Real files carry e-mails as typed: now and then capitalised, shouted or padded with spaces.
    roll = rng.random(n)
    typed = np.select(
        [roll < 0.005, roll < 0.007, roll < 0.010],
        [email.str.capitalize(), email.str.upper(), " " + email + " "],
        email,
    )
    email = np.where(email != "", typed, "")
    local = orders["local"]
    paid_at = _localize(local + pd.to_timedelta(rng.integers(0, 4, n), unit="s"))
    # Cancelled within minutes to a day and a half, but not after the export was taken.
    delay = pd.to_timedelta(rng.integers(600, 36 * 3600, n), unit="s")
    cancelled_at = _localize(np.minimum(local + delay, LAST_DAY + pd.Timedelta("23:59:59")))
    order_id = 5_812_004_317_233 + np.cumsum(rng.integers(2_000_000, 60_000_000, n))

    per_order = pd.DataFrame(
        {
            "Name": "#" + pd.Series(np.arange(1001, 1001 + n)).astype(str),
            "Email": email,
            "Financial Status": orders["status"],
            "Paid at": np.where(orders["paid"], _stamp(paid_at), ""),
            "Fulfillment Status": orders["fulfillment"],
            "Accepts Marketing": customers["accepts_marketing"].to_numpy()[who],
            "Currency": "USD",
            "Subtotal": _dollars(orders["subtotal"]),
            "Shipping": _dollars(orders["shipping"]),
            "Taxes": _dollars(orders["taxes"]),
            "Total": _dollars(orders["total"]),
            "Discount Code": orders["discount_code"],
            "Discount Amount": _dollars(orders["discount"]),
            "Created at": _stamp(pd.DatetimeIndex(orders["created"])),
            "Billing Name": customers["name"].to_numpy()[who],
            "Billing City": customers["city"].to_numpy()[who],
            "Billing Country": "US",
            "Cancelled at": np.where(orders["cancelled"], _stamp(cancelled_at), ""),
            "Refunded Amount": _dollars(orders["refunded"]),
            "Id": order_id.astype(str),
            "Tags": orders["tags"],
            "Source": orders["source"],
        }
    )
    product = PRODUCTS.iloc[items["product"].to_numpy()]
    lines = pd.DataFrame(
        {
            "Lineitem quantity": items["quantity"].astype(str).to_numpy(),
            "Lineitem name": np.where(
                product["category"].to_numpy() == "coffee",
                product["name"].to_numpy() + np.where(items["ground"], " / Ground", " / Whole Bean"),
                product["name"].to_numpy(),
            ),
            "Lineitem price": _dollars(product["price"]).to_numpy(),
            "Lineitem sku": product["sku"].to_numpy() + np.where(items["ground"], "-GR", "").astype(object),
        }
    )
    table = per_order.iloc[items["order"].to_numpy()].reset_index(drop=True).join(lines)
    later = (items["line"].to_numpy() > 0)[:, None]
    blank = [column not in REPEATED_COLUMNS for column in table.columns]
    return table.mask(later & np.array(blank), "")[COLUMNS]


def _dollars(cents: pd.Series | np.ndarray) -> pd.Series:
    """Whole cents -> text with two decimals and a dot: 1590 -> "15.90"."""
    cents = pd.Series(np.asarray(cents, dtype=np.int64))
    return (cents // 100).astype(str) + "." + (cents % 100).astype(str).str.zfill(2)


def _stamp(times: pd.DatetimeIndex) -> np.ndarray:
    """Tz-aware times -> Shopify's text, e.g. "2026-05-10 14:18:22 -0700"."""
    return np.asarray(times.strftime("%Y-%m-%d %H:%M:%S %z"))


if __name__ == "__main__":
    write_sample()
