"""Main text: the stretch of a page that holds the story, found as the best-scoring run of lines.

A full page is furniture around one story: menus and cookie banners before it, share buttons, tag lists,
teasers of other stories and footers after it. Inside the story, prose lines follow each other with
little in between; around it, prose is rare and broken up by menus, links and credits. Each line scores:

    prose line (text density good or near good)                  + its length, at most `max_line_score`
      ... standing alone between non-prose lines (a teaser)      x `isolated_weight`
    other kept line (heading, menu item, name)                   - short_penalty (bad lines: bad_penalty)
    line removed by a rule (byline, credit, share button...)     - furniture_penalty

and the main text is the stretch with the highest total (a maximum-subarray search), widened upwards to
take in the story's lead. Prose outside it is cut off from the story by more furniture than it weighs (a
teaser after a "Most read" list, a cookie notice under the footer) and is removed as
"structure.outside_main_text". Lines removed by rules cost less than unknown lines because a story's
own furniture (byline, date, picture credit) stands between its lead and its body.

An extracted article body (prose with a few stray lines) has no outside: cutting its ends would only risk
the story's first or last paragraph. Only a text with at least `min_furniture_lines` lines that are not
prose is taken for a page (see `looks_like_page`).
"""

from __future__ import annotations

from itertools import accumulate

from tasks.config import MainTextSettings
from tasks.structure import OUTSIDE_MAIN_TEXT_RULE, TITLE_REPEAT_KIND, LineVerdict
from tasks.text_density import BAD, GOOD, NEAR_GOOD, SHORT
from tasks.textlines import is_list_item, is_short_unpunctuated, word_count

HEADLINE_MAX_WORDS = 20
# A line needs this many words (numbers are not words) to be taken for the headline above a
# standfirst: a section name or kicker ("Hitzefolgen", "Wirtschaft BIP-Zahlen", "Politikk") above the
# page's own headline would make the headline look like its standfirst.
HEADLINE_MIN_WORDS = 3
COMMENTS_KIND = "comments"  # the kind of the rules for comment-section furniture (tasks/rules/social.yaml)
# Kinds of removal a headline may have had before the main-text pass: it recurs on the page.
HEADLINE_REMOVAL_KINDS = ("learned", "repeated", TITLE_REPEAT_KIND)


_PROSE_CLASSES = (GOOD, NEAR_GOOD)


def prose_flags(verdicts: list[LineVerdict]) -> list[bool]:
    return [verdict.kept and verdict.density_class in _PROSE_CLASSES for verdict in verdicts]


def first_paragraph_pair(verdicts: list[LineVerdict]) -> int:
    """Index of the first of two prose lines in a row (lines removed by rules in between skipped): where
    a story's paragraphs begin, as a teaser or a headline stands alone. len(verdicts) when none do."""
    # One pass that stops at the pair (clean asks up to three times per article, the story most often
    # starting within its first lines), rather than prose_flags of every line first.
    previous, previous_is_prose = None, False
    for index, verdict in enumerate(verdicts):
        if not verdict.kept:
            continue
        is_prose = verdict.density_class in _PROSE_CLASSES
        if is_prose and previous_is_prose:
            return previous
        previous, previous_is_prose = index, is_prose
    return len(verdicts)


def isolated(prose: list[bool], verdicts: list[LineVerdict]) -> list[bool]:
    """For each line: is it prose whose nearest kept neighbours on both sides are not prose? Teasers of
    other stories stand alone between their headline and byline; paragraphs stand next to paragraphs.
    Lines removed by rules are skipped: a caption between two paragraphs does not part them."""
    kept = [index for index, verdict in enumerate(verdicts) if verdict.kept]
    flags = [False] * len(verdicts)
    for position, index in enumerate(kept):
        if prose[index]:
            before = position > 0 and prose[kept[position - 1]]
            after = position + 1 < len(kept) and prose[kept[position + 1]]
            flags[index] = not before and not after
    return flags


def line_scores(verdicts: list[LineVerdict], settings: MainTextSettings) -> list[float]:
    prose = prose_flags(verdicts)
    scores: list[float] = []
    for verdict, is_prose, alone in zip(verdicts, prose, isolated(prose, verdicts)):
        if not verdict.kept:
            scores.append(-settings.furniture_penalty)
        elif is_prose:
            weight = settings.isolated_weight if alone else 1.0
            scores.append(weight * min(len(verdict.text), settings.max_line_score))
        elif verdict.density_class == BAD:
            scores.append(-settings.bad_penalty)
        else:
            scores.append(-settings.short_penalty)
    return scores


