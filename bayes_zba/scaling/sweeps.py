"""One sample's bias sweeps as arrays for the scaling analysis: the curves of a single field.

V/T scaling (I-14) compares curves at one field, so a Dataset is reduced to one H first.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_zba.data import Dataset
from bayes_zba.scaling.collapse import zero_bias_conductance

#: Curves whose mean field is within this of the chosen field belong to it (T).
FIELD_TOLERANCE_T = 1e-3


@dataclass(frozen=True)
class Sweeps:
    """Points of the curves of one sample at one field (arrays over points, curves by index)."""

    sample: str
    field_T: float
    curve_labels: np.ndarray  # index k is curve k
    V_mV: np.ndarray
    T_K: np.ndarray
    G: np.ndarray  # e²/h
    curve_index: np.ndarray

    @property
    def n_curves(self) -> int:
        return len(self.curve_labels)

    @property
    def curve_T(self) -> np.ndarray:
        """Mean temperature of every curve (K), index k is curve k."""
        totals = np.bincount(self.curve_index, weights=self.T_K, minlength=self.n_curves)
        return totals / np.bincount(self.curve_index, minlength=self.n_curves)

    def zero_bias(self) -> np.ndarray:
        """G(0, T) of every curve by interpolation of its sweep at V = 0 (e²/h)."""
        return zero_bias_conductance(self.V_mV, self.G, self.curve_index)

    def table(self) -> pd.DataFrame:
        """The points as a tidy table (sample, curve, V_mV, T_K, G_e2h)."""
        return pd.DataFrame(
            {
                "sample": self.sample,
                "curve": self.curve_labels[self.curve_index],
                "V_mV": self.V_mV,
                "T_K": self.T_K,
                "G_e2h": self.G,
            }
        )

    def with_conductance(self, G: np.ndarray) -> "Sweeps":
        """The same points carrying other conductances (e.g. a bootstrap or a model mean)."""
        return Sweeps(
            self.sample, self.field_T, self.curve_labels, self.V_mV, self.T_K, G, self.curve_index
        )

    def subset(self, points: np.ndarray) -> "Sweeps":
        """The points selected by an index array; curves left without points are dropped."""
        kept, index = np.unique(self.curve_index[points], return_inverse=True)
        return Sweeps(
            self.sample,
            self.field_T,
            self.curve_labels[kept],
            self.V_mV[points],
            self.T_K[points],
            self.G[points],
            index,
        )


def lowest_field(dataset: Dataset) -> float:
    """The field closest to zero among the dataset's curves (T); scaling is studied there."""
    fields = dataset.curves()["H_T"].to_numpy(float)
    return float(fields[np.argmin(np.abs(fields))])


def sample_sweeps(dataset: Dataset, field_T: float | None = None) -> Sweeps:
    """The curves of a one-sample dataset at `field_T` (default: the field closest to zero).

    Curves are matched to the field by their mean H within 1 mT.
    """
    samples = dataset.sample_names()
    if len(samples) != 1:
        raise ValueError(f"the scaling analysis takes one sample; the data hold {samples}")
    field_T = lowest_field(dataset) if field_T is None else float(field_T)
    curves = dataset.curves()
    chosen = curves.loc[np.abs(curves["H_T"] - field_T) <= FIELD_TOLERANCE_T, "curve"]
    table = dataset.table[dataset.table["curve"].isin(chosen)]
    if table.empty:
        raise ValueError(f"no curve of sample {samples[0]!r} at H = {field_T:g} T")
    labels, index = np.unique(table["curve"].to_numpy(str), return_inverse=True)
    return Sweeps(
        sample=samples[0],
        field_T=field_T,
        curve_labels=labels,
        V_mV=table["V_mV"].to_numpy(float),
        T_K=table["T_K"].to_numpy(float),
        G=table["G_e2h"].to_numpy(float),
        curve_index=index,
    )
