"""numeric.ranges: every index of each range, one range after the other."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tasks.numeric import ranges


def _plain(starts, lengths) -> list[int]:
    return [index for start, length in zip(starts, lengths) for index in range(start, start + length)]


def test_empty_input():
    result = ranges(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert result.tolist() == [] and result.dtype == np.int64


def test_zero_length_ranges_add_nothing():
    starts, lengths = np.array([5, 2, 9, 0]), np.array([0, 3, 0, 2])
    assert ranges(starts, lengths).tolist() == [2, 3, 4, 0, 1]
    assert ranges(starts, np.zeros(4, dtype=np.int64)).tolist() == []


def test_ranges_may_overlap_and_go_backwards():
    assert ranges(np.array([4, 1, 2]), np.array([2, 3, 1])).tolist() == [4, 5, 1, 2, 3, 2]


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 20)), max_size=30))
def test_as_python_ranges(pairs):
    starts = np.array([start for start, _ in pairs], dtype=np.int64)
    lengths = np.array([length for _, length in pairs], dtype=np.int64)
    assert ranges(starts, lengths).tolist() == _plain(starts.tolist(), lengths.tolist())
