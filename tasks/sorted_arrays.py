"""Membership in a sorted array, a slice at a time: np.isin sorts the whole of both arrays, which on a
large day's millions of keys costs tens of MB at once."""

from __future__ import annotations

import numpy as np

_SLICE = 1 << 18


def is_in_sorted(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """A bool per value: whether it is in `sorted_unique` (sorted, without repeats)."""
    found = np.zeros(len(values), dtype=bool)
    if len(sorted_unique) == 0:
        return found
    for start in range(0, len(values), _SLICE):
        part = values[start : start + _SLICE]
        positions = np.minimum(np.searchsorted(sorted_unique, part), len(sorted_unique) - 1)
        found[start : start + _SLICE] = sorted_unique[positions] == part
    return found
