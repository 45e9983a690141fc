"""The command line: the contracted files, exit codes, and no traceback for bad input."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clv.analysis import analyze
from clv.cli import main
from clv.engine import DuckEngine
from clv.export import CUSTOMER_COLUMNS, SEGMENT_COLUMNS
from clv.load import read_orders
from clv.settings import Settings
from clv.share import report_html

ROOT = Path(__file__).resolve().parents[1]

# Three customers over 2026; as_of = 2026-12-31, window 365 days.
ORDERS_CSV = """customer_id,order_id,order_date,amount
c1,1,2026-12-30,100.00
c1,2,2026-12-31,50.00
c2,3,2026-06-01,30.00
c3,4,2026-01-01,20.00
c3,5,2026-01-02,-5.00
,6,2026-03-03,99.00
"""


@pytest.fixture()
def orders_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV)
    return path


def test_writes_the_contracted_files(orders_file, tmp_path, capsys):
    customers_out, segments_out = tmp_path / "customers.csv", tmp_path / "segments.csv"
    code = main([str(orders_file), "--customers-out", str(customers_out), "--segments-out", str(segments_out),
                 "--margin", "0.5"])
    assert code == 0
    segments = pd.read_csv(segments_out)
    assert segments["tier"].tolist() == ["High", "Medium", "Low", "All"]
    everyone = segments.set_index("tier").loc["All"]
    # 4 counted orders (the -5.00 return is not an order), 195.00 net, 3 customers.
    assert (everyone.customers, everyone.orders, everyone.revenue) == (3, 4, 195.0)
    assert everyone.aov == 48.75
    assert everyone.clv == 97.5  # 195 / 3 customers x 3 years x 50%
    customers = pd.read_csv(customers_out).set_index("customer")
    figures = ["recency_days", "frequency", "monetary", "r", "f", "m"]
    assert customers.loc["c1", figures].tolist() == [0, 2, 150.0, 3, 3, 3]
    assert customers.loc["c1", "tier"] == "High" and customers.loc["c3", "monetary"] == 15.0
    out = capsys.readouterr().out
    assert "Tiers" in out and "no customer" in out and "99.00" in out


def test_writes_the_report_the_dashboard_writes(orders_file, tmp_path):
    report_out = tmp_path / "report.html"
    assert main([str(orders_file), "--report-out", str(report_out), "--margin", "0.5"]) == 0
    loaded = read_orders(orders_file)
    engine = DuckEngine.of_orders(loaded.orders)
    analysis = analyze(engine, Settings(margin=0.5))
    expected = report_html(analysis, loaded.report, source="orders.csv")
    assert report_out.read_text(encoding="utf-8") == expected
    assert "<h2>Customers</h2>" not in expected


def test_the_report_has_the_customer_list_only_when_asked(orders_file, tmp_path):
    report_out = tmp_path / "report.html"
    assert main([str(orders_file), "--report-out", str(report_out), "--report-customers"]) == 0
    assert "<h2>Customers</h2>" in report_out.read_text(encoding="utf-8")


def test_the_report_is_the_same_whichever_engine_read_the_file(orders_file, tmp_path):
    for engine in ("duckdb", "pandas"):
        assert main([str(orders_file), "--engine", engine, "--report-out", str(tmp_path / f"{engine}.html")]) == 0
    assert (tmp_path / "duckdb.html").read_bytes() == (tmp_path / "pandas.html").read_bytes()


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_the_files_dates_are_those_of_every_dated_order(tmp_path, capsys, engine):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV + ",7,2025-11-30,10.00\n")  # a guest order, left out, is still in the file
    assert main([str(path), "--engine", engine]) == 0
    assert "7 rows read, orders from 2025-11-30 to 2026-12-31; columns used" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.csv"], "No file at"),
        (["{orders}", "--tiers", "7"], "--tiers takes two scores"),
        (["{orders}", "--tiers", "7,5"], "Tier cuts"),
        (["{orders}", "--window-days", "lots"], "--window-days takes"),
        (["{orders}", "--as-of", "31/12/2026"], "--as-of takes a date"),
        (["{orders}", "--as-of", "2020-01-01"], "before the first order"),
        (["{orders}", "--map", "colour=red"], ""),
        (["{orders}", "--predict"], "at least 100 customers who bought again"),
        (["{orders}", "--model-out", "model.csv"], "add --predict"),
        (["{orders}", "--predict", "--horizon-days", "0"], "horizon must be at least 1 day"),
    ],
    ids=["no-file", "one-cut", "cuts-reversed", "bad-window", "bad-as-of", "as-of-too-early", "bad-map",
         "too-few-to-predict", "model-without-predict", "no-horizon"],
)
def test_bad_input_is_one_line_and_exit_2(arguments, message, orders_file, capsys):
    code = main([a.format(orders=orders_file) for a in arguments])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "clv", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "--segments-out" in done.stdout


def test_a_real_run_from_the_shell_prints_no_traceback(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\x00\x01\x02garbage\xff")
    done = subprocess.run([sys.executable, "-m", "clv", str(broken)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.startswith("error: ")


def _zip_of(name: str, content: bytes) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "orders.csv", "empty"),
        (b"customer_id,order_id,order_date,amount\n", "orders.csv", ""),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "orders.csv", "not a table"),
        (_zip_of("orders.csv", ORDERS_CSV.encode()), "orders.xlsx", "zip"),
        (b"colour,size\nred,10\nblue,12\n", "orders.csv", "--map"),
        (b"customer_id,order_id,order_date,amount\nc1,1,yesterday,5\nc2,2,soon,6\n", "orders.csv", "date"),
    ],
    ids=["empty", "header-only", "binary", "zip-renamed-xlsx", "no-usable-columns", "no-readable-date"],
)
def test_unusable_files_get_one_line_saying_what_was_expected(content, filename, message, tmp_path):
    path = tmp_path / filename
    path.write_bytes(content)
    done = subprocess.run([sys.executable, "-m", "clv", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def cdnow_file(tmp_path_factory):
    """The CDNOW sample (tests/fixtures/cdnow_sample.txt, see tests/test_predict.py) as an order export."""
    lines = pd.read_csv(ROOT / "tests" / "fixtures" / "cdnow_sample.txt", sep=r"\s+", header=None,
                        names=["master", "customer_id", "order_date", "cds", "amount"],
                        dtype={"customer_id": "str", "order_date": "str"})
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    lines.assign(order_id=lines.index, order_date=pd.to_datetime(lines["order_date"]).dt.strftime("%Y-%m-%d")).loc[
        :, ["customer_id", "order_id", "order_date", "amount"]].to_csv(path, index=False)
    return path


def test_predict_adds_its_columns_after_the_others(cdnow_file, tmp_path, capsys):
    # CDNOW to the papers' calibration end; 273 days is their 39-week forecast.
    base = [str(cdnow_file), "--as-of", "1997-09-30", "--window-days", "all", "--margin", "0.5"]
    plain, predicted = tmp_path / "plain", tmp_path / "predicted"
    for out in (plain, predicted):
        out.mkdir()
    assert main(base + ["--customers-out", str(plain / "c.csv"), "--segments-out", str(plain / "s.csv")]) == 0
    assert "Predicted" not in capsys.readouterr().out
    assert main(base + ["--predict", "--horizon-days", "273", "--customers-out", str(predicted / "c.csv"),
                        "--segments-out", str(predicted / "s.csv"), "--model-out", str(predicted / "m.csv")]) == 0
    assert "Predicted, next 273 days" in capsys.readouterr().out
    extra = ["p_alive", "expected_orders", "expected_order_value", "predicted_clv"]
    customers = pd.read_csv(predicted / "c.csv", dtype={"customer": "str"})
    assert customers.columns.tolist() == CUSTOMER_COLUMNS + extra
    # The columns before them are the file without --predict, byte for byte.
    for name, width in (("c.csv", len(CUSTOMER_COLUMNS)), ("s.csv", len(SEGMENT_COLUMNS))):
        prefix = [",".join(line.split(",")[:width]) for line in (predicted / name).read_text().splitlines()]
        assert prefix == (plain / name).read_text().splitlines()

    # The fit: the papers' less the 8 customers whose only purchase was $0.00, which are not counted orders.
    model = pd.read_csv(predicted / "m.csv")
    assert model[["model", "parameter"]].values.tolist() == [
        ["bgnbd", "r"], ["bgnbd", "alpha"], ["bgnbd", "a"], ["bgnbd", "b"], ["bgnbd", "log_likelihood"],
        ["bgnbd", "customers"], ["gamma_gamma", "p"], ["gamma_gamma", "q"], ["gamma_gamma", "gamma"],
        ["gamma_gamma", "log_likelihood"], ["gamma_gamma", "customers"]]
    value = model.set_index(["model", "parameter"])["value"]
    assert (value["bgnbd", "customers"], value["gamma_gamma", "customers"]) == (2349, 946)
    assert (round(value["bgnbd", "r"], 4), round(value["bgnbd", "alpha"], 2)) == (0.2439, 30.96)
    assert (round(value["gamma_gamma", "p"], 2), round(value["gamma_gamma", "q"], 2)) == (6.25, 3.74)
    assert "customers,2349\n" in (predicted / "m.csv").read_text()  # a count stays a whole number

    # Customer 0001: x = 2 (1997-01-18 and 08-02 after 01-01), t_x = 213, T = 272, m = (29.73 + 14.96) / 2.
    r, alpha, a, b = (value["bgnbd", k] for k in ("r", "alpha", "a", "b"))
    p, q, gamma = (value["gamma_gamma", k] for k in ("p", "q", "gamma"))
    first = customers.set_index("customer").loc["0001"]
    assert first["p_alive"] == pytest.approx(1 / (1 + a / (b + 1) * ((alpha + 272) / (alpha + 213)) ** (r + 2)),
                                             abs=5e-5)
    assert first["expected_order_value"] == pytest.approx(p * (gamma + 2 * 22.345) / (2 * p + q - 1), abs=5e-3)
    product = customers["expected_orders"] * customers["expected_order_value"] * 0.5
    assert np.allclose(customers["predicted_clv"], product, rtol=1e-3, atol=0.01)

    segments = pd.read_csv(predicted / "s.csv").set_index("tier")
    assert segments.columns.tolist()[-3:] == ["predicted_clv", "p_alive", "expected_orders"]
    everyone = segments.loc["All"]
    assert round(everyone["expected_orders"]) == 1653  # the papers' forecast for these 39 weeks
    assert everyone["p_alive"] == pytest.approx(customers["p_alive"].mean(), abs=1e-4)
    assert everyone["predicted_clv"] == pytest.approx(customers["predicted_clv"].mean(), abs=0.01)
    assert segments.loc[["High", "Medium", "Low"], "expected_orders"].sum() == pytest.approx(
        everyone["expected_orders"], abs=1e-3)


def test_too_little_to_predict_writes_nothing(orders_file, tmp_path, capsys):
    customers_out = tmp_path / "customers.csv"
    assert main([str(orders_file), "--predict", "--customers-out", str(customers_out)]) == 2
    assert not customers_out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "have 1." in err  # c1, who bought on two days (c3's second order is a return)
