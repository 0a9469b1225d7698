"""Dedup: exact, near and contained copies, the survivor rule, and the history index across dates.

Texts are the real Sky News articles of seeds/, edited the way copies of news stories differ."""

import datetime as dt
import itertools
import re
import unicodedata

import numpy as np
import pyarrow.parquet as pq
import pytest

from tasks import minhash
from tasks.config import ConfigError, DedupSettings, parse_config
from tasks import dedup as dedup_module
from tasks.dedup import (
    _could_be_copies,
    content_hash,
    deduplicate,
    find_duplicates,
    history_table,
    later_dates_with_copies,
    load_history,
    normalise_for_hash,
)
from tasks.dedup_clusters import Edges, Ranking, cluster_roots, kept_nodes, resolve_containment
from tasks.dedup_rounds import RemainingPairs
from tasks.dedup_index import ArticleFingerprints, DedupIndexError, index_dir
from tasks.fingerprint import fingerprint
from tasks.records import CleanArticle, Paragraph
from tasks.write import write_parquet_file

from tests.conftest import SEEDS

DATE = dt.date(2025, 3, 4)
SETTINGS = DedupSettings()


def _seed_paragraphs(name: str, first: int, last: int) -> list[str]:
    lines = (SEEDS / name).read_text(encoding="utf-8").split("\n")[first - 1 : last]
    return [line for line in lines if len(line.split()) > 8]  # body paragraphs, not captions or credits


UKRAINE = _seed_paragraphs("000_03677c9b510fc185.txt", 1, 26)
MIGRANTS = _seed_paragraphs("001_e16248f705b44a0d.txt", 27, 45)
# A third story for pages that must differ from both: the Ukraine paragraphs with their words reversed
# (the same vocabulary, other word pairs).
ANOTHER_STORY = [" ".join(reversed(paragraph.split())) for paragraph in UKRAINE]


def article(article_id: str, text: str | list[str], source_file: str = "a.txt", line_start: int = 1) -> CleanArticle:
    lines = text if isinstance(text, list) else text.split("\n")
    paragraphs = [Paragraph(line_start + i, "body", line) for i, line in enumerate(lines)]
    return CleanArticle(article_id, source_file, line_start, line_start + len(lines) - 1, None, None, paragraphs, [])


def run(articles, date=DATE, history=None, settings=SETTINGS):
    history = history if history is not None else ArticleFingerprints.empty(settings)
    return deduplicate(articles, date, history, settings)


def bigram_jaccard(a: list[str], b: list[str]) -> float:
    """Independent reference: Jaccard similarity of word-bigram sets, with plain Python sets."""

    def bigrams(paragraphs):
        words = normalise_for_hash("\n".join(paragraphs)).split()
        return set(zip(words, words[1:]))

    return len(bigrams(a) & bigrams(b)) / len(bigrams(a) | bigrams(b))


def described(duplicates):
    return [(d.article_id, d.duplicate_of, d.duplicate_of_date, d.method) for d in duplicates]


# --- exact -----------------------------------------------------------------------------------------------


def test_hash_ignores_case_punctuation_quotes_whitespace_and_unicode_form():
    assert content_hash("“Hello,” she said.\nBye") == content_hash('"hello" she  said\nbye!')
    assert content_hash("Cafe\u0301") == content_hash("Caf\u00e9")
    assert content_hash("50,271 people") != content_hash("50,272 people")


def test_the_ascii_shortcut_normalises_like_the_unicode_rule():
    def by_the_rule(text):
        return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))

    for code in range(128):
        text = f"Ab{chr(code)}c_9 {chr(code)}X"
        assert normalise_for_hash(text) == by_the_rule(text)


def test_fingerprints_hash_the_whole_text_though_they_normalise_paragraph_by_paragraph():
    paragraphs = ["“Quoted,” she said.", "Cafe\u0301 — 50,271 people!", "", "Plain ASCII, at last."]
    piece = article("a", paragraphs)
    fingerprint([piece], DATE, SETTINGS)
    assert piece.content_hash == content_hash(piece.text)


def test_first_copy_in_source_order_survives():
    later = article("b", "Same story.", "b.txt")
    earlier = article("a", "Same story.", "a.txt", line_start=5)
    survivors, duplicates = run([later, earlier])
    assert [a.article_id for a in survivors] == ["a"]
    assert [(d.article_id, d.duplicate_of, d.duplicate_of_date, d.method, d.similarity) for d in duplicates] == [
        ("b", "a", DATE, "exact", 1.0)
    ]


def test_exact_dedup_can_be_switched_off_and_near_then_finds_the_copy():
    articles = [article("a", UKRAINE), article("b", UKRAINE, "b.txt")]
    survivors, duplicates = run(articles, settings=DedupSettings(exact=False, near=False))
    assert len(survivors) == 2 and duplicates == []
    survivors, duplicates = run(articles, settings=DedupSettings(exact=False))
    assert [(d.article_id, d.method, d.similarity) for d in duplicates] == [("b", "near", 1.0)]


# --- near and contained, within a batch -------------------------------------------------------------------


