"""PyMC model builders: configs (priors, measurement options), data scales, the likelihood.

`load_config(path_or_model_name)` reads models/<model>.toml; `build_model(dataset, model, config)`.
"""

from bayes_zba.models.compile_cache import configure_compile_dir

configure_compile_dir()

from bayes_zba.models.builder import (  # noqa: E402  (PyTensor must see the compile dir)
    MODEL_CONDUCTANCE,
    OBSERVED,
    add_measurement,
    build_model,
    config_prior,
    curve_labels_and_index,
    fitted_mask,
    fitted_span_reference,
    model_structure,
    noise_scale,
    select_fit_data,
    use_span_reference,
    uses_drift,
)
from bayes_zba.models.config import (  # noqa: E402
    ConfigError,
    MeasurementOptions,
    ModelConfig,
    PriorSpec,
    default_config_dir,
    load_config,
    parse_config,
)
from bayes_zba.models.scales import DataScales, data_scales  # noqa: E402

__all__ = [
    "MODEL_CONDUCTANCE",
    "OBSERVED",
    "ConfigError",
    "DataScales",
    "MeasurementOptions",
    "ModelConfig",
    "PriorSpec",
    "add_measurement",
    "build_model",
    "config_prior",
    "curve_labels_and_index",
    "data_scales",
    "default_config_dir",
    "fitted_mask",
    "fitted_span_reference",
    "load_config",
    "model_structure",
    "noise_scale",
    "parse_config",
    "select_fit_data",
    "use_span_reference",
    "uses_drift",
]
