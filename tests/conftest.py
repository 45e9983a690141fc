"""What several test files share: one local Spark session for the whole run."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    """A local Spark (``local[2]``); the tests that ask for it skip where pyspark or Java is missing."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    try:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("clv-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.adaptive.enabled", "false")  # re-planning costs more than it saves on tiny tables
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
    except Exception as error:  # no Java, or a JVM that will not start
        pytest.skip(f"Spark could not start: {error}")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
