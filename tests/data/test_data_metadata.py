"""Metadata JSON (samples and attrs): NumPy values made JSON-able, lenient but checked reading.

Malformed metadata is a DataError like any other bad input.
"""

import numpy as np
import pandas as pd
import pytest

from bayes_zba.data import DataError, SampleInfo, dataset_from_frame
from bayes_zba.data.metadata import Metadata, jsonable, parse_metadata


def test_jsonable_turns_numpy_and_tuples_into_json_types():
    value = {"seed": np.int64(3), "grid": np.arange(3.0), "range": (0.1, 2)}
    assert jsonable(value, "x") == {"seed": 3, "grid": [0.0, 1.0, 2.0], "range": [0.1, 2]}


def test_attrs_that_are_not_json_are_a_data_error():
    with pytest.raises(DataError, match="JSON-able metadata"):
        jsonable({"model": object()}, "x")


def test_every_metadata_key_is_optional():
    assert parse_metadata("{}", "m.json") == Metadata()
    parsed = parse_metadata('{"samples": {"A": {"material": "Cu"}}}', "m.json")
    assert parsed.samples == {"A": SampleInfo("A", "Cu")}


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '{"attrs": [["a", 1]]}',
        '{"samples": {"A": 3}}',
        '{"samples": {"A": {"colour": "red"}}}',
        "[" * 100_000,
    ],
)
def test_malformed_metadata_is_a_data_error(text):
    with pytest.raises(DataError, match=r"m\.json"):
        parse_metadata(text, "m.json")


def test_notes_in_attrs_must_be_a_list_of_strings():
    frame = pd.DataFrame({"sample": "A", "V_mV": np.arange(5.0), "T_K": 0.1, "G_e2h": 1.0})
    with pytest.raises(DataError, match="attrs\\['notes'\\]"):
        dataset_from_frame(frame, attrs={"notes": "checked by hand"})


@pytest.mark.filterwarnings("ignore::bayes_zba.data.DataWarning")
def test_a_single_sample_info_names_a_frame_without_sample_column():
    frame = pd.DataFrame(
        {"V_mV": np.arange(-2.0, 3.0), "T_K": 0.1, "G_e2h": 1.0}, index=range(5, 10)
    )
    dataset = dataset_from_frame(frame, samples={"cu1": SampleInfo("cu1", "Cu")})
    assert dataset.sample_names() == ["cu1"] and dataset.samples["cu1"].material == "Cu"
    with pytest.raises(DataError, match="column sample"):
        dataset_from_frame(frame)
