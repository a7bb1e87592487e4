"""Fit one model to one sample of a data file and save it: what `bayes-zba fit` runs.

Writes out_dir/<sample>/<model>.nc (atomically) and returns the Fit.
"""

from pathlib import Path

from bayes_zba.data import load_dataset
from bayes_zba.inference.fit import Fit, fit
from bayes_zba.inference.sampling import Sampler
from bayes_zba.inference.storage import save_fit
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
) -> Fit:
    """Load `data_path`, fit `model` (config file or the shipped one, --vmax applied), save.

    A file with several samples needs `sample`; the error lists the samples.
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
    result = fit(
        dataset,
        model,
        config,
        seed=seed,
        chains=chains,
        draws=draws,
        tune=tune,
        sampler=sampler,
        progress=progress,
    )
    save_fit(result, Path(out_dir) / safe_name(names[0]) / f"{model}.nc")
    return result


def safe_name(name: str) -> str:
    """A sample name usable as a directory name (path separators and dots replaced)."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in name.strip())
    return cleaned or "sample"
