"""Dedup: drop copies of an article, within the batch and against every earlier partition.

Three kinds of copy, the `method` of a duplicates row:
- exact: the same normalised text (case, white space, punctuation and Unicode form ignored); similarity 1.
- near: word-shingle sets with a Jaccard similarity of at least `threshold` (an update with a changed
  figure, edited sentences, added boilerplate, paragraphs in another order). The similarity is computed
  on the real shingle sets of the batch; against an earlier partition, whose text is not kept, it is
  estimated from the stored MinHash signature.
- contained: at least `containment_threshold` of the article's shingles lie inside a longer article (a
  truncated copy, a story embedded in a longer page); the longer article is kept. Against an earlier
  partition the share is the larger of two estimates: the share of the article's words in paragraphs the
  older article also has, and the one derived from the MinHash estimate and both set sizes.

Candidate pairs come from MinHash LSH bands (tasks/minhash.py) and from shared paragraphs of 8 words or
more ("anchors"): LSH cannot see an article that is a small part of a longer one, a shared paragraph can.
Every candidate pair is then verified as above; LSH alone decides nothing. Within the batch, a pair whose
MinHash estimate lies far below both thresholds (six standard deviations) is dropped without the exact
check: most candidates from shared paragraphs are different stories (_could_be_copies). The others are
verified the likeliest copies first, in rounds, each skipping the pairs whose edge could no longer change
the result given the edges found so far (by earlier rounds, exact copies and the index): two articles
already in one cluster, or a containment that cannot count (tasks/dedup_rounds.py). A large cluster of
copies then costs a few pairs per member, not the dozens each proposes.

Survivor rule. Exact and near pairs join clusters (a copy of a copy joins too: tasks/dedup_clusters.py).
In a cluster the article from the earliest partition date survives (an earlier partition is published already);
within a date, the longest (most distinct shingles: the most complete version), then the one from the
first source file, then the first line (for an earlier partition, whose files the index does not hold:
the smallest article_id). Every other member from this batch is a duplicate of the survivor, with its similarity *to
the survivor* (below the threshold for a copy of a copy), except an exact copy of an article an earlier
partition kept, which names that article. Containment has a direction: a cluster whose
survivor (its longest member) is in this batch and lies inside an article of another cluster is dropped
whole, as 'contained' in that cluster's survivor. Articles of earlier partitions are never dropped: they
are published already.

History and re-runs. A partition is compared only with the index entries of *earlier* dates
(tasks/dedup_index.py), so re-running date D never makes D's articles duplicates of themselves and gives
the same result as D's first run, whatever ran since. Backfilling a date before dates already processed:
the backfilled date keeps its articles (later dates are not its history), and `later_dates_with_copies`
names the later dates that kept a copy of one of them or dropped an article for such a copy. Re-running
those dates, oldest first, makes every partition what a run in date order would have written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from tasks import minhash
from tasks.config import DedupSettings, ParallelSettings
from tasks.dedup_clusters import Edges, Ranking, cluster_roots, compacted, kept_nodes, resolve_containment
from tasks.dedup_rounds import RemainingPairs
from tasks.dedup_index import INDEX_DATASET, ArticleFingerprints, index_dates, index_table, load_index
from tasks.fingerprint import Fingerprinted, content_hash, fingerprint, normalise_for_hash
from tasks.parallel import map_chunk_list, worker_count
from tasks.records import CleanArticle, DuplicateRecord

HISTORY_DATASET = INDEX_DATASET
__all__ = ["HISTORY_DATASET", "content_hash", "deduplicate", "history_table", "later_dates_with_copies", "load_history", "normalise_for_hash"]
EXACT, NEAR, CONTAINED = "exact", "near", "contained"
# LSH buckets and shared anchors: each member is paired with the bucket's first member and this many
# following ones, so a story syndicated a thousand times costs a linear number of pairs.
_BUCKET_NEIGHBOURS = 8
# Index rows (earliest first) taken per matching key, so that a template story kept on many dates does not
# make thousands of candidates.
_INDEX_ROWS_PER_KEY = 8
# Candidate pairs of the batch whose MinHash estimate is this many of its standard deviations below both
# thresholds are not verified exactly (_could_be_copies).
_ESTIMATE_SIGMAS = 6.0
_ESTIMATE_BLOCK = 10_000
_ANCHOR_PART_BITS = 3
# Candidate pairs compared in one job on a worker: the comparing must outweigh sending the job.
_PAIRS_PER_JOB = 50_000
# Candidate pairs verified together (_join_batch_pairs): bounds the per-pair working arrays.
_VERIFY_BLOCK = 500_000
# Candidate pairs taken for the first round of verification (_join_batch_pairs), the likeliest copies: enough
# to join the large clusters of a day before the rounds that skip their other pairs. Smaller first rounds skip
# a few more pairs but make more rounds, and each round looks through the pairs left: on a 100 MB day of
# near copies, first rounds of 5,000 / 20,000 / 50,000 pairs verified 494k / 502k / 519k pairs in 17 / 15 /
# 14 rounds.
_FIRST_ROUND = 20_000
# Candidate pairs screened together (_batch_candidates): a 20 MB day's ~650 pieces hold ~190 pairs each,
# and a numpy call on so few costs more than its work.
_SCREEN_BLOCK = 100_000


def load_history(state_dir: Path, before: dt.date, settings: DedupSettings) -> ArticleFingerprints:
    """What every partition before `before` kept (within settings.history_days of it)."""
    since = None if settings.history_days is None else before - dt.timedelta(days=settings.history_days + 1)
    return load_index(state_dir, settings, before=before, after=since).kept


def history_table(
    articles: list[CleanArticle], settings: DedupSettings, duplicates: list[DuplicateRecord] = ()
) -> pa.Table:
    """The index partition of a date: the articles it kept, and the ones it dropped."""
    kept = fingerprint(articles, dt.date.min, settings).prints
    return index_table(kept, {d.article_id: d.duplicate_of for d in duplicates}, settings)


@dataclass
class DedupResult:
    survivors: list[CleanArticle]  # in source order
    duplicates: list[DuplicateRecord]
    survivor_prints: ArticleFingerprints  # the survivors' fingerprints, for this date's index partition

    def index_table(self, settings: DedupSettings) -> pa.Table:
        """This date's index partition, from the fingerprints dedup already computed."""
        return index_table(self.survivor_prints, {d.article_id: d.duplicate_of for d in self.duplicates}, settings)


