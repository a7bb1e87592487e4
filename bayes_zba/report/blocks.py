"""Report blocks shared by the fit and ranking reports: prediction figures and fingerprints.

Fingerprints (physics.md §7): T-exponent of G(0, T) and collapse quality D(½) of (I-24).
"""

from collections.abc import Sequence

import numpy as np

from bayes_zba.report import figures
from bayes_zba.report.document import Block, Figure, Paragraph, Table
from bayes_zba.report.views import Predictive, Sweeps
from bayes_zba.scaling.collapse import (
    DEFAULT_N_LOWEST,
    DEFAULT_V_MAX,
    TWO_CHANNEL_KONDO_ALPHA,
    CollapseDeviation,
    collapse_deviation,
)
from bayes_zba.scaling.temperature_exponent import temperature_exponent

FINGERPRINT_COLUMNS = (
    "curves from",
    "T-exponent p, G0 fitted",
    "T-exponent p of ΔG(0,T)",
    "D(½) ((e²/h)² K⁻¹)",
)


def sweeps_figure(data: Sweeps, predictions: Sequence[Predictive]) -> Figure:
    """G(V) of every curve with each model's posterior-predictive mean and 89% band."""
    return Figure(
        "sweeps",
        figures.sweep_panels(data, predictions),
        "Measured G(V) (dots) with the posterior-predictive mean (line) and 89% band "
        "(including noise and curve offsets), one panel per curve.",
        "G(V) per curve with posterior-predictive bands",
    )


def zero_bias_figures(data: Sweeps, predictions: Sequence[Predictive]) -> list[Figure]:
    """G(0, T) (per field) and G(0, H) (per temperature) wherever ≥ 2 values exist."""
    made = []
    for along, name, what in (("T", "zero-bias-T", "temperature"), ("H", "zero-bias-H", "field")):
        if figures.zero_bias_groups(data, along):
            made.append(
                Figure(
                    name,
                    figures.zero_bias_panels(data, predictions, along),
                    f"Zero-bias conductance against {what}: G(0) of each sweep interpolated at "
                    "V = 0 (dots) and the same for the posterior-predictive draws "
                    "(mean line, 89% band).",
                    f"G(0) against {what}",
                )
            )
    return made


def fingerprint_blocks(data: Sweeps, predictions: Sequence[Predictive]) -> tuple[Block, ...]:
    """Fingerprint table (data and each model's posterior-mean signal), collapse figure.

    The data's G0 is profiled out together with the exponent; a model's signal has G0 = 0.
    """
    base = data.subset(data.lowest_field_curves())
    if len(base.curve_labels) < 2:
        return (Paragraph("Fewer than two curves at one field: no fingerprints to show."),)
    rows = [fingerprint_row("data", base, None)]
    rows += [fingerprint_row(p.model, _lowest_field_signal(p), 0.0) for p in predictions]
    return (
        Table("fingerprints", FINGERPRINT_COLUMNS, tuple(rows), _fingerprint_caption(base)),
        Figure(
            "collapse",
            figures.collapse_panels(data, predictions),
            "[G(V,T) − G(0,T)]/T^½ against sign(v)|v|^½, v = eV/kT, at the lowest field, as "
            "in paper I Fig. 8b. With 2CK (or WAM) physics the low-T, low-V curves fall on one "
            "line; Kozub–Rudin and Kozub–Kulik physics do not scale (physics.md §7).",
            "scaling collapse of data and models",
        ),
    )


def fingerprint_row(source: str, sweeps: Sweeps, G0: float | None) -> tuple[str, ...]:
    """Fingerprint cells of one set of sweeps: T-exponent with G0 fitted (as for data),
    T-exponent with the known G0 (models; "–" when G0=None) and D(½)."""
    G_zero = sweeps.zero_bias()
    fitted = _exponent_text(sweeps.curve_T, G_zero, None)
    known = "–" if G0 is None else _exponent_text(sweeps.curve_T, G_zero, G0)
    deviation = _deviation(sweeps)
    return (source, fitted, known, f"{deviation.value:.3g}" if deviation else "–")


def _exponent_text(T: np.ndarray, G_zero: np.ndarray, G0: float | None) -> str:
    try:
        result = temperature_exponent(T, G_zero, G0=G0)
    except ValueError as error:
        return f"– ({error})"
    note = " (at the search bound: not fixed by the data)" if result.at_bound else ""
    return f"{result.exponent:.2f}{note}"


def _deviation(sweeps: Sweeps) -> CollapseDeviation | None:
    try:
        return collapse_deviation(
            sweeps.V_mV, sweeps.T_K, sweeps.G, sweeps.curve_index, TWO_CHANNEL_KONDO_ALPHA
        )
    except ValueError:
        return None


def _lowest_field_signal(prediction: Predictive) -> Sweeps:
    signal = prediction.sweeps_of_signal()
    return signal.subset(signal.lowest_field_curves())


def _fingerprint_caption(base: Sweeps) -> str:
    deviation = _deviation(base)
    used = (
        f"T = {', '.join(f'{T:.3g}' for T in deviation.temperatures_K)} K and "
        f"v = eV/kT in [{deviation.v_range[0]:.3g}, {deviation.v_range[1]:.3g}]"
        if deviation
        else "too few curves"
    )
    return (
        f"Curves at the lowest field (H = {float(np.min(np.abs(base.curve_H))):.3g} T). "
        "T-exponent p: slope of log[G(0,T) − G0] against log T (physics.md §7: ½ for 2ck and "
        "wam, 2 for kr2, 1 for kr1, activated for kk). 'G0 fitted' estimates G0 with p, the "
        "only way for data, and is applied alike to each model's posterior-mean signal "
        "b2 V² + ΔG (physics.md §1: no G0, offsets or noise), so compare those; saturation "
        "or curvature lowers it below the model's own exponent of ΔG(0,T), shown next to it. "
        "Drift offsets between sweeps enter the data's G(0,T) and blur its exponent. "
        "Models' D(½) also uses their signal. D(½): collapse quality of eq. "
        f"(I-24) over the {DEFAULT_N_LOWEST} lowest temperatures and |v| ≤ {DEFAULT_V_MAX:g} "
        f"(here {used}). Smaller means a better collapse; noise raises the data's value."
    )
