"""``python -m clv ORDERS``: the command line (``clv.cli``), with DuckDB reading the file while Python
imports pandas.

The flags and a guess of the file's plan from its head need no pandas
(``clv.flags``, ``clv.duckread``): the read starts on DuckDB's threads at once,
and ``clv.duck.scan_file`` takes it over only when the loader's own reading of
the head gives the very same statement (else it stops it and reads anew).
"""

import sys

from clv.duckread import read_ahead
from clv.flags import build_parser

args = build_parser().parse_args()  # --help and usage errors end here, as they would in clv.cli
with read_ahead(args.orders, args.engine, args.map) as started:
    from clv.cli import main

    status = main(sys.argv[1:], started)
sys.exit(status)
