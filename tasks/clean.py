"""Clean: classify every line of an article and remove boilerplate, recording the rule that removed it.

A kept line is one of: title, heading, list_item, quote, body. A removed line names its rule. The passes,
in order (a line removed by one pass is not looked at again, but its rule's kind informs later passes):

1. line rules from the rule library (tasks/rules/*.yaml plus the user's own): "<pack>.<rule>";
2. learned boilerplate, lines recurring across many stories (tasks/boilerplate_learned.py):
   "learned.recurring_line";
3. structural rules that need neighbours (tasks/structure.py): video titles, captions, bylines after a
   lone "By", lines repeated in the article: "structure.<rule>";
4. text density classes, jusText's length and stopword share (tasks/text_density.py), which also tell a
   full web page from an extracted article body (tasks/main_text.py); with them, the headline printed
   again above the story's first paragraphs goes as "structure.title_repeat";
5. on a page, the main-text span: kept lines cut off from the story by furniture
   ("structure.outside_main_text");
6. runs of link-like lines, menus and related lists ("structure.link_run");
7. the text density classes settled by neighbours; lines that end up bad: "density.<class>";
8. a logistic model over each kept line's features, one for pages and one for bodies
   (tasks/line_classifier.py): "classifier.line_score".
"""

from __future__ import annotations

import re

from tasks import line_classifier, main_text, story_furniture, story_inserts, structure, text_density
from tasks.boilerplate_learned import RULE as LEARNED_RULE
from tasks.boilerplate_learned import line_key
from tasks.config import CleanSettings
from tasks.headline import looks_like_headline
from tasks.line_features import ArticleContext
from tasks.records import ArticleDraft, CleanArticle, Paragraph, RemovedLine
from tasks.rules import RuleSet
from tasks.structure import LineVerdict
from tasks.textlines import ends_like_sentence, has_at_most_words, is_short_unpunctuated, last_meaningful_char

VIDEO_TITLE_RULE = structure.VIDEO_TITLE_RULE
DENSITY_RULES = {
    text_density.BAD: "density.few_stopwords",
    text_density.SHORT: "density.short_line",
    text_density.NEAR_GOOD: "density.near_good_among_boilerplate",
}
COPYRIGHT_RULE = "density.copyright"
WORD_LIST_RULE = "density.word_list"  # a run of capitalised words (text_density.is_capitalised_word_list)

_OPENING_QUOTES = "\"“„«‘'"
_LIST_ITEM = re.compile(r"(?:\d{1,3}[.)]|[a-z][.)]|[-•*·▪●◦–—])\s+\S")


def paragraph_kind(text: str, heading_max_words: int) -> str:
    if _LIST_ITEM.match(text):
        return "list_item"
    if text[0] in _OPENING_QUOTES:
        return "quote"
    # A short line that does not end a sentence, or a short question ("What is the four-point plan?"),
    # stands above a section rather than inside one.
    if has_at_most_words(text, heading_max_words) and (
        last_meaningful_char(text) == "?" or is_short_unpunctuated(text, heading_max_words)
    ):
        return "heading"
    return "body"


def _title_line_index(draft: ArticleDraft, rules: RuleSet, title_max_words: int) -> int | None:
    """Index in draft.lines of a headline: the first line, followed by a blank line, that reads like one."""
    if title_max_words == 0 or len(draft.lines) < 3:
        return None
    first, second = draft.lines[0], draft.lines[1]
    text = first.text.strip()
    if not second.is_blank or not looks_like_headline(text, title_max_words):
        return None
    if rules.first_match(text) is not None:
        return None
    return 0


def _apply_line_rules(verdicts: list[LineVerdict], rules: RuleSet, learned: frozenset[int]) -> None:
    for verdict in verdicts:
        rule = rules.first_match(verdict.text)
        if rule is not None:
            verdict.remove(rule.name, rule.kind)
        elif learned and line_key(verdict.text) in learned:
            verdict.remove(LEARNED_RULE, "learned")