def test_an_update_with_changed_figures_is_a_near_duplicate_with_its_real_jaccard():
    update = [p.replace("50,271", "50,913").replace("474", "512") for p in MIGRANTS]
    update[3] = "The prime minister repeated the pledge on Tuesday in a speech to party members in Kent."
    survivors, duplicates = run([article("first", MIGRANTS, "a.txt"), article("update", update, "b.txt")])
    assert [a.article_id for a in survivors] == ["first"]
    [duplicate] = duplicates
    assert (duplicate.article_id, duplicate.duplicate_of, duplicate.method) == ("update", "first", "near")
    assert duplicate.similarity == pytest.approx(bigram_jaccard(MIGRANTS, update), abs=1e-4)
    assert 0.45 <= duplicate.similarity < 1


def test_different_stories_of_one_outlet_and_day_are_not_merged():
    survivors, duplicates = run([article("ukraine", UKRAINE), article("migrants", MIGRANTS, "b.txt")])
    assert len(survivors) == 2 and duplicates == []


def test_a_truncated_copy_is_contained_in_the_full_story_which_survives_even_if_it_comes_later():
    teaser = MIGRANTS[:6]
    assert bigram_jaccard(teaser, MIGRANTS) < SETTINGS.threshold  # too short a copy to be "near"
    survivors, duplicates = run([article("teaser", teaser, "a.txt"), article("full", MIGRANTS, "b.txt")])
    assert [a.article_id for a in survivors] == ["full"]
    [duplicate] = duplicates
    assert (duplicate.article_id, duplicate.duplicate_of, duplicate.method) == ("teaser", "full", "contained")
    assert duplicate.similarity == pytest.approx(1.0)


def test_a_story_embedded_in_two_different_pages_is_dropped_but_the_pages_both_stay():
    story = MIGRANTS[:8]
    page_one = UKRAINE + story
    page_two = story + ANOTHER_STORY
    assert max(bigram_jaccard(story, page_one), bigram_jaccard(story, page_two)) < SETTINGS.threshold
    survivors, duplicates = run(
        [article("story", story, "a.txt"), article("page1", page_one, "b.txt"), article("page2", page_two, "c.txt")]
    )
    assert {a.article_id for a in survivors} == {"page1", "page2"}
    assert [(d.article_id, d.method, d.similarity) for d in duplicates] == [("story", "contained", 1.0)]
    assert duplicates[0].duplicate_of in {"page1", "page2"}


def test_a_page_quoting_part_of_a_story_does_not_swallow_the_story_and_its_copies():
    story, shortened = MIGRANTS, MIGRANTS[:12]  # a near-duplicate pair
    page = UKRAINE + ANOTHER_STORY + shortened  # holds the shortened copy whole, but not the story
    assert bigram_jaccard(shortened, story) >= SETTINGS.threshold > bigram_jaccard(shortened, page)
    survivors, duplicates = run([article("story", story, "a.txt"), article("short", shortened, "b.txt"), article("page", page, "c.txt")])
    assert [a.article_id for a in survivors] == ["story", "page"]
    assert [(d.article_id, d.duplicate_of, d.method) for d in duplicates] == [("short", "story", "near")]


def test_a_page_that_is_mostly_one_story_is_its_near_duplicate_and_the_longer_version_survives():
    story = MIGRANTS[:8]
    page = UKRAINE[:3] + story
    assert bigram_jaccard(story, page) >= SETTINGS.threshold
    survivors, duplicates = run([article("story", story, "a.txt"), article("page", page, "b.txt")])
    assert [a.article_id for a in survivors] == ["page"]
    assert [(d.article_id, d.duplicate_of, d.method) for d in duplicates] == [("story", "page", "near")]


def test_clusters_are_transitive_and_report_the_similarity_to_the_survivor():
    words = " ".join(MIGRANTS).split()[:300]
    a, b, c = (" ".join(words[start : start + 120]) for start in (0, 30, 60))
    assert bigram_jaccard([a], [b]) >= SETTINGS.threshold > bigram_jaccard([a], [c])
    survivors, duplicates = run([article("a", a, "1.txt"), article("b", b, "2.txt"), article("c", c, "3.txt")])
    [survivor] = survivors
    [other] = [d for d in duplicates if {d.article_id, d.duplicate_of} == {"a", "c"}]
    assert [d.method for d in duplicates] == ["near", "near"]
    # a and c joined through b; their own similarity is reported, below the threshold.
    assert other.similarity == pytest.approx(bigram_jaccard([c], [a]), abs=1e-4)
    assert other.similarity < SETTINGS.threshold


def test_the_result_does_not_depend_on_the_order_articles_arrive_in():
    update = [p.replace("50,271", "50,913") for p in MIGRANTS]
    articles = [
        article("full", MIGRANTS, "b.txt"),
        article("teaser", MIGRANTS[:5], "a.txt"),
        article("update", update, "c.txt"),
        article("ukraine", UKRAINE, "d.txt"),
        article("copy", UKRAINE, "e.txt"),
    ]
    expected = None
    for permutation in itertools.permutations(articles):
        survivors, duplicates = run(list(permutation))
        result = ([a.article_id for a in survivors], described(duplicates))
        expected = expected or result
        assert result == expected
    assert expected[0] == ["full", "ukraine"]


