"""``mtaudit doctor``: what is installed, what a missing piece would add, and how to get it."""

from __future__ import annotations

import importlib.util

from mtaudit import doctor


def test_every_component_is_listed_with_what_it_adds():
    entries = doctor.diagnose()
    assert [e["name"] for e in entries] == [c.name for c in doctor.COMPONENTS]
    for e in entries:
        assert e["adds"] and e["install"]
    core = {e["name"]: e["installed"] for e in entries if e["core"]}
    assert all(core.values()), core  # the core install is complete in the test environment


def test_a_missing_module_is_reported_with_its_install_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        doctor.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentencepiece" else real(name, *a),
    )
    entry = next(e for e in doctor.diagnose() if e["name"] == "USE tokenizer")
    assert entry["installed"] is False
    text = doctor.format_report([entry])
    assert text.startswith("MISSING USE tokenizer")
    assert "install: pip install sentencepiece==0.2.0" in text


def test_a_broken_probe_marks_the_component_missing_with_its_message(monkeypatch):
    from mtaudit.errors import ModelUnavailableError

    def broken() -> None:
        raise ModelUnavailableError("the native build crashed with signal 4; rebuild it")

    monkeypatch.setattr(doctor, "_probe_lm", broken)
    entries = doctor.diagnose()
    runtime = next(e for e in entries if e["name"] == "language model runtime")
    if importlib.util.find_spec("llama_cpp") is None:
        assert runtime["installed"] is False  # not installed at all: the pip line
        return
    assert runtime["installed"] is False
    assert "signal 4" in str(runtime["install"])


def test_doctor_command_prints_json_with_one_entry_per_component(capsys):
    import json

    from mtaudit.cli import main

    assert main(["doctor", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert {e["name"] for e in entries} == {c.name for c in doctor.COMPONENTS}
