"""RFM scores and per-segment customer lifetime value: the pure core of the dashboard.

Read an export with ``clv.load.read_orders``, then ``clv.analysis.analyze`` it with
a ``clv.settings.Settings``; ``clv.export`` turns the result into files.
"""