def best_span(scores: list[float]) -> tuple[int, int] | None:
    """[start, end) of the stretch with the highest total score (Kadane), or None when none is positive."""
    best_score, best = 0.0, None
    score, start = 0.0, 0
    for index, line_score in enumerate(scores):
        score += line_score
        if score <= 0:
            score, start = 0.0, index + 1
        elif score > best_score:
            best_score, best = score, (start, index + 1)
    return best


def _headline_like(verdict: LineVerdict, standfirst: LineVerdict) -> bool:
    """Does `verdict`, the line right above `standfirst`, read like the story's headline? Short, not a
    sentence, shorter than the standfirst, and not furniture that a rule recognised (a headline may
    recur on the page, in the breadcrumb or the share text, so lines removed only for recurring count).
    A line that says the page's title again is the headline whatever its length; a line of fewer than
    HEADLINE_MIN_WORDS words is a kicker or a section's name ("Wirtschaft", recurring on every page of
    the outlet), not a headline."""
    if verdict.kind == TITLE_REPEAT_KIND:
        return True
    return (
        (verdict.kept or verdict.kind in HEADLINE_REMOVAL_KINDS)
        and _lead_words(verdict.text) >= HEADLINE_MIN_WORDS
        and is_short_unpunctuated(verdict.text, HEADLINE_MAX_WORDS)
        and word_count(verdict.text) < word_count(standfirst.text)
    )


def _lead_words(text: str) -> int:
    return sum(any(char.isalpha() for char in token) for token in text.split())


def is_standfirst(verdicts: list[LineVerdict], index: int, min_words: int) -> bool:
    """A kept line of at least `min_words` words (numbers and dates are not words) that text density
    does not call bad, right under a headline-like line."""
    verdict = verdicts[index]
    return (
        index > 0
        and verdict.kept
        and verdict.density_class in (SHORT, NEAR_GOOD)
        and not is_list_item(verdict.text)
        and _lead_words(verdict.text) >= min_words
        and _headline_like(verdicts[index - 1], verdict)
    )


def lead_lines(verdicts: list[LineVerdict], prose: list[bool], start: int, settings: MainTextSettings) -> list[int]:
    """The lines above the main text that are the story's lead, bottom up.

    The standfirst of a story stands alone above the body, parted from it by the byline, the date and the
    picture with its caption and credit: to the score it looks like a teaser. Prose lines above the main
    text are taken in as long as no more than `lead_max_gap` non-prose lines have been passed on the way up.
    A page's story opens with its headline and standfirst: a line of at least `lead_min_words` words right
    under a headline-like line is the standfirst even when it does not end like a sentence ("Beyond the
    optimistic headlines, some economists argue that the economy is barely scraping by"); only one line is
    taken as the standfirst, and the walk goes on above it by the same gap rule (stopping at the headline
    instead lost more story lines than it saved on the tune pages). The non-prose lines passed on the way
    (the author's name, a caption) are not part of the lead.
    """
    gap, lead, standfirst_found = 0, [], False
    for index in range(start - 1, -1, -1):
        verdict = verdicts[index]
        if prose[index]:
            lead.append(index)
            continue
        if not standfirst_found and is_standfirst(verdicts, index, settings.lead_min_words):
            lead.append(index)
            standfirst_found = True
            continue
        # The story's own furniture (byline, date, share bar, picture credit) lies between the lead
        # and the body; rules recognise it, so only lines no rule removed count towards the gap.
        gap += verdict.kept or verdict.kind in HEADLINE_REMOVAL_KINDS
        if gap > settings.lead_max_gap:
            break
    return lead


def comments_cut(verdicts: list[LineVerdict], scores: list[float], start: int, end: int, min_share: float) -> int:
    """Where the main text ends when a comment section follows the story inside it.

    Readers' comments are prose too, so the best-scoring stretch often runs on from the story into them.
    The first comment-section line a rule recognised ("3 Kommentare", "Comments (12)") ends the main
    text when at least `min_share` of the stretch's score lies above it: a comment counter in the share
    bar above the story (little of the story above it) does not. Every tail of the best stretch scores
    above zero, so with `min_share` 1 nothing is ever cut.
    """
    total = sum(scores[start:end])
    above = 0.0
    for index in range(start, end):
        if verdicts[index].kind == COMMENTS_KIND and above >= min_share * total:
            return index
        above += scores[index]
    return end


