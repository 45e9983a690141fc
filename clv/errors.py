"""The one error type the core raises for input a person must fix."""


class OrdersError(ValueError):
    """The input cannot become a table of orders.

    The message is written for the store owner: it says what was expected and
    what to do, in one or two sentences, and never carries a traceback.
    """
