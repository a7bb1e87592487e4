"""Property tests: malformed input only ever raises DataError; valid tables round-trip exactly.

Hypothesis runs with an explicit seed and no example database, so runs are reproducible.
"""

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from bayes_zba.data import (
    CANONICAL_COLUMNS,
    DataError,
    Dataset,
    dataset_from_frame,
    load_dataset,
    save_dataset,
    sidecar_path,
)

SEED = 20240611
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- malformed input ---------------------------------------------------------------------

header_names = st.sampled_from([*CANONICAL_COLUMNS, "bias", "", "G", "Temp", "ü", "#V", '"'])
junk_cells = st.one_of(
    st.floats().map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(max_size=8),
    st.sampled_from(["", "nan", "-inf", "-0", "1e-400", "1e400", "True", '"', "#", "0x10", "1_0"]),
)
curve_keys = st.tuples(
    st.sampled_from(["A", "B", "é"]),
    st.sampled_from(["0.1", "0.2", "0.5"]),
    st.sampled_from(["0", "1"]),
)
sweeps = st.lists(
    st.sampled_from(["-2", "-1", "-0.5", "0", "0.5", "1", "2"]), min_size=4, max_size=7, unique=True
)
conductances = st.floats(900, 1100).map(repr) | st.floats().map(repr)


@st.composite
def junk_tables(draw) -> list[list[str]]:
    """Shuffled, missing and repeated columns; rows of any length and content."""
    names = draw(st.lists(header_names, max_size=8))
    width = st.integers(max(0, len(names) - 1), len(names) + 1)
    return [
        names,
        *(
            draw(st.lists(junk_cells, min_size=w, max_size=w))
            for w in draw(st.lists(width, max_size=12))
        ),
    ]


@st.composite
def nearly_valid_tables(draw) -> list[list[str]]:
    """Curves of 4-7 plausible points, a few junk cells, columns shuffled and some dropped."""
    rows = [
        [sample, V, T, H, draw(conductances), "0.01"]
        for sample, T, H in draw(st.lists(curve_keys, min_size=1, max_size=3))
        for V in draw(sweeps)
    ]
    for row in draw(st.lists(st.integers(0, len(rows) - 1), max_size=3)):
        rows[row][draw(st.integers(0, 5))] = draw(junk_cells)
    order = draw(st.permutations(range(6)))[: draw(st.sampled_from([6, 6, 5, 4, 3]))]
    header = ["sample", "V_mV", "T_K", "H_T", "G_e2h", "sigma_e2h"]
    return [[cells[i] for i in order] for cells in [header, *rows]]


def as_csv(cells: list[list[str]], sep: str) -> bytes:
    """Delimited UTF-8 text; cells holding the separator or a line break are quoted (naively)."""

    def quoted(cell: str) -> str:
        return f'"{cell}"' if any(c in cell for c in f"{sep}\n\r") else cell

    return "\n".join(sep.join(quoted(c) for c in row) for row in cells).encode("utf-8")


json_documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["samples", "attrs", "notes", "content_hash", "A", "material"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
sample_documents = st.fixed_dictionaries(
    {
        "samples": st.dictionaries(
            st.sampled_from(["A", "B"]), st.fixed_dictionaries({"material": st.text(max_size=3)})
        )
    },
    optional={"attrs": st.dictionaries(st.text(max_size=3), json_documents, max_size=2)},
)
sidecars = st.one_of(
    st.none(),
    st.none(),
    st.binary(max_size=40),
    json_documents.map(lambda document: json.dumps(document).encode()),
    sample_documents.map(lambda document: json.dumps(document).encode()),
)
files = st.one_of(
    st.tuples(st.just(".csv"), junk_tables().map(lambda cells: as_csv(cells, ","))),
    st.tuples(st.just(".csv"), nearly_valid_tables().map(lambda cells: as_csv(cells, ","))),
    st.tuples(st.just(".tsv"), nearly_valid_tables().map(lambda cells: as_csv(cells, "\t"))),
    st.tuples(st.sampled_from([".csv", ".tsv", ".parquet", ".nc"]), st.binary(max_size=300)),
    st.tuples(st.just(".csv"), st.text(max_size=200).map(lambda t: t.encode("utf-16"))),
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@seed(SEED)
@FUZZ
@given(file=files, sidecar=sidecars)
def test_malformed_files_raise_only_data_error(fuzz_dir, file, sidecar):
    suffix, content = file
    path = fuzz_dir / f"input{suffix}"
    path.write_bytes(content)
    sidecar_path(path).unlink(missing_ok=True)
    if sidecar is not None:
        sidecar_path(path).write_bytes(sidecar)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dataset = load_dataset(path)
        except DataError as error:
            assert error.problems and all(str(p) for p in error.problems)
            event("DataError")
            return
    event("loaded")
    assert isinstance(dataset, Dataset) and len(dataset.table) >= 5


# --- valid tables round-trip -------------------------------------------------------------

names = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=6).filter(
    lambda name: name == name.strip() and name != ""
)
finite = st.floats(allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.0, exclude_min=True, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)
user_attrs = st.dictionaries(
    st.text(max_size=6).filter(lambda k: k not in ("notes", "warnings", "selections")),
    json_values,
    max_size=4,
)


@st.composite
def valid_frames(draw) -> pd.DataFrame:
    """1-2 samples of 1-3 curves (distinct T, H), 5-8 distinct biases each, optional sigma."""
    with_sigma = draw(st.booleans())
    frames = []
    for sample in draw(st.lists(names, min_size=1, max_size=2, unique=True)):
        for T, H in draw(
            st.lists(st.tuples(positive, finite), min_size=1, max_size=3, unique=True)
        ):
            V = draw(st.lists(finite, min_size=5, max_size=8, unique=True))
            columns = {"sample": sample, "V_mV": V, "T_K": T, "H_T": H}
            columns["G_e2h"] = draw(st.lists(finite, min_size=len(V), max_size=len(V)))
            if with_sigma:
                columns["sigma_e2h"] = draw(st.lists(positive, min_size=len(V), max_size=len(V)))
            frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def round_trip_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("round_trip")


@seed(SEED)
@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(frame=valid_frames(), attrs=user_attrs)
def test_valid_tables_round_trip_through_csv_parquet_and_netcdf(round_trip_dir, frame, attrs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = dataset_from_frame(frame, attrs=attrs)
        current = dataset
        for suffix in (".csv", ".parquet", ".nc", ".tsv"):
            path = save_dataset(current, round_trip_dir / f"trip{suffix}", overwrite=True)
            current = load_dataset(path)
            pd.testing.assert_frame_equal(current.table, dataset.table)
            assert current.content_hash == dataset.content_hash
            assert current.attrs == dataset.attrs
            assert current.samples == dataset.samples
