"""Reports from saved files and the `bayes-zba report` commands: nothing is refitted.

Fits, the ranking and the data go to disk first, exactly as a comparison leaves them.
"""

import pytest
from report_fixtures import SAMPLE
from typer.testing import CliRunner

from bayes_zba.cli import app
from bayes_zba.compare import save_ranking
from bayes_zba.data import save_dataset
from bayes_zba.inference import save_fit
from bayes_zba.report.from_files import fits_by_model, ranking_report_from_files


@pytest.fixture(scope="module")
def saved(fits, decisive_ranking, dataset, tmp_path_factory):
    """Paths of the saved fits (by model), ranking.json and data file."""
    folder = tmp_path_factory.mktemp("saved")
    fit_paths = {m: save_fit(fit, folder / f"{m}.nc") for m, fit in fits.items()}
    ranking = save_ranking(decisive_ranking, folder / "ranking.json")
    data = folder / "data.csv"
    save_dataset(dataset, data)
    return fit_paths, ranking, data


def test_ranking_report_from_saved_files(saved, tmp_path):
    fit_paths, ranking, data = saved
    files = ranking_report_from_files(ranking, list(fit_paths.values()), data, tmp_path)
    assert files["html"] == tmp_path / f"ranking-{SAMPLE}.html"
    assert "kr2" in files["markdown"].read_text(encoding="utf-8")


def test_every_ranked_model_needs_its_fit(saved, tmp_path):
    fit_paths, ranking, data = saved
    with pytest.raises(ValueError, match="no fit given for ranked model"):
        ranking_report_from_files(ranking, [fit_paths["kr2"]], data, tmp_path)


def test_two_fits_of_one_model_are_refused(fits):
    with pytest.raises(ValueError, match="two fits of model 'kr2'"):
        fits_by_model([fits["kr2"], fits["kr1"], fits["kr2"]])


def test_report_fit_command_writes_the_report(saved, tmp_path):
    fit_paths, _, data = saved
    result = CliRunner().invoke(
        app, ["report", "fit", str(fit_paths["kr1"]), "--out", str(tmp_path), "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert f"fit-{SAMPLE}-kr1.html" in result.output
    assert (tmp_path / f"fit-{SAMPLE}-kr1.md").is_file()


def test_report_commands_explain_bad_input_and_exit_2(saved, tmp_path):
    fit_paths, _, data = saved
    runner = CliRunner()
    missing_fit = runner.invoke(app, ["report", "fit", str(tmp_path / "no.nc"), "--out", "x"])
    assert missing_fit.exit_code == 2
    assert "not a readable fit file" in missing_fit.output
    missing_ranking = runner.invoke(
        app,
        [
            "report",
            "ranking",
            str(tmp_path / "no.json"),
            str(fit_paths["kr2"]),
            "--data",
            str(data),
            "--out",
            str(tmp_path),
        ],
    )
    assert missing_ranking.exit_code == 2
    assert "cannot write the report" in missing_ranking.output
    assert "Traceback" not in missing_ranking.output
