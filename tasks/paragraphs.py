"""Paragraphs from kept lines: one per raw line (the default), or one per block of wrapped lines.

Plain-text dumps often hard-wrap paragraphs at ~72 characters and separate them with a blank line. In
"block" mode, kept lines that follow each other directly in the raw file (no blank or removed line in
between) are one paragraph, joined by a space. List items stay one paragraph each: a list is a block of
short items, not one paragraph.
"""

from __future__ import annotations

from tasks.records import Paragraph


def join_wrapped_lines(paragraphs: list[Paragraph], kind_of) -> list[Paragraph]:
    """Merge runs of consecutive raw lines; `kind_of(text)` gives a merged paragraph its kind."""
    merged: list[Paragraph] = []
    for paragraph in paragraphs:
        previous = merged[-1] if merged else None
        continues = (
            previous is not None
            and paragraph.line_no == previous.last_line_no + 1
            and "list_item" not in (previous.kind, paragraph.kind)
        )
        if continues:
            text = f"{previous.text} {paragraph.text}"
            merged[-1] = Paragraph(previous.line_no, kind_of(text), text, line_end=paragraph.line_no)
        else:
            merged.append(paragraph)
    return merged