def _assign_density_classes(verdicts: list[LineVerdict], settings: CleanSettings) -> frozenset[str]:
    """Each kept line's class on its own, from its length and the share of function words; returns the
    article's function words (empty when its language has no list)."""
    density = settings.text_density
    kept = [verdict for verdict in verdicts if verdict.kept]
    if not density.enabled:
        for verdict in kept:
            verdict.density_class = text_density.GOOD
        return frozenset()
    stopwords, classes = text_density.classify_lines([verdict.text for verdict in kept], density)
    for verdict, density_class in zip(kept, classes):
        verdict.density_class = density_class
    return stopwords


def _remove_bad_in_context(verdicts: list[LineVerdict], settings: CleanSettings, bad_is_final: bool) -> None:
    """Short and near-good lines settled by their neighbours; lines that end up bad are removed. Lines
    already removed are left out of the sequence: a caption removed between two paragraphs does not
    make them look isolated."""
    kept = [verdict for verdict in verdicts if verdict.kept]
    initial = [verdict.density_class for verdict in kept]
    lengths = [len(verdict.text) for verdict in kept]
    settled = text_density.settle_by_context(initial, lengths, settings.text_density.length_high, bad_is_final)
    for verdict, first, final in zip(kept, initial, settled):
        if final == text_density.BAD:
            if text_density.is_copyright(verdict.text):
                rule = COPYRIGHT_RULE
            elif first == text_density.BAD and text_density.is_capitalised_word_list(verdict.text):
                rule = WORD_LIST_RULE
            else:
                rule = DENSITY_RULES[first]
            verdict.remove(rule, "density")


def _is_menu(lines: list[LineVerdict]) -> bool:
    return not any(main_text.prose_flags(lines)) and not any(
        ends_like_sentence(verdict.text) for verdict in lines if verdict.kept
    )


def classify_lines(
    lines: list[LineVerdict],
    rules: RuleSet,
    settings: CleanSettings,
    learned: frozenset[int] = frozenset(),
    title: str | None = None,
) -> ArticleContext:
    """Run the passes over an article's non-blank lines (title excluded), removing boilerplate in place;
    returns what they found out about the article (the line classifier's context)."""
    # Structural checks switched off by name (clean.disabled_rules; the pattern rules' are left out of `rules`).
    disabled = settings.disabled_rules
    _apply_line_rules(lines, rules, learned)
    if structure.VIDEO_TITLE_RULE not in disabled:
        structure.remove_video_titles(lines, settings.video_title_max_words)
    structure.remove_captions(lines, settings.structure, disabled)
    if structure.BYLINE_AFTER_MARKER_RULE not in disabled:
        structure.remove_byline_names(lines, structure.BYLINE_NAME_MAX_WORDS)
    if structure.HEADLINE_ABOVE_TIMESTAMP_RULE not in disabled:
        story_furniture.remove_headlines_above_timestamps(lines)
    if structure.CAPTION_ABOVE_CREDIT_RULE not in disabled:
        story_furniture.remove_captions_above_credits(lines)
    if structure.BETWEEN_PROMPTS_RULE not in disabled:
        story_furniture.remove_lines_between_prompts(lines)
    if settings.structure.repeated_line_min and structure.REPEATED_LINE_RULE not in disabled:
        structure.remove_repeated_lines(lines, settings.structure.repeated_line_min)
    stopwords = _assign_density_classes(lines, settings)
    if lines and settings.structure.title_repeat_min_words and structure.TITLE_REPEAT_RULE not in disabled:
        story_start = main_text.first_paragraph_pair(lines)
        if title is not None:
            structure.remove_title_repeats(lines, title, settings.structure, story_start)
        elif 1 < story_start < len(lines):
            # No line was taken for the title (a page's <title> that reads like two sentences: "Nvidia's
            # into nation building. We cool with that? - The Globe and Mail"); the first line is still the
            # page's title when a copy of it stands above where the story's paragraphs begin (if they do).
            structure.remove_title_repeats(lines[1:], lines[0].text, settings.structure, story_start - 1)
    structure.remove_author_names_at_top(lines, lambda: main_text.first_paragraph_pair(lines), disabled)
    # A full web page gets the page passes; an extracted article body is only trimmed: what looks like a
    # menu on a page is more often a list of the story's own in a body.
    page = main_text.looks_like_page(lines, settings.main_text)
    if page and structure.FIRST_OF_TWO_SHORT_LINES_RULE not in disabled:
        # Only on pages: in an extracted body two short lines between paragraphs are more often the
        # story's own (a sub-heading over a one-line paragraph, a venue and a date): on the BBC articles
        # it removed 6 story lines.
        story_furniture.remove_first_of_two_short_lines(lines)
    if page and settings.main_text.enabled and structure.OUTSIDE_MAIN_TEXT_RULE not in disabled:
        main_text.remove_outside_main_text(lines, settings.main_text)
    if structure.LINK_RUN_RULE not in disabled:
        # A text without a single paragraph or sentence is a menu that the split cut off as an article of
        # its own (a page's section list above a separator line): its runs of links need no header either.
        need_header = not page and not _is_menu(lines)
        structure.remove_link_runs(lines, settings.structure, need_header=need_header)
    # After the main text: on a page, teasers that these checks take out between paragraphs would
    # otherwise count as the story's own furniture and widen the main text.
    if settings.structure.teaser_headline_run_min_lines and structure.TEASER_HEADLINE_RUN_RULE not in disabled:
        story_inserts.remove_teaser_headline_runs(lines, settings.structure.teaser_headline_run_min_lines)
    if structure.NAME_UNDER_PARAGRAPH_RULE not in disabled:
        story_inserts.remove_names_under_paragraphs(lines)
    if structure.TAG_LIST_RULE not in disabled:
        story_inserts.remove_tag_lists(lines)
    if settings.text_density.enabled:
        _remove_bad_in_context(lines, settings, bad_is_final=page)
    context = ArticleContext(stopwords, page, main_text.first_paragraph_pair(lines), title)
    if line_classifier.applies(settings.line_classifier, page):
        line_classifier.remove_by_score(lines, context, line_classifier.model_for(settings.line_classifier, page))
    return context


