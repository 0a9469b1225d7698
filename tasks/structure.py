"""Structural heuristics: rules that need a line's neighbours, on plain text without HTML.

They work on an article's non-blank lines in reading order, each a `LineVerdict` that is either kept or
removed with a rule, and remove more lines:

- structure.video_title: the short line after a video's running time ("4:01" / "Britain must 'lead
  from the front'") is the video's title;
- structure.caption_after_marker: the line after a lone media marker ("Image caption," / "Bild") is a
  caption, unless it reads like a paragraph of the story;
- structure.caption_after_credit: a short line without a full stop right after a picture credit
  ("Getty Images" / "Nato was founded in Washington DC in 1949") is that picture's caption;
- structure.byline_after_marker: the short line after a lone "By" / "Von" is the author's name;
- structure.author_name_at_top: a line that is only a person's name ("Ryan Devereaux", "Miguel A.
  Herguedas") among the first lines, above the story's first paragraphs, is the byline without its "By";
- structure.dateline_at_top: there, a place's name alone with a full stop ("Chemnitz.", "Frankfurt/Main.")
  is the story's dateline, printed on its own line;
- structure.repeated_line: a line that recurs several times in one article;
- structure.title_repeat: the headline printed again in the page's text ("Storm closes schools" under the
  title "Storm closes schools - Daily News"), already in the article's title;
- structure.link_run: a run of short link-like lines (no full stop at the end) is a menu or a list of
  related articles; the last line of a run, when the story goes on right after it, is a sub-heading and
  stays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from tasks.boilerplate_learned import normalise_line
from tasks.config import StructureSettings
from tasks.records import RawLine
from tasks.textlines import ends_like_sentence, is_link_like, is_list_item, is_short_unpunctuated, word_count

VIDEO_TITLE_RULE = "structure.video_title"
CAPTION_AFTER_MARKER_RULE = "structure.caption_after_marker"
CAPTION_AFTER_CREDIT_RULE = "structure.caption_after_credit"
LINK_RUN_RULE = "structure.link_run"
REPEATED_LINE_RULE = "structure.repeated_line"
BYLINE_AFTER_MARKER_RULE = "structure.byline_after_marker"
TITLE_REPEAT_RULE = "structure.title_repeat"
TITLE_REPEAT_KIND = "title_repeat"
BYLINE_NAME_MAX_WORDS = 8
AUTHOR_NAME_AT_TOP_RULE = "structure.author_name_at_top"
DATELINE_AT_TOP_RULE = "structure.dateline_at_top"
OUTSIDE_MAIN_TEXT_RULE = "structure.outside_main_text"  # tasks/main_text.py
HEADLINE_ABOVE_TIMESTAMP_RULE = "structure.headline_above_timestamp"  # tasks/story_furniture.py
CAPTION_ABOVE_CREDIT_RULE = "structure.caption_above_credit"  # tasks/story_furniture.py
FIRST_OF_TWO_SHORT_LINES_RULE = "structure.first_of_two_short_lines"  # tasks/story_furniture.py
TEASER_HEADLINE_RUN_RULE = "structure.teaser_headline_run"  # tasks/story_inserts.py
NAME_UNDER_PARAGRAPH_RULE = "structure.name_under_paragraph"  # tasks/story_inserts.py
TAG_LIST_RULE = "structure.tag_list"  # tasks/story_inserts.py
BETWEEN_PROMPTS_RULE = "structure.between_prompts"  # tasks/story_furniture.py
# Every structural check by the rule name its removals carry. Like a pattern rule, each can be switched off
# by that name in clean.disabled_rules (checked at start-up with the pattern rules' names, see
# tasks/rules.load_rules): a user who finds a check removing lines of their sources needs no code.
STRUCTURAL_RULES = (
    VIDEO_TITLE_RULE,
    CAPTION_AFTER_MARKER_RULE,
    CAPTION_AFTER_CREDIT_RULE,
    BYLINE_AFTER_MARKER_RULE,
    AUTHOR_NAME_AT_TOP_RULE,
    DATELINE_AT_TOP_RULE,
    REPEATED_LINE_RULE,
    TITLE_REPEAT_RULE,
    OUTSIDE_MAIN_TEXT_RULE,
    LINK_RUN_RULE,
    HEADLINE_ABOVE_TIMESTAMP_RULE,
    CAPTION_ABOVE_CREDIT_RULE,
    FIRST_OF_TWO_SHORT_LINES_RULE,
    BETWEEN_PROMPTS_RULE,
    TEASER_HEADLINE_RUN_RULE,
    NAME_UNDER_PARAGRAPH_RULE,
    TAG_LIST_RULE,
)
# How many of an article's first lines an author's name may stand in (headline, standfirst, kicker above it).
AUTHOR_NAME_MAX_POSITION = 4
# Lower-case words inside a name ("Ursula von der Leyen"), and first words that make a capitalised line a
# title rather than a name ("The All Blacks", "Die Grünen").
_NAME_PARTICLES = frozenset("von van der den de da del della di du dos das la le y".split())
_LEADING_ARTICLES = frozenset("the a an der die das ein eine le la les un une el los las il lo gli het een".split())
# Kinds of the rules for page chrome (tasks/rules/chrome.yaml) that a list of links goes on around.
_RUN_FURNITURE_KINDS = ("chrome", "legal", "consent", "advert")
# Kinds of removed lines that head a list of links or belong to one ("More from Politics").
_RUN_HEADER_KINDS = ("related_header", "navigation")


@dataclass
class LineVerdict:
    """One non-blank line of an article and what cleaning decided for it."""

    line: RawLine
    text: str  # stripped
    rule: str | None = None  # the removing rule; None while the line is kept
    kind: str | None = None  # the removing rule's kind (e.g. "credit", "video_duration")
    density_class: str = ""  # bad, short, near_good or good (tasks/text_density.py), for kept lines

    @property
    def kept(self) -> bool:
        return self.rule is None

    def remove(self, rule: str, kind: str | None = None) -> None:
        self.rule, self.kind = rule, kind


def remove_video_titles(verdicts: list[LineVerdict], max_words: int) -> None:
    """Video embeds render as duration + title ("4:01" / "Britain must 'lead from the front'")."""
    for previous, verdict in zip(verdicts, verdicts[1:]):
        if previous.kind == "video_duration" and verdict.kept and is_short_unpunctuated(verdict.text, max_words):
            verdict.remove(VIDEO_TITLE_RULE, "video_title")


def remove_captions(
    verdicts: list[LineVerdict], settings: StructureSettings, disabled: Collection[str] = ()
) -> None:
    after_marker = CAPTION_AFTER_MARKER_RULE not in disabled
    after_credit = CAPTION_AFTER_CREDIT_RULE not in disabled
    for previous, verdict in zip(verdicts, verdicts[1:]):
        if not verdict.kept:
            continue
        if (
            after_marker
            and previous.kind == "media_marker"
            and word_count(verdict.text) <= settings.caption_max_words
        ):
            verdict.remove(CAPTION_AFTER_MARKER_RULE, "caption")
        elif (
            after_credit
            and previous.kind == "credit"
            and word_count(verdict.text) <= settings.credit_caption_max_words
            and not ends_like_sentence(verdict.text)
            and not is_list_item(verdict.text)
        ):
            # Captions rarely end with a full stop; a sentence after a credit is the story going on.
            verdict.remove(CAPTION_AFTER_CREDIT_RULE, "caption")


def remove_byline_names(verdicts: list[LineVerdict], max_words: int) -> None:
    """"Von" / "Jasper Riemann": the author's name after a lone byline marker."""
    for previous, verdict in zip(verdicts, verdicts[1:]):
        if previous.kind == "byline_marker" and verdict.kept and is_short_unpunctuated(verdict.text, max_words):
            verdict.remove(BYLINE_AFTER_MARKER_RULE, "byline")


