"""Reading ahead: ``python -m clv`` starts DuckDB's read from a guess of the file's plan before pandas is
imported, and the scan takes it over only when the loader's own plan gives the same statement."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas.testing as pdt
import pytest

from clv import duck
from clv.cli import main
from clv.duckread import Read, guess_source, orders_statement, read_ahead
from clv.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

PLAIN = ("customer_id,order_id,order_date,amount,email\n"
         "c1,1,2026-01-01,5.00,a@x.com\nc2,2,2026-01-02,7.50,\nc1,3,2026-02-01,2,a@x.com\nc3,4,2026-03-01,-1,\n")


def write(tmp_path, text, name="orders.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def closed(read: Read) -> bool:
    try:
        read.con.execute("SELECT 1")
    except duckdb.ConnectionException:
        return True
    return False


@pytest.mark.parametrize("text", [
    PLAIN,
    "\ufeff" + PLAIN,
    PLAIN.replace("\n", "\r\n"),
    '"Customer ID","Order ID","Created at","Net Sales (€)"\n"c,1",1,2026-01-01 10:00:00,5\n\n,,,\n'
    '" c2 ",1,2026-01-02 11:00:00,3\n',
    "Email;Billing Name;Date;Total;Total\nA@x.com;Ann;2026-01-01;5;6\n;Bob;2026-01-03;4;4\n",
    "customer\tdate\tamount\tcolumn 4\t\nc1\t01/02/2026\t5\tx\t\n",
    "customer_id,order_id,order_date,amount,status\nc1,1,2026-01-01,5,completed\n",
    "customer_id,order_id,order_date,amount\n",
    "customer_id,order_id,order_date,amount\n,,,\n\n",
    "kunde,datum,betrag\nc1,2026-01-01,5\n",
    "customer_id,order_id,order_date,amount\nc1,1,2026-01-01,5,extra\nc2,2\n",
], ids=["plain", "bom", "crlf", "quoted-blank-rows-repeated-order", "semicolon-twice-named", "tab-text-dates",
        "status", "no-rows", "blank-rows-only", "no-roles", "ragged"])
def test_the_guess_plans_a_file_as_the_loader_reads_its_head(tmp_path, text):
    path = write(tmp_path, text)
    assert guess_source(path, None) == duck._qualify(path, None)


@pytest.mark.parametrize("fixture", sorted(path.name for path in FIXTURES.iterdir()))
def test_the_guess_agrees_with_the_loader_on_every_fixture(fixture):
    assert guess_source(FIXTURES / fixture, None) == duck._qualify(FIXTURES / fixture, None)


def test_the_guess_reads_the_head_only(tmp_path, monkeypatch):
    # Past the head, an order id comes back: the guess (like the loader's plan) still says one row per order.
    monkeypatch.setattr("clv.duckread.SAMPLE_BYTES", 150_000)
    rows = [f"c{i % 700},{i},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 97}.5" for i in range(8_000)] + [
        "c1,1,2025-12-30,3.25"]
    path = write(tmp_path, "customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n")
    guess = guess_source(path, None)
    assert guess.one_row_orders and guess == duck._qualify(path, None)


def scanned(path, started=None):
    with duck.scan_file(path, Settings(window_days=None), started=started) as scan:
        return None if scan is None else (scan.con, scan.summary())


def test_the_scan_takes_over_a_read_started_for_its_statement(tmp_path):
    path = write(tmp_path, PLAIN)
    started = Read(guess_source(path, None))
    con, summary = scanned(path, started)
    assert con is started.con, "the started read should have been taken over"
    assert closed(started)
    pdt.assert_frame_equal(summary.customers, scanned(path)[1].customers)
    assert summary.customers["customer"].tolist() == ["c1", "c2"]  # c3 has only a return


def test_a_read_started_for_another_statement_is_stopped_and_the_file_read_anew(tmp_path):
    path = write(tmp_path, PLAIN)
    right = guess_source(path, None)
    wrong = replace(right, dates="text")
    assert orders_statement(wrong) != orders_statement(right)
    started = Read(wrong)
    con, summary = scanned(path, started)
    assert con is not started.con and closed(started)
    pdt.assert_frame_equal(summary.customers, scanned(path)[1].customers)


def test_a_read_started_for_a_file_that_does_not_qualify_is_stopped(tmp_path):
    plain = write(tmp_path, PLAIN)
    status = write(tmp_path, "customer_id,order_id,order_date,amount,status\nc1,1,2026-01-01,5,completed\n",
                   name="status.csv")
    started = Read(replace(guess_source(plain, None), path=status))
    assert scanned(status, started) is None
    assert closed(started)
    started.close()  # twice is harmless


@pytest.mark.parametrize("engine, map_text, name, expected", [
    ("auto", None, "orders.csv", True),
    ("duckdb", "customer=customer_id", "orders.csv", True),
    ("pandas", None, "orders.csv", False),
    ("spark", None, "orders.csv", False),
    ("auto", "customer=nope", "orders.csv", False),
    ("auto", "not a mapping", "orders.csv", False),
    ("auto", None, "missing.csv", False),
])
def test_read_ahead_starts_only_what_the_duckdb_engine_would_read(tmp_path, engine, map_text, name, expected):
    write(tmp_path, PLAIN)
    with read_ahead(str(tmp_path / name), engine, map_text) as started:
        assert (started is not None) == expected
        if started is not None:
            started.wait()
            assert started.con.execute("SELECT count(*) FROM orders").fetchone() == (4,)
    assert started is None or closed(started)


def test_python_m_clv_prints_and_writes_what_the_command_line_does_in_process(tmp_path, capsys):
    path = write(tmp_path, PLAIN)
    flags = ["--engine", "duckdb", "--window-days", "all"]
    assert main([str(path), *flags, "--customers-out", str(tmp_path / "in.csv"),
                 "--segments-out", str(tmp_path / "in-tiers.csv")]) == 0
    printed = capsys.readouterr().out
    done = subprocess.run([sys.executable, "-m", "clv", str(path), *flags, "--customers-out", str(tmp_path / "ahead.csv"),
                           "--segments-out", str(tmp_path / "ahead-tiers.csv")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed
    assert (tmp_path / "ahead.csv").read_bytes() == (tmp_path / "in.csv").read_bytes()
    assert (tmp_path / "ahead-tiers.csv").read_bytes() == (tmp_path / "in-tiers.csv").read_bytes()
    assert not list(tmp_path.glob("clv-duckdb-*"))


def test_a_bad_setting_ends_the_command_and_its_read_ahead_at_once(tmp_path):
    path = write(tmp_path, PLAIN)
    done = subprocess.run([sys.executable, "-m", "clv", str(path), "--tiers", "7"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: --tiers takes two scores"), done.stderr


def test_what_runs_before_pandas_is_imported_does_not_import_it():
    probe = ("import sys, clv.duckread, clv.flags; "
             "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
