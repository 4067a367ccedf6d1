"""Stage 1 (load): documents and pairs files, and the errors bad input gives."""

from __future__ import annotations

import pytest

from mtaudit.errors import InputError
from mtaudit.load import parse_pairs, read_document, read_pairs


def test_reads_utf8_with_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffHello world.\n".encode())
    doc = read_document(p)
    assert doc.text == "Hello world.\n"
    assert doc.path == str(p)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"  \n\n\t", "empty"),
        (b"abc\x00\x01\x02def", "binary"),
        (b"caf\xe9 au lait", "--encoding"),
    ],
)
def test_bad_documents(tmp_path, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match=message) as exc:
        read_document(p)
    assert str(p) in str(exc.value)
    assert "\n" not in str(exc.value)


def test_other_encoding(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("café au lait.".encode("cp1252"))
    assert read_document(p, encoding="cp1252").text == "café au lait."


def test_missing_file_and_size_cap(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    p = tmp_path / "big.txt"
    p.write_text("x" * 2000)
    with pytest.raises(InputError, match="--max-input-mb"):
        read_document(p, max_bytes=1000)
    with pytest.raises(InputError, match="directory"):
        read_document(tmp_path)


def test_pairs_tsv_and_jsonl(tmp_path):
    tsv = tmp_path / "p.tsv"
    tsv.write_text("Hello.\tHallo.\n\nBye.\tTschüss.\tRef.\n", encoding="utf-8")
    pairs = read_pairs(tsv)
    assert [(p.source, p.target, p.reference, p.line) for p in pairs] == [
        ("Hello.", "Hallo.", None, 1),
        ("Bye.", "Tschüss.", "Ref.", 3),
    ]
    jl = tmp_path / "p.jsonl"
    jl.write_text('{"source": "A.", "target": "B.", "id": 7}\n', encoding="utf-8")
    (pair,) = read_pairs(jl)
    assert (pair.source, pair.target, pair.extra) == ("A.", "B.", {"id": 7})


@pytest.mark.parametrize(
    "lines, fmt, message",
    [
        (["no tab here"], "tsv", r"<pairs>:1: no tab"),
        (["a\tb", "a\tb\tc\td"], "tsv", r"<pairs>:2: 4 tab-separated"),
        (["{not json"], "jsonl", r"<pairs>:1: invalid JSON"),
        (['{"source": 1, "target": "x"}'], "jsonl", "must be strings"),
        (["[1, 2]"], "jsonl", "JSON object"),
        ([], None, "no segment pairs"),
    ],
)
def test_bad_pairs(lines, fmt, message):
    with pytest.raises(InputError, match=message):
        parse_pairs(lines, fmt=fmt)
