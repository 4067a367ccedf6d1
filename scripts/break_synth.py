"""More fused/cut clauses for training the token break probe (issue 20, probe v2).

:func:`mtaudit.fluency.synth.corrupt` fuses two sentences at random word positions. Missed fused
clauses are mostly ones that read as a plausible relative or object clause: a clause of another
sentence spliced in right after a noun or a relative pronoun ("... the officials who *the storm
flooded the roads* said ..."). :func:`extra_breaks` adds such corruptions (training data only;
never used for dev or test, which keep the library's generator):

* ``splice_rel``: the sentence up to a relative pronoun / conjunction (who, which, that, when,
  because, ...) or a noun-like word after a determiner, then a clause from another sentence;
* ``join_halves``: the first half of one sentence and the second half of another, no
  punctuation between;
* ``cut_mid``: the sentence cut mid-clause and the next sentence of the document glued on;
* ``drop_verb``: a lowercase word after a noun-like subject dropped (the clause loses its verb).

Each returns a :class:`~mtaudit.fluency.synth.Corruption` whose region starts at the last kept
word before the junction, as the library's ``fuse`` does, so the training script's token labels
(:func:`train_garble.token_labels`) treat the first three words after it as the break.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from mtaudit.fluency.synth import Corruption, _join
from mtaudit.fluency.synth import _strip_end as _strip

SPLICE_AFTER = frozenset(
    [
        "who",
        "which",
        "that",
        "when",
        "where",
        "because",
        "while",
        "whom",
        "whose",
        "and",
        "but",
        "as",
        "after",
        "before",
        "if",
        "since",
    ]
)
DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "its",
        "this",
        "that",
        "these",
        "those",
        "our",
        "my",
        "your",
    ]
)
EXTRA_KINDS = ("splice_rel", "join_halves", "cut_mid", "drop_verb")


def _lower_first(t: str) -> str:
    return t[:1].lower() + t[1:] if t[:1].isupper() and not t[1:2].isupper() else t


def splice_points(a: Sequence[str]) -> list[int]:
    """Word indices ``i`` (cut after word ``i - 1``) where a clause could plausibly follow."""
    out = []
    for i in range(2, len(a) - 2):
        w = a[i - 1].lower().strip(",;:")
        if w in SPLICE_AFTER or i >= 3 and a[i - 2].lower() in DETERMINERS and a[i - 1].isalpha():
            out.append(i)
    return out


def extra_break(sentence: str, partner: str, rng: random.Random, kind: str) -> Corruption | None:
    a, b = sentence.split(), partner.split()
    n = len(a)
    if n < 6 or len(b) < 6:
        return None
    if kind == "splice_rel":
        pts = splice_points(a)
        if not pts:
            return None
        i = rng.choice(pts)
        j = rng.randint(0, max(0, len(b) // 2 - 1))
        frag = b[j:]
        frag[0] = _lower_first(frag[0])
        toks = [_strip(t) for t in a[:i]] + frag
    elif kind == "join_halves":
        i = rng.randint(max(3, n // 3), max(3, n - 3))
        j = rng.randint(max(2, len(b) // 3), max(2, len(b) - 3))
        toks = [_strip(t).rstrip(",;:") for t in a[:i]] + b[j:]
    elif kind == "cut_mid":
        i = rng.randint(3, n - 3)
        toks = [_strip(t).rstrip(",;:") for t in a[:i]] + b
    elif kind == "drop_verb":
        cands = [
            k
            for k in range(3, n - 2)
            if a[k].isalpha()
            and a[k].islower()
            and a[k - 1].isalpha()
            and a[k].lower() not in DETERMINERS
        ]
        if not cands:
            return None
        k = rng.choice(cands)
        toks = a[:k] + a[k + 1 :]
        text, spans = _join(toks)
        return Corruption(text, "fuse", (spans[k - 1][0], spans[min(k + 1, len(toks) - 1)][1]))
    else:
        raise ValueError(kind)
    text, spans = _join(toks)
    return Corruption(text, "fuse", (spans[i - 1][0], spans[-1][1]))


def extra_breaks(
    sentence: str, partners: Sequence[str], rng: random.Random, n: int = 2
) -> list[tuple[str, Corruption]]:
    """Up to ``n`` extra break corruptions of ``sentence`` (``(subkind, corruption)``)."""
    out = []
    kinds = list(EXTRA_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        if len(out) >= n:
            break
        for _ in range(3):
            c = extra_break(sentence, rng.choice(partners), rng, kind)
            if c is not None and c.text != sentence:
                out.append((kind, c))
                break
    return out