def deduplicate(
    articles: list[CleanArticle],
    date: dt.date,
    history: ArticleFingerprints,
    settings: DedupSettings,
) -> tuple[list[CleanArticle], list[DuplicateRecord]]:
    """Split articles into survivors (in source order) and duplicate records; sets each content_hash."""
    result = find_duplicates(articles, date, history, settings)
    return result.survivors, result.duplicates


def find_duplicates(
    articles: list[CleanArticle],
    date: dt.date,
    history: ArticleFingerprints,
    settings: DedupSettings,
    fingerprinted: Fingerprinted | None = None,
    parallel: ParallelSettings | None = None,
) -> DedupResult:
    """deduplicate(), keeping the survivors' fingerprints for the index.

    `fingerprinted`: the articles' fingerprints if already computed (on the workers, with clean), in the
    order of `articles`, which must then be source order.
    `parallel`: where the exact comparison of many candidate pairs may run (tasks/parallel.py).

    Nodes of the duplicate graph: article i of the batch (in source order) is node i, row h of `history`
    is node len(articles) + h."""
    ordered = sorted(articles, key=lambda article: (article.source_file, article.line_start))
    n = len(ordered)
    if fingerprinted is None:
        batch = fingerprint(ordered, date, settings)
    elif fingerprinted.prints.article_ids != [article.article_id for article in ordered]:
        raise ValueError("find_duplicates: the fingerprints given are not those of the articles in source order")
    else:
        batch = fingerprinted
    edges = Edges()

    # Exact copies join the first article (or the earliest index row) with the same hash; only that
    # representative takes part in the near-duplicate search.
    representative = np.arange(n)
    if settings.exact:
        first_with_hash: dict[str, int] = {}
        for i, article in enumerate(ordered):
            representative[i] = first_with_hash.setdefault(article.content_hash, i)
        del first_with_hash  # a dict entry per article: gone before the candidate search
        copies = np.nonzero(representative != np.arange(n))[0]
        edges.add_copies(copies, representative[copies])
        firsts = np.nonzero(representative == np.arange(n))[0].tolist()
        twins = [(i, n + row) for i in firsts if (row := history.row_of_hash(ordered[i].content_hash)) is not None]
        twin_edges = np.array(twins, dtype=np.int64).reshape(-1, 2)
        edges.add_copies(twin_edges[:, 0], twin_edges[:, 1])

    similarity = _Similarity(batch, history, n)
    if settings.near:
        reps = np.nonzero(representative == np.arange(n))[0]
        eligible = reps[batch.prints.n_shingles[reps] >= settings.min_shingles]
        # The index first: batch articles it joins into one cluster need no comparison with each other.
        _join_history_pairs(batch, eligible, history, settings, edges, similarity)
        _join_batch_pairs(batch, eligible, settings, edges, parallel)

    # Clusters over the batch and the index rows the edges name (numbered n, n + 1, ... there).
    edges, history_rows = compacted(edges, n)
    roots = cluster_roots(n + len(history_rows), edges.copies())
    ranking = Ranking.of(date, batch.prints.n_shingles, history, history_rows)
    survivor = ranking.survivors(roots)
    dropped_into = resolve_containment(edges.containments(), roots, survivor, ranking, n)
    kept_for = kept_nodes(n, roots, survivor, dropped_into)
    in_index = kept_for >= n
    kept_for[in_index] = n + history_rows[kept_for[in_index] - n]  # back to index row numbers

    # Each dropped article: the node kept for it and the method; then the similarities, all at once.
    dropped: list[tuple[int, int, str]] = []
    for i in np.nonzero(kept_for != np.arange(n))[0].tolist():
        article, kept = ordered[i], int(kept_for[i])
        twin = history.row_of_hash(article.content_hash) if settings.exact else None
        if twin is not None:
            # An earlier partition kept this very text: name that article, even when a near copy joined
            # it to a cluster whose survivor is another (longer) article.
            dropped.append((i, n + twin, EXACT))
        elif int(roots[i]) in dropped_into:
            dropped.append((i, kept, CONTAINED))
        elif settings.exact and article.content_hash == similarity.content_hash(kept):
            dropped.append((i, kept, EXACT))
        else:
            dropped.append((i, kept, NEAR))
    measured = [(int(representative[i]), kept) for i, kept, method in dropped if method != EXACT]
    jaccard, share = similarity.of_pairs(np.array(measured, dtype=np.int64).reshape(-1, 2))
    values = iter(np.where([method == CONTAINED for _, _, method in dropped if method != EXACT], share, jaccard).tolist())

    duplicates: list[DuplicateRecord] = []
    for i, kept, method in dropped:
        article, value = ordered[i], 1.0 if method == EXACT else next(values)
        kept_id, kept_date = (ordered[kept].article_id, date) if kept < n else (
            history.article_ids[kept - n],
            history.dates[kept - n],
        )
        duplicates.append(
            DuplicateRecord(
                article_id=article.article_id,
                source_file=article.source_file,
                line_start=article.line_start,
                line_end=article.line_end,
                duplicate_of=kept_id,
                duplicate_of_date=kept_date,
                method=method,
                similarity=round(float(value), 4),
            )
        )
    survivor_rows = np.nonzero(kept_for == np.arange(n))[0].tolist()
    survivors = [ordered[row] for row in survivor_rows]
    return DedupResult(survivors, duplicates, batch.prints.take(survivor_rows))