def test_candidate_pairs_verified_in_blocks_give_the_same_result(monkeypatch):
    from tasks import dedup

    update = [p.replace("50,271", "50,913") for p in MIGRANTS]
    words = " ".join(MIGRANTS).split()[:300]
    articles = [
        article("full", MIGRANTS, "b.txt"),
        article("teaser", MIGRANTS[:5], "a.txt"),
        article("update", update, "c.txt"),
        *(article(f"part{start}", " ".join(words[start : start + 120]), f"p{start}.txt") for start in (0, 30, 60)),
    ]
    whole = run(articles)
    monkeypatch.setattr(dedup, "_VERIFY_BLOCK", 1)  # one pair a block
    assert run(articles) == whole and len(whole[1]) >= 4


def _syndicated(copies: int) -> list:
    """A story syndicated with edits: each copy drops a paragraph, changes a figure and adds a line of its
    own (most pairs near copies, some only through others), plus a teaser of every fifth copy (contained in
    them), an exact copy of every seventh, and two copies of another story."""
    story = MIGRANTS + UKRAINE[:6]
    articles = []
    for k in range(copies):
        paragraphs = [p.replace("50,271", f"{50_000 + k:,}") for i, p in enumerate(story) if i != k % len(story)]
        paragraphs.append(f"Copy number {k} of the story was published by outlet {k} on its own pages today.")
        articles.append(article(f"copy{k}", paragraphs, f"{k:03}.txt"))
        if k % 5 == 0:
            articles.append(article(f"teaser{k}", paragraphs[:5], f"{k:03}-teaser.txt"))
        if k % 7 == 0:
            articles.append(article(f"again{k}", paragraphs, f"{k:03}-again.txt"))
    return articles + [article(f"other{k}", ANOTHER_STORY[k:], f"other{k}.txt") for k in range(2)]


def test_a_cluster_of_near_copies_verifies_a_linear_number_of_pairs_and_skipping_changes_nothing(monkeypatch):
    articles = _syndicated(60)
    verified: list[int] = []
    shared_counts = dedup_module._shared_counts

    def counting(sets, pairs, parallel):
        verified.append(len(pairs))
        return shared_counts(sets, pairs, parallel)

    monkeypatch.setattr(dedup_module, "_shared_counts", counting)
    results = {}
    for first_round in (10**9, 1, dedup_module._FIRST_ROUND):  # every pair in one round; many rounds; default
        monkeypatch.setattr(dedup_module, "_FIRST_ROUND", first_round)
        verified.clear()
        results[first_round] = (run(articles), sum(verified))
    (every_pair, all_pairs), (in_rounds, skipping) = results[10**9], results[1]
    assert in_rounds == every_pair and results[dedup_module._FIRST_ROUND][0] == every_pair
    assert all_pairs > 10 * len(articles) and skipping < 4 * len(articles)  # 1,089 and 257 of 83 articles
    survivors, duplicates = every_pair
    assert len(survivors) == 2 and {d.method for d in duplicates} == {"near", "contained"}


def test_a_teaser_inside_a_cluster_of_copies_still_goes_to_a_tighter_page_of_another_cluster(monkeypatch):
    # The teaser lies inside most of the 30 copies (a loose fit) and inside one short page (a tight fit):
    # rounds that skip its pairs into the copies once one is verified must still see the page.
    teaser = MIGRANTS[:6]
    articles = [a for a in _syndicated(30) if not a.article_id.startswith("teaser")]
    articles += [article("teaser", teaser, "t.txt"), article("page", teaser + ANOTHER_STORY[:10], "p.txt")]
    results = []
    for first_round in (10**9, 1, dedup_module._FIRST_ROUND):
        monkeypatch.setattr(dedup_module, "_FIRST_ROUND", first_round)
        results.append(run(articles))
    assert results[1] == results[0] and results[2] == results[0]
    survivors, duplicates = results[0]
    assert [(d.duplicate_of, d.method) for d in duplicates if d.article_id == "teaser"] == [("page", "contained")]
    assert "page" in {a.article_id for a in survivors}