def weak_tail_cut(scores: list[float], start: int, end: int, gain_ratio: float, min_depth: float) -> int:
    """Where the main text ends when a weak tail hangs on to the story across a valley.

    The best-scoring stretch runs on past the story's last paragraph whenever what follows a stretch of
    furniture scores a little more than the furniture costs: a list of teasers (kicker, headline, two
    lines of text, "Read more", date; again and again) or a newsletter box with a few sentences of prose.
    A story's own tail after a valley (paragraphs after a fact box) scores far more than the valley
    costs. So the main text ends at the story's high point before a valley when what comes after the
    valley gains less than `gain_ratio` times its depth. The best stretch always gains more than its
    valleys cost, so with `gain_ratio` 1 nothing is cut.
    """
    if gain_ratio <= 1:
        return end
    # The running score from `start`; it is highest at `end`. Cut at the first high point (a running
    # maximum) from which the rest is a weak tail.
    prefix = list(accumulate(scores[start:end]))
    # The lowest running score after each line (suffix minima), so that each high point costs O(1).
    lowest_after = list(accumulate(reversed(prefix[1:]), min))[::-1]
    high = float("-inf")
    for offset, valley in enumerate(lowest_after):
        value = prefix[offset]
        if value <= high:
            continue
        high = value
        depth, gain = value - valley, prefix[-1] - valley
        if depth >= min_depth and gain < gain_ratio * depth:
            return start + offset + 1
    return end


def teaser_run_cut(verdicts: list[LineVerdict], prose: list[bool], start: int, end: int, min_lines: int) -> int:
    """Where the main text ends when teasers follow the story's last paragraphs.

    After the last two paragraphs in a row (lines removed by rules skipped), a story may still have a
    sub-heading and a paragraph under it, or a heading between two lone paragraphs; but `min_lines` kept
    lines in a row that are not prose (a teaser's kicker, headline and author; a list of headlines) part
    the story from what comes next: a teaser's text, a promotion. The main text then ends with the last
    paragraph pair. 0 switches this off.
    """
    if not min_lines:
        return end
    kept = [index for index in range(start, end) if verdicts[index].kept]
    last_pair_end = None
    for previous, index in zip(kept, kept[1:]):
        if prose[previous] and prose[index]:
            last_pair_end = index + 1
    if last_pair_end is None:
        return end
    run = 0
    for index in kept:
        if index < last_pair_end:
            continue
        run = 0 if prose[index] else run + 1
        if run >= min_lines:
            return last_pair_end
    return end


def main_text_span(verdicts: list[LineVerdict], settings: MainTextSettings) -> tuple[int, int] | None:
    """[start, end) of the main text, its lead included."""
    found = main_text_lines(verdicts, settings)
    return (found[2][-1] if found[2] else found[0], found[1]) if found else None


def main_text_lines(verdicts: list[LineVerdict], settings: MainTextSettings) -> tuple[int, int, list[int]] | None:
    """The best-scoring stretch [start, end) and the lines of its lead above it (bottom up)."""
    scores = line_scores(verdicts, settings)
    span = best_span(scores)
    if span is None:
        return None
    start, end = span
    end = comments_cut(verdicts, scores, start, end, settings.comments_min_share)
    end = weak_tail_cut(scores, start, end, settings.tail_gain_ratio, settings.tail_min_depth)
    prose = prose_flags(verdicts)
    end = teaser_run_cut(verdicts, prose, start, end, settings.teaser_run_min_lines)
    return start, end, lead_lines(verdicts, prose, start, settings)


def looks_like_page(verdicts: list[LineVerdict], settings: MainTextSettings) -> bool:
    """A full web page rather than an extracted article body: at least `min_furniture_lines` lines that
    are not prose (menu items, links, credits, lines removed by rules), one of them furniture a rule
    recognised. An extracted body has a few; a results table in a sports story has many short lines but
    no furniture."""
    furniture = sum(not flag for flag in prose_flags(verdicts))
    return furniture >= settings.min_furniture_lines and any(not verdict.kept for verdict in verdicts)


def remove_outside_main_text(verdicts: list[LineVerdict], settings: MainTextSettings) -> None:
    """Remove the kept lines outside the main text of a full page (see the module's docstring)."""
    start, end, lead = main_text_lines(verdicts, settings) or (0, 0, [])
    lead_set = set(lead)
    for index, verdict in enumerate(verdicts):
        if verdict.kept and not start <= index < end and index not in lead_set:
            verdict.remove(OUTSIDE_MAIN_TEXT_RULE, "outside_main_text")
