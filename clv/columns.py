"""A table's header -> which column plays which role (customer, order, date, amount, ...), and how.

    plan_columns(columns, mapping) -> ColumnPlan     what ``read_orders`` decides before it reads a value
    detect_columns(columns) -> role -> column        to pre-fill a column mapping form
    parse_mapping("customer=Email,...") -> mapping   the command line's ``--map``

Columns are found by name, never by position: known exports (Shopify,
WooCommerce, the UCI Online Retail data sets) by their signature headers, any
other table by the usual header words, and the caller can name columns itself.
Only names go in, and no pandas is needed: the loader (``clv.load``), the
DuckDB engine (``clv.duck``) and Spark (``clv.spark``) plan their columns with
the same rules, whatever holds the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from clv.errors import ColumnsError, OrdersError
from clv.reasons import CANCELLED, NOT_COMPLETED

ROLES = ("customer", "order", "date", "amount", "quantity", "price", "email", "name", "accepts_marketing")
"""Roles a caller can map to columns (``mapping=`` and ``--map role=COLUMN``)."""

# ---------------------------------------------------------------------------
# Header words. A header matches a word when both are equal after lower-casing
# and dropping spaces, underscores, hyphens, dots and any "(...)" part, so
# "Customer ID", "customer_id" and "Net Sales (€)" match "customerid" and
# "netsales". Within a role the first word present wins.

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "customer": ("customerid", "customer", "customerno", "customernumber", "clientid", "client", "buyerid",
                 "buyer", "userid", "accountid"),
    "email": ("email", "customeremail", "billingemail", "emailaddress"),
    "name": ("billingname", "customername", "clientname", "buyername", "fullname", "contactname"),
    "first_name": ("billingfirstname", "firstname"),
    "last_name": ("billinglastname", "lastname"),
    "order": ("orderid", "order", "order#", "ordernumber", "orderno", "invoiceno", "invoice", "invoicenumber",
              "invoiceid", "transactionid", "receiptnumber"),
    "date": ("orderdate", "date", "createdat", "purchasedate", "invoicedate", "transactiondate", "orderdatetime",
             "datecreated", "created", "timestamp"),
    # Amount columns, from the most to the least net (METHOD.md: net sales).
    "net": ("netsales", "netamount", "netrevenue", "nettotal", "netvalue"),
    "subtotal": ("ordersubtotal", "subtotal"),
    "total": ("ordertotal", "total", "totalamount", "grandtotal", "ordervalue"),
    "amount": ("amount", "revenue", "sales", "value", "salesamount", "orderamount", "linetotal", "totalprice"),
    "quantity": ("quantity", "qty", "units"),
    "price": ("unitprice", "price", "itemprice", "priceeach", "priceperunit"),
    # Parts taken off a total (or a subtotal before discounts).
    "discount": ("discounttotal", "cartdiscount", "orderdiscount", "discount", "discountamount"),
    "shipping": ("ordershipping", "shippingtotal", "shipping", "shippingcost", "shippingamount"),
    "tax": ("ordertax", "taxtotal", "tax", "taxes", "taxamount", "vat"),
    "shipping_tax": ("ordershippingtax", "shippingtaxtotal", "shippingtax"),
    "status": ("status", "orderstatus"),
    "currency": ("currency", "ordercurrency"),
    # Whether the customer agreed to marketing e-mails: Shopify's columns, then common words, then the order
    # meta the Mailchimp for WooCommerce plugin writes (``_mailchimp_woocommerce_is_subscribed``).
    "accepts_marketing": ("acceptsemailmarketing", "acceptsmarketing", "emailmarketingconsent", "marketingconsent",
                          "marketingoptin", "mailchimpwoocommerceissubscribed"),
}

# ---------------------------------------------------------------------------
# Order statuses -> what happens to the order. Statuses are compared lower-case,
# without a "wc-" prefix, with spaces and underscores as hyphens, so
# "wc-completed", "Completed" and "Pending payment" all match.

KEEP = "kept"
REFUNDED = "refunded: amount 0"

WOOCOMMERCE_STATUSES: dict[str, str] = {
    # As WooCommerce Analytics counts them: processing and on-hold are sales.
    "completed": KEEP,
    "processing": KEEP,
    "on-hold": KEEP,
    "refunded": REFUNDED,  # fully refunded: kept as an order of 0 so the report adds up
    "cancelled": CANCELLED,
    "pending": NOT_COMPLETED,
    "pending-payment": NOT_COMPLETED,
    "failed": NOT_COMPLETED,
    "checkout-draft": NOT_COMPLETED,
    "draft": NOT_COMPLETED,
    "trash": NOT_COMPLETED,
}

SHOPIFY_FINANCIAL_STATUSES: dict[str, str] = {
    "paid": KEEP,
    "partially-paid": KEEP,
    "authorized": KEEP,
    "pending": KEEP,  # payment on its way (bank transfer, cash on delivery): a real order
    "partially-refunded": KEEP,  # the Refunded Amount column takes the refund off
    "refunded": REFUNDED,
    "voided": CANCELLED,
    "expired": NOT_COMPLETED,  # the authorisation lapsed: never paid
}

CONSENT_WORDS: dict[str, bool] = {
    "yes": True, "y": True, "true": True, "1": True, "subscribed": True,
    "no": False, "n": False, "false": False, "0": False, "unsubscribed": False, "not subscribed": False,
}
"""A marketing consent cell (trimmed, lower-cased) -> agreed or not; other values say nothing."""

TABLE_STATUSES: dict[str, str] = {
    **WOOCOMMERCE_STATUSES,
    "canceled": CANCELLED,
    "void": CANCELLED,
    "voided": CANCELLED,
    "paid": KEEP,
    "complete": KEEP,
    "shipped": KEEP,
    "delivered": KEEP,
    "fulfilled": KEEP,
}
"""A status column in any other table: WooCommerce's words plus common ones."""

