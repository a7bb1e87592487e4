"""Rules across rows: curve labels, duplicate points, curve sizes, and data warnings.

A curve is one bias sweep at fixed (T, H) (physics.md §0); these rules keep that true.
"""

from collections import Counter

import numpy as np
import pandas as pd

from bayes_zba.data.errors import PROBLEMS_PER_RULE, Problem, cap_problems

#: Fewest points a curve may have: an offset, a width and a depth need a few points more.
MIN_POINTS_PER_CURVE = 5
#: Columns that identify one measured point.
POINT_KEY = ["sample", "curve", "V_mV", "T_K", "H_T"]


def derive_curve_labels(sample: np.ndarray, T_K: np.ndarray, H_T: np.ndarray) -> np.ndarray:
    """Readable curve labels "T=0.100K,H=0.00T", one per distinct (sample, T, H).

    Full float precision is used instead when the short labels would merge distinct (T, H).
    """
    frame = pd.DataFrame({"sample": sample, "T": T_K + 0.0, "H": H_T + 0.0})
    codes = frame.groupby(["sample", "T", "H"], sort=False).ngroup().to_numpy()
    distinct = frame.drop_duplicates(ignore_index=True)
    labels = [f"T={t:.3f}K,H={h:.2f}T" for t, h in zip(distinct["T"], distinct["H"], strict=True)]
    if len(set(zip(distinct["sample"], labels, strict=True))) < len(labels):
        labels = [
            f"T={float(t)!r}K,H={float(h)!r}T"
            for t, h in zip(distinct["T"], distinct["H"], strict=True)
        ]
    return np.asarray(labels, dtype=object)[codes]


def duplicate_points(
    points: pd.DataFrame, rows: np.ndarray, g_text: np.ndarray, file: str, g_column: str
) -> tuple[list[Problem], np.ndarray]:
    """Problems for repeated points with a different G or sigma, and a mask of exact repeats.

    `points` holds the POINT_KEY columns plus G_e2h [and sigma_e2h], one row per candidate.
    """
    measured = [c for c in ("G_e2h", "sigma_e2h") if c in points.columns]
    if not points.duplicated(POINT_KEY).any():
        return [], np.zeros(len(points), dtype=bool)
    groups = points.assign(row=rows).groupby(POINT_KEY, sort=False)
    first = groups[[*measured, "row"]].transform("first")
    differs = (points[measured].to_numpy() != first[measured].to_numpy()).any(axis=1)
    conflicts = np.flatnonzero(differs)
    problems = [
        Problem(
            file,
            int(rows[i]),
            g_column,
            str(g_text[i]),
            f"one measurement per point: row {int(first['row'].iat[i])} has the same sample, "
            "curve, V, T and H with a different G or sigma",
        )
        for i in conflicts[:PROBLEMS_PER_RULE]
    ]
    exact_repeat = (groups.cumcount().to_numpy() > 0) & ~differs
    return cap_problems(problems, total=len(conflicts)), exact_repeat


def small_curves(
    sample: np.ndarray, curve: np.ndarray, rows: np.ndarray, file: str, curve_column: str | None
) -> list[Problem]:
    """A Problem for every curve with fewer than MIN_POINTS_PER_CURVE points (at its first row)."""
    keys = list(zip(sample.tolist(), curve.tolist(), strict=True))
    sizes = Counter(keys)
    small = sorted(key for key, size in sizes.items() if size < MIN_POINTS_PER_CURVE)
    first_row: dict[tuple[str, str], int] = {}
    for key, row in zip(keys, rows.tolist(), strict=True):
        first_row.setdefault(key, row)
    problems = [
        Problem(
            file,
            first_row[key],
            curve_column,
            None,
            f"at least {MIN_POINTS_PER_CURVE} points per curve",
            f"curve '{key[1]}' of sample '{key[0]}' has only {sizes[key]} "
            f"point{'s' if sizes[key] != 1 else ''}",
        )
        for key in small[:PROBLEMS_PER_RULE]
    ]
    return cap_problems(problems, total=len(small))


def table_warnings(table: pd.DataFrame) -> list[str]:
    """Data that load fine but limit what a fit can tell, one message per sample and issue."""
    messages = []
    for sample, points in table.groupby("sample", sort=True):
        temperatures = points["T_K"].unique()
        if len(temperatures) == 1:
            messages.append(
                f"sample '{sample}': every point is at T = {temperatures[0]:g} K, so the "
                "temperature dependence that tells the mechanisms apart is not constrained"
            )
        side = _one_sided(points["V_mV"].to_numpy())
        if side:
            messages.append(
                f"sample '{sample}': bias only covers V {side} 0 mV, so the symmetry "
                "G(V) = G(-V) expected of every mechanism cannot be checked"
            )
    return messages


def _one_sided(V_mV: np.ndarray) -> str:
    """'>=' or '<=' when all biases are on one side of zero, else ''."""
    if (V_mV >= 0).all():
        return ">="
    if (V_mV <= 0).all():
        return "<="
    return ""
