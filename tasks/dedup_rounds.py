"""Which candidate pairs of the batch still need their exact comparison, round by round.

tasks/dedup.py verifies the batch's candidate pairs the likeliest copies first, in rounds. Before each
round, what the pairs verified so far found (copy and containment edges) tells which of the remaining
pairs could still change the result; the others are skipped. A pair is skipped only when, whatever the
other pairs turn out to be, its edge would not change the clusters nor be the containment edge that
resolve_containment (tasks/dedup_clusters.py) uses:
- its two articles are in one cluster already: a copy edge joins nothing new, and a containment edge
  inside a cluster is never used (clusters only grow, so they stay in one);
- or it cannot be a copy (its Jaccard similarity is at most the ratio of the two set sizes, and that
  ratio is below the threshold) and the smaller article's containment in the larger is not needed:
  containment is off; or the smaller one is not the first of its cluster by the survivor rule (only a
  cluster's survivor is dropped as contained, and a larger or earlier member stays in its cluster); or
  it already lies inside a member of the larger one's cluster and every pair it has left to verify
  points into that same cluster (it is dropped into that cluster whichever member's edge is tightest).

This bounds the cost of a large cluster of near copies (template stories, a story syndicated with edits)
and of the teasers that lie inside its members: each proposes pairs with dozens of members, and once a
few have been verified the rest are skipped.
"""

from __future__ import annotations

import numpy as np

from tasks.dedup_clusters import cluster_roots

_UNSETTLED = -1


class RemainingPairs:
    """The batch's clusters and containment edges as verified so far, and the test of which pairs to verify.

    Batch articles are numbered 0 .. n - 1 (source order); a cluster is named by its smallest member."""

    def __init__(self, sizes: np.ndarray, clusters: np.ndarray, in_index: np.ndarray, threshold: float, containment: bool):
        """`sizes`: distinct shingles per article; `clusters`: the clusters exact copies and index rows make;
        `in_index`: the articles that lie inside an index row (their containment target is not tracked here)."""
        self.sizes, self.clusters, self.in_index = sizes, clusters, in_index
        self.threshold, self.containment = threshold, containment
        n = len(sizes)
        # The survivor rule inside the batch (one date): the most shingles, then the first in source order.
        self._rank = (int(sizes.max(initial=0)) - sizes.astype(np.int64)) * n + np.arange(n)
        self._first_rank = np.full(n, np.iinfo(np.int64).max)  # by cluster name: the rank of its first member
        np.minimum.at(self._first_rank, clusters, self._rank)
        self._contained: list[np.ndarray] = []
        self._container: list[np.ndarray] = []

    def add(self, copies: np.ndarray, contained: np.ndarray, container: np.ndarray) -> None:
        """Edges a round verified: copy pairs (m, 2), and containment edges contained[k] -> container[k]."""
        merged = cluster_roots(len(self.clusters), self.clusters[copies])
        np.minimum.at(self._first_rank, merged, self._first_rank.copy())
        self.clusters = merged[self.clusters]
        self._contained.append(contained)
        self._container.append(container)

    def needed(self, low: np.ndarray, high: np.ndarray, later_low: np.ndarray, later_high: np.ndarray) -> np.ndarray:
        """Which pairs (low[k], high[k]) of this round to verify; later_*: the pairs of this round and every
        later one (what a settled containment must hold for)."""
        clusters = self.clusters
        apart = clusters[low] != clusters[high]
        smaller, larger = _smaller_first(low, high, self.sizes)
        could_be_copy = _could_be_copy(self.sizes[smaller], self.sizes[larger], self.threshold)
        if not self.containment:
            return apart & could_be_copy
        not_first = self._first_rank[clusters[smaller]] != self._rank[smaller]
        settled = self._settled_targets(later_low, later_high)[smaller] == clusters[larger]
        return apart & (could_be_copy | ~(not_first | settled))

    def _settled_targets(self, later_low: np.ndarray, later_high: np.ndarray) -> np.ndarray:
        """For each article, the cluster it lies inside when the edges found and every pair left to verify
        where it is the smaller point into that one cluster; _UNSETTLED otherwise."""
        n, clusters = len(self.sizes), self.clusters
        target = np.full(n, _UNSETTLED, dtype=np.int64)
        if not self._contained:
            return target
        contained, container = np.concatenate(self._contained), np.concatenate(self._container)
        outside = clusters[contained] != clusters[container]
        contained, into = contained[outside], clusters[container[outside]]
        lowest, highest = np.full(n, n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
        np.minimum.at(lowest, contained, into)
        np.maximum.at(highest, contained, into)
        one_cluster = (lowest == highest) & ~self.in_index
        target[one_cluster] = lowest[one_cluster]
        # Pairs left whose smaller article is settled so far, and that point elsewhere, unsettle it.
        concerned = np.flatnonzero((target[later_low] != _UNSETTLED) | (target[later_high] != _UNSETTLED))
        smaller, larger = _smaller_first(later_low[concerned], later_high[concerned], self.sizes)
        apart = clusters[smaller] != clusters[larger]
        elsewhere = apart & (target[smaller] != _UNSETTLED) & (clusters[larger] != target[smaller])
        target[smaller[elsewhere]] = _UNSETTLED
        return target


def _smaller_first(low: np.ndarray, high: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(contained, container) as dedup's verification orders a pair: the smaller set, or `low` for equal sizes."""
    low_smaller = sizes[low] <= sizes[high]
    return np.where(low_smaller, low, high), np.where(low_smaller, high, low)


def _could_be_copy(smaller: np.ndarray, larger: np.ndarray, threshold: float) -> np.ndarray:
    """False where the Jaccard similarity computed from the shared count (shared / union, which is at most
    smaller / larger, and rounding keeps that order) must be below the threshold."""
    ratio = smaller / np.maximum(larger, 1)
    return (larger == 0) | (ratio >= threshold)
