"""Why an order is left out: the reasons the data-quality report lists, in its order.

Plain strings without pandas, so that the header rules (``clv.columns``) can name them too.
"""

NO_CUSTOMER = "no customer"
BAD_DATE = "unreadable date"
BAD_AMOUNT = "unreadable amount"
CANCELLED = "cancelled or voided"
NOT_COMPLETED = "not completed (pending, failed, draft)"
AFTER_AS_OF = "after the as-of date"
BEFORE_WINDOW = "before the window"
RETURNS_ONLY = "customer with no positive order in the window"

REASONS = (NO_CUSTOMER, BAD_DATE, BAD_AMOUNT, CANCELLED, NOT_COMPLETED, AFTER_AS_OF, BEFORE_WINDOW, RETURNS_ONLY)
