"""The Arrow schemas of every dataset: the single source of truth.

Writers build their tables with these schemas, tests check the files against them, and
docs/datasets.md is generated from them (`make docs`). The partition column `date` is the folder
name (`date=YYYY-MM-DD`) only, never a column inside the files.
"""

from __future__ import annotations

import pyarrow as pa


def _field(name: str, type_: pa.DataType, description: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


ARTICLE_ID = "Stable id of the article: a hash of the date, source file and first raw line."
SOURCE_FILE = "Path of the raw file, relative to the input root, with '/' separators."

ARTICLES = pa.schema(
    [
        _field("article_id", pa.string(), ARTICLE_ID),
        _field("source_file", pa.string(), SOURCE_FILE),
        _field("line_start", pa.int32(), "First raw line of the article (1-based, inclusive; Parquet: row)."),
        _field("line_end", pa.int32(), "Last raw line of the article (1-based, inclusive; Parquet: row)."),
        _field("record_id", pa.string(), "The record's own id in the input (input.fields.id); null for plain text.", nullable=True),
        _field("encoding", pa.string(), "Encoding the raw file was decoded with: utf-8, utf-8-sig, utf-16, utf-32, cp1252, latin-1, ... ('utf-8' for Parquet)."),
        _field("title", pa.string(), "Headline: the first line of the raw text when it reads like one (not repeated in text), else the record's title field.", nullable=True),
        _field("url", pa.string(), "The record's URL (input.fields.url); null for plain text.", nullable=True),
        _field("source", pa.string(), "The record's source or outlet (input.fields.source); null for plain text.", nullable=True),
        _field("published", pa.timestamp("us", tz="UTC"), "Publication time from the record (input.fields.published: ISO 8601, RFC 2822 or Unix epoch; UTC when no offset is given); null when absent or not a date.", nullable=True),
        _field("text", pa.string(), "Clean article text: one paragraph per line, boilerplate removed."),
        _field("language", pa.string(), "ISO 639-1 code ('zh-cn'/'zh-tw' for Chinese, 'zh' with langid.merge_chinese) of most of the text's characters, or 'und'."),
        _field("language_score", pa.float32(), "Probability of `language`: the mean over its paragraphs, weighted by characters (0 when 'und' for lack of text)."),
        _field("mixed_language", pa.bool_(), "True when a second language covers at least langid.mixed_min_share of the text."),
        _field("language_allowed", pa.bool_(), "False when `language` is not in langid.allowed (only with other_languages: flag)."),
        _field("n_chars", pa.int32(), "Characters in text."),
        _field("n_words", pa.int32(), "Whitespace-separated words in text."),
        _field("n_paragraphs", pa.int32(), "Rows of this article in paragraphs."),
        _field("n_sentences", pa.int32(), "Rows of this article in sentences."),
        _field("content_hash", pa.string(), "SHA-256 (hex, 32 chars) of the normalised text; equal hashes are exact duplicates."),
    ]
)

PARAGRAPHS = pa.schema(
    [
        _field("article_id", pa.string(), ARTICLE_ID),
        _field("paragraph_index", pa.int32(), "0-based position of the paragraph in the article."),
        _field("kind", pa.string(), "One of: body, heading, list_item, quote."),
        _field("language", pa.string(), "The paragraph's own language (ISO 639-1), or 'und' when it is too short to tell."),
        _field("text", pa.string(), "The paragraph; equal to article text[char_start:char_end]."),
        _field("char_start", pa.int32(), "Offset of the first character in the article's text."),
        _field("char_end", pa.int32(), "Offset just past the last character in the article's text."),
        _field("line_no", pa.int32(), "First raw line the paragraph comes from (1-based)."),
        _field("line_end", pa.int32(), "Last raw line the paragraph comes from (= line_no unless segment.paragraphs is 'block')."),
    ]
)

SENTENCES = pa.schema(
    [
        _field("article_id", pa.string(), ARTICLE_ID),
        _field("paragraph_index", pa.int32(), "Paragraph the sentence belongs to."),
        _field("sentence_index", pa.int32(), "0-based position of the sentence in the article."),
        _field("text", pa.string(), "The sentence; equal to article text[char_start:char_end]."),
        _field("char_start", pa.int32(), "Offset of the first character in the article's text."),
        _field("char_end", pa.int32(), "Offset just past the last character in the article's text."),
    ]
)

REMOVED_LINES = pa.schema(
    [
        _field("source_file", pa.string(), SOURCE_FILE),
        _field("line_no", pa.int32(), "Raw line number (1-based)."),
        _field("text", pa.string(), "The removed line, stripped of surrounding white space."),
        _field("rule", pa.string(), "Name of the rule that removed it, '<pack>.<rule>' (e.g. 'media.image_caption')."),
        _field("article_id", pa.string(), "Article the line was removed from; null for lines between articles.", nullable=True),
    ]
)

DUPLICATES = pa.schema(
    [
        _field("article_id", pa.string(), "Id the dropped article would have had."),
        _field("source_file", pa.string(), SOURCE_FILE),
        _field("line_start", pa.int32(), "First raw line of the dropped article (1-based)."),
        _field("line_end", pa.int32(), "Last raw line of the dropped article (1-based)."),
        _field("duplicate_of", pa.string(), "article_id of the surviving copy (this partition or an earlier one): the earliest date, then the longest text, then the first file and line."),
        _field("duplicate_of_date", pa.date32(), "Partition date of the surviving copy."),
        _field("method", pa.string(), "How the copy was found: 'exact' (same normalised text), 'near' (Jaccard similarity of the word-shingle sets >= dedup.threshold, directly or through other copies), 'contained' (lies, to dedup.containment_threshold, inside the longer survivor)."),
        _field("similarity", pa.float32(), "Similarity to the survivor: 1.0 for 'exact'; Jaccard similarity of the word-shingle sets for 'near' (below the threshold for a copy of a copy); share of this article's shingles found in the survivor for 'contained'. Estimated from stored signatures when the survivor is from an earlier partition."),
    ]
)

QUARANTINE = pa.schema(
    [
        _field("source_file", pa.string(), SOURCE_FILE),
        _field("reason", pa.string(), "Why the input could not be used. A whole file: unsupported_format, not_a_regular_file, unreadable_file, file_too_large, empty_file, binary_file, undecodable, truncated_archive, corrupt_archive, corrupt_parquet, malformed_csv, missing_text_column, bad_text_column, and read_error for an unexpected error while reading (a bug, logged). Lines or records of a file otherwise read: line_too_long, malformed_json, not_an_object, missing_text, bad_text_type, empty_text, malformed_csv_row; and a piece of a large JSON lines file read in pieces that could not be read (unreadable_file) or changed while the run read it (file_changed)."),
        _field("detail", pa.string(), "Human-readable detail of the reason."),
        _field("line_start", pa.int32(), "First raw line concerned (Parquet: row); null when the whole file is.", nullable=True),
        _field("line_end", pa.int32(), "Last raw line concerned (Parquet: row); null when the whole file is.", nullable=True),
    ]
)

RUNS = pa.schema(
    [
        _field("run_id", pa.string(), "Unique id of the flow run."),
        _field("status", pa.string(), "'completed' or 'failed'."),
        _field("started_at", pa.timestamp("us", tz="UTC"), "When the run started."),
        _field("finished_at", pa.timestamp("us", tz="UTC"), "When the run ended."),
        _field("input_path", pa.string(), "Raw input folder of the run."),
        _field("n_files", pa.int32(), "Raw files found."),
        _field("n_raw_lines", pa.int64(), "Raw lines read."),
        _field("n_blank_lines", pa.int64(), "Raw lines holding only white space."),
        _field("n_articles", pa.int32(), "Rows written to articles."),
        _field("n_empty_articles", pa.int32(), "Articles dropped because cleaning left no text (their lines are in removed_lines)."),
        _field("n_duplicates", pa.int32(), "Rows written to duplicates."),
        _field("n_removed_lines", pa.int32(), "Rows written to removed_lines."),
        _field("n_quarantined", pa.int32(), "Rows written to quarantine."),
        _field("n_paragraphs", pa.int32(), "Rows written to paragraphs."),
        _field("n_sentences", pa.int32(), "Rows written to sentences."),
        _field("removed_by_rule", pa.string(), "JSON object: removed lines counted by rule."),
        _field("languages", pa.string(), "JSON object: articles counted by language."),
        _field("seconds_by_stage", pa.string(), "JSON object: wall-clock seconds spent in each stage."),
        _field(
            "peak_rss_mb_by_stage",
            pa.string(),
            "JSON object: the flow process's peak resident memory (MB) by the end of each stage.",
        ),
        _field("config_hash", pa.string(), "Fingerprint of the settings used."),
        _field("code_version", pa.string(), "newsetl version and git commit, when known."),
        _field("error", pa.string(), "Error message of a failed run.", nullable=True),
    ]
)

# Datasets replaced as a whole partition on each run, in the order they are written.
PARTITION_DATASETS: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "articles_other_languages": ARTICLES,
    "paragraphs": PARAGRAPHS,
    "sentences": SENTENCES,
    "removed_lines": REMOVED_LINES,
    "duplicates": DUPLICATES,
    "quarantine": QUARANTINE,
}

# Every dataset; `runs` gains one file per run instead of being replaced.
DATASETS: dict[str, pa.Schema] = {**PARTITION_DATASETS, "runs": RUNS}

DESCRIPTIONS: dict[str, str] = {
    "articles": "One row per unique article of the partition.",
    "articles_other_languages": "Unique articles whose language is not in langid.allowed, when langid.other_languages is 'route' (same columns as articles; empty otherwise).",
    "paragraphs": "One row per paragraph of a unique article.",
    "sentences": "One row per sentence of a unique article.",
    "removed_lines": "One row per raw line removed as boilerplate (or as an article separator).",
    "duplicates": "One row per article dropped because it copies another.",
    "quarantine": "One row per input (file or line range) that could not be used.",
    "runs": "One row per flow run of the partition (kept, not replaced, on re-runs).",
}
