"""Named segments: a second lens over the 27 RFM codes, kept as data.

Each code ``r f m`` maps to exactly one segment, and each segment carries what
it means and what stores usually do about it. A store owner can read and edit
these two tables without reading any code.
"""

from __future__ import annotations

import io

import pandas as pd

# r f m -> segment. Read it as: recent buyers first (r = 3), then by how often they buy.
_CODES = """\
r,f,m,segment
3,3,3,Champions
3,3,2,Champions
3,3,1,Loyal customers
3,2,3,Potential loyalists
3,2,2,Potential loyalists
3,2,1,Potential loyalists
3,1,3,Promising
3,1,2,New customers
3,1,1,New customers
2,3,3,Loyal customers
2,3,2,Loyal customers
2,3,1,Loyal customers
2,2,3,Need attention
2,2,2,Need attention
2,2,1,About to sleep
2,1,3,Need attention
2,1,2,About to sleep
2,1,1,About to sleep
1,3,3,Can't lose them
1,3,2,Can't lose them
1,3,1,At risk
1,2,3,At risk
1,2,2,At risk
1,2,1,Hibernating
1,1,3,At risk
1,1,2,Hibernating
1,1,1,Lost
"""

_SEGMENTS = [
    (
        "Champions",
        "Bought recently, buy often and spend the most.",
        "Reward them: loyalty program perks, early access to new products, ask for reviews and referrals.",
    ),
    (
        "Loyal customers",
        "Buy often; not always the biggest baskets or the most recent.",
        "Upsell higher-value products, invite them to the loyalty or subscription program, ask for reviews.",
    ),
    (
        "Potential loyalists",
        "Recent customers who have come back more than once.",
        "Offer membership or a subscription, recommend related products (cross-sell) to build the habit.",
    ),
    (
        "Promising",
        "Recent first-time buyers with a large first order.",
        "Onboard them well: a thank-you e-mail, product tips, a reason to place a second order soon.",
    ),
    (
        "New customers",
        "Bought recently for the first time, with a small basket.",
        "Welcome series for new buyers: onboarding e-mails, best-sellers, a small second-order incentive.",
    ),
    (
        "Need attention",
        "Were fairly regular or spent well, but have not bought for a while.",
        "Limited-time offer based on past purchases; re-engage before they slip away.",
    ),
    (
        "About to sleep",
        "Below-average recency, frequency and spend; drifting away.",
        "Share popular products and a modest discount; reconnect with useful content.",
    ),
    (
        "Can't lose them",
        "Used to buy often and spend a lot, but have not come back in a long time.",
        "Win them back personally: a win-back e-mail or call, what is new, a generous offer.",
    ),
    (
        "At risk",
        "Spent well or bought more than once, long ago.",
        "Win-back e-mail campaign with personalised recommendations and a time-limited incentive.",
    ),
    (
        "Hibernating",
        "Last purchase long ago, few orders and little spend.",
        "Low-cost reactivation: include them in seasonal campaigns; do not spend much on them.",
    ),
    (
        "Lost",
        "Lowest recency, frequency and spend.",
        "Try one win-back campaign at most; otherwise leave them out of paid campaigns.",
    ),
]

SEGMENT_CODES: pd.DataFrame = pd.read_csv(io.StringIO(_CODES), dtype={"r": "int64", "f": "int64", "m": "int64"})
"""One row per RFM code: r, f, m, segment (27 rows)."""

SEGMENTS: pd.DataFrame = pd.DataFrame(_SEGMENTS, columns=["segment", "description", "action"])
"""One row per named segment: segment, description, recommended action, best first."""

SEGMENT_NAMES: tuple[str, ...] = tuple(SEGMENTS["segment"])
