"""Lists for e-mail and ads campaigns: who may be contacted, in the formats campaign tools take.

    campaign_audience(rows) -> Audience          the customers a campaign may reach, and who was left out and why
    campaign_list(rows) -> email, first_name, last_name, tags    a Klaviyo or Mailchimp list import
    campaign_hashes(rows) -> Email                                a Meta Custom Audience / Google Customer Match file

``rows`` are rows of the customer file (``clv.export.customers_export``, any
filtered subset of it, in any order); ``campaign_audience`` also reads their
``accepts_marketing`` (``customers_export(analysis, consent=True)``). METHOD.md
section 3: lists meant for e-mail campaigns hold only customers who consented,
where the file says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from clv.engine import CONSENT
from clv.privacy import is_blank


@dataclass(frozen=True, eq=False)
class Audience:
    """Who a campaign may reach.

    customers : the rows kept, in their order, without the consent column.
    declined : rows whose customer did not agree to marketing, as the file says.
    unknown : rows whose customer the file's consent column says nothing about.
    file_tells : the file has a consent column; when it has none, everyone is kept and both counts are 0.
    everyone : the caller asked for every row, consent or not (then nobody is left out).
    """

    customers: pd.DataFrame
    declined: int
    unknown: int
    file_tells: bool
    everyone: bool

    @property
    def left_out(self) -> int:
        """Rows not in ``customers``."""
        return 0 if self.everyone else self.declined + self.unknown


def campaign_audience(rows: pd.DataFrame, everyone: bool = False) -> Audience:
    """Customer rows -> those who agreed to marketing (all of them where the file does not say), with counts.

    A customer the file's consent column says nothing about (blank, or a word that is
    neither yes nor no) is left out like one who said no: only a yes is consent.

    Parameters
    ----------
    rows : DataFrame
        Rows of the customer file, with ``accepts_marketing`` (boolean, NA where
        unknown) where the file has a consent column.
    everyone : bool
        Keep every row, consent or not (the counts still say who did not agree).

    Examples
    --------
    >>> rows = pd.DataFrame({"customer": ["a", "b", "c"],
    ...                      "accepts_marketing": pd.array([True, False, None], dtype="boolean")})
    >>> audience = campaign_audience(rows)
    >>> audience.customers["customer"].tolist(), audience.declined, audience.unknown, audience.left_out
    (['a'], 1, 1, 2)
    >>> campaign_audience(rows.drop(columns="accepts_marketing")).file_tells
    False
    """
    if CONSENT not in rows.columns:
        return Audience(rows, declined=0, unknown=0, file_tells=False, everyone=everyone)
    agreed = rows[CONSENT].astype("boolean")
    keep = pd.Series(True, index=rows.index) if everyone else agreed.fillna(False).astype(bool)
    return Audience(
        customers=rows.loc[keep].drop(columns=CONSENT),
        declined=int((~agreed).fillna(False).sum()),
        unknown=int(agreed.isna().sum()),
        file_tells=True,
        everyone=everyone,
    )


def campaign_list(rows: pd.DataFrame) -> pd.DataFrame:
    """Customer rows -> a list to import into Klaviyo or Mailchimp: email, first_name, last_name, tags.

    One row per e-mail address (the first row that has it, so a best-first list
    keeps the better customer); rows without an address are left out, since a
    list tool needs one. The name is split at its first space ("Mary Ann Lee" ->
    "Mary", "Ann Lee"); a missing name is blank. The tags are the tier and the
    named segment, comma-separated as both tools read a tag column.

    Parameters
    ----------
    rows : DataFrame
        Rows of the customer file: email, name, tier, segment.

    Returns
    -------
    DataFrame
        email, first_name, last_name, tags: text, blank where unknown.

    Examples
    --------
    >>> rows = pd.DataFrame({"email": ["ann@x.test", None], "name": ["Ann Marie Lee", "Bo"],
    ...                      "tier": ["High", "Low"], "segment": ["Champions", "Lost"]})
    >>> campaign_list(rows).values.tolist()
    [['ann@x.test', 'Ann', 'Marie Lee', 'High tier, Champions']]
    """
    addresses = rows["email"].map(_address)
    listed = rows.loc[addresses != ""].assign(email=addresses).drop_duplicates("email")
    names = [_first_and_last(name) for name in listed["name"]]
    return pd.DataFrame(
        {
            "email": listed["email"].tolist(),
            "first_name": [first for first, _ in names],
            "last_name": [last for _, last in names],
            "tags": [f"{tier} tier, {segment}" for tier, segment in zip(listed["tier"], listed["segment"])],
        },
        dtype="object",
    )


def campaign_hashes(rows: pd.DataFrame) -> pd.DataFrame:
    """Customer rows -> a customer list for Meta Custom Audiences and Google Customer Match: one column
    ``Email`` holding each distinct address normalised and hashed.

    Both platforms ask for the same normalisation of an e-mail address before
    SHA-256: leading and trailing whitespace removed, every character lower-case,
    then the digest as 64 lower-case hex characters (Meta, Conversions API
    "Customer Information Parameters", ``em``: "Trim any leading and trailing
    spaces. Convert all characters to lowercase."; Google Ads API, "Customer
    Match": "Remove leading and trailing whitespaces. Convert text to
    lowercase."). Google used to ask for the dots before ``@gmail.com`` and
    ``@googlemail.com`` to be removed; its Customer Match guide now says that is
    not required, and Meta never asked for it, so the dots stay and one file
    matches on both. The header is ``Email``, the name Google's upload requires;
    Meta's upload maps that column to its e-mail identifier.

    Parameters
    ----------
    rows : DataFrame
        Rows of the customer file with an ``email`` column.

    Returns
    -------
    DataFrame
        One column, Email: text, one row per distinct address, in the rows' order;
        rows without an address are left out.

    Examples
    --------
    Meta's own example: "John_Smith@gmail.com" normalises to "john_smith@gmail.com".

    >>> campaign_hashes(pd.DataFrame({"email": [" John_Smith@gmail.com", "john_smith@gmail.com ", None]}))
                                                   Email
    0  62a14e44f765419d10fea99367361a727c12365e2520f3...
    """
    addresses = rows["email"].map(_address)
    distinct = addresses.loc[addresses != ""].drop_duplicates()
    return pd.DataFrame({"Email": [hashlib.sha256(address.encode("utf-8")).hexdigest() for address in distinct]},
                        dtype="object")


def _address(email: object) -> str:
    """An e-mail cell -> the address trimmed and lower-cased; "" where there is none (blank, or no ``@``)."""
    if is_blank(email):
        return ""
    address = str(email).strip().lower()
    return address if "@" in address else ""


def _first_and_last(name: object) -> tuple[str, str]:
    """A name -> (first name, the rest), split at the first space; ("", "") for a missing name."""
    if is_blank(name):
        return "", ""
    first, _, last = str(name).strip().partition(" ")
    return first, last.strip()