@pytest.mark.parametrize("seed", range(4))
def test_verifying_in_rounds_gives_the_result_of_verifying_every_pair_on_random_pieces_of_stories(monkeypatch, seed):
    # Slices of four stories, with paragraphs dropped and figures changed: copies, near copies, pieces
    # inside several others of different lengths, and pieces of two stories at once.
    rng = np.random.default_rng(seed)
    stories = [MIGRANTS, UKRAINE, ANOTHER_STORY, [" ".join(reversed(p.split())) for p in MIGRANTS]]
    articles = []
    for k in range(160):
        story = stories[int(rng.integers(0, 4))] + (stories[int(rng.integers(0, 4))] if rng.random() < 0.3 else [])
        start = int(rng.integers(0, len(story) // 2))
        paragraphs = [p for p in story[start : start + int(rng.integers(2, len(story) + 1))] if rng.random() > 0.3]
        paragraphs = [p.replace("50,271", f"{50_000 + int(rng.integers(0, 3))}") for p in paragraphs] or story[:1]
        articles.append(article(f"a{k}", paragraphs, f"{k:03}.txt"))
    verified: list[int] = []
    shared_counts = dedup_module._shared_counts
    monkeypatch.setattr(dedup_module, "_shared_counts", lambda sets, pairs, parallel: verified.append(len(pairs)) or shared_counts(sets, pairs, parallel))
    results, pairs = [], []
    for first_round in (10**9, 1, 7):
        monkeypatch.setattr(dedup_module, "_FIRST_ROUND", first_round)
        verified.clear()
        results.append(run(articles))
        pairs.append(sum(verified))
    assert results[1] == results[0] and results[2] == results[0]
    assert {d.method for d in results[0][1]} == {"near", "contained"} and pairs[1] < pairs[0] / 2


def test_shared_shingle_counts_read_each_set_once_and_do_not_depend_on_how_pairs_are_grouped(monkeypatch):
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(30)]
    sets = minhash.shingle_sets([" ".join(rng.choice(words, size=int(rng.integers(0, 50)))) for _ in range(40)], 2)
    pairs = rng.integers(0, 40, size=(300, 2))  # in no order, repeats and self-pairs included
    expected = [len(np.intersect1d(sets.of(a), sets.of(b))) for a, b in pairs.tolist()]
    reads = []
    read = sets.of
    monkeypatch.setattr(sets, "of", lambda article: reads.append(article) or read(article))
    assert minhash.pair_shared_counts(sets, pairs).tolist() == expected and max(expected) > 5
    assert sorted(reads) == np.unique(pairs).tolist()  # one group: each set read once
    monkeypatch.setattr(minhash, "_COUNT_GROUP_STEP", 7)
    monkeypatch.setattr(minhash, "_COUNT_GROUP_SHINGLES", 100)  # groups of a few articles
    reads.clear()
    assert minhash.pair_shared_counts(sets, pairs).tolist() == expected
    assert len(np.unique(pairs)) < len(reads) < 2 * len(pairs)


def test_spilled_sets_read_together_are_the_sets_read_one_by_one(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(500)]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(0, 80)))) for _ in range(60)]
    halves = [minhash.shingle_sets(texts[:30], 2).spill(tmp_path / "a.u64"), minhash.shingle_sets(texts[30:], 2).spill(tmp_path / "b.u64")]
    sets = minhash.SpilledShingleSets.concatenate(halves)  # two files
    monkeypatch.setattr(minhash, "_READ_THROUGH_GAP", 40)  # some gaps read through, some not
    chosen = sorted(rng.choice(60, size=35, replace=False).tolist())
    assert [s.tolist() for s in sets.of_many(chosen)] == [sets.of(i).tolist() for i in chosen]