class _Similarity:
    """Jaccard similarity and containment between a batch article and any node: computed on the shingle
    sets within the batch, estimated for index rows (whose text is not kept)."""

    def __init__(self, batch: Fingerprinted, history: ArticleFingerprints, n: int) -> None:
        self.batch, self.history, self.n = batch, history, n

    def content_hash(self, node: int) -> str:
        return self.batch.prints.content_hashes[node] if node < self.n else self.history.content_hashes[node - self.n]

    def of_pairs(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Jaccard similarity, share of the article inside the node) of each pair (batch article, node)."""
        articles, nodes = pairs[:, 0], pairs[:, 1]
        jaccard, share = np.zeros(len(pairs)), np.zeros(len(pairs))
        in_batch = nodes < self.n
        sizes = self.batch.prints.n_shingles
        a, b = articles[in_batch], nodes[in_batch]
        common = minhash.pair_shared_counts(self.batch.shingles, np.stack([a, b], axis=1))
        jaccard[in_batch], share[in_batch], _ = minhash.similarity_from_counts(sizes[a], sizes[b], common)
        jaccard[~in_batch], share[~in_batch] = self.estimated(articles[~in_batch], nodes[~in_batch] - self.n)
        return jaccard, share

    def estimated(self, articles: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Jaccard, share of the batch article inside the index row), estimated, for aligned arrays."""
        prints, history = self.batch.prints, self.history
        jaccard = minhash.estimated_jaccard(prints.signatures[articles], history.signatures[rows])
        share = minhash.estimated_containment(jaccard, prints.n_shingles[articles], history.n_shingles[rows])
        in_shared_paragraphs = np.array(
            [self._words_in_shared_paragraphs(i, row) for i, row in zip(articles.tolist(), rows.tolist())], dtype=np.float64
        )
        return jaccard, np.maximum(share, in_shared_paragraphs / np.maximum(self.batch.n_words[articles], 1))

    def _words_in_shared_paragraphs(self, i: int, row: int) -> int:
        start, end = self.batch.prints.anchor_offsets[i], self.batch.prints.anchor_offsets[i + 1]
        if start == end:
            return 0
        shared = np.isin(self.batch.prints.anchors[start:end], self.history.anchors_of(row))
        return int(self.batch.anchor_words[start:end][shared].sum())


