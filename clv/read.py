"""An orders export -> its canonical orders in an engine, by the fastest reader that reads it exactly.

    read_into_engine(source) -> EngineOrders(report, engine)

One path for the command line and the dashboard. A plain UTF-8 CSV goes
straight into DuckDB (``clv.duck.scan_file``), which reads it exactly as the
general loader would or gives it back; every other file is read by the general
loader (``clv.load.read_orders``) and its canonical orders copied into DuckDB,
after which the pandas table is let go. Either way nothing else holds the
orders: the analysis runs on ``engine`` (``clv.analysis.analyze``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping

from clv.duck import BINARY_STARTS, scan_file
from clv.engine import ORDERS, DuckEngine
from clv.load import Source, read_orders
from clv.parse import DateOrder
from clv.report import LoadReport

Reader = Literal["auto", "duckdb", "loader"]


@dataclass(frozen=True, eq=False)
class EngineOrders:
    """How a file was read, and the engine holding its canonical orders (``clv.engine.ORDERS``)."""

    report: LoadReport
    engine: DuckEngine

    @property
    def orders_kept(self) -> int:
        return self.engine.fetch(f"SELECT count(*) AS orders FROM {ORDERS}")["orders"][0].as_py()


def read_into_engine(
    source: Source,
    *,
    filename: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    date_order: DateOrder = "auto",
    reader: Reader = "auto",
) -> EngineOrders:
    """An export (path, bytes or binary file) -> its load report and its canonical orders in DuckDB.

    Parameters
    ----------
    source, filename, mapping, date_order
        As for ``clv.load.read_orders``.
    reader : {"auto", "duckdb", "loader"}
        auto: DuckDB's own reader where the file qualifies, else the general
        loader; duckdb: DuckDB's reader or an ``OrdersError`` saying why not;
        loader: the general loader always.

    Raises
    ------
    OrdersError
        For any file that cannot become orders, with a message saying what to do.
    """
    if reader != "loader":
        scan = _scan(source, mapping, strict=reader == "duckdb")
        if scan is not None:
            return EngineOrders(scan.report, scan.engine)
    loaded = read_orders(source, filename=filename, mapping=mapping, date_order=date_order)
    return EngineOrders(loaded.report, DuckEngine.of_orders(loaded.orders))


def _scan(source: Source, mapping, strict: bool):
    """``scan_file`` on a path, or on the bytes of an upload written to a temporary file for DuckDB's reader."""
    if isinstance(source, (str, os.PathLike)):
        return scan_file(Path(source), mapping=mapping, strict=strict)
    data = source.read() if hasattr(source, "read") else bytes(source)
    if hasattr(source, "seek"):
        source.seek(0)  # the loader may read it again
    if data.startswith(BINARY_STARTS):
        return None
    with tempfile.TemporaryDirectory(prefix="clv-upload-") as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(data)
        return scan_file(path, mapping=mapping, strict=strict)