def looks_like_person_name(text: str) -> bool:
    """Two to four words, each capitalised and otherwise lower case ("Mühlbauer", "Jean-Luc") or an
    initial ("A."), with name particles between: a person's name and nothing else. Capitals throughout
    ("WORLD OF WARCRAFT"), digits and end marks are not a name."""
    words = text.split(maxsplit=4)  # five pieces: more than four words (a paragraph is not split whole)
    if not 2 <= len(words) <= 4 or words[0].lower() in _LEADING_ARTICLES:
        return False
    capitalised = 0
    for word in words:
        if word in _NAME_PARTICLES:
            continue
        if len(word) == 2 and word[0].isupper() and word[1] == ".":
            capitalised += 1  # an initial
            continue
        parts = word.replace("’", "'").replace("'", "-").split("-")
        if not all(part.isalpha() and part[0].isupper() and (len(part) == 1 or part[1:].islower()) for part in parts):
            return False
        capitalised += 1
    return capitalised >= 2


def remove_author_names_at_top(
    verdicts: list[LineVerdict], find_story_start: Callable[[], int], disabled: Collection[str] = ()
) -> None:
    """"Ryan Devereaux" between the headline and the story: a byline without its "By"; "Chemnitz.": the
    dateline. Only among the first AUTHOR_NAME_MAX_POSITION lines and above where the story's paragraphs
    begin (`find_story_start`, see tasks/main_text.first_paragraph_pair; called only when a line looks like
    a name or a dateline, as it reads every line of the article): further down, a name alone is a
    sub-heading or a list's entry."""
    names = AUTHOR_NAME_AT_TOP_RULE not in disabled
    datelines = DATELINE_AT_TOP_RULE not in disabled
    found = []
    for index, verdict in enumerate(verdicts[:AUTHOR_NAME_MAX_POSITION]):
        if not verdict.kept:
            continue
        if names and looks_like_person_name(verdict.text):
            found.append((index, AUTHOR_NAME_AT_TOP_RULE, "byline"))
        elif datelines and looks_like_dateline(verdict.text):
            found.append((index, DATELINE_AT_TOP_RULE, "dateline"))
    if not found:
        return
    story_start = find_story_start()
    for index, rule, kind in found:
        if index < story_start:
            verdicts[index].remove(rule, kind)