# ---------------------------------------------------------------------------
# Known exports: recognised when all their signature headers are present.


@dataclass(frozen=True, eq=False)
class Layout:
    """How one kind of export writes orders.

    ``words`` replaces ``HEADER_WORDS`` for the roles it names; a known export
    uses no other role. ``amount_per_order``: the amount columns are order
    totals, counted once per order (from its first row that has them) so that
    exports repeating them on every line item do not count them twice.
    """

    name: str
    signature: frozenset[str]
    words: Mapping[str, tuple[str, ...]]
    statuses: Mapping[str, str] = field(default_factory=dict)
    amount_per_order: bool = False
    subtotal_before_discount: bool = False


SHOPIFY = Layout(
    "Shopify orders export",
    signature=frozenset({"name", "financialstatus", "createdat", "subtotal", "lineitemname"}),
    words={
        "order": ("name",), "date": ("createdat",), "email": ("email",), "name": ("billingname",),
        "subtotal": ("subtotal",), "refund": ("refundedamount",), "status": ("financialstatus",),
        "cancelled": ("cancelledat",), "currency": ("currency",),
        "accepts_marketing": ("acceptsemailmarketing", "acceptsmarketing"),
    },
    statuses=SHOPIFY_FINANCIAL_STATUSES,
    amount_per_order=True,
)
WOOCOMMERCE_ANALYTICS = Layout(
    "WooCommerce Analytics orders",
    signature=frozenset({"date", "order#", "status", "customer", "netsales"}),
    words={"order": ("order#",), "date": ("date",), "customer": ("customer",), "name": ("customer",),
           "net": ("netsales",), "status": ("status",)},
    statuses=WOOCOMMERCE_STATUSES,
)
WOOCOMMERCE_EXPORT = Layout(
    "WooCommerce order export",
    signature=frozenset({"orderid", "orderdate", "ordertotal"}),
    words={
        **{role: HEADER_WORDS[role] for role in ("subtotal", "total", "discount", "shipping", "tax", "shipping_tax")},
        "order": ("orderid", "ordernumber"), "date": ("orderdate",), "customer": ("customerid", "customeruser"),
        "email": ("customeremail", "billingemail", "email"), "first_name": ("billingfirstname",),
        "last_name": ("billinglastname",), "status": ("status", "orderstatus"),
        "currency": ("ordercurrency", "currency"),
        "accepts_marketing": ("mailchimpwoocommerceissubscribed", "marketingoptin", "acceptsmarketing"),
    },
    statuses=WOOCOMMERCE_STATUSES,
    amount_per_order=True,
    subtotal_before_discount=True,
)
UCI_ONLINE_RETAIL_II = Layout(
    "UCI Online Retail II",
    signature=frozenset({"invoice", "stockcode", "quantity", "invoicedate", "price", "customerid"}),
    words={"order": ("invoice",), "date": ("invoicedate",), "customer": ("customerid",),
           "quantity": ("quantity",), "price": ("price",)},
)
UCI_ONLINE_RETAIL = Layout(
    "UCI Online Retail",
    signature=frozenset({"invoiceno", "stockcode", "quantity", "invoicedate", "unitprice", "customerid"}),
    words={"order": ("invoiceno",), "date": ("invoicedate",), "customer": ("customerid",),
           "quantity": ("quantity",), "price": ("unitprice",)},
)
TABLE = Layout(
    "Table of orders, columns found by their headers",
    signature=frozenset(), words=HEADER_WORDS, statuses=TABLE_STATUSES,
)

