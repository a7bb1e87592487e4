"""One model's expected log predictive density (elpd) on one criterion, with its diagnostics.

Shared by PSIS-LOO over points, leave-one-curve-out CV and WAIC; converts to ArviZ's ELPDData.
"""

from dataclasses import dataclass

import numpy as np
import xarray as xr
from arviz_stats import ELPDDataLOO
from scipy.special import logsumexp

SAMPLE_DIMS = ("chain", "draw")
#: WAIC's per-unit warning level for p_waic_i (Vehtari, Gelman & Gabry 2017, §2.2).
P_WAIC_WARNING = 0.4


def log_mean_exp(log_lik: xr.DataArray) -> xr.DataArray:
    """log (1/S) Σ_s exp(log_lik_s) over chain and draw: the posterior predictive density."""
    n_samples = log_lik.sizes["chain"] * log_lik.sizes["draw"]
    return xr.apply_ufunc(
        logsumexp, log_lik, input_core_dims=[list(SAMPLE_DIMS)], kwargs={"axis": (-2, -1)}
    ) - np.log(n_samples)


@dataclass(frozen=True)
class ElpdEstimate:
    """Pointwise elpd of one model over the units ("point" or "curve") of one criterion.

    `lppd_i` is the in-sample log predictive density, so p_i = lppd_i - elpd_i is the
    effective number of parameters of unit i. `pareto_k`/`good_k` exist for PSIS estimates;
    `refit` names units whose elpd_i is an exact refit value instead of a PSIS one.
    Point-level arrays carry a "curve_label" coordinate naming each point's curve.
    """

    criterion: str
    elpd_i: xr.DataArray
    lppd_i: xr.DataArray
    n_samples: int
    pareto_k: xr.DataArray | None = None
    good_k: float | None = None
    refit: tuple[str, ...] = ()

    @property
    def unit_dim(self) -> str:
        return str(self.elpd_i.dims[0])

    @property
    def n_units(self) -> int:
        return int(self.elpd_i.size)

    @property
    def elpd(self) -> float:
        return float(self.elpd_i.sum())

    @property
    def se(self) -> float:
        """sqrt(n var(elpd_i)), ddof = 1 as in ArviZ's loo."""
        n = self.n_units
        return float(np.sqrt(n * np.var(self.elpd_i.values, ddof=1))) if n > 1 else 0.0

    @property
    def p(self) -> float:
        return float((self.lppd_i - self.elpd_i).sum())

    def unit_labels(self) -> list[str]:
        """Labels of the units: curve labels, or point indices as strings."""
        return [str(v) for v in self.elpd_i[self.unit_dim].values]

    def unresolved_high_k(self) -> list[str]:
        """Units with k̂ above the threshold that were not refit, worst first."""
        if self.pareto_k is None or self.good_k is None:
            return []
        labels = np.array(self.unit_labels())
        k = self.pareto_k.values
        order = np.argsort(-k, kind="stable")
        return [str(labels[i]) for i in order if k[i] > self.good_k and labels[i] not in self.refit]

    def to_elpd_data(self) -> ELPDDataLOO:
        """The estimate as ArviZ ELPDData, so arviz_stats.compare can weigh it."""
        return ELPDDataLOO(
            elpd=self.elpd,
            se=self.se,
            p=self.p,
            n_samples=self.n_samples,
            n_data_points=self.n_units,
            scale="log",
            warning=bool(self.unresolved_high_k()),
            good_k=self.good_k if self.good_k is not None else np.inf,
            elpd_i=self.elpd_i,
            pareto_k=self.pareto_k,
        )

    def summary(self) -> dict:
        """JSON-able summary: elpd, se, p, unit count and the criterion's own diagnostics."""
        summary = {"elpd": self.elpd, "se": self.se, "p": self.p, "n_units": self.n_units}
        if self.pareto_k is not None:
            summary |= self._pareto_summary()
        if self.criterion == "waic":
            n_high_p = int(((self.lppd_i - self.elpd_i) > P_WAIC_WARNING).sum())
            summary |= {"n_high_p_waic": n_high_p, "warning": n_high_p > 0}
        return summary

    def _pareto_summary(self) -> dict:
        k = self.pareto_k
        unresolved = self.unresolved_high_k()
        return {
            "good_k": self.good_k,
            "max_k": float(k.max()),
            "n_high_k": int((k > self.good_k).sum()),
            "refit": list(self.refit),
            "unresolved_high_k": [self._describe_unit(label) for label in unresolved],
        }

    def _describe_unit(self, label: str) -> dict:
        """{"index"|"curve": ..., "k": k̂} of one unit; points also name their curve."""
        position = self.unit_labels().index(label)
        described: dict = {"k": float(self.pareto_k.values[position])}
        if self.unit_dim == "curve":
            described["curve"] = label
        else:
            described["index"] = position
            if "curve_label" in self.elpd_i.coords:
                described["curve"] = str(self.elpd_i["curve_label"].values[position])
        return described
