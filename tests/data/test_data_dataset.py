"""Dataset: tidy table invariants, content hash, curves/summary and the selection helpers.

Every selection returns a new Dataset (new hash, record in attrs["selections"]); the original
is untouched.
"""

import numpy as np
import pandas as pd
import pytest

from bayes_zba.data import Dataset, DataWarning, SampleInfo, dataset_from_frame

pytestmark = pytest.mark.filterwarnings("ignore::bayes_zba.data.DataWarning")

BIASES = np.linspace(-3.0, 3.0, 25)  # includes V = 0 (index 12)
CURVES = [("A", 0.1, 0.0), ("A", 0.4, 0.0), ("A", 0.1, 2.0), ("B", 0.2, 0.0), ("B", 1.0, 0.0)]


def make_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frames = [
        pd.DataFrame(
            {"sample": s, "V_mV": BIASES, "T_K": T, "H_T": H, "G_e2h": 1e3 + rng.normal(size=25)}
        )
        for s, T, H in CURVES
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def dataset() -> Dataset:
    return dataset_from_frame(make_frame(), samples={"A": SampleInfo("A", "Cu", "quenched")})


def test_table_is_tidy_sorted_and_typed(dataset):
    table = dataset.table
    assert list(table.columns) == ["sample", "curve", "V_mV", "T_K", "H_T", "G_e2h"]
    assert isinstance(table.index, pd.RangeIndex)
    assert (table.dtypes.iloc[2:] == np.float64).all()
    ordered = table.sort_values(["sample", "curve", "V_mV"], ignore_index=True)
    pd.testing.assert_frame_equal(table, ordered)
    assert not dataset.has_sigma
    assert dataset.samples["A"].material == "Cu" and dataset.samples["B"] == SampleInfo("B")


def test_hash_depends_on_content_only(dataset):
    shuffled = make_frame().sample(frac=1.0, random_state=3)
    assert dataset_from_frame(shuffled).content_hash == dataset.content_hash
    with_attrs = dataset_from_frame(make_frame(), attrs={"simulation": {"seed": 1}})
    assert with_attrs.content_hash == dataset.content_hash
    changed = make_frame()
    changed.loc[3, "G_e2h"] += 1e-9
    assert dataset_from_frame(changed).content_hash != dataset.content_hash


def test_fingerprint_ignores_last_bit_differences_only(dataset):
    last_bit = make_frame()
    last_bit["G_e2h"] = np.nextafter(last_bit["G_e2h"].to_numpy(), np.inf)
    rerun = dataset_from_frame(last_bit)
    assert rerun.content_hash != dataset.content_hash
    assert rerun.fingerprint == dataset.fingerprint
    changed = make_frame()
    changed.loc[3, "G_e2h"] *= 1 + 1e-8
    assert dataset_from_frame(changed).fingerprint != dataset.fingerprint
    changed = make_frame()
    changed.loc[3, "V_mV"] += 1e-6
    assert dataset_from_frame(changed).fingerprint != dataset.fingerprint


def test_dataset_rejects_a_table_without_the_schema(dataset):
    with pytest.raises(ValueError, match="dataset_from_frame"):
        Dataset(dataset.table.drop(columns="curve"), dataset.samples, "x")


def test_samples_curves_and_summary(dataset):
    assert dataset.sample_names() == ["A", "B"]
    curves = dataset.curves()
    assert curves.columns.tolist() == [
        "sample",
        "curve",
        "T_K",
        "H_T",
        "n_points",
        "V_min",
        "V_max",
    ]
    assert curves["curve"].tolist()[:2] == ["T=0.100K,H=0.00T", "T=0.100K,H=2.00T"]
    assert (curves["n_points"] == 25).all() and (curves["V_max"] == 3.0).all()
    summary = dataset.summary().set_index("sample")
    assert summary.loc["A", ["curves", "points", "material"]].tolist() == [3, 75, "Cu"]
    assert summary.loc["B", ["T_min", "T_max"]].tolist() == [0.2, 1.0]


def test_for_sample_keeps_one_sample(dataset):
    only_b = dataset.for_sample("B")
    assert only_b.sample_names() == ["B"] and list(only_b.samples) == ["B"]
    assert only_b.attrs["selections"][-1]["op"] == "for_sample"
    with pytest.raises(ValueError, match="samples: A, B"):
        dataset.for_sample("C")


def test_window_keeps_small_biases_and_records_itself(dataset):
    windowed = dataset.window(1.0)
    assert (windowed.table["V_mV"].abs() <= 1.0).all()
    assert len(windowed.table) == 5 * 9
    assert windowed.attrs["selections"] == [
        {"op": "window", "vmax_mV": 1.0, "points_before": 125, "points_after": 45}
    ]
    assert windowed.content_hash != dataset.content_hash
    assert len(dataset.table) == 125 and "selections" not in dataset.attrs
    with pytest.raises(ValueError, match="V_max > 0"):
        dataset.window(0.0)


def test_select_is_inclusive_in_t_and_h(dataset):
    cold = dataset.select(T_range=(0.1, 0.2))
    assert sorted(set(cold.table["T_K"])) == [0.1, 0.2]
    zero_field = dataset.select(H_range=(0.0, 0.0))
    assert set(zero_field.table["H_T"]) == {0.0} and len(zero_field.curves()) == 4
    assert zero_field.attrs["selections"][-1]["H_range"] == [0.0, 0.0]
    with pytest.raises(ValueError, match="lo <= hi"):
        dataset.select(T_range=(1.0, 0.1))


def test_mask_bias_drops_closed_intervals(dataset):
    masked = dataset.mask_bias([(-3.0, -2.5), (2.0, 2.25)])
    assert not masked.table["V_mV"].isin([-3.0, -2.75, -2.5, 2.0, 2.25]).any()
    assert len(masked.table) == 125 - 5 * 5


def test_subsample_thins_evenly_deterministically_and_keeps_zero_bias(dataset):
    thinned = dataset.subsample(6)
    assert (thinned.curves()["n_points"] == 6).all()
    V = thinned.for_sample("B").table.groupby("curve")["V_mV"].apply(list).iloc[0]
    assert 0.0 in V and V[0] == -3.0 and V[-1] == 3.0
    assert dataset.subsample(6).content_hash == thinned.content_hash
    assert dataset.subsample(100).content_hash == dataset.content_hash
    with pytest.raises(ValueError, match=">= 5"):
        dataset.subsample(4)


def test_curves_left_too_short_are_dropped_with_a_warning():
    frame = make_frame()
    sparse = (frame["T_K"] == 1.0) & (frame["V_mV"].abs() < 2.0) & (frame["V_mV"] != 0.0)
    dataset = dataset_from_frame(frame[~sparse])
    with pytest.warns(DataWarning, match="fewer than 5 points"):
        windowed = dataset.window(2.0)
    assert windowed.attrs["selections"][-1]["dropped_curves"] == ["B/T=1.000K,H=0.00T"]
    assert len(windowed.curves()) == 4 and (windowed.curves()["n_points"] == 17).all()


def test_a_selection_that_leaves_nothing_is_an_error(dataset):
    with pytest.raises(ValueError, match="leaves no curve"):
        dataset.window(0.2)


def test_data_warnings_follow_the_selection(dataset):
    with pytest.warns(DataWarning, match="sample 'B': every point is at T = 1 K"):
        hot = dataset.select(T_range=(0.5, 2.0))
    assert hot.attrs["warnings"] == [w for w in hot.attrs["warnings"] if "'B'" in w]
