"""bayes-zba: Bayesian model comparison of zero-bias-anomaly mechanisms.

Rooms (see ../shared/docs/architecture.md): data, physics, models, inference, compare,
scaling, studies, report, parallel, cli. Nothing flows backwards.
"""

import os
from importlib.metadata import PackageNotFoundError, version

# The physics runs in double precision under JAX too (physics.backend); JAX reads this when it
# is first imported.
os.environ.setdefault("JAX_ENABLE_X64", "1")

try:
    __version__ = version("bayes-zba")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
