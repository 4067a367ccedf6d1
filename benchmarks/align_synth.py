"""Synthetic document pairs with known sentence alignment, a second selection set for the
translation-mode aligner (besides the Text+Berg ``dev`` document).

Built at run time from real parallel text in the benchmark folder (nothing is stored in this
repository):

* ``ted``: the WMT21 TED MQM talks, English source segments with the human reference (``ref``)
  and three system translations into German (``mqm/ted_ende/mqm_ted_ende.tsv``, Apache-2.0);
  each talk is one document.
* ``mlqe``: MLQE-PE dev original/translation pairs (Wikipedia sentences, en–de and en–zh,
  ``da/mlqe_pe/``, CC0), cut into pseudo-documents of 250 consecutive pairs.

Each segment is split into sentences (:func:`mtaudit.segment.split_sentences`); a segment whose
two sides split into the same number of sentences gives that many 1-1 links, any other segment
one many-to-many link. Then, with a fixed seed, neighbouring sentences of one side are joined
(1-1 + 1-1 -> 2-1 or 1-2), a sentence is split at a comma, some translations are deleted
(1-0), and short fragments and unrelated sentences are inserted on either side (0-1, 1-0), the
way captions, page furniture and added remarks appear in real document pairs.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass

from .common import benchdata

Gold = list[tuple[list[int], list[int]]]


@dataclass
class SynthDoc:
    name: str
    src: list[str]
    tgt: list[str]
    gold: Gold
    src_lang: str
    tgt_lang: str


def _split(text: str, lang: str) -> list[str]:
    from mtaudit.segment import split_sentences

    return [text[a:b] for a, b in split_sentences(text, lang)] or [text]


def _ted_segments(system: str) -> dict[str, list[tuple[str, str]]]:
    path = benchdata() / "mqm" / "ted_ende" / "mqm_ted_ende.tsv"
    segs: dict[str, dict[int, tuple[str, str]]] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["system"] != system:
                continue
            tgt = re.sub(r"</?v>", "", row["target"])
            segs.setdefault(row["doc"], {})[int(row["seg_id"])] = (row["source"], tgt)
    return {d: [v[k] for k in sorted(v)] for d, v in segs.items()}


def _mlqe_pairs(pair: str) -> list[tuple[str, str]]:
    path = benchdata() / "da" / "mlqe_pe" / pair / f"dev.{pair.replace('-', '')}.df.short.tsv"
    with path.open(encoding="utf-8") as f:
        return [(r["original"], r["translation"]) for r in csv.DictReader(f, delimiter="\t")]


def _links(segments: list[tuple[str, str]], sl: str, tl: str) -> list[tuple[list[str], list[str]]]:
    out: list[tuple[list[str], list[str]]] = []
    for s, t in segments:
        xs, ys = _split(s, sl), _split(t, tl)
        if len(xs) == len(ys):
            out += [([a], [b]) for a, b in zip(xs, ys, strict=True)]
        else:
            out.append((xs, ys))
    return out


#: Page furniture and OCR debris; the two sides use different forms so that a fragment of one
#: side does not match a fragment of the other by its shape.
_FRAGMENTS = {
    "src": ["{n}", "- {n} -", "{w}", "* * *", "{w} ."],
    "tgt": ["({n})", "{n} .", "{w} :", "...", "| {w}"],
}


def _fragment(rng: random.Random, pool: list[str], side: str) -> str:
    words = [w for w in rng.choice(pool).split() if w.isalpha() and len(w) > 3] or ["..."]
    return rng.choice(_FRAGMENTS[side]).format(n=rng.randint(1, 3000), w=rng.choice(words))


def _perturb(
    links: list[tuple[list[str], list[str]]],
    rng: random.Random,
    other_src: list[str],
    other_tgt: list[str],
    rate: float,
    fragments: bool = True,
) -> tuple[list[str], list[str], Gold]:
    out: list[tuple[list[str], list[str]]] = []
    k = 0
    while k < len(links):
        xs, ys = list(links[k][0]), list(links[k][1])
        r = rng.random()
        if r < rate and k + 1 < len(links) and len(xs) == len(ys) == 1 == len(links[k + 1][0]):
            # the translator joined two sentences (or the source has them as one)
            nx, ny = links[k + 1]
            if len(ny) == 1:
                if rng.random() < 0.5:
                    out.append((xs + nx, [ys[0] + " " + ny[0]]))
                else:
                    out.append(([xs[0] + " " + nx[0]], ys + ny))
                k += 2
                continue
        elif r < 1.6 * rate and len(xs) == len(ys) == 1:
            # split one side at a comma
            side = ys if rng.random() < 0.5 else xs
            parts = side[0].split(", ", 1)
            if len(parts) == 2 and min(len(p) for p in parts) > 15:
                side[:] = [parts[0] + ",", parts[1]]
        elif r < 1.9 * rate:
            xs_del = xs  # translation missing
            out += [([x], []) for x in xs_del]
            k += 1
            continue
        out.append((xs, ys))
        r = rng.random()
        if not fragments and r < 2 * rate:
            r = r / 2 if r < rate else r / 2 + rate / 2  # whole sentences only
        if r < 0.5 * rate:
            out.append(([], [rng.choice(other_tgt)]))
        elif r < rate:
            out.append(([], [_fragment(rng, other_tgt, "tgt")]))
        elif r < 1.5 * rate:
            out.append(([rng.choice(other_src)], []))
        elif r < 2 * rate:
            out.append(([_fragment(rng, other_src, "src")], []))
        k += 1
    src: list[str] = []
    tgt: list[str] = []
    gold: Gold = []
    for xs, ys in out:
        gold.append(
            (list(range(len(src), len(src) + len(xs))), list(range(len(tgt), len(tgt) + len(ys))))
        )
        src += xs
        tgt += ys
    return src, tgt, gold


def build(rate: float = 0.08, seed: int = 13, fragments: bool = True) -> list[SynthDoc]:
    """The synthetic documents (deterministic for a given ``rate`` and ``seed``); without
    ``fragments`` every inserted sentence is a whole sentence from elsewhere."""
    rng = random.Random(seed)
    docs: list[SynthDoc] = []
    mlqe = {p: _mlqe_pairs(p) for p in ("en-de", "en-zh")}
    for system in ("ref", "Online-W", "UEdin", "metricsystem2"):
        talks = _ted_segments(system)
        for talk in sorted(talks):
            if len(talks[talk]) < 50:
                continue
            links = _links(talks[talk], "en", "de")
            other = [p for t, segs in talks.items() if t != talk for p in segs]
            src, tgt, gold = _perturb(
                links, rng, [s for s, _ in other], [t for _, t in other], rate, fragments
            )
            docs.append(SynthDoc(f"ted:{system}:{talk}", src, tgt, gold, "en", "de"))
    for pair, pairs in mlqe.items():
        sl, tl = pair.split("-")
        for k in range(0, len(pairs), 250):
            chunk = pairs[k : k + 250]
            rest = pairs[:k] + pairs[k + 250 :]
            links = _links(chunk, sl, tl)
            src, tgt, gold = _perturb(
                links, rng, [s for s, _ in rest], [t for _, t in rest], rate, fragments
            )
            docs.append(SynthDoc(f"mlqe:{pair}:{k // 250}", src, tgt, gold, sl, tl))
    return docs
