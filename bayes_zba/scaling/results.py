"""scaling.json: the classical and Bayesian scaling numbers of one sample and the verdict.

ScalingResult.to_json() is the output contract (alpha_star, alpha_err, B_sigma, F0, F1,
Gamma1, D_alpha, alpha_posterior, Gamma1_posterior, scaling_verdict, ...).
"""

import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bayes_zba.files import write_json_atomically
from bayes_zba.scaling.classical import ClassicalScaling, Spread
from bayes_zba.scaling.verdict import SCALING_RULES, ExponentTest, ScalingVerdict


@dataclass(frozen=True)
class ScalingResult:
    """Everything the scaling analysis of one sample found; `bayes` is None without the fit."""

    sample: str
    field_T: float
    classical: ClassicalScaling
    exponent: ExponentTest
    verdict: ScalingVerdict
    bayes: Mapping[str, Any] | None  # fitting.posterior_summary() plus "fit" details
    provenance: Mapping[str, Any]

    @property
    def verdict_text(self) -> str:
        """The verdict sentence, with the Bayesian α and Γ1 when there is a fit."""
        if self.bayes is None:
            return self.verdict.text
        alpha, gamma = self.bayes["alpha"], self.bayes["Gamma1"]
        diagnostics = self.bayes["fit"]["diagnostics"]
        caveat = (
            ""
            if diagnostics["ok"]
            else f" Its sampling failed the diagnostics ({'; '.join(diagnostics['warnings'])}),"
            " so these intervals are not reliable."
        )
        return (
            f"{self.verdict.text} The Bayesian scaling model gives α = {alpha['mean']:.3f} "
            f"[{alpha['q05']:.3f}, {alpha['q95']:.3f}] and Γ1 = {gamma['mean']:.2f} "
            f"[{gamma['q05']:.2f}, {gamma['q95']:.2f}] (90 % intervals).{caveat}"
        )

    def to_json(self) -> dict[str, Any]:
        c = self.classical
        return {
            "sample": self.sample,
            "field_T": self.field_T,
            "alpha_star": c.alpha_star,
            "alpha_err": number(c.alpha_err),
            "alpha_err_rule": "std of α* over parametric bootstrap copies (noise σ̂ added)",
            "alpha_at_edge": c.alpha_at_edge,
            "alpha_fit": c.alpha_fit,
            "G00": c.G00,
            "B_sigma": spread(c.B_sigma),
            "F0": spread(c.F0),
            "F1": spread(c.F1),
            "Gamma1": spread(c.Gamma1),
            "D_alpha": {
                "alpha": c.alpha_grid.tolist(),
                "D": c.D_alpha.tolist(),
                "D_star": c.D_star,
                "D_noise": c.D_noise,
                "noise_sigma": c.noise_sigma,
            },
            "collapse_temperatures_K": list(c.collapse_temperatures),
            "regime_temperatures_K": list(c.regime_temperatures),
            "window_lines": [asdict(line) for line in c.lines],
            "zero_bias_exponent": {
                "p": self.exponent.best.exponent,
                "F": self.exponent.statistic,
                "F_critical": self.exponent.critical,
                "n_temperatures": self.exponent.best.n_temperatures,
            },
            **_posteriors(self.bayes),
            "scaling": self.verdict.scaling,
            "scaling_verdict": self.verdict_text,
            "scaling_checks": [check.to_json() for check in self.verdict.checks],
            "scaling_rules": list(SCALING_RULES),
            "options": c.options.to_json(),
            "provenance": dict(self.provenance),
        }


def _posteriors(bayes: Mapping[str, Any] | None) -> dict[str, Any]:
    names = ("alpha", "Gamma1", "B_sigma", "F0", "F1")
    if bayes is None:
        return {f"{name}_posterior": None for name in names} | {"bayes": None}
    return {f"{name}_posterior": bayes[name] for name in names} | {"bayes": bayes["fit"]}


def save_scaling_json(result: ScalingResult, path: str | os.PathLike) -> Path:
    """Write scaling.json atomically (temporary file + os.replace); returns the path."""
    return write_json_atomically(Path(path), result.to_json(), sort_keys=True)


def number(value: float) -> float | None:
    """A float for JSON: non-finite values (an undefined spread) become None."""
    return float(value) if math.isfinite(value) else None


def spread(value: Spread) -> dict[str, float | None]:
    """{"value", "spread"} of a Spread for JSON."""
    return {"value": number(value.value), "spread": number(value.spread)}
