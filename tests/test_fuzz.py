"""Property and fuzz tests over the public API: hostile, odd and huge-ish text never crashes it.

Every property runs the real pipeline (``mtaudit.audit`` / ``mtaudit.audit_pairs``, the loaders
and every renderer) with the model-free :class:`~mtaudit.encoders.HashingEncoder` and fluency off,
on generated text: RTL scripts, combining marks, zero-width and bidi controls, emoji, NUL and
other control characters, CRLF and lone CR, very long lines, no sentence punctuation, one-word
documents, identical and swapped documents, many identical sentences. The invariants:

* nothing but the documented input error (:class:`mtaudit.errors.InputError`) escapes;
* sentence offsets index the original text (``text[start:end] == sentence.text``), in order;
* in translation (and pairs) mode every sentence is in at most one link per side;
* the report is strict JSON (no NaN) and validates against ``docs/report.schema.json``;
* every finding's span lies inside its sentence (or the document, for document-level ones);
* every renderer produces its format (parseable XML/JSON, one workflow command per line).

The default run is small and derandomised (the same examples every time, a few seconds).
``make fuzz`` (``pytest -m fuzz``) runs the same properties with fresh random examples,
``MTAUDIT_FUZZ_EXAMPLES`` per property (default 2,500; six properties: 15,000 cases), and
prints how many cases each ran; the last measured run is recorded in ``docs/reliability.md``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtaudit
from mtaudit.cli import main as cli_main
from mtaudit.encoders import HashingEncoder
from mtaudit.errors import InputError
from mtaudit.formats import FORMATS, render
from mtaudit.load import parse_pairs, read_document, read_pairs
from mtaudit.text.copy import copied_runs, copy_similarity
from mtaudit.text.number_matching import compare_numbers
from mtaudit.text.numbers import extract_numbers

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ENCODER = HashingEncoder(dim=256)

#: Cases run per property in the default suite (derandomised) and in ``make fuzz``.
FAST_EXAMPLES = 40
FUZZ_EXAMPLES = int(os.environ.get("MTAUDIT_FUZZ_EXAMPLES", "2500"))
#: How many cases each property ran in this process (printed by the fuzz tests).
CASES: Counter[str] = Counter()

# --------------------------------------------------------------------------------------------
# strategies

WORDS = [
    # Latin, Cyrillic, Greek, Hebrew, Arabic, Devanagari, CJK, Thai, Korean
    "Hello", "world", "the", "Dr.", "U.S.", "e.g.", "etc.", "No.", "Mr.", "J.", "R.", "Tolkien",
    "Привіт", "світ", "ул.", "т. е.", "Ελλάδα", "שלום", "עולם", "مرحبا", "بالعالم", "١٢٣",
    "नमस्ते", "दुनिया", "你好", "世界", "こんにちは", "「引用。」", "สวัสดี", "안녕하세요",
    # numbers, names, URLs, markup-like and hostile text
    "3.5", "1,000", "$100", "2023", "4,5 Mrd.", "http://a.b/c?d=1.", "a@b.c", "Musk", "PUTIN",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "::error::x", "%0A",
    "]]>", "|", "`", "**", "[x](javascript:alert(1))", "&amp;", "{", '{"a": 1}',
]  # fmt: skip
PUNCT = [".", "!", "?", "…", "。", "！", "؟", "।", "«", "»", '"', "(", ")", ":", ";", ",", "—", "-"]
SPACES = [" ", " ", " ", "\t", "\n", "\r\n", "\r", "\n\n", "\u00a0", "\u2028", "\u2029", "\x0b",
          "\x0c", "\x85", "\u3000"]  # fmt: skip
ODD = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width, BOM
    "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # bidi marks/embeddings
    "\u2066", "\u2067", "\u2068", "\u2069", "\u061c",  # bidi isolates, Arabic letter mark
    "\u0301", "\u0308", "e\u0301", "a\u0308\u0301\u0323", "\u0489", "Z\u0336\u0335\u0334",  # marks
    "😀", "👩‍👩‍👧", "🇺🇦", "1️⃣", "🏳️‍🌈", "\U0001f9d1\U0001f3fd",  # emoji, ZWJ sequences
    "\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\x1c", "\x1f", "\ufffd", "\uffff",  # controls
]  # fmt: skip

_any_char = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot come from a file
piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(PUNCT),
    st.sampled_from(SPACES),
    st.sampled_from(ODD),
    st.text(_any_char, min_size=1, max_size=6),
)
sentence = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD)), min_size=1, max_size=8)
sentence = sentence.map(" ".join).flatmap(lambda s: st.sampled_from(PUNCT[:7]).map(s.__add__))


def _long_line(word: str, k: int) -> str:
    return " ".join([word] * k)  # no sentence punctuation at all, one very long line


documents = st.one_of(
    st.lists(piece, max_size=50).map("".join),  # the general soup
    st.lists(piece, max_size=50).map("".join),
    st.sampled_from(WORDS + ODD),  # a one-word document
    st.builds(_long_line, st.sampled_from(WORDS), st.integers(300, 1500)),
    st.builds(  # many identical sentences, any line-break style
        lambda s, k, sep: sep.join([s] * k),
        sentence,
        st.integers(2, 80),
        st.sampled_from([" ", "\n", "\r\n", "\r", "\n\n"]),
    ),
    st.lists(sentence, min_size=1, max_size=12).flatmap(
        lambda ss: st.sampled_from([" ", "\n", "\r\n", "\r"]).map(lambda sep: sep.join(ss))
    ),
)
langs = st.sampled_from(
    [
        (None, None),
        ("en", "en"),
        ("en", "uk"),
        ("ar", "he"),
        ("zh", "ja"),
        ("xx", "en-GB"),
        ("de", None),
    ]
)


def _settings(examples: int, fuzz: bool) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=not fuzz,
        database=None if not fuzz else settings.default.database,
        print_blob=fuzz,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------------------------
# invariants


def _no_constants(name: str) -> float:
    raise AssertionError(f"the report JSON holds {name}, which is not JSON")


def check_report(rep: mtaudit.Report, requested_mode: str | None = None) -> None:
    """Assert every invariant of a report (see the module docstring)."""
    d = rep.to_dict()
    errors = sorted(VALIDATOR.iter_errors(d), key=str)
    assert not errors, errors[0]
    json.loads(rep.to_json(), parse_constant=_no_constants)
    if requested_mode in ("translation", "comparable", "pairs"):
        assert rep.mode == requested_mode
    n = {}
    for name in ("source", "target"):
        side = rep.side(name)  # type: ignore[arg-type]
        n[name] = len(side.sentences)
        prev_end = 0
        for k, s in enumerate(side.sentences):
            assert s.index == k
            assert prev_end <= s.start <= s.end <= len(side.text), (name, k, s.start, s.end)
            assert side.text[s.start : s.end] == s.text
            prev_end = s.end
            if s.line is not None:
                assert s.line >= 1
    seen: dict[str, set[int]] = {"source": set(), "target": set()}
    for lk in rep.links:
        for name, idx in (("source", lk.source), ("target", lk.target)):
            assert all(0 <= i < n[name] for i in idx), (name, idx)
            if rep.mode in ("translation", "pairs"):
                assert not seen[name] & set(idx), f"{name} sentence in two links: {idx}"
            seen[name].update(idx)
            assert len(set(idx)) == len(idx)
    for f in rep.findings:
        side = rep.side(f.side)
        if f.sentence is not None:
            assert 0 <= f.sentence < n[f.side], f
        if f.span is not None:
            a, b = f.span
            if f.sentence is not None:
                sent = side.sentences[f.sentence]
                assert sent.start <= a <= b <= sent.end, (f, sent.start, sent.end)
            else:
                assert 0 <= a <= b <= len(side.text), f


def check_renderers(rep: mtaudit.Report) -> None:
    """Every format renders; the machine-readable ones parse; no workflow command sneaks in."""
    for fmt in FORMATS:
        out = render(rep, fmt)
        assert out.endswith("\n")
        if fmt in ("json", "sarif"):
            json.loads(out, parse_constant=_no_constants)
        elif fmt == "junit":
            ET.fromstring(out.encode("utf-8"))
        elif fmt == "github":
            assert all(line.startswith("::") for line in out.splitlines())
            assert out.count("\n") == len(out.splitlines())
        if fmt != "github":
            # A report printed to a GitHub Actions log must not start a workflow command.
            assert not [ln for ln in out.split("\n") if ln.lstrip().startswith("::")], fmt


def _audit(src: str, tgt: str, mode: str, presplit: bool, lang: tuple) -> None:
    try:
        rep = mtaudit.audit(
            src,
            tgt,
            src_lang=lang[0],
            tgt_lang=lang[1],
            mode=mode,
            presplit=presplit,
            encoder=ENCODER,
            fluency=False,
        )
    except InputError as exc:
        assert "\n" not in str(exc)
        assert "the document is empty" in str(exc), exc  # the only input error text can cause
        return
    check_report(rep, mode)
    return rep


# --------------------------------------------------------------------------------------------
# the properties (each built for a number of examples)


def documents_property(examples: int, fuzz: bool = False):  # type: ignore[no-untyped-def]
    @_settings(examples, fuzz)
    @given(
        src=documents,
        tgt=documents,
        mode=st.sampled_from(["auto", "translation", "comparable"]),
        presplit=st.booleans(),
        lang=langs,
        relation=st.sampled_from(["independent", "identical", "swapped", "independent"]),
    )
    def prop(src: str, tgt: str, mode: str, presplit: bool, lang: tuple, relation: str) -> None:
        CASES["documents"] += 1
        if relation == "identical":
            tgt = src
        elif relation == "swapped":
            src, tgt = tgt, src
            lang = lang[::-1]
        _audit(src, tgt, mode, presplit, lang)

    return prop


def rendering_property(examples: int, fuzz: bool = False):  # type: ignore[no-untyped-def]
    @_settings(examples, fuzz)
    @given(
        src=st.lists(sentence, min_size=1, max_size=6).map("\n".join),
        tgt=st.lists(piece, min_size=1, max_size=40).map("".join),
        mode=st.sampled_from(["translation", "comparable"]),
    )
    def prop(src: str, tgt: str, mode: str) -> None:
        CASES["rendering"] += 1
        rep = _audit(src, tgt, mode, False, ("en", "en"))
        if rep is not None:
            check_renderers(rep)

    return prop


pair_text = st.one_of(st.lists(piece, max_size=12).map("".join), sentence, st.just(""))


def pairs_property(examples: int, fuzz: bool = False):  # type: ignore[no-untyped-def]
    @_settings(examples, fuzz)
    @given(
        pairs=st.one_of(
            st.lists(st.tuples(pair_text, pair_text), min_size=1, max_size=25),
            st.builds(lambda p, k: [p] * k, st.tuples(sentence, sentence), st.integers(1, 300)),
        ),
        lang=langs,
        swap=st.booleans(),
    )
    def prop(pairs: list[tuple[str, str]], lang: tuple, swap: bool) -> None:
        CASES["pairs"] += 1
        if swap:
            pairs = [(t, s) for s, t in pairs]
        rep = mtaudit.audit_pairs(
            pairs, src_lang=lang[0], tgt_lang=lang[1], encoder=ENCODER, fluency=False
        )
        check_report(rep, "pairs")
        assert [(lk.source, lk.target) for lk in rep.links] == [
            ([k], [k]) for k in range(len(pairs))
        ]

    return prop


def load_property(examples: int, fuzz: bool = False):  # type: ignore[no-untyped-def]
    """Arbitrary bytes through the loaders: a Document/pairs list or an InputError, nothing else."""
    raw = st.one_of(
        st.binary(max_size=300),
        documents.map(lambda t: t.encode("utf-8")),
        st.lists(st.tuples(pair_text, pair_text), max_size=8).map(
            lambda ps: "\n".join(f"{s}\t{t}" for s, t in ps).encode("utf-8")
        ),
        st.lists(st.tuples(pair_text, pair_text), max_size=8).map(
            lambda ps: "\n".join(json.dumps({"source": s, "target": t}) for s, t in ps).encode()
        ),
    )

    @_settings(examples, fuzz)
    @given(
        data=raw,
        suffix=st.sampled_from([".txt", ".tsv", ".jsonl"]),
        enc=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    )
    def prop(data: bytes, suffix: str, enc: str) -> None:
        CASES["load"] += 1
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / f"in{suffix}"
            p.write_bytes(data)
            try:
                doc = read_document(p, encoding=enc)
            except InputError as exc:
                assert "\n" not in str(exc)
            else:
                assert doc.text.strip()
            try:
                pairs = read_pairs(p, encoding=enc)
            except InputError as exc:
                assert "\n" not in str(exc)
            else:
                assert pairs and all(isinstance(x.source, str) for x in pairs)
        with contextlib.suppress(InputError):
            parse_pairs(data.decode("utf-8", "replace").splitlines())
        if L10N:  # the same bytes as a PO / XLIFF file: one-line InputError or units, no crash
            from mtaudit.l10n import read_l10n

            with tempfile.TemporaryDirectory() as tmp:
                for name, fmt in (("in.po", "po"), ("in.xlf", "xliff")):
                    q = Path(tmp) / name
                    q.write_bytes(data)
                    try:
                        got = read_l10n(fmt, str(q), max_bytes=10**6)
                    except InputError as exc:
                        assert "\n" not in str(exc) and name in str(exc)
                    else:
                        assert all(isinstance(x.target, str) for x in got.pairs)

    return prop


L10N = importlib.util.find_spec("translate") is not None


def cli_property(examples: int, fuzz: bool = False):  # type: ignore[no-untyped-def]
    """The command line on arbitrary files: exit 0 or 2, never a traceback."""

    @_settings(examples, fuzz)
    @given(
        src=st.one_of(st.binary(max_size=200), documents.map(str.encode)),
        tgt=st.one_of(st.binary(max_size=200), documents.map(str.encode)),
        fmt=st.sampled_from(tuple(FORMATS)),
        extra=st.sampled_from(
            [[], ["--presplit"], ["--mode", "translation"], ["--mode", "comparable"]]
        ),
    )
    def prop(src: bytes, tgt: bytes, fmt: str, extra: list[str]) -> None:
        CASES["cli"] += 1
        with tempfile.TemporaryDirectory() as tmp:
            s, t = Path(tmp) / "s.txt", Path(tmp) / "t.txt"
            s.write_bytes(src)
            t.write_bytes(tgt)
            out, err = io.StringIO(), io.StringIO()
            argv = ["audit", str(s), str(t), "--encoder", "hashing", "--no-fluency"]
            argv += ["--src-lang", "en", "--tgt-lang", "de", "--format", fmt, *extra]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_main(argv)
            assert code in (0, 2), err.getvalue()
            if code == 2:
                assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()
                assert out.getvalue() == ""

    return prop


_NAME_CHARS = st.characters(min_codepoint=1, max_codepoint=0x10FFFF, blacklist_characters="/\x00")
_REPEAT_WORDS = st.sampled_from(
    ["word", "Wort", "The", "NASA", "12", "1,5", "3 May 2020", "a@b.c", "Путін", "是"]
)


def hostile_property(examples: int, fuzz: bool = False):  # type: ignore[no-untyped-def]
    """The classes of issue 18: long repetitive segments finish within a CPU-time bound, a file
    name with control characters never reaches stderr raw, and nested JSON is a bad line."""

    @_settings(examples, fuzz)
    @given(
        words=st.lists(_REPEAT_WORDS, min_size=1, max_size=3),
        k=st.integers(200, 1500),
        name=st.text(_NAME_CHARS, min_size=1, max_size=30),
        depth=st.integers(1, 3000),
    )
    def prop(words: list[str], k: int, name: str, depth: int) -> None:
        CASES["hostile"] += 1
        src = " ".join(words * k)
        tgt = " ".join(list(reversed(words)) * k)
        t0 = time.process_time()
        copy_similarity(src, tgt)
        copied_runs(src, tgt, 3)
        compare_numbers(extract_numbers(src, "en"), extract_numbers(tgt, "de"))
        assert time.process_time() - t0 < 10, (words, k)
        line = '{"source": "a", "target": "b", "x": ' + "[" * depth + "]" * depth + "}"
        try:
            parse_pairs([line], fmt="jsonl")
        except InputError as exc:
            assert "nested too deeply" in str(exc)
        with tempfile.TemporaryDirectory() as tmp:
            missing = str(Path(tmp) / name.replace("\x00", ""))
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                try:
                    code = cli_main(["audit", missing, missing, "--encoder", "hashing"])
                except UnicodeEncodeError:  # pragma: no cover - a surrogate in argv
                    code = 2
            text = err.getvalue()
            assert code == 2 and text.count("\n") == 1, text
            assert not any(ch in text[:-1] for ch in "\r\x1b\u2028\u2029\x85"), text

    return prop


PROPERTIES = {
    "hostile": hostile_property,
    "documents": documents_property,
    "rendering": rendering_property,
    "pairs": pairs_property,
    "load": load_property,
    "cli": cli_property,
}

# --------------------------------------------------------------------------------------------
# the default suite: small, derandomised


@pytest.mark.parametrize("name", list(PROPERTIES))
def test_property(name: str) -> None:
    PROPERTIES[name](FAST_EXAMPLES)()


def test_thousands_of_identical_sentences() -> None:
    doc = "The same sentence again. " * 2000
    check_report(mtaudit.audit(doc, doc, mode="comparable", encoder=ENCODER, fluency=False))
    small = "The same sentence again.\n" * 150  # translation mode is slower; fewer will do
    for mode in ("auto", "translation"):
        rep = mtaudit.audit(small, small, mode=mode, encoder=ENCODER, fluency=False)
        check_report(rep, None if mode == "auto" else mode)
    pairs = [("The same sentence.", "Der gleiche Satz.")] * 2000
    check_report(mtaudit.audit_pairs(pairs, encoder=ENCODER, fluency=False), "pairs")


def test_seeds_swapped(seed_paths) -> None:
    src, tgt = (p.read_text(encoding="utf-8") for p in seed_paths)
    for a, b in ((src, tgt), (tgt, src)):
        for mode in ("translation", "comparable"):
            rep = mtaudit.audit(a, b, mode=mode, encoder=ENCODER, fluency=False)
            check_report(rep, mode)
            check_renderers(rep)


# --------------------------------------------------------------------------------------------
# the long run: ``make fuzz`` (pytest -m fuzz)


@pytest.mark.fuzz
@pytest.mark.parametrize("name", list(PROPERTIES))
def test_fuzz(name: str) -> None:
    before = CASES[name]
    PROPERTIES[name](FUZZ_EXAMPLES, fuzz=True)()
    ran = CASES[name] - before
    print(f"\nfuzz {name}: {ran} cases, 0 unexpected exceptions")
    assert ran >= FUZZ_EXAMPLES
