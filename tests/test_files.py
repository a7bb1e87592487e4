"""Atomic writes and safe names (bayes_zba.files): whole files or none, the user's umask."""

import json
import os
import stat

import pytest

from bayes_zba.files import safe_stem, write_atomically, write_json_atomically


def test_safe_stem_keeps_readable_names_and_replaces_the_rest():
    assert safe_stem("fit", "Cu sample/1", "2ck") == "fit-Cu_sample_1-2ck"
    assert safe_stem("ranking", "sim-1.v2") == "ranking-sim-1.v2"


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "", "/", "../../etc"])
def test_safe_stem_never_names_a_hidden_file_or_a_parent_directory(name):
    stem = safe_stem(name)
    assert stem and not stem.startswith(".") and "/" not in stem


def test_json_write_replaces_the_file_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "sub" / "record.json"
    write_json_atomically(target, {"v": 1})
    write_json_atomically(target, {"v": 2})
    assert json.loads(target.read_text()) == {"v": 2}
    assert [p.name for p in target.parent.iterdir()] == ["record.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = write_json_atomically(tmp_path / "r.json", {"v": 1})

    def fail(temporary):
        temporary.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(target, fail)
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_files_get_the_users_umask_so_a_group_can_read_them(tmp_path):
    previous = os.umask(0o022)
    try:
        target = write_json_atomically(tmp_path / "r.json", {"v": 1})
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
