"""Loading and saving by suffix: round trips, metadata, overwrite refusal, atomic writes.

Bad paths and unreadable files are DataErrors; nothing the user gave is changed on disk.
"""

import json
import os

import pandas as pd
import pytest

from bayes_zba.data import (
    DataError,
    DataWarning,
    SampleInfo,
    dataset_from_frame,
    load_dataset,
    save_dataset,
    sidecar_path,
)

SUFFIXES = ["csv", "tsv", "parquet", "nc"]


@pytest.fixture
def dataset(good_cells, write_table):
    loaded = load_dataset(write_table(good_cells), material="Cu")
    return dataset_from_frame(
        loaded.table,
        source="test",
        samples={"A": SampleInfo("A", "Cu", "quenched, 'sample 1'")},
        attrs={"simulation": {"model": "2ck", "params": {"T_K": 0.5}, "seed": 1}},
    )


def assert_same_dataset(loaded, original):
    pd.testing.assert_frame_equal(loaded.table, original.table)
    assert loaded.content_hash == original.content_hash
    assert loaded.attrs == original.attrs
    assert loaded.samples == original.samples


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_round_trip_keeps_table_hash_attrs_and_samples(dataset, tmp_path, suffix):
    path = save_dataset(dataset, tmp_path / f"saved.{suffix}")
    loaded = load_dataset(path)
    assert_same_dataset(loaded, dataset)
    assert loaded.source == str(path)


def test_csv_metadata_lives_in_a_sidecar(dataset, tmp_path):
    path = save_dataset(dataset, tmp_path / "saved.csv")
    document = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    assert document["content_hash"] == dataset.content_hash
    assert document["attrs"]["simulation"]["model"] == "2ck"
    assert sidecar_path(path).name == "saved.csv.meta.json"


@pytest.mark.parametrize("suffix", ["csv", "nc"])
def test_save_refuses_to_overwrite_unless_asked(dataset, tmp_path, suffix):
    path = save_dataset(dataset, tmp_path / f"saved.{suffix}")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_dataset(dataset, path)
    only_b = dataset.for_sample("B")
    save_dataset(only_b, path, overwrite=True)
    assert load_dataset(path).content_hash == only_b.content_hash
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_save_leaves_no_temporary_file_when_writing_fails(dataset, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError, match="disk full"):
        save_dataset(dataset, tmp_path / "out" / "saved.csv")
    assert list((tmp_path / "out").iterdir()) == []


def test_loading_does_not_touch_the_file(good_cells, write_table):
    path = write_table(good_cells)
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    load_dataset(path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["data.csv"]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("data.xlsx", "ending in .csv, .tsv, .parquet, .nc"), ("absent.csv", "found nothing")],
)
def test_bad_paths_are_data_errors(tmp_path, name, fragment):
    with pytest.raises(DataError, match=fragment):
        load_dataset(tmp_path / name)


def test_a_folder_is_not_a_data_file(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(DataError, match="found a folder"):
        load_dataset(tmp_path / "folder.csv")


def test_sample_kwarg_loads_one_sample_of_a_file(good_cells, write_table):
    path = write_table(good_cells)
    only_b = load_dataset(path, sample="B", material="Ag")
    assert only_b.sample_names() == ["B"] and only_b.samples["B"].material == "Ag"
    with pytest.raises(DataError, match="samples: A, B"):
        load_dataset(path, sample="C")


def test_stale_metadata_is_noted_and_warned(dataset, tmp_path):
    path = save_dataset(dataset, tmp_path / "saved.csv")
    path.write_text(path.read_text().replace("1000.", "1001."), encoding="utf-8")
    with pytest.warns(DataWarning, match="written for other table content"):
        edited = load_dataset(path)
    assert any("other table content" in note for note in edited.attrs["notes"])


def test_malformed_sidecar_is_a_data_error(good_cells, write_table):
    path = write_table(good_cells)
    sidecar_path(path).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"data\.csv\.meta\.json"):
        load_dataset(path)


@pytest.mark.parametrize("suffix", ["parquet", "nc"])
def test_corrupt_binary_files_are_data_errors(tmp_path, suffix):
    path = tmp_path / f"broken.{suffix}"
    path.write_bytes(b"PAR1 this is not a real file PAR1")
    with pytest.raises(DataError, match="could not read it"):
        load_dataset(path)
