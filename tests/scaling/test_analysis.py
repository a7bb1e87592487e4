"""scaling.json, the HTML/Markdown report and the `bayes-zba scaling` command (no sampling).

The Bayesian part is covered by the slow tests of test_bayesian.py.
"""

import json

import pytest
from scaling_data import scaling_dataset, window_truth
from typer.testing import CliRunner

from bayes_zba.cli import app
from bayes_zba.data import save_dataset
from bayes_zba.scaling.analysis import analyse_file
from bayes_zba.scaling.classical import ScalingOptions

CONTRACT_KEYS = {
    "alpha_star",
    "alpha_err",
    "B_sigma",
    "F0",
    "F1",
    "Gamma1",
    "D_alpha",
    "alpha_posterior",
    "Gamma1_posterior",
    "scaling_verdict",
}


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "pure.csv"
    dataset = scaling_dataset(
        temperatures=(0.2, 0.3, 0.4, 0.6, 0.8, 1.0), n_bias=101, noise=0.05, drift=0.3, seed=7
    )
    save_dataset(dataset, path)
    return path


@pytest.fixture(scope="module")
def written(data_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return analyse_file(data_file, out, options=ScalingOptions(bootstrap=5), bayes=None)["pure"]


def test_scaling_json_holds_the_contract_and_the_true_numbers(written):
    result = json.loads(written["json"].read_text(encoding="utf-8"))
    assert set(result) >= CONTRACT_KEYS
    assert result["alpha_star"] == pytest.approx(0.5, abs=3 * result["alpha_err"])
    assert set(result["B_sigma"]) == {"value", "spread"}
    gamma1 = result["Gamma1"]
    assert gamma1["value"] == pytest.approx(window_truth()[1], abs=3 * gamma1["spread"])
    assert len(result["D_alpha"]["alpha"]) == len(result["D_alpha"]["D"]) == 61
    assert result["alpha_posterior"] is None and result["Gamma1_posterior"] is None
    assert result["scaling"] is True
    assert result["scaling_verdict"].startswith("The low-temperature curves collapse")


def test_report_pages_and_figures_are_written_beside_the_json(written):
    html = written["html"].read_text(encoding="utf-8")
    markdown = written["markdown"].read_text(encoding="utf-8")
    assert written["html"].parent == written["json"].parent
    for text in (html, markdown):
        assert "Scaling analysis — pure" in text
        assert "Γ1 = F1/B_Σ" in text
    assert html.count("<img ") == 3
    for name in ("collapse", "deviation", "zero-bias"):
        assert written[f"figure:{name}"].read_bytes().startswith(b"\x89PNG")


def test_cli_writes_the_analysis_and_prints_the_verdict(data_file, tmp_path):
    result = CliRunner().invoke(
        app, ["scaling", str(data_file), "--out", str(tmp_path), "--no-bayes"]
    )
    assert result.exit_code == 0, result.output
    assert "pure: The low-temperature curves collapse" in result.output
    assert (tmp_path / "pure" / "scaling.json").exists()


def test_cli_reports_unusable_data_with_exit_code_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("V_mV,G_e2h\n0,1\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["scaling", str(bad), "--out", str(tmp_path), "--no-bayes"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
