"""Clusters of copies and the article that survives each: the survivor rule of tasks/dedup.py, on arrays.

Nodes are integers: article i of the batch (in source order) is node i, row h of the history index is node
n + h. Verified pairs become edges: copy edges (exact or near) join two nodes into one cluster; a
containment edge says that one article lies inside another. A large day has hundreds of thousands of
articles, so nothing here holds a Python object per article: union-find dictionaries and member lists
cost more memory than the fingerprints themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from tasks.dedup_index import ArticleFingerprints

_NO_ROOT = -1


@dataclass
class Edges:
    """Verified pairs, gathered in pieces (one per batch article or per history match)."""

    _copies: list[np.ndarray] = field(default_factory=list)  # (m, 2) int64 node pairs
    _containments: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def add_copies(self, a: np.ndarray, b: np.ndarray) -> None:
        if len(a):
            self._copies.append(np.stack([np.asarray(a, np.int64), np.asarray(b, np.int64)], axis=1))

    def add_containments(self, contained: np.ndarray, container: np.ndarray, share: np.ndarray, jaccard: np.ndarray) -> None:
        """contained[k] lies inside container[k]: share of its shingles found there, and their Jaccard
        similarity (the tightest container is the best one)."""
        if len(contained):
            columns = (contained, container, share, jaccard)
            self._containments.append(tuple(np.asarray(column) for column in columns))

    def copies(self) -> np.ndarray:
        return np.concatenate(self._copies) if self._copies else np.zeros((0, 2), dtype=np.int64)

    def containment_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """contained, container, share, jaccard: one entry per containment edge, in the order added."""
        if not self._containments:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        contained, container, share, jaccard = (np.concatenate(column) for column in zip(*self._containments))
        return contained.astype(np.int64), container.astype(np.int64), share, jaccard

    def containments(self) -> list[tuple[int, int, float, float]]:
        """The containment edges as (contained, container, share, jaccard) rows."""
        return list(zip(*(column.tolist() for column in self.containment_columns())))


def compacted(edges: Edges, n: int) -> tuple[Edges, np.ndarray]:
    """The same edges with the index rows they name renumbered n, n + 1, ... in row order, and those rows:
    the index holds every earlier date's articles, and arrays over all of them would grow with the history
    rather than with the day."""
    copies = edges.copies()
    contained, container, share, jaccard = edges.containment_columns()
    nodes = np.concatenate([copies.ravel(), contained, container])
    history_rows = np.unique(nodes[nodes >= n]) - n

    def renumbered(nodes: np.ndarray) -> np.ndarray:
        return np.where(nodes < n, nodes, n + np.searchsorted(history_rows, nodes - n))

    result = Edges()
    result.add_copies(renumbered(copies[:, 0]), renumbered(copies[:, 1]))
    result.add_containments(renumbered(contained), renumbered(container), share, jaccard)
    return result, history_rows


def cluster_roots(n_nodes: int, copies: np.ndarray) -> np.ndarray:
    """The cluster of every node, named by its smallest node (a copy of a copy joins too).

    Connected components by hooking and pointer jumping: each round points the larger root of every
    unsatisfied edge at the smaller one, then flattens the trees; a handful of rounds even for chains."""
    root = np.arange(n_nodes, dtype=np.int64)
    if len(copies) == 0:
        return root
    a, b = copies[:, 0], copies[:, 1]
    while True:
        root_a, root_b = root[a], root[b]
        apart = root_a != root_b
        if not apart.any():
            return root
        low, high = np.minimum(root_a[apart], root_b[apart]), np.maximum(root_a[apart], root_b[apart])
        np.minimum.at(root, high, low)  # a root only ever points at a smaller node: no cycles
        while True:
            flattened = root[root]
            if np.array_equal(flattened, root):
                break
            root = flattened


@dataclass(frozen=True)
class Ranking:
    """Survivor rule: the earliest date, then the most distinct shingles (the most complete version), then
    the order given by `tiebreak` (source order in the batch, article_id in the index)."""

    date_ordinal: np.ndarray  # int64 per node
    size: np.ndarray  # int64 per node
    tiebreak: np.ndarray  # int64 per node

    @classmethod
    def of(cls, date: dt.date, batch_sizes: np.ndarray, history: ArticleFingerprints, history_rows: np.ndarray) -> Ranking:
        """Batch nodes first (all of `date`, in source order), then the given rows of the index, which is
        sorted by (date, article_id) and dated before `date`: a row number orders rows by article_id."""
        ordinals = np.fromiter((history.dates[row].toordinal() for row in history_rows.tolist()), dtype=np.int64)
        return cls(
            np.concatenate([np.full(len(batch_sizes), date.toordinal(), dtype=np.int64), ordinals]),
            np.concatenate([np.asarray(batch_sizes, np.int64), history.n_shingles[history_rows]]),
            np.concatenate([np.arange(len(batch_sizes), dtype=np.int64), np.asarray(history_rows, np.int64)]),
        )

    def key(self, node: int) -> tuple[int, int, int]:
        return (int(self.date_ordinal[node]), -int(self.size[node]), int(self.tiebreak[node]))

    def survivors(self, roots: np.ndarray) -> np.ndarray:
        """The survivor of each cluster, indexed by its root (_NO_ROOT for nodes that are no root)."""
        order = np.lexsort((self.tiebreak, -self.size, self.date_ordinal, roots))
        sorted_roots = roots[order]
        first = np.concatenate(([True], sorted_roots[1:] != sorted_roots[:-1]))[: len(roots)]
        survivor = np.full(len(roots), _NO_ROOT, dtype=np.int64)
        survivor[sorted_roots[first]] = order[first]
        return survivor


def resolve_containment(
    containments: list[tuple[int, int, float, float]], roots: np.ndarray, survivor: np.ndarray, ranking: Ranking, n: int
) -> dict[int, int]:
    """cluster root -> root of the cluster it is dropped into (clusters that stay are absent).

    A cluster goes into another when its survivor, in this batch, lies inside an article of the other
    (its survivor is its longest member: when that is contained, the cluster is). Only the survivor's
    containment counts: a short member lying inside an unrelated page that quotes it must not take its
    whole cluster along. Among several containers, the tightest (highest Jaccard similarity) wins, then
    the one whose survivor ranks first. Chains are followed; a cycle (only possible between clusters of
    different lengths) is broken at the cluster whose survivor ranks first, which stays."""

    def rank(root: int) -> tuple[int, int, int]:
        return ranking.key(int(survivor[root]))

    best: dict[int, tuple] = {}
    for contained, container, share, jaccard in containments:
        source, target = int(roots[contained]), int(roots[container])
        if source == target or survivor[source] != contained or contained >= n:
            continue
        choice = (-jaccard, -share, rank(target), target)
        if source not in best or choice < best[source]:
            best[source] = choice
    target = {source: choice[-1] for source, choice in best.items()}
    final: dict[int, int] = {}

    def resolve(start: int) -> int:
        path, cluster = [], start
        while cluster in target and cluster not in final and cluster not in path:
            path.append(cluster)
            cluster = target[cluster]
        if cluster in path:
            cycle = path[path.index(cluster) :]
            del target[min(cycle, key=rank)]
            return resolve(start)
        end = final.get(cluster, cluster)
        for step in path:
            final[step] = end
        return end

    for source in sorted(target, key=rank):
        resolve(source)
    return {source: end for source, end in final.items() if end != source}


def kept_nodes(n: int, roots: np.ndarray, survivor: np.ndarray, dropped_into: dict[int, int]) -> np.ndarray:
    """For each batch article, the node that survives for it (itself if it is kept)."""
    cluster = roots[:n]
    if dropped_into:
        moved = np.arange(len(roots), dtype=np.int64)
        moved[list(dropped_into)] = list(dropped_into.values())
        cluster = moved[cluster]
    return survivor[cluster]