@pytest.mark.parametrize("screen_block", [50, 10**9])  # a few pieces together, all at once
def test_candidate_pairs_do_not_depend_on_how_pieces_are_screened_together(monkeypatch, screen_block):
    # Copies, teasers and passages of the seed articles: many bands and anchors shared, so many pieces.
    seeds = sorted(SEEDS.glob("*.txt"))[:12]
    texts = [[line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] for path in seeds]
    articles = [
        article(f"{number}-{variant}", lines[start:], f"{number}-{variant}.txt")
        for number, lines in enumerate(texts)
        for variant, start in enumerate((0, 0, 2, len(lines) // 2))
    ]
    prints = fingerprint(articles, DATE, SETTINGS).prints
    eligible = np.nonzero(prints.n_shingles >= SETTINGS.min_shingles)[0]
    monkeypatch.setattr(dedup_module, "_SCREEN_BLOCK", 1)
    one_piece_at_a_time = dedup_module._batch_candidates(prints, eligible, SETTINGS)
    monkeypatch.setattr(dedup_module, "_SCREEN_BLOCK", screen_block)
    assert len(one_piece_at_a_time) > 20
    assert np.array_equal(dedup_module._batch_candidates(prints, eligible, SETTINGS), one_piece_at_a_time)


def test_short_articles_are_only_compared_exactly():
    short = "Watch the video above for the latest."
    assert len(normalise_for_hash(short).split()) < SETTINGS.min_shingles
    survivors, duplicates = run([article("a", short), article("b", short + " Updated.", "b.txt")])
    assert len(survivors) == 2 and duplicates == []


def test_near_and_containment_can_be_switched_off():
    teaser, update = MIGRANTS[:6], [p.replace("50,271", "50,913") for p in MIGRANTS]
    articles = [article("full", MIGRANTS, "a.txt"), article("teaser", teaser, "b.txt"), article("update", update, "c.txt")]
    _, duplicates = run(articles, settings=DedupSettings(containment=False))
    assert [(d.article_id, d.method) for d in duplicates] == [("update", "near")]
    _, duplicates = run(articles, settings=DedupSettings(near=False))
    assert duplicates == []


def test_a_containment_cycle_keeps_the_cluster_whose_survivor_ranks_first():
    ranking = Ranking(np.zeros(3, np.int64), np.zeros(3, np.int64), np.arange(3))  # node 0 ranks first
    edges = Edges()
    edges.add_containments(np.array([0, 1, 2]), np.array([1, 0, 0]), np.full(3, 0.9), np.full(3, 0.3))
    roots = cluster_roots(3, edges.copies())
    final = resolve_containment(edges.containments(), roots, ranking.survivors(roots), ranking, n=3)
    assert final == {1: 0, 2: 0}


def test_a_pair_is_skipped_only_when_its_edge_could_not_change_the_result():
    # 0 a teaser inside 1; 1 and 2 copies (one cluster); 3 a page; 4 a piece in one cluster with the larger
    # 5; 6 nearly as large as 1 (could be its copy). Threshold 0.5: sizes 10 and 100 cannot be copies.
    sizes = np.array([10, 100, 100, 30, 10, 20, 95])
    clusters = np.array([0, 1, 1, 3, 4, 4, 6])

    def needed(remaining, pair, *later):
        low, high = np.array([pair[0], *(a for a, _ in later)]), np.array([pair[1], *(b for _, b in later)])
        return bool(remaining.needed(low[:1], high[:1], low, high)[0])

    remaining = RemainingPairs(sizes, clusters, np.zeros(7, dtype=bool), 0.5, containment=True)
    remaining.add(np.zeros((0, 2), np.int64), np.array([0]), np.array([1]))  # 0 lies inside 1
    assert not needed(remaining, (1, 2))  # one cluster already
    assert not needed(remaining, (0, 2))  # 0 is settled inside the cluster of 1 and 2...
    assert needed(remaining, (0, 2), (0, 3))  # ...unless a pair with another cluster is left: 3 may fit tighter
    assert not needed(remaining, (4, 1)) and needed(remaining, (5, 1))  # 4 can never be its cluster's survivor
    assert needed(remaining, (1, 6))  # could be a copy
    remaining.add(np.array([[1, 3]]), np.zeros(0, np.int64), np.zeros(0, np.int64))  # 3 joins 1's cluster
    assert not needed(remaining, (0, 2), (0, 3))
    inside_an_index_row = RemainingPairs(sizes, clusters, np.array([True] + [False] * 6), 0.5, containment=True)
    inside_an_index_row.add(np.zeros((0, 2), np.int64), np.array([0]), np.array([1]))
    assert needed(inside_an_index_row, (0, 2))  # its edge into the index row competes
    without_containment = RemainingPairs(sizes, clusters, np.zeros(7, dtype=bool), 0.5, containment=False)
    assert not needed(without_containment, (5, 1)) and needed(without_containment, (1, 6))


def test_clusters_are_the_connected_components_named_by_their_smallest_node():
    rng = np.random.default_rng(7)
    for n_nodes, n_edges in [(1, 0), (50, 10), (200, 150), (300, 600)]:
        copies = rng.integers(0, n_nodes, size=(n_edges, 2))
        component = list(range(n_nodes))  # reference: relabel until every edge is satisfied

        def find(node: int) -> int:
            while component[node] != node:
                node = component[node]
            return node

        for a, b in copies.tolist():
            low, high = sorted((find(a), find(b)))
            component[high] = low
        expected = [find(node) for node in range(n_nodes)]
        assert cluster_roots(n_nodes, copies).tolist() == expected


def test_a_long_chain_of_copies_is_one_cluster():
    chain = np.stack([np.arange(1, 5000), np.arange(4999)], axis=1)[::-1]  # 4999 -> 4998 -> ... -> 0
    assert (cluster_roots(5000, chain) == 0).all()


def test_the_survivor_is_the_earliest_then_largest_then_first_member_and_others_point_at_it():
    # nodes 0-2 one cluster, 3-4 another; node 5 alone
    ranking = Ranking(
        date_ordinal=np.array([10, 10, 10, 10, 9, 10]), size=np.array([5, 9, 9, 1, 1, 1]), tiebreak=np.arange(6)
    )
    roots = cluster_roots(6, np.array([[0, 1], [2, 1], [3, 4]]))
    survivor = ranking.survivors(roots)
    assert survivor[0] == 1 and survivor[3] == 4 and survivor[5] == 5  # larger wins; then the earlier date
    assert kept_nodes(6, roots, survivor, {}).tolist() == [1, 1, 1, 4, 4, 5]
    assert kept_nodes(6, roots, survivor, {3: 0}).tolist() == [1, 1, 1, 1, 1, 5]  # cluster 3 dropped into 0


# --- signatures ------------------------------------------------------------------------------------------


def test_a_signature_does_not_depend_on_the_rest_of_the_batch():
    texts = [normalise_for_hash("\n".join(t)) for t in (UKRAINE, MIGRANTS, ["one two"], [""])]
    together = minhash.signatures(minhash.shingle_sets(texts, 2), 256, 1).values
    for i, text in enumerate(texts):
        alone = minhash.signatures(minhash.shingle_sets([text], 2), 256, 1).values
        assert (alone[0] == together[i]).all()


def test_estimated_jaccard_is_close_to_the_real_one():
    texts = ["\n".join(MIGRANTS), "\n".join(MIGRANTS[2:] + UKRAINE[:2]), "\n".join(UKRAINE)]
    shingles = minhash.shingle_sets([normalise_for_hash(t) for t in texts], 2)
    values = minhash.signatures(shingles, 256, 1).values
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        real = minhash.jaccard_and_containment(shingles.of(i), shingles.of(j))[0]
        assert float(minhash.estimated_jaccard(values[i], values[j])) == pytest.approx(real, abs=0.08)


def test_shingles_of_a_text_shorter_than_a_shingle_are_one_shingle_and_an_empty_text_has_none():
    shingles = minhash.shingle_sets(["one", "", "one two three"], 3)
    assert [len(shingles.of(i)) for i in range(3)] == [1, 0, 1]
    assert minhash.signatures(shingles, 64, 1).has_shingles.tolist() == [True, False, True]


def test_lsh_bands_must_fit_in_the_signature():
    with pytest.raises(ConfigError, match=r"dedup.rows: bands x rows \(64 x 5\) must not exceed num_perm \(256\)"):
        parse_config({"dedup": {"rows": 5}})


# --- history across partitions ---------------------------------------------------------------------------


def write_index(state, date, kept, settings=SETTINGS, dropped=()):
    table = history_table(kept, settings, list(dropped))
    write_parquet_file(table, index_dir(state) / f"date={date}" / "part-0.parquet", "zstd", 3)


def run_date(state, date, articles, settings=SETTINGS):
    """What the flow does for one date: dedup against the index of earlier dates, then write its entries."""
    fresh = [article(a.article_id, [p.text for p in a.paragraphs], a.source_file, a.line_start) for a in articles]
    survivors, duplicates = deduplicate(fresh, date, load_history(state, date, settings), settings)
    write_index(state, date, survivors, settings, duplicates)
    return [a.article_id for a in survivors], described(duplicates)


def test_the_index_holds_only_earlier_dates_and_no_text(tmp_path):
    state = tmp_path / "state"
    for day, article_id in [(DATE - dt.timedelta(days=2), "first"), (DATE, "today"), (DATE + dt.timedelta(days=1), "later")]:
        write_index(state, day, [article(article_id, MIGRANTS)])
    history = load_history(state, DATE, SETTINGS)
    assert (history.article_ids, history.dates) == (["first"], [DATE - dt.timedelta(days=2)])
    assert len(load_history(state, DATE - dt.timedelta(days=2), SETTINGS)) == 0
    path = next(index_dir(state).rglob("*.parquet"))
    assert pq.read_schema(path).names == ["article_id", "content_hash", "n_shingles", "signature", "anchors", "duplicate_of"]
    text = "\n".join(MIGRANTS).encode()
    assert b"Channel" not in path.read_bytes() and len(text) > 2000


def test_copies_of_earlier_partitions_are_duplicates_of_them(tmp_path):
    state, yesterday = tmp_path / "state", DATE - dt.timedelta(days=1)
    run_date(state, yesterday, [article("old", MIGRANTS), article("ukraine", UKRAINE, "b.txt")])
    update = [p.replace("50,271", "50,913") for p in MIGRANTS]
    today = [article("copy", MIGRANTS), article("update", update, "b.txt"), article("teaser", UKRAINE[:5], "c.txt")]
    survivors, duplicates = run_date(state, DATE, today)
    assert survivors == []
    assert duplicates == [
        ("copy", "old", yesterday, "exact"),
        ("update", "old", yesterday, "near"),
        ("teaser", "ukraine", yesterday, "contained"),
    ]


def test_articles_the_index_joins_into_one_cluster_are_not_compared_with_each_other(tmp_path, monkeypatch):
    state, yesterday = tmp_path / "state", DATE - dt.timedelta(days=1)
    run_date(state, yesterday, [article("old", MIGRANTS)])
    updates = [[p.replace("50,271", f"{50_000 + k:,}") for p in MIGRANTS[: len(MIGRANTS) - k]] for k in range(4)]
    verified: list[int] = []
    shared_counts = dedup_module._shared_counts
    monkeypatch.setattr(dedup_module, "_shared_counts", lambda sets, pairs, parallel: verified.append(len(pairs)) or shared_counts(sets, pairs, parallel))
    survivors, duplicates = run_date(state, DATE, [article(f"update{k}", text, f"{k}.txt") for k, text in enumerate(updates)])
    assert survivors == [] and duplicates == [(f"update{k}", "old", yesterday, "near") for k in range(4)]
    assert sum(verified) == 0


def test_among_index_rows_of_one_date_and_size_the_smallest_article_id_survives(tmp_path):
    state, yesterday = tmp_path / "state", DATE - dt.timedelta(days=1)
    write_index(state, yesterday - dt.timedelta(days=1), [article("unrelated", ANOTHER_STORY)])
    write_index(state, yesterday, [article("b-id", MIGRANTS), article("a-id", MIGRANTS, "b.txt")])
    update = [p.replace("50,271", "50,913") for p in MIGRANTS]
    survivors, duplicates = run_date(state, DATE, [article("update", update)])
    assert survivors == [] and duplicates == [("update", "a-id", yesterday, "near")]


def test_an_exact_copy_of_an_earlier_article_names_it_even_when_a_bridge_joins_it_to_a_longer_one(tmp_path):
    state, yesterday = tmp_path / "state", DATE - dt.timedelta(days=1)
    words = " ".join(MIGRANTS + UKRAINE).split()
    first, longer, bridge = words[0:120], words[60:200], words[30:150]
    assert bigram_jaccard([" ".join(first)], [" ".join(longer)]) < SETTINGS.threshold  # both kept yesterday
    assert run_date(state, yesterday, [article("first", " ".join(first)), article("longer", " ".join(longer), "b.txt")])[0] == ["first", "longer"]
    _, duplicates = run_date(state, DATE, [article("copy", " ".join(first)), article("bridge", " ".join(bridge), "b.txt")])
    assert duplicates == [("copy", "first", yesterday, "exact"), ("bridge", "longer", yesterday, "near")]


def test_similarity_against_the_index_is_estimated_from_the_stored_signatures(tmp_path):
    state, yesterday = tmp_path / "state", DATE - dt.timedelta(days=1)
    update = [p.replace("50,271", "50,913") for p in MIGRANTS]
    update[2:4] = ["The prime minister repeated the pledge on Tuesday in a speech to party members in Kent."]
    write_index(state, yesterday, [article("old", MIGRANTS)])
    _, [duplicate] = run([article("update", update)], history=load_history(state, DATE, SETTINGS))
    assert duplicate.method == "near"
    assert duplicate.similarity == pytest.approx(bigram_jaccard(MIGRANTS, update), abs=0.08)


def test_rerunning_a_date_gives_its_first_result_and_never_matches_itself(tmp_path):
    state, yesterday = tmp_path / "state", DATE - dt.timedelta(days=1)
    run_date(state, yesterday, [article("old", MIGRANTS)])
    today = [article("copy", MIGRANTS), article("ukraine", UKRAINE, "b.txt"), article("teaser", UKRAINE[:5], "c.txt")]
    first = run_date(state, DATE, today)
    assert first == (["ukraine"], [("copy", "old", yesterday, "exact"), ("teaser", "ukraine", DATE, "contained")])
    assert run_date(state, DATE, today) == first
    assert len(load_history(state, DATE + dt.timedelta(days=1), SETTINGS)) == 2  # replaced, not added


def test_a_backfilled_earlier_date_names_the_later_dates_to_rerun_and_the_rerun_restores_date_order(tmp_path):
    d1, d2, d3 = DATE, DATE + dt.timedelta(days=1), DATE + dt.timedelta(days=2)
    update = [p.replace("50,271", "50,913") for p in MIGRANTS]
    batches = {
        d1: [article("m1", MIGRANTS), article("u1", UKRAINE[:6], "b.txt")],
        d2: [article("m2", update), article("u2", UKRAINE, "b.txt")],  # an update, and the full Ukraine story
        d3: [article("m3", MIGRANTS)],
    }
    in_order_state = tmp_path / "in_order"
    in_order = {day: run_date(in_order_state, day, batches[day]) for day in (d1, d2, d3)}
    assert in_order[d2] == (["u2"], [("m2", "m1", d1, "near")])  # u1 lies inside u2 but was published first

    state = tmp_path / "backfilled"
    run_date(state, d2, batches[d2])
    run_date(state, d3, batches[d3])
    assert run_date(state, d1, batches[d1]) == in_order[d1]  # the backfilled date keeps its articles...
    kept = load_history(state, d2, SETTINGS)
    kept_prints = fingerprint([a for a in batches[d1] if a.article_id in kept.article_ids], d1, SETTINGS).prints
    assert later_dates_with_copies(state, d1, kept_prints, SETTINGS) == [d2, d3]
    for day in (d2, d3):  # ...and re-running the later dates applies the survivor rule
        assert run_date(state, day, batches[day]) == in_order[day]
    assert later_dates_with_copies(state, d1, fingerprint(batches[d1], d1, SETTINGS).prints, SETTINGS) == []


def test_an_index_built_with_other_signature_settings_is_refused(tmp_path):
    state = tmp_path / "state"
    write_index(state, DATE - dt.timedelta(days=1), [article("old", MIGRANTS)], DedupSettings(seed=7))
    with pytest.raises(DedupIndexError, match="seed"):
        load_history(state, DATE, SETTINGS)
    # The threshold does not change signatures: an index is usable with any threshold.
    assert len(load_history(state, DATE, DedupSettings(seed=7, threshold=0.6))) == 1


def test_the_index_costs_about_the_signature_plus_sixty_bytes_per_article(tmp_path):
    state = tmp_path / "state"
    rng = np.random.default_rng(0)
    vocabulary = re.findall(r"\w+", " ".join(MIGRANTS + UKRAINE))
    kept = [article(f"{i:016x}", " ".join(rng.choice(vocabulary, 300)), f"{i}.txt") for i in range(500)]
    write_index(state, DATE, kept)
    size = next(index_dir(state).rglob("*.parquet")).stat().st_size
    assert SETTINGS.num_perm < size / len(kept) < SETTINGS.num_perm + 100


def test_the_index_partition_from_dedup_equals_one_built_from_the_survivors():
    # The flow writes the index from the fingerprints dedup already computed instead of computing them
    # again; both ways must give the same table.
    articles = [
        article("u1", UKRAINE, "a.txt"),
        article("m1", MIGRANTS, "b.txt"),
        article("u2", UKRAINE, "c.txt"),
        article("x1", ANOTHER_STORY, "d.txt"),
    ]
    result = find_duplicates(articles, DATE, ArticleFingerprints.empty(SETTINGS), SETTINGS)
    assert [a.article_id for a in result.survivors] == ["u1", "m1", "x1"]
    rebuilt = history_table(result.survivors, SETTINGS, result.duplicates)
    assert result.index_table(SETTINGS).equals(rebuilt)


def test_the_estimate_prefilter_rules_out_far_pairs_and_keeps_every_pair_that_could_be_a_copy():
    story = MIGRANTS[:8]
    articles = [
        article("ukraine", UKRAINE, "a.txt"),
        article("migrants", MIGRANTS, "b.txt"),
        article("story", story, "c.txt"),  # inside both pages below: share 1.0, Jaccard low
        article("page", UKRAINE + story, "d.txt"),
        article("update", [p.replace("50,000", "51,000") for p in MIGRANTS], "e.txt"),
    ]
    prints = fingerprint(articles, DATE, SETTINGS).prints
    pairs = np.array(list(itertools.combinations(range(len(articles)), 2)))
    could = dict(zip(map(tuple, pairs.tolist()), _could_be_copies(prints, pairs, SETTINGS)[0].tolist()))
    assert not could[(0, 1)]  # two different stories: never compared exactly
    assert could[(1, 4)] and could[(2, 3)] and could[(1, 2)]  # a near copy, a story in a page, a truncation


def test_dedup_gives_the_same_result_with_and_without_the_estimate_prefilter(monkeypatch):
    story = MIGRANTS[:8]
    articles = [
        article("story", story, "a.txt"),
        article("page1", UKRAINE + story, "b.txt"),
        article("page2", story + ANOTHER_STORY, "c.txt"),
        article("teaser", MIGRANTS[:6], "d.txt"),
        article("full", MIGRANTS, "e.txt"),
        article("update", [p.replace("50,000", "51,000") for p in MIGRANTS], "f.txt"),
        article("ukraine", UKRAINE, "g.txt"),
    ]
    with_prefilter = run(articles)
    monkeypatch.setattr(dedup_module, "_ESTIMATE_SIGMAS", 100.0)  # a bound >= 1 for any pair: verify all
    assert run(articles) == with_prefilter
    # ukraine lies inside page1, the story inside both pages, the teaser and the update are copies of full.
    assert {d.article_id for d in with_prefilter[1]} == {"story", "teaser", "update", "ukraine"}


def test_with_a_history_window_only_the_dates_within_it_are_compared_and_named_for_rerun(tmp_path):
    state = tmp_path / "state"
    window = DedupSettings(history_days=2)
    d1, d3, d4 = DATE, DATE + dt.timedelta(days=2), DATE + dt.timedelta(days=3)
    run_date(state, d3, [article("m3", MIGRANTS)], window)
    run_date(state, d4, [article("m4", MIGRANTS)], window)
    assert load_history(state, d4, window).article_ids == ["m3"]
    # d1 backfilled: d3 (2 days later) compared with d1 and kept a copy; d4 (3 days later) did not compare.
    assert run_date(state, d1, [article("m1", MIGRANTS)], window) == (["m1"], [])
    prints = fingerprint([article("m1", MIGRANTS)], d1, window).prints
    assert later_dates_with_copies(state, d1, prints, window) == [d3]
    assert later_dates_with_copies(state, d1, prints, SETTINGS) == [d3, d4]  # no window: every later date
    # Re-run, d3 drops its copy for d1's; d4, three days after d1, keeps its own (d3 kept none).
    assert run_date(state, d3, [article("m3", MIGRANTS)], window) == ([], [("m3", "m1", d1, "exact")])
    assert run_date(state, d4, [article("m4", MIGRANTS)], window) == (["m4"], [])


def test_the_jaccard_upper_bound_holds_for_every_similarity_within_six_standard_deviations():
    # Signatures of two sets with Jaccard J agree on each of num_perm values with chance J + (1 - J) c; the
    # bound from the estimate must reach J in (practically) every draw, or a real copy would go unverified.
    rng = np.random.default_rng(7)
    num_perm, c = 256, minhash._VALUE_COLLISION
    for true_jaccard in np.linspace(0.0, 1.0, 41):
        agree = rng.binomial(num_perm, true_jaccard + (1 - true_jaccard) * c, size=200_000) / num_perm
        estimate = np.clip((agree - c) / (1 - c), 0.0, 1.0)
        assert (minhash.jaccard_upper_bound(estimate, num_perm, 6.0) >= true_jaccard).all(), true_jaccard
    # Tighter than the old flat margin of 0.2 where unrelated pairs lie, and never below the estimate.
    low = minhash.jaccard_upper_bound(np.array([0.0, 0.05, 0.1]), num_perm, 6.0)
    assert (low < np.array([0.2, 0.25, 0.3])).all() and (low > [0.0, 0.05, 0.1]).all()
