"""Registry of ZBA mechanisms: model name -> Mechanism, discovered from the modules here.

Adding a mechanism means adding one module that defines `MECHANISMS = (Mechanism(...), ...)`.
"""

import importlib
import pkgutil

from bayes_zba.physics.mechanisms.base import Mechanism, Parameter


def _discover() -> dict[str, Mechanism]:
    registry: dict[str, Mechanism] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for mechanism in getattr(module, "MECHANISMS", ()):
            if mechanism.name in registry:
                raise RuntimeError(f"mechanism {mechanism.name!r} registered twice")
            registry[mechanism.name] = mechanism
    return registry


REGISTRY: dict[str, Mechanism] = _discover()


def get_mechanism(name: str) -> Mechanism:
    """The mechanism registered as `name`; a clear error lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown model {name!r}; known models: {known}") from None


__all__ = ["REGISTRY", "Mechanism", "Parameter", "get_mechanism"]
