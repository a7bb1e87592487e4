"""Atomic file writes and safe file names: the one copy every room uses.

A write goes to a temporary file beside its target and is renamed into place, so a reader (or a
killed run) never sees half a file; files get the user's umask like any file they create.
"""

import json
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Characters kept in a file-name stem; every other run of characters becomes "_".
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write_atomically(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call `write(temporary)` for a temporary path beside `path`, then rename it into place.

    Parents are created. If `write` fails (or is interrupted), the temporary file is removed
    and `path` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to (re)place.
    write : callable
        Writes the whole content to the path it is given (which does not exist yet).

    Returns
    -------
    pathlib.Path
        `path`.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomically(target, lambda tmp: tmp.write_text("hello")).read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically; see write_atomically.

    Examples
    --------
    >>> import tempfile
    >>> write_text_atomically(Path(tempfile.mkdtemp()) / "a.md", "# A").read_text()
    '# A'
    """
    return write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json_atomically(path: str | os.PathLike, payload: Any, **dumps: Any) -> Path:
    """Write `payload` as indented JSON to `path` atomically (extra json.dumps options).

    Examples
    --------
    >>> import tempfile
    >>> target = write_json_atomically(Path(tempfile.mkdtemp()) / "r.json", {"a": 1})
    >>> json.loads(target.read_text())
    {'a': 1}
    """
    options = {"indent": 2, **dumps}
    return write_text_atomically(path, json.dumps(payload, **options) + "\n")


def safe_stem(*parts: str) -> str:
    """A file-name stem from `parts` joined by '-': unsafe characters become '_', and no stem
    starts with '.' (so no name can be hidden or lead out of its directory).

    Examples
    --------
    >>> safe_stem("Cu sample/1", "2ck")
    'Cu_sample_1-2ck'
    >>> safe_stem("..")
    '_..'
    """
    stem = "-".join(_UNSAFE.sub("_", part.strip()) for part in parts) or "_"
    return f"_{stem}" if stem.startswith(".") else stem
