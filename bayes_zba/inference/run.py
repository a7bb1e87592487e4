"""Fit one model to one sample of a data file and save it: what `bayes-zba fit` runs.

Writes out_dir/<sample>/<model>.nc (atomically); a finished fit saved there from the same inputs
is reused instead, unless a refit is asked for.
"""

from pathlib import Path

from bayes_zba.data import load_dataset
from bayes_zba.files import safe_stem
from bayes_zba.inference.fit import Fit, fit
from bayes_zba.inference.sampling import Sampler
from bayes_zba.inference.storage import load_current_fit, save_fit
from bayes_zba.models import load_config
from bayes_zba.physics.mechanisms import get_mechanism


def fit_data_file(
    data_path: str | Path,
    model: str,
    *,
    out_dir: str | Path,
    seed: int,
    config_path: str | Path | None = None,
    sample: str | None = None,
    vmax_mV: float | None = None,
    chains: int = 4,
    draws: int = 1000,
    tune: int = 1000,
    sampler: Sampler = "nutpie",
    progress: bool = True,
    refit: bool = False,
) -> tuple[Fit, bool]:
    """Load `data_path`, fit `model` (config file or the shipped one, --vmax applied), save.

    A file with several samples needs `sample`; the error lists the samples. Returns the
    fit and whether it is a current saved one (inference.load_current_fit), which is
    reused unless `refit`.
    """
    get_mechanism(model)  # an unknown model is a KeyError listing the known ones
    config = load_config(config_path if config_path is not None else model)
    if config.model != model:
        raise ValueError(f"config {config.source} is for model {config.model!r}, not {model!r}")
    if vmax_mV is not None:
        config = config.with_measurement(vmax_mV=vmax_mV)
    dataset = load_dataset(data_path, sample=sample)
    names = dataset.sample_names()
    if len(names) != 1:
        raise ValueError(f"{data_path} holds samples {', '.join(names)}: choose one with --sample")
    settings = {"seed": seed, "chains": chains, "draws": draws, "tune": tune, "sampler": sampler}
    path = Path(out_dir) / safe_stem(names[0]) / f"{model}.nc"
    if not refit:
        saved, _ = load_current_fit(path, dataset, config, settings)
        if saved is not None:
            return saved, True
    result = fit(dataset, model, config, progress=progress, **settings)
    save_fit(result, path)
    return result, False
