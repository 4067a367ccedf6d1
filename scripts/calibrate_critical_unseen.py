"""Give each profile of the critical-error model a threshold for language pairs it was not
validated on, and write it into ``mtaudit/data/critical_model.json``.

    python scripts/calibrate_critical_unseen.py      # after scripts/train_critical.py

Why: a profile's own threshold is chosen on WMT21 train (en→de/cs/ja/zh, where 16–28 % of the
items are critical errors) and capped so that at most ~2 % of good translations of the pairs the
profile serves are flagged. On a pair it never saw that cap does not hold: on good human German→
French translations (Text+Berg) the USE profile's threshold flagged a third of all links.

What: every profile records ``validated_pairs`` — its training pairs and the pairs whose good
translations capped its threshold (both from the model's ``meta``) — and ``unseen_threshold``:
the probability that at most :data:`MAX_RATE` of the gold links of the Text+Berg **dev** document
(a pair none of the profiles saw, German→French, literary, human-translated) reach. The check
uses it, where it is stricter than the profile's own threshold, for every pair outside
``validated_pairs``. The seven Text+Berg test documents are left for
``benchmarks/bench_critical_unseen.py``. Each profile is run through the real check (audit in
pairs mode, one pair per gold link, ``threshold`` 0 so that every link reports its probability),
with the encoder it belongs to; the ``default`` profile (unknown encoders) with USE under another
name.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import benchdata  # noqa: E402
from mtaudit.align.translation import parse_vecalign  # noqa: E402
from mtaudit.encoders import E5Encoder, USEEncoder  # noqa: E402
from mtaudit.pipeline import audit_pairs  # noqa: E402

#: Share of good translations of an unseen pair the threshold may flag (the training script's cap).
MAX_RATE = 0.02
MODEL = ROOT / "mtaudit" / "data" / "critical_model.json"


class Renamed:
    """An encoder under another name (so that the check picks another profile)."""

    def __init__(self, inner: Any, name: str) -> None:
        self._inner = inner
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._inner, attr)


def encoder_for(profile: str) -> Any:
    """The encoder whose links a profile scores (USE renamed for ``default``)."""
    if profile == "multilingual-e5-small-q4":
        return E5Encoder()
    if profile == "use-multilingual-v3":
        return USEEncoder()
    return Renamed(USEEncoder(), "calibration-default-profile")


def textberg_pairs(folder: Path, name: str) -> list[tuple[str, str]]:
    """One (German, French) pair per non-null gold link of a Text+Berg document."""
    de = (folder / f"{name}.de").read_text(encoding="utf-8").splitlines()
    fr = (folder / f"{name}.fr").read_text(encoding="utf-8").splitlines()
    gold = parse_vecalign((folder / f"{name}.defr").read_text(encoding="utf-8"))
    return [(" ".join(de[i] for i in s), " ".join(fr[j] for j in t)) for s, t in gold if s and t]


def link_probabilities(
    pairs: list[tuple[str, str]], encoder: Any, src: str = "de", tgt: str = "fr"
) -> np.ndarray:
    """The ``mistranslation`` probability of every pair, as the check computes it."""
    rep = audit_pairs(
        pairs,
        src_lang=src,
        tgt_lang=tgt,
        encoder=encoder,
        profile="fast",
        checks={"mistranslation": {"threshold": 0.0}},
    )
    probs = np.zeros(len(pairs))
    for f in rep.findings:
        if f.code.split(".")[0] == "mistranslation":
            probs[int(f.evidence["source"][0])] = float(f.evidence["probability"])
    return probs


def validated_pairs(meta: dict[str, Any]) -> list[str]:
    """Training pairs (``"ende"`` → ``"en-de"``) and false-alarm-cap pairs of a profile."""
    out = {f"{p[:2]}-{p[2:]}" for p in meta.get("pairs", [])}
    out |= set(meta.get("false_alarm_cap", {}).get("pairs", []))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--benchdata", default=None)
    ap.add_argument("--model", default=str(MODEL))
    args = ap.parse_args(argv)
    bd = Path(args.benchdata) if args.benchdata else benchdata()
    folder = bd / "alignment" / "textberg_defr"
    path = Path(args.model)
    model = json.loads(path.read_text(encoding="utf-8"))
    pairs = textberg_pairs(folder, "dev")
    report: dict[str, Any] = {}
    for name, prof in model["profiles"].items():
        meta = model["meta"]["profiles"].get(name, {})
        probs = link_probabilities(pairs, encoder_for(name))
        thr = float(np.quantile(probs, 1.0 - MAX_RATE))
        prof["validated_pairs"] = validated_pairs(meta)
        prof["unseen_threshold"] = round(thr, 4)
        report[name] = {
            "validated_pairs": prof["validated_pairs"],
            "unseen_threshold": prof["unseen_threshold"],
            "threshold": prof["threshold"],
            "dev_links": len(pairs),
            "dev_flagged_at_threshold": round(float((probs >= prof["threshold"]).mean()), 4),
            "dev_flagged_at_unseen_threshold": round(float((probs >= thr).mean()), 4),
        }
        print(name, json.dumps(report[name]), file=sys.stderr)
    model["meta"]["unseen_threshold"] = (
        f"scripts/calibrate_critical_unseen.py: the {1 - MAX_RATE:.0%} quantile of the "
        "probabilities of the Text+Berg de-fr dev document's gold links (good human translations "
        "of a pair no profile was trained or capped on), per profile; used for every pair outside "
        "the profile's validated_pairs where it is stricter than its threshold"
    )
    model["meta"]["unseen_calibration"] = report
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
