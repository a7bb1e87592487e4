"""What the reports draw, as plain arrays: the sweeps of a dataset or fit and its predictions.

Reads Dataset tables and Fit DataTrees (the inference contract); computes nothing but summaries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bayes_zba.inference import Fit
from bayes_zba.physics import delta_g
from bayes_zba.physics.mechanisms import get_mechanism
from bayes_zba.scaling.collapse import curve_point_indices, zero_bias_conductance

#: Probability mass of the equal-tailed intervals drawn and tabulated (the team's 89%).
INTERVAL_PROB = 0.89
#: Posterior draws (evenly thinned) over which the mechanism's signal is averaged.
SIGNAL_DRAWS = 100
#: Fields closer than this [T] count as the same field when grouping curves.
FIELD_TOLERANCE_T = 1e-6


@dataclass(frozen=True)
class Sweeps:
    """Bias sweeps (curves) as tidy point arrays; curve_index points into curve_labels."""

    V_mV: np.ndarray
    T_K: np.ndarray
    H_T: np.ndarray
    G: np.ndarray
    curve_index: np.ndarray
    curve_labels: tuple[str, ...]

    @property
    def curve_T(self) -> np.ndarray:
        """Temperature of each curve [K]."""
        return self._per_curve(self.T_K)

    @property
    def curve_H(self) -> np.ndarray:
        """Field of each curve [T]."""
        return self._per_curve(self.H_T)

    def indices(self) -> list[np.ndarray]:
        """Point indices of each curve, sorted by bias."""
        return curve_point_indices(self.V_mV, self.curve_index)

    def zero_bias(self, G: np.ndarray | None = None) -> np.ndarray:
        """G(0, T) of every curve from G (default: the observed G), shape (..., curve)."""
        return zero_bias_conductance(self.V_mV, self.G if G is None else G, self.curve_index)

    def lowest_field_curves(self) -> np.ndarray:
        """Indices of the curves at the field closest to zero (the scaling-collapse set)."""
        H = np.abs(self.curve_H)
        return np.flatnonzero(H.min() + FIELD_TOLERANCE_T >= H)

    def subset(self, curves: Sequence[int]) -> "Sweeps":
        """Only the given curves (renumbered in the given order)."""
        renumber = np.full(len(self.curve_labels), -1)
        renumber[np.asarray(curves)] = np.arange(len(curves))
        keep = renumber[self.curve_index] >= 0
        return Sweeps(
            self.V_mV[keep],
            self.T_K[keep],
            self.H_T[keep],
            self.G[keep],
            renumber[self.curve_index[keep]],
            tuple(self.curve_labels[c] for c in curves),
        )

    def _per_curve(self, values: np.ndarray) -> np.ndarray:
        return np.array([values[idx[0]] for idx in self.indices()])


@dataclass(frozen=True)
class Predictive:
    """One model at the fit's own points: posterior-predictive draws (draw, point) and the
    posterior-mean signal b2 V² + ΔG (the model's G without G0, offsets and noise)."""

    model: str
    sweeps: Sweeps
    draws: np.ndarray
    signal: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Posterior-predictive mean at every point."""
        return self.draws.mean(axis=0)

    def sweeps_of_signal(self) -> Sweeps:
        """The fit's sweeps with G replaced by the noise-free posterior-mean signal."""
        s = self.sweeps
        return Sweeps(s.V_mV, s.T_K, s.H_T, self.signal, s.curve_index, s.curve_labels)

    def band(self, values: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed INTERVAL_PROB interval over draws of `values` (default: the draws)."""
        values = self.draws if values is None else values
        tail = (1.0 - INTERVAL_PROB) / 2.0
        low, high = np.nanquantile(values, [tail, 1.0 - tail], axis=0)
        return low, high

    def zero_bias_draws(self) -> np.ndarray:
        """G(0, T) of every curve for every draw, shape (draw, curve)."""
        return self.sweeps.zero_bias(self.draws)


def sweeps_from_table(table: Any) -> Sweeps:
    """Sweeps of a Dataset.table (pandas; columns curve, V_mV, T_K, H_T, G_e2h)."""
    labels = tuple(dict.fromkeys(str(c) for c in table["curve"]))
    position = {label: i for i, label in enumerate(labels)}
    H = table["H_T"] if "H_T" in table else np.zeros(len(table))
    return Sweeps(
        np.asarray(table["V_mV"], dtype=float),
        np.asarray(table["T_K"], dtype=float),
        np.asarray(H, dtype=float),
        np.asarray(table["G_e2h"], dtype=float),
        np.array([position[str(c)] for c in table["curve"]], dtype=int),
        labels,
    )


def sweeps_from_fit(tree: Any) -> Sweeps:
    """The points a fit saw: constant_data (V_mV, T_K, H_T, curve_index) and observed G_obs."""
    constant = tree["constant_data"]
    return Sweeps(
        np.asarray(constant["V_mV"].values, dtype=float),
        np.asarray(constant["T_K"].values, dtype=float),
        np.asarray(constant["H_T"].values, dtype=float),
        np.asarray(tree["observed_data"]["G_obs"].values, dtype=float),
        np.asarray(constant["curve_index"].values, dtype=int),
        tuple(str(c) for c in constant["curve"].values),
    )


def predictive_from_fit(fit: Fit, label: str | None = None) -> Predictive:
    """Posterior-predictive draws of G_obs (chains and draws flattened) and the signal.

    `label` names the model in figures (default: the fit's mechanism name).
    """
    tree = fit.tree
    draws = tree["posterior_predictive"]["G_obs"].transpose("chain", "draw", "point").values
    sweeps = sweeps_from_fit(tree)
    signal = posterior_signal(tree, fit.model, sweeps)
    return Predictive(label or fit.model, sweeps, draws.reshape(-1, draws.shape[-1]), signal)


def posterior_signal(tree: Any, model: str, sweeps: Sweeps) -> np.ndarray:
    """Posterior mean of b2 V² + ΔG_mech(V, T, H; θ) at the sweeps' points (physics.md §1).

    Averaged over SIGNAL_DRAWS evenly thinned draws; G0 and curve offsets are left out
    because G(0, T) − G0 and G(V) − G(0) (the fingerprints) do not depend on them.
    """
    posterior = tree["posterior"].to_dataset().stack(sample=("chain", "draw"))
    take = np.unique(np.linspace(0, posterior.sizes["sample"] - 1, SIGNAL_DRAWS).astype(int))
    names = get_mechanism(model).parameter_names
    columns = {name: posterior[name].values[take] for name in names}
    signal = np.mean(
        [
            delta_g(
                model,
                sweeps.V_mV,
                sweeps.T_K,
                sweeps.H_T,
                **{n: float(c[i]) for n, c in columns.items()},
            )
            for i in range(take.size)
        ],
        axis=0,
    )
    if "b2" in posterior:
        signal = signal + float(posterior["b2"].mean()) * sweeps.V_mV**2
    return signal


def match_curves(reference: Sweeps, other: Sweeps) -> dict[int, int]:
    """Curve k of `reference` -> index of the curve with the same label in `other`."""
    position = {label: i for i, label in enumerate(other.curve_labels)}
    return {
        k: position[label] for k, label in enumerate(reference.curve_labels) if label in position
    }


def field_groups(values: np.ndarray) -> list[np.ndarray]:
    """Indices grouped by equal value (within FIELD_TOLERANCE_T), groups sorted by value."""
    order = np.argsort(values, kind="stable")
    groups: list[list[int]] = []
    for i in order:
        if groups and abs(values[i] - values[groups[-1][0]]) <= FIELD_TOLERANCE_T:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    return [np.array(g) for g in groups]