EMPTY_TITLE_RULE = "clean.title_of_empty_article"


def judge_lines(
    draft: ArticleDraft, rules: RuleSet, settings: CleanSettings, learned: frozenset[int] = frozenset()
) -> tuple[int | None, list[LineVerdict], ArticleContext]:
    """The index of the article's title line, a verdict for each other non-blank line, and the article's
    context (see classify_lines)."""
    title_index = _title_line_index(draft, rules, settings.title_max_words)
    verdicts = []
    for index, line in enumerate(draft.lines):
        text = line.text.strip()  # empty for a blank line (RawLine.is_blank), stripped once
        if text and index != title_index:
            verdicts.append(LineVerdict(line, text))
    title = draft.lines[title_index].text.strip() if title_index is not None else None
    return title_index, verdicts, classify_lines(verdicts, rules, settings, learned, title)


def clean_article(
    draft: ArticleDraft, rules: RuleSet, settings: CleanSettings, learned: frozenset[int] = frozenset()
) -> CleanArticle:
    """`learned` holds the line keys learned as boilerplate for this batch (see boilerplate_learned)."""
    title_index, verdicts, _ = judge_lines(draft, rules, settings, learned)

    paragraphs = [
        Paragraph(verdict.line.line_no, paragraph_kind(verdict.text, settings.heading_max_words), verdict.text)
        for verdict in verdicts
        if verdict.kept
    ]
    removed = [
        RemovedLine(draft.source_file, verdict.line.line_no, verdict.text, verdict.rule, draft.article_id)
        for verdict in verdicts
        if not verdict.kept
    ]
    title_line = draft.lines[title_index] if title_index is not None else None
    if title_line is not None and not paragraphs:
        # A headline over nothing is not an article; its line is removed like the rest, so that it
        # stays accounted for when the empty article is dropped.
        title_removed = RemovedLine(
            draft.source_file, title_line.line_no, title_line.text.strip(), EMPTY_TITLE_RULE, draft.article_id
        )
        removed.insert(0, title_removed)
        title_line = None
    return CleanArticle(
        article_id=draft.article_id,
        source_file=draft.source_file,
        line_start=draft.line_start,
        line_end=draft.line_end,
        title=title_line.text.strip() if title_line else None,
        title_line_no=title_line.line_no if title_line else None,
        paragraphs=paragraphs,
        removed=removed,
    )


def clean_articles(
    drafts: list[ArticleDraft], rules: RuleSet, settings: CleanSettings, learned: frozenset[int] = frozenset()
) -> list[CleanArticle]:
    return [clean_article(draft, rules, settings, learned) for draft in drafts]
