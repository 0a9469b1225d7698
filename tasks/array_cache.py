"""Arrays that take a while to build, kept on disk between processes: one uncompressed .npz file per key.

Building langdetect's model takes ~0.5 s of a core (JSON profiles, a Python call per code point) in every
process that identifies languages; loading the same arrays from a file takes ~15 ms. The cache is a
convenience, never a source of truth:

* a file is named by a key that the caller derives from everything that shapes the arrays, so a changed
  input never meets an old file;
* a missing, unreadable or corrupt file is a miss (the .npz members carry a CRC, checked on reading):
  the caller builds the arrays again and saves them over it;
* a file is written under a temporary name and renamed into place, so a reader never sees half a file
  and processes saving at the same time leave one whole file (the last renamed);
* a folder that cannot be written is no error: the arrays are just not kept.

The folder is $NEWSETL_CACHE_DIR, else $XDG_CACHE_HOME/newsetl, else ~/.cache/newsetl; without a home
(no HOME, no user entry) nothing is cached.
The rule library's compiled regexes (tasks/rules/compiled.py) are kept in the same folder.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "NEWSETL_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache folder; None when there is no home to put it in (HOME unset and no user entry)."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "newsetl") if os.path.isabs(base) else None


def cache_file(name: str, key: str) -> Path | None:
    folder = cache_dir()
    return folder / f"{name}-{key}.npz" if folder is not None else None


def load_arrays(name: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under name and key, or None when there is no readable file."""
    path = cache_file(name, key)
    if path is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            return {array_name: saved[array_name] for array_name in saved.files}
    except FileNotFoundError:
        return None
    except Exception as error:  # noqa: BLE001 - any fault of a cache file (truncated, bad zip, bad CRC) is a miss
        log.warning("ignoring the unreadable cache file %s (%s: %s)", path, type(error).__name__, error)
        return None


def save_arrays(name: str, key: str, arrays: dict[str, np.ndarray], keep: int) -> None:
    """Save arrays under name and key, atomically; then delete all but the `keep` newest files of `name`
    (those of other keys were left by older code or other settings)."""
    path = cache_file(name, key)
    if path is not None and write_atomically(path, lambda file: np.savez(file, **arrays)):
        keep_newest(path.parent, f"{name}-*.npz", keep)


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> bool:
    """write(file) into a temporary file beside `path`, then renamed over it: a reader sees the old file
    or the new one, whole. False when the folder cannot be written (a read-only home, a full disk):
    the caller has what it would have cached anyway."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False) as file:
            temporary = Path(file.name)
            write(file)
        os.replace(temporary, path)
    except OSError as error:
        log.info("could not cache %s (%s)", path, error)
        return False
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)  # gone already once renamed
    return True


def keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently written files of `folder` that match `pattern`."""
    dated = []
    for candidate in folder.glob(pattern):
        try:
            dated.append((candidate.stat().st_mtime_ns, candidate))
        except FileNotFoundError:  # deleted by another process meanwhile
            continue
    for _, stale in sorted(dated, reverse=True)[keep:]:
        stale.unlink(missing_ok=True)