LAYOUTS = (SHOPIFY, WOOCOMMERCE_ANALYTICS, WOOCOMMERCE_EXPORT, UCI_ONLINE_RETAIL_II, UCI_ONLINE_RETAIL, TABLE)
"""Tried in this order; the plain table always matches."""

USER_NAMED = "Table of orders, columns named by you"

MAP_HINT = "(the app's column step, or the command line's column map)"
"""Ends a message that asks the user to name a column (``--map`` on the command line, which says so itself)."""


# ---------------------------------------------------------------------------
# Public API


def detect_columns(columns: Sequence[str]) -> dict[str, str | None]:
    """A table's column names (``read_table(...).columns``) -> the column found for each of ``ROLES``, or None.

    For pre-filling a column mapping form. ``amount`` is the main amount
    column; the amount actually used may also take off refunds, shipping or tax
    (see ``LoadReport.columns`` after reading).
    """
    found = _find_columns(list(columns), _layout_of(columns), {})
    main_amount = next((found[part] for part in ("amount", "net", "subtotal", "total") if found.get(part)), None)
    return {role: main_amount if role == "amount" else found.get(role) for role in ROLES}


def parse_mapping(text: str) -> dict[str, str]:
    """``"customer=Email,order=Name,date=Created at"`` -> ``{"customer": "Email", ...}``.

    For the command line's ``--map``. Roles are ``ROLES``; column names are
    taken as written, without surrounding spaces.

    >>> parse_mapping("customer=Email, amount=Subtotal")
    {'customer': 'Email', 'amount': 'Subtotal'}
    """
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        role, equals, column = (piece.strip() for piece in item.partition("="))
        role = role.lower()
        if not equals or not role or not column:
            raise OrdersError(f"Write each column mapping as role=COLUMN, e.g. date=Created at; got {item!r}.")
        if role not in ROLES:
            raise OrdersError(f"Unknown role {role!r} in the column mapping; roles are {', '.join(ROLES)}.")
        if role in mapping:
            raise OrdersError(f"The role {role!r} is mapped twice; map each role to one column.")
        mapping[role] = column
    if not mapping:
        raise OrdersError("The column mapping is empty; write it as role=COLUMN, e.g. date=Created at.")
    return mapping


def tidy_names(header: Iterable[object]) -> list[str]:
    """A file's header row -> unique, trimmed column names: a blank one is "column N", the second
    "Total" is "Total (2)", and a byte-order mark is dropped.

    >>> tidy_names(["Total", " Total ", "", "\\ufeffid"])
    ['Total', 'Total (2)', 'column 3', 'id']
    """
    names: list[str] = []
    for position, column in enumerate(header, start=1):
        name = str(column).replace("\ufeff", "").strip() or f"column {position}"
        candidate, copy = name, 1
        while candidate in names:
            copy += 1
            candidate = f"{name} ({copy})"
        names.append(candidate)
    return names


# ---------------------------------------------------------------------------
# Finding columns


def _normalise(header: str) -> str:
    return re.sub(r"[\s_\-.]", "", re.sub(r"\(.*?\)", "", str(header).lower()))


def _layout_of(columns: Iterable[str]) -> Layout:
    present = {_normalise(column) for column in columns}
    return next(layout for layout in LAYOUTS if layout.signature <= present)


def _find_columns(columns: list[str], layout: Layout, mapped: Mapping[str, str]) -> dict[str, str | None]:
    """Role -> column: the caller's mapping first, then the layout's header words."""
    by_word: dict[str, str] = {}
    for column in columns:
        by_word.setdefault(_normalise(column), column)
    found: dict[str, str | None] = {}
    for role in {*HEADER_WORDS, *layout.words, "refund", "cancelled"}:
        words = layout.words.get(role, ())
        found[role] = next((by_word[word] for word in words if word in by_word), None)
    return {**found, **mapped}


def _check_mapping(mapping: Mapping[str, str | None], columns: list[str]) -> dict[str, str]:
    """The caller's role -> column, with each column as the file spells it."""
    listing = ", ".join(columns)
    checked: dict[str, str] = {}
    for role, column in mapping.items():
        if column is None or not str(column).strip():
            continue
        if role not in ROLES:
            raise OrdersError(f"Unknown role {role!r} in the column mapping; roles are {', '.join(ROLES)}.")
        wanted = str(column).strip()
        match = next((c for c in columns if c == wanted), None) or next(
            (c for c in columns if _normalise(c) == _normalise(wanted)), None
        )
        if match is None:
            raise OrdersError(
                f"There is no column {wanted!r} (named for {role}) in the file. Its columns are: {listing}."
            )
        checked[role] = match
    return checked