def looks_like_dateline(text: str) -> bool:
    """A place's name and a full stop, nothing else: "Chemnitz.", "Frankfurt/Main.", "Bad Homburg.". (Low
    down in a story such a line is the end of a sentence broken over lines, or a team sheet's last name.)"""
    if not text.endswith(".") or text.endswith(".."):
        return False
    words = text[:-1].replace("/", " ").split(maxsplit=2)  # three pieces: more than two words
    return 1 <= len(words) <= 2 and all(word.isalpha() and word[0].isupper() and word[1:].islower() for word in words)


def remove_repeated_lines(verdicts: list[LineVerdict], min_repeats: int) -> None:
    """A line that recurs `min_repeats` times in one article ("Article content", a "Most popular" box
    shown after every section) is furniture: a story does not repeat its own sentences."""
    if len(verdicts) < min_repeats:
        return  # no line can recur that often (one-line items: ~6% of cleaning them)
    normalised = [normalise_line(verdict.text) for verdict in verdicts]
    counts = Counter(normalised)
    for verdict, line in zip(verdicts, normalised):
        if verdict.kept and counts[line] >= min_repeats:
            verdict.remove(REPEATED_LINE_RULE, "repeated")


def repeats_title(line_words: set[str], title_words: set[str], settings: StructureSettings) -> bool:
    """Do a line's words (normalised) say the title again? Most of the line's words are the title's and
    most of the title's words are in the line: the headline under a page title that adds the outlet's
    name ("... - Daily News"), or a headline after its breadcrumb ("News UK Storm closes schools"). A
    story's lead tells more than its headline, so it has many words the title does not."""
    shared = len(line_words & title_words)
    return (
        shared >= settings.title_repeat_min_words
        and shared >= settings.title_repeat_line_share * len(line_words)
        and shared >= settings.title_repeat_title_share * len(title_words)
    )


