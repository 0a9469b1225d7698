"""Large JSON-lines files cut into pieces at line boundaries, each piece read and cleaned as a chunk.

A 300 MB JSON-lines dump would otherwise be one chunk: one worker holding the whole file's text while the
other cores idle. Cut into pieces of about parallel.chunk_megabytes, and of at most
parallel.chunk_max_articles lines (a record is a line, so a piece of short records holds no more of them
than a chunk should), it is shared out like many small files. A piece knows the number of its first raw
line, so its line numbers, article ids, records and quarantine records are the ones a read of the whole
file gives; each piece becomes a RawDocument of its own (lines first_line_no onwards) and a chunk of its
own (tasks/partition.py make_chunks).

A file is cut only when every piece reads exactly as the whole file would:
- JSON lines (.jsonl, .ndjson): a line is a record. CSV is never cut (a quoted field may hold line
  breaks, so a line boundary need not be a row boundary); Parquet and plain text are read whole;
- not compressed: a compressed stream cannot be entered at a byte offset;
- larger than a chunk, in bytes or in lines;
- UTF-8, with or without a byte-order mark (RFC 8259: JSON text is UTF-8). A whole read of a file that is
  not would fall back to cp1252 or latin-1, which no piece can decide alone; in UTF-16 a newline byte is
  half a character;
- neither binary nor blank throughout: those are quarantined whole, as a whole read does.
Any other file is read whole, as before (and ingest.max_file_bytes still applies to it).

Finding the cuts costs one pass over the file in the flow process, a block at a time: it counts the raw
lines before each cut (CRLF, LF and a lone CR each end a line, as in tasks/streams.py) and checks that
the bytes are UTF-8. A cut always falls just after an LF, so CRLF never straddles two pieces. The bound
on lines counts LFs: in a file that mixes in lone CRs, a piece may hold a few more lines (and records).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import BinaryIO

from tasks.config import FieldMapping, IngestSettings
from tasks.decode import SNIFF_BYTES, binary_reason, encoding_from_bom, utf16_without_bom
from tasks.readers import DocumentBuilder, FileResult, read_jsonl
from tasks.records import QuarantineRecord, RawDocument
from tasks.streams import WHOLE_FILE_BYTES, InputFile, lines_of_text

SCAN_BLOCK_BYTES = 1 << 20
# A piece is read whole into memory: one may pass its target size by one long line of at most this many
# bytes. A file with a longer line is not cut (a whole read streams past such a line).
LONG_LINE_BYTES = WHOLE_FILE_BYTES


@dataclass(frozen=True)
class FilePiece:
    """Bytes [byte_start, byte_end) of a file: whole lines, the raw lines first_line .. first_line + n_lines - 1."""

    file: InputFile
    encoding: str  # the whole file's: utf-8, or utf-8-sig when it starts with a byte-order mark
    byte_start: int
    byte_end: int  # just after an LF, except for the file's last piece
    first_line: int  # 1-based raw line number in the file
    n_lines: int

    @property
    def source_file(self) -> str:
        return self.file.source_file

    @property
    def n_bytes(self) -> int:
        return self.byte_end - self.byte_start

    @property
    def last_line(self) -> int:
        return self.first_line + self.n_lines - 1


# --- cutting (in the flow process) ---------------------------------------------------------------------


def cut_into_pieces(file: InputFile, piece_bytes: float, piece_lines: int | None = None) -> list[FilePiece] | None:
    """The pieces of about piece_bytes (from a cut to the end of that line), and of at most piece_lines
    LF-ended lines (records) when given, of a file that can be cut, or None: the file is read whole."""
    if file.format != "jsonl" or file.compression is not None:
        return None
    try:
        size = file.path.stat().st_size
        if size <= piece_bytes and (piece_lines is None or size <= piece_lines):  # under piece_lines LFs
            return None
        with file.path.open("rb") as stream:
            encoding = _utf8_encoding(stream.read(SNIFF_BYTES))
            if encoding is None:
                return None
            stream.seek(0)
            pieces = _scan(stream, file, encoding, max(1, int(piece_bytes)), piece_lines)
    except OSError:  # reading it whole names the problem in its quarantine record
        return None
    if pieces is None or len(pieces) < 2 or any(piece.n_bytes > piece_bytes + LONG_LINE_BYTES for piece in pieces):
        return None
    return pieces


def count_line_feeds(file: InputFile) -> int:
    """The LF bytes of a file, read a block at a time: one more than that bounds its JSON lines records
    (only a lone CR, in a file that mixes line endings, ends a line without one)."""
    count = 0
    with file.path.open("rb") as stream:
        while block := stream.read(SCAN_BLOCK_BYTES):
            count += block.count(b"\n")
    return count


def _utf8_encoding(head: bytes) -> str | None:
    """The encoding a whole read would try first, if that is UTF-8 and the head does not look binary
    (the checks of tasks/readers.py _read)."""
    if not head:
        return None
    bom_encoding = encoding_from_bom(head)
    if bom_encoding:
        return bom_encoding if bom_encoding == "utf-8-sig" else None
    if utf16_without_bom(head) or binary_reason(head):
        return None
    return "utf-8"


class _LineEnds:
    """Raw line endings counted over consecutive bytes: CRLF, LF and a lone CR each end one line."""

    def __init__(self) -> None:
        self.count = 0
        self._after_cr = False  # the bytes so far end with CR: an LF next ends no line of its own

    def add(self, data: bytes) -> None:
        if not data:
            return
        crlf = data.count(b"\r\n") + (self._after_cr and data[:1] == b"\n")
        self.count += data.count(b"\n") + data.count(b"\r") - crlf
        self._after_cr = data[-1:] == b"\r"


def _scan(
    stream: BinaryIO, file: InputFile, encoding: str, piece_bytes: int, piece_lines: int | None = None
) -> list[FilePiece] | None:
    """Cut after the first LF at least piece_bytes past the previous cut, or after the piece_lines-th LF
    past it if that comes first; None when the file is not `encoding` or holds only white space."""
    decoder = codecs.getincrementaldecoder(encoding)()  # strict; utf-8-sig drops the byte-order mark
    line_ends = _LineEnds()
    pieces: list[FilePiece] = []
    piece_start, first_line = 0, 1
    offset = 0  # of the current block in the file
    has_text = False
    last_byte = b""
    line_feeds = 0  # in the current piece, before the current block's uncounted bytes
    while block := stream.read(SCAN_BLOCK_BYTES):
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError:
            return None
        # str.isspace is str.strip's white space: a file of blank lines is quarantined whole as empty.
        has_text = has_text or (bool(text) and not text.isspace())
        counted = 0  # bytes of the block whose line endings are counted
        while True:
            by_bytes = max(counted, piece_start + piece_bytes - 1 - offset)
            wanted_lfs = None if piece_lines is None else piece_lines - line_feeds
            newline = _next_cut(block, counted, by_bytes, wanted_lfs)
            if newline < 0:
                break
            line_ends.add(block[counted : newline + 1])
            counted = newline + 1
            cut = offset + counted
            pieces.append(FilePiece(file, encoding, piece_start, cut, first_line, line_ends.count + 1 - first_line))
            piece_start, first_line, line_feeds = cut, line_ends.count + 1, 0
        line_ends.add(block[counted:])
        line_feeds += block.count(b"\n", counted)
        offset += len(block)
        last_byte = block[-1:]
    try:
        decoder.decode(b"", final=True)  # a character cut off by the end of the file
    except UnicodeDecodeError:
        return None
    if not has_text:
        return None
    if piece_start < offset:
        unterminated = last_byte not in (b"\n", b"\r")  # a last line without a line ending is a line too
        n_lines = line_ends.count + unterminated + 1 - first_line
        pieces.append(FilePiece(file, encoding, piece_start, offset, first_line, n_lines))
    return pieces


def _next_cut(block: bytes, start: int, by_bytes: int, wanted_lfs: int | None) -> int:
    """Where in block the next piece ends (its last LF), or -1 past the block: the first LF at or after
    by_bytes, or the wanted_lfs-th LF from start if that comes first."""
    newline = block.find(b"\n", by_bytes)
    if wanted_lfs is None:
        return newline
    end = len(block) if newline < 0 else newline + 1
    if block.count(b"\n", start, end) < wanted_lfs:
        return newline
    position = start - 1
    for _ in range(wanted_lfs):  # a few thousand finds a piece: ~1 ms
        position = block.find(b"\n", position + 1)
    return position


# --- reading (on a worker) -----------------------------------------------------------------------------


def read_piece(piece: FilePiece, settings: IngestSettings, fields: FieldMapping) -> FileResult:
    """The document of one piece: its lines and records numbered as in the whole file, and its bad lines
    quarantined. A piece that no longer reads as it was cut (the file changed) is quarantined whole, by
    its line numbers, so that every line is still accounted for."""
    try:
        text = _piece_text(piece)
    except (OSError, UnicodeDecodeError) as error:
        return _unread_piece(piece, "unreadable_file", f"lines {piece.first_line}-{piece.last_line}: {error}")
    builder = DocumentBuilder(piece.file, piece.encoding, settings, fields, first_line_no=piece.first_line)
    builder.n_raw_lines = piece.first_line - 1  # none read yet
    read_jsonl(lines_of_text(text, settings.max_line_chars, piece.first_line), builder)
    if builder.n_raw_lines != piece.last_line:
        detail = f"lines {piece.first_line}-{piece.last_line} changed while the run read them"
        return _unread_piece(piece, "file_changed", detail)
    # No empty-file check: a piece of blank lines is part of a file that has text elsewhere.
    return FileResult(builder.document(), builder.quarantined)


def _piece_text(piece: FilePiece) -> str:
    with piece.file.path.open("rb") as stream:
        stream.seek(piece.byte_start)
        data = stream.read(piece.n_bytes)
    if len(data) != piece.n_bytes:
        raise OSError(f"{len(data)} bytes read of {piece.n_bytes}: the file is shorter than when it was cut")
    # Only the first piece starts with the byte-order mark that utf-8-sig drops.
    return data.decode(piece.encoding if piece.byte_start == 0 else "utf-8")


def _unread_piece(piece: FilePiece, reason: str, detail: str) -> FileResult:
    document = RawDocument(
        piece.source_file, piece.encoding, (), n_raw_lines=piece.n_lines, records=(), first_line_no=piece.first_line
    )
    record = QuarantineRecord(piece.source_file, reason, detail, piece.first_line, piece.last_line, piece.n_lines)
    return FileResult(document, [record])