def _join_batch_pairs(
    batch: Fingerprinted, eligible: np.ndarray, settings: DedupSettings, edges: Edges, parallel: ParallelSettings | None
) -> None:
    """Verify candidate pairs within the batch on their real shingle sets, the likeliest copies first, in
    rounds (_FIRST_ROUND pairs, then twice as many each round, at most _VERIFY_BLOCK: the comparison makes a
    dozen values per pair, ~100 bytes, and a large day has millions of pairs). Each round skips the pairs
    that the edges found so far make useless (tasks/dedup_rounds.py): on a 20 MB day of near copies of two
    stories, 677k candidate pairs, ~175k verified."""
    n = len(batch.prints)
    low, high = _pairs_in_order(_batch_candidates(batch.prints, eligible, settings), n)
    contained, _, _, _ = edges.containment_columns()  # so far, only inside index rows
    in_index = np.zeros(n, dtype=bool)
    in_index[contained] = True
    remaining = RemainingPairs(batch.prints.n_shingles, _batch_clusters(edges, n), in_index, settings.threshold, settings.containment)
    start, size = 0, min(_FIRST_ROUND, _VERIFY_BLOCK)
    while start < len(low):
        end = start + size
        needed = remaining.needed(low[start:end], high[start:end], low[start:], high[start:])
        codes = np.sort(low[start:end][needed].astype(np.int64) * n + high[start:end][needed])
        remaining.add(*_join_verified(batch, np.stack([codes // n, codes % n], axis=1), settings, edges, parallel))
        start, size = end, min(2 * size, _VERIFY_BLOCK)


def _pairs_in_order(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The (low, high) articles of the candidate codes of _batch_candidates, as int32 arrays, in their order;
    converted a block at a time, so that the day's pairs are not held twice over in int64."""
    low, high = np.empty(len(codes), dtype=np.int32), np.empty(len(codes), dtype=np.int32)
    for start in range(0, len(codes), _VERIFY_BLOCK):
        pair_codes = codes[start : start + _VERIFY_BLOCK] % (n * n)
        low[start : start + _VERIFY_BLOCK], high[start : start + _VERIFY_BLOCK] = pair_codes // n, pair_codes % n
    return low, high


def _batch_clusters(edges: Edges, n: int) -> np.ndarray:
    """The cluster of each batch article, named by its smallest member, as the copy edges so far make them
    (through index rows too)."""
    compact, history_rows = compacted(edges, n)
    # A cluster holding a batch article is named by a batch article: they come first.
    return cluster_roots(n + len(history_rows), compact.copies())[:n]


def _join_verified(
    batch: Fingerprinted, pairs: np.ndarray, settings: DedupSettings, edges: Edges, parallel: ParallelSettings | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add the edges of the candidate pairs (sorted) that the real shingle sets confirm; return them: the
    copy pairs, and the contained and container articles of each containment."""
    common = _shared_counts(batch.shingles, pairs, parallel)
    a, b = pairs[:, 0], pairs[:, 1]
    sizes = batch.prints.n_shingles  # of the distinct shingles: the sets compared
    jaccard, a_in_b, b_in_a = minhash.similarity_from_counts(sizes[a], sizes[b], common)
    copies = jaccard >= settings.threshold
    edges.add_copies(a[copies], b[copies])
    contained = np.zeros(len(pairs), dtype=bool)
    a_smaller = a_in_b >= b_in_a
    smaller, larger = np.where(a_smaller, a, b), np.where(a_smaller, b, a)
    if settings.containment:
        share = np.where(a_smaller, a_in_b, b_in_a)
        contained = ~copies & (share >= settings.containment_threshold)
        edges.add_containments(smaller[contained], larger[contained], share[contained], jaccard[contained])
    return pairs[copies], smaller[contained], larger[contained]


def _shared_counts(
    sets: minhash.ShingleSets | minhash.SpilledShingleSets, pairs: np.ndarray, parallel: ParallelSettings | None
) -> np.ndarray:
    """The shingles each pair (sorted by first article) shares. On the workers when `parallel` is given and
    the pairs are many: it is most of dedup's time on a large day (~30 us a pair), and reading the sets
    spilled to disk is all it needs. Exact counts, so the result does not depend on the workers."""
    if parallel is None or len(pairs) < _PAIRS_PER_JOB or not isinstance(sets, minhash.SpilledShingleSets):
        return minhash.pair_shared_counts(sets, pairs)  # (sets in memory would all be sent to each job)
    n_jobs = min(-(-len(pairs) // _PAIRS_PER_JOB), 4 * worker_count(parallel))
    jobs = [[(sets, piece)] for piece in np.array_split(pairs, n_jobs)]
    return np.concatenate(map_chunk_list(_count_shared_of_jobs, jobs, parallel))


def _count_shared_of_jobs(jobs: list[tuple[minhash.SpilledShingleSets, np.ndarray]]) -> list[np.ndarray]:
    return [minhash.pair_shared_counts(sets, pairs) for sets, pairs in jobs]


def _batch_candidates(prints: ArticleFingerprints, eligible: np.ndarray, settings: DedupSettings) -> np.ndarray:
    """Pairs (low, high) of batch articles to verify, each once: they share an LSH band key or an anchor, and
    their MinHash estimate does not rule them out (_could_be_copies). As sorted codes
    (num_perm - agreeing signature values) * n² + low * n + high: the highest estimate first, then in order.

    Built piece by piece (one band, one step of the anchor buckets; small pieces joined up to _SCREEN_BLOCK
    pairs), each piece screened before it joins the others: all unscreened candidates of a large day at
    once, mostly articles that share a paragraph, took several kB per article."""
    n = len(prints)
    kept = np.zeros(0, dtype=np.int64)  # pair codes, sorted
    pending: list[np.ndarray] = []  # screened pieces not merged yet
    for pairs in _joined(_candidate_pieces(prints, eligible, settings), _SCREEN_BLOCK):
        pairs = minhash.unique_pairs(pairs, n)
        could, agree = _could_be_copies(prints, pairs, settings)
        disagree = settings.num_perm - agree[could].astype(np.int64)
        pending.append(disagree * (n * n) + pairs[could, 0] * n + pairs[could, 1])
        # Merged once they hold as many pairs as `kept`: sorting `kept` again for each of the ~600 pieces
        # cost more than the screening on a large day, and waiting at most doubles what is held.
        if sum(map(len, pending)) > len(kept):
            kept, pending = minhash.sorted_unique(np.concatenate([kept, *pending])), []
    return minhash.sorted_unique(np.concatenate([kept, *pending]))


def _joined(pieces: Iterator[np.ndarray], at_least: int) -> Iterator[np.ndarray]:
    """The pieces of pairs, consecutive ones joined until they hold at least `at_least` pairs (the last may
    hold fewer): screening does not depend on how the pairs are grouped."""
    group: list[np.ndarray] = []
    held = 0
    for piece in pieces:
        group.append(piece)
        held += len(piece)
        if held >= at_least:
            yield np.concatenate(group)
            group, held = [], 0
    if group:
        yield np.concatenate(group)


def _candidate_pieces(prints: ArticleFingerprints, eligible: np.ndarray, settings: DedupSettings):
    for band in range(settings.bands):
        keys = minhash.band_key(prints.signatures, band, settings.rows)[eligible]
        yield from minhash.pair_pieces_sharing_a_key(keys, eligible, _BUCKET_NEIGHBOURS)
    if settings.containment:
        # Anchors (~10 an article) in parts by their top bits: equal anchors fall in the same part, and
        # sorting one part at a time holds an eighth of the working arrays.
        rows = _anchor_rows(prints, eligible)
        anchors, owners = prints.anchors[rows], prints.anchor_owners()[rows]
        part_of = anchors >> np.uint32(32 - _ANCHOR_PART_BITS)
        for part in range(2**_ANCHOR_PART_BITS):
            in_part = part_of == part
            yield from minhash.pair_pieces_sharing_a_key(anchors[in_part], owners[in_part], _BUCKET_NEIGHBOURS)


def _could_be_copies(
    prints: ArticleFingerprints, pairs: np.ndarray, settings: DedupSettings
) -> tuple[np.ndarray, np.ndarray]:
    """False for the candidate pairs that their MinHash estimate rules out, so that only the others pay for
    the exact comparison (most candidates from shared paragraphs or a chance band match are far apart); and
    on how many signature values each pair agrees (its estimate).

    A pair is ruled out only if even the upper bound of its Jaccard similarity (six standard deviations
    above the estimate, minhash.jaccard_upper_bound) stays below the threshold and, with that Jaccard and
    the two set sizes, the share of the smaller set in the larger one stays below containment_threshold.
    The share bound grows with the size ratio, so a small article inside a large one is always verified.
    (A flat margin of 0.2, six of the largest sd, verified 18% more pairs on the 1 GB bench day, 3.79M, all
    of them far from both thresholds: Jaccard <= 0.41, share <= 0.68.)
    """
    keep = np.zeros(len(pairs), dtype=bool)
    agree = np.zeros(len(pairs), dtype=np.int64)
    for start in range(0, len(pairs), _ESTIMATE_BLOCK):
        a, b = pairs[start : start + _ESTIMATE_BLOCK, 0], pairs[start : start + _ESTIMATE_BLOCK, 1]
        agree[start : start + _ESTIMATE_BLOCK] = minhash.agreements(prints.signatures[a], prints.signatures[b])
        estimate = minhash.jaccard_of_agreements(agree[start : start + _ESTIMATE_BLOCK], settings.num_perm)
        high = minhash.jaccard_upper_bound(estimate, settings.num_perm, _ESTIMATE_SIGMAS)
        could = high >= settings.threshold
        if settings.containment:
            size_a, size_b = prints.n_shingles[a], prints.n_shingles[b]
            # |a ∩ b| = J (|a| + |b|) / (1 + J) grows with J, so its value at `high` bounds the share.
            share_high = high * (size_a + size_b) / ((1 + high) * np.maximum(np.minimum(size_a, size_b), 1))
            could |= share_high >= settings.containment_threshold
        keep[start : start + _ESTIMATE_BLOCK] = could
    return keep, agree


def _join_history_pairs(batch, eligible, history, settings, edges: Edges, similarity) -> None:
    """Verify candidate pairs between the batch and the index on estimates (the index holds no text)."""
    if len(history) == 0 or len(eligible) == 0:
        return
    n = len(batch.prints)
    history_rows = np.nonzero(history.n_shingles >= settings.min_shingles)[0]
    keys = minhash.band_keys(batch.prints.signatures[eligible], settings.bands, settings.rows)
    by_band = minhash.matches_in(keys, history.band_keys(settings)[history_rows], _INDEX_ROWS_PER_KEY)
    candidates = [np.stack([eligible[by_band[:, 0]], history_rows[by_band[:, 1]]], axis=1)]
    if settings.containment:
        rows = _anchor_rows(batch.prints, eligible)
        history_anchor_rows = _anchor_rows(history, history_rows)
        by_anchor = minhash.matches_in(
            batch.prints.anchors[rows][:, None], history.anchors[history_anchor_rows][:, None], _INDEX_ROWS_PER_KEY
        )
        candidates.append(
            np.stack(
                [batch.prints.anchor_owners()[rows][by_anchor[:, 0]], history.anchor_owners()[history_anchor_rows][by_anchor[:, 1]]],
                axis=1,
            )
        )
    pairs = minhash.unique_pairs(np.concatenate(candidates), max(n, len(history)), symmetric=False)
    if len(pairs) == 0:
        return
    jaccard, share = similarity.estimated(pairs[:, 0], pairs[:, 1])
    copies = jaccard >= settings.threshold
    edges.add_copies(pairs[copies, 0], n + pairs[copies, 1])
    if settings.containment:
        contained = ~copies & (share >= settings.containment_threshold)
        edges.add_containments(pairs[contained, 0], n + pairs[contained, 1], share[contained], jaccard[contained])


def _anchor_rows(prints: ArticleFingerprints, articles: np.ndarray) -> np.ndarray:
    """Positions in prints.anchors of the anchors of `articles`."""
    selected = np.zeros(len(prints), dtype=bool)
    selected[articles] = True
    return np.nonzero(selected[prints.anchor_owners()])[0]


def later_dates_with_copies(
    state_dir: Path, date: dt.date, kept: ArticleFingerprints, settings: DedupSettings
) -> list[dt.date]:
    """Dates after `date` that must be re-run because `date` ran after them: they kept a copy of an
    article `date` kept (`kept`: their fingerprints, DedupResult.survivor_prints), or of an article lying
    inside one, or dropped an article for such a copy."""
    # Only the later dates whose history window reaches back to `date` compared with it.
    until = None if settings.history_days is None else date + dt.timedelta(days=settings.history_days + 1)
    if not len(kept) or not any(date < later and (until is None or later < until) for later in index_dates(state_dir)):
        return []
    later = load_index(state_dir, settings, before=until, after=date)
    copies = _rows_copying(later.kept, kept, settings)
    copied_ids = {later.kept.article_ids[row] for row in copies}
    stale = {later.kept.dates[row] for row in copies}
    stale.update(day for day, _, duplicate_of in later.pointers if duplicate_of in copied_ids)
    return sorted(stale)


def _rows_copying(later: ArticleFingerprints, ours: ArticleFingerprints, settings: DedupSettings) -> set[int]:
    """Rows of `later` that are exact or near copies of one of `ours`, or lie inside one of them."""
    rows = {row for row, hash_ in enumerate(later.content_hashes) if settings.exact and ours.row_of_hash(hash_) is not None}
    if not settings.near or len(later) == 0:
        return rows
    later_rows = np.nonzero(later.n_shingles >= settings.min_shingles)[0]
    our_rows = np.nonzero(ours.n_shingles >= settings.min_shingles)[0]
    matches = minhash.matches_in(
        later.band_keys(settings)[later_rows], ours.band_keys(settings)[our_rows], _INDEX_ROWS_PER_KEY
    )
    pairs = [np.stack([later_rows[matches[:, 0]], our_rows[matches[:, 1]]], axis=1)]
    if settings.containment:
        later_anchor_rows, our_anchor_rows = _anchor_rows(later, later_rows), _anchor_rows(ours, our_rows)
        by_anchor = minhash.matches_in(
            later.anchors[later_anchor_rows][:, None], ours.anchors[our_anchor_rows][:, None], _INDEX_ROWS_PER_KEY
        )
        pairs.append(
            np.stack(
                [later.anchor_owners()[later_anchor_rows][by_anchor[:, 0]], ours.anchor_owners()[our_anchor_rows][by_anchor[:, 1]]],
                axis=1,
            )
        )
    pairs_ = minhash.unique_pairs(np.concatenate(pairs), max(len(later), len(ours)), symmetric=False)
    jaccard = minhash.estimated_jaccard(later.signatures[pairs_[:, 0]], ours.signatures[pairs_[:, 1]])
    share = minhash.estimated_containment(jaccard, later.n_shingles[pairs_[:, 0]], ours.n_shingles[pairs_[:, 1]])
    # Word counts of the index's paragraphs are not stored: the share of its anchors stands in for them.
    anchor_share = np.array(
        [
            np.isin(later.anchors_of(row), ours.anchors_of(our_row)).mean() if len(later.anchors_of(row)) else 0.0
            for row, our_row in pairs_.tolist()
        ]
    )
    share = np.maximum(share, anchor_share)
    copied = (jaccard >= settings.threshold) | (settings.containment & (share >= settings.containment_threshold))
    return rows | set(pairs_[copied, 0].tolist())