@dataclass(frozen=True)
class ColumnPlan:
    """Which columns make each part of an order, and how."""

    layout: Layout
    source_format: str
    customer: str | None
    email: str | None
    name: str | None
    first_name: str | None
    last_name: str | None
    order: str | None
    date: str
    terms: tuple[tuple[int, str], ...]  # signed amount columns, summed
    quantity: str | None  # with price: amount = quantity x price
    price: str | None
    amount_per_order: bool
    refund: str | None
    status: str | None
    cancelled: str | None
    currency: str | None
    accepts_marketing: str | None  # whether the customer agreed to marketing (``CONSENT_WORDS``)

    def columns(self) -> dict[str, str]:
        """Role -> the column(s) used, as shown in the report."""
        who = [self.customer, self.email, self.name or _joined(self.first_name, self.last_name)]
        amount = (
            "".join(f"{' - ' if sign < 0 else ' + '}{column}" for sign, column in self.terms).removeprefix(" + ")
            if self.terms
            else f"{self.quantity} x {self.price}"
        )
        shown = {
            "customer": ", else ".join(dict.fromkeys(column for column in who if column)),
            "order": self.order or "(each row is an order)",
            "date": self.date,
            "amount": amount + (f" - {self.refund}" if self.refund else ""),
            "email": self.email,
            "name": self.name or _joined(self.first_name, self.last_name),
            "status": self.status,
            "cancelled": self.cancelled,
            "accepts_marketing": self.accepts_marketing,
        }
        return {role: column for role, column in shown.items() if column}


def _joined(first: str | None, last: str | None) -> str | None:
    return " + ".join(column for column in (first, last) if column) or None


def plan_columns(columns: Sequence[str], mapping: Mapping[str, str | None]) -> ColumnPlan:
    """A table's column names (and the caller's ``mapping``) -> which columns make each part of an order.

    What ``read_orders`` decides before it reads a value; ``clv.duck`` asks it too, so that both
    engines read the same columns the same way. Raises ``ColumnsError`` saying what is missing.
    """
    columns = list(columns)
    layout = _layout_of(columns)
    mapped = _check_mapping(mapping, columns)
    found = _find_columns(columns, layout, mapped)
    listing = ", ".join(columns)

    if "amount" in mapped:
        terms, quantity, price = ((1, mapped["amount"]),), None, None
    elif "quantity" in mapped or "price" in mapped:
        terms, quantity, price = (), found["quantity"], found["price"]
        if not (quantity and price):
            missing = "price" if quantity else "quantity"
            raise ColumnsError(
                f"An amount from quantity x price needs both; no column looks like the {missing}. "
                f"Name the {missing} column {MAP_HINT}. Columns in the file: {listing}."
            )
    else:
        terms, quantity, price = _amount_rule(found, layout)

    who = (found["customer"], found["email"], found["name"], found["first_name"], found["last_name"])
    missing = [
        label
        for label, present in (
            ("a customer", any(who)),
            ("an order date", found["date"]),
            ("an amount", terms or (quantity and price)),
        )
        if not present
    ]
    if len(missing) == 3:
        raise ColumnsError(
            f"No column looks like a customer, an order date or an amount (columns in the file: {listing}). "
            f"Name the customer, date and amount columns {MAP_HINT}."
        )
    if missing:
        role = {"a customer": "customer", "an order date": "date", "an amount": "amount"}[missing[0]]
        raise ColumnsError(
            f"No column looks like {missing[0]} (columns in the file: {listing}). "
            f"Name the {role} column {MAP_HINT}."
        )
    source_format = USER_NAMED if mapped and layout is TABLE else layout.name
    return ColumnPlan(
        layout=layout,
        source_format=source_format,
        customer=found["customer"],
        email=found["email"],
        name=found["name"],
        first_name=found["first_name"],
        last_name=found["last_name"],
        order=found["order"],
        date=found["date"],
        terms=terms,
        quantity=quantity,
        price=price,
        amount_per_order=layout.amount_per_order and "amount" not in mapped and not (quantity and price),
        refund=found["refund"],
        status=found["status"],
        cancelled=found["cancelled"],
        currency=found["currency"],
        accepts_marketing=found["accepts_marketing"],
    )


def _amount_rule(
    found: Mapping[str, str | None], layout: Layout
) -> tuple[tuple[tuple[int, str], ...], str | None, str | None]:
    """Net sales from the columns the file has, most net first (see ``read_orders``)."""
    if found.get("net"):
        return ((1, found["net"]),), None, None
    if found.get("subtotal"):
        discount = found.get("discount") if layout.subtotal_before_discount else None
        return ((1, found["subtotal"]),) + (((-1, discount),) if discount else ()), None, None
    if found.get("total"):
        parts = tuple((-1, found[part]) for part in ("shipping", "tax", "shipping_tax") if found.get(part))
        return ((1, found["total"]),) + parts, None, None
    if found.get("amount"):
        return ((1, found["amount"]),), None, None
    return (), found.get("quantity"), found.get("price")
