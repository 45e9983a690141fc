"""The one error type the core raises for input a person must fix."""


class OrdersError(ValueError):
    """The input cannot become a table of orders.

    The message is written for the store owner: it says what was expected and
    what to do, in one or two sentences, and never carries a traceback.
    """


class ColumnsError(OrdersError):
    """The file is a readable table, but the columns for customer, order, date or amount
    were not found or not usable: the user can fix it by naming the columns."""
