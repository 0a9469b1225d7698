from tasks.config import IngestSettings
from tasks.ingest import ingest, split_lines

SETTINGS = IngestSettings()


def run(tmp_path, files: dict[str, bytes]):
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return ingest(tmp_path, [".txt"], SETTINGS)


def test_split_lines_counts_like_an_editor():
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert split_lines("a\fb\u2028c") == ["a\fb\u2028c"]
    assert split_lines("a\n\nb") == ["a", "", "b"]


def test_files_are_found_in_nested_folders_in_a_stable_order(tmp_path):
    result = run(tmp_path, {"b.txt": b"two", "a/z.txt": b"one", ".hidden/x.txt": b"no"})
    assert [d.source_file for d in result.documents] == ["a/z.txt", "b.txt"]


def test_encodings_bom_and_unicode_normalisation(tmp_path):
    result = run(
        tmp_path,
        {
            "bom.txt": "\ufeffCaf\u00e9".encode("utf-8"),
            "cp1252.txt": "It\u2019s \u00a35".encode("cp1252"),
            "nfd.txt": "Cafe\u0301".encode("utf-8"),
        },
    )
    decoded = {d.source_file: (d.encoding, d.lines[0].text) for d in result.documents}
    assert decoded == {
        "bom.txt": ("utf-8-sig", "Caf\u00e9"),
        "cp1252.txt": ("cp1252", "It\u2019s \u00a35"),
        "nfd.txt": ("utf-8", "Caf\u00e9"),
    }


def test_bad_files_are_quarantined_with_a_reason(tmp_path):
    result = run(tmp_path, {"empty.txt": b"", "blank.txt": b"\n \n", "bin.txt": b"PK\x03\x04\x00\x00", "x.pdf": b"%PDF"})
    assert result.documents == []
    reasons = {q.source_file: q.reason for q in result.quarantined}
    assert reasons == {"empty.txt": "empty_file", "blank.txt": "empty_file", "bin.txt": "binary_file", "x.pdf": "unsupported_format"}


def test_raw_input_is_not_modified(tmp_path):
    data = b"Line one\r\nLine two\r\n"
    run(tmp_path, {"a.txt": data})
    assert (tmp_path / "a.txt").read_bytes() == data