def remove_title_repeats(
    verdicts: list[LineVerdict], title: str, settings: StructureSettings, story_start: int
) -> None:
    """A page's <title> comes first and is the article's title; the page prints it again as the headline
    above the story (in the header, above the lead, twice for two screen sizes), and those copies would
    open the text with the title a second time. Only copies above `story_start`, where the story's
    paragraphs begin, or at it go: further down, a line that says the title again is part of the story (a
    live blog's entry with the news of the title). A headline that ends like a sentence ("What's next for
    Gaza?") above the standfirst makes the first two paragraphs in a row itself; a lead paragraph never
    repeats the title (see repeats_title)."""
    title_words = set(normalise_line(title).split())
    if len(title_words) < settings.title_repeat_min_words:
        return
    # A line with many more words than the title cannot repeat it: skip normalising the story's
    # paragraphs (the bound is loose, as raw words include punctuation and numbers).
    max_raw_words = 2 * len(title_words) / max(settings.title_repeat_line_share, 0.1)
    for verdict in verdicts[: story_start + 1]:
        if (
            verdict.kept
            and len(verdict.text.split()) <= max_raw_words
            and repeats_title(set(normalise_line(verdict.text).split()), title_words, settings)
        ):
            verdict.remove(TITLE_REPEAT_RULE, TITLE_REPEAT_KIND)


def remove_link_runs(verdicts: list[LineVerdict], settings: StructureSettings, need_header: bool = False) -> None:
    """Runs of link-like lines: menus and related-article lists, also inside the body of a story.

    A run is a stretch of kept link-like lines, possibly interrupted by lines already removed as
    navigation or as page chrome (an advert slot, a legal link: a footer's link list goes on around
    them); a related-articles header ("More from Politics", "Mehr zum Thema") counts towards it. A
    run of at least `link_run_min_lines` is removed, except a last line that the story follows directly.
    With `need_header` (an extracted article body, where a run of short lines is more often a list of
    the story's own: fixtures, key points), only runs that contain such a header are removed.
    """
    if need_header and not any(not verdict.kept and verdict.kind in _RUN_HEADER_KINDS for verdict in verdicts):
        return  # no run can contain a header, so none goes: most extracted bodies, every line a prose check
    index = 0
    while index < len(verdicts):
        run: list[int] = []
        headers = 0
        cursor = index
        while cursor < len(verdicts):
            verdict = verdicts[cursor]
            if verdict.kept and is_link_like(verdict.text, settings.link_max_words):
                run.append(cursor)
            elif not verdict.kept and verdict.kind in _RUN_HEADER_KINDS:
                headers += 1
            elif verdict.kept or verdict.kind not in _RUN_FURNITURE_KINDS:
                # Only a line removed as page chrome (an advert slot, a legal link) lets the run go on.
                break
            cursor += 1
        if len(run) + headers >= settings.link_run_min_lines and run and (headers or not need_header):
            following = verdicts[cursor] if cursor < len(verdicts) else None
            last = run[-1]
            # Page furniture between a sub-heading and its paragraph (an advert slot) does not part them.
            next_to_story = all(verdicts[between].kind in _RUN_FURNITURE_KINDS for between in range(last + 1, cursor))
            if following is not None and following.kept and next_to_story and not is_link_like(
                following.text, settings.link_max_words
            ):
                run = run[:-1]  # a sub-heading: the story goes on right after it
            for member in run:
                verdicts[member].remove(LINK_RUN_RULE, "navigation")
        index = max(cursor, index + 1)
