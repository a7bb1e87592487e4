"""bayes-zba: Bayesian model comparison of zero-bias-anomaly mechanisms.

Rooms (see ../shared/docs/architecture.md): data, physics, models, inference, compare,
scaling, studies, report, parallel, cli. Nothing flows backwards.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bayes-zba")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
