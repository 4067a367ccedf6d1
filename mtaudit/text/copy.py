"""Copied text: how much of a target is the source left untranslated.

Similarities are difflib's (character ratio, token matching blocks) where difflib is fast: on
ordinary sentences. On long or highly repetitive text its matching grows quadratically or worse
(two 1,000-character lines of ``"word word …"`` take seconds), so beyond :data:`EXACT_MAX_CHARS`
or below :data:`MIN_COMPRESSED_SHARE` a linear measure stands in: the character-trigram Dice
coefficient for the similarity, k-gram matching for copied runs (``docs/reliability.md``).
"""

from __future__ import annotations

import difflib
import zlib
from collections import Counter
from functools import lru_cache

from .tokens import NUMLIKE, drop_urlish, letters, tokens

__all__ = [
    "EXACT_MAX_CHARS",
    "MIN_COMPRESSED_SHARE",
    "copied_runs",
    "copy_similarity",
    "language_text",
    "lcs_length",
    "trigram_dice",
]

#: Longest source + target (characters after stripping, or tokens for copied runs) that difflib
#: compares exactly.
EXACT_MAX_CHARS = 2000
EXACT_MAX_TOKENS = 600
#: Least compressed size (zlib, as a share of the raw size) of the two texts for difflib to
#: compare them: natural text keeps ~0.3–0.6 (a copy ~0.33), loops of a few words ~0.02–0.2.
MIN_COMPRESSED_SHARE = 0.25


def _difflib_is_cheap(a: str, b: str) -> bool:
    if len(a) + len(b) > EXACT_MAX_CHARS:
        return False
    raw = f"{a}\0{b}".encode("utf-8", "surrogatepass")
    return len(raw) < 64 or len(zlib.compress(raw, 6)) >= MIN_COMPRESSED_SHARE * len(raw)


def trigram_dice(a: str, b: str) -> float:
    """Dice coefficient of the character-trigram multisets of ``a`` and ``b`` (linear time; of
    the characters for texts shorter than three)."""
    n = 3 if min(len(a), len(b)) >= 3 else 1
    ca = Counter(a[i : i + n] for i in range(len(a) - n + 1))
    cb = Counter(b[i : i + n] for i in range(len(b) - n + 1))
    total = sum(ca.values()) + sum(cb.values())
    return 2.0 * sum((ca & cb).values()) / total if total else 0.0


def _strip_names_numbers(src: str, tgt: str) -> tuple[str, str]:
    """Lowercased word strings of both sides without numbers, URLs and names they share."""
    s_toks = [w for _, _, w in tokens(drop_urlish(src))]
    t_toks = [w for _, _, w in tokens(drop_urlish(tgt))]
    shared_caps = {w for w in s_toks if w[:1].isupper()} & {w for w in t_toks if w[:1].isupper()}

    def keep(ws: list[str]) -> str:
        return " ".join(w.lower() for w in ws if not NUMLIKE.search(w) and w not in shared_caps)

    return keep(s_toks), keep(t_toks)


def copy_similarity(src: str, tgt: str, threshold: float = 0.0) -> tuple[float, int]:
    """Character similarity (difflib ratio) of source and target after dropping shared names
    and numbers, and the number of letters that were compared (of the shorter side).

    When a cheap upper bound already shows the similarity is below ``threshold``, that bound is
    returned instead of the exact ratio. Long or highly repetitive texts get
    :func:`trigram_dice` instead (see the module's docs).
    """
    # ``untranslated`` and ``mistranslation`` compare the same texts: memoised when short
    cached = len(src) + len(tgt) <= _COPY_CACHE_MAX_CHARS
    a, b, n = _cached_copy_parts(src, tgt) if cached else _copy_parts(src, tgt)
    if not a or not b:
        return 0.0, n
    total = len(a) + len(b)
    if threshold > 0:
        # difflib's ratio is 2·M/T with M the characters in its matching blocks, which form a
        # common subsequence: min(len) and the LCS length bound M from above (the LCS bound is
        # tighter than difflib's quick_ratio, which counts common characters in any order)
        bound = 2.0 * min(len(a), len(b)) / total
        if bound < threshold:
            return bound, n
    if not _difflib_is_cheap(a, b):
        return trigram_dice(a, b), n
    if threshold > 0:
        bound = 2.0 * (_cached_lcs_length(a, b) if cached else lcs_length(a, b)) / total
        if bound < threshold:
            return bound, n
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), n


#: Source + target length up to which :func:`copy_similarity`'s preparation is memoised (in a
#: bounded cache: at most 4,096 pairs of stripped texts of this size).
_COPY_CACHE_MAX_CHARS = 2000


def _copy_parts(src: str, tgt: str) -> tuple[str, str, int]:
    """The stripped texts and the number of letters compared."""
    a, b = _strip_names_numbers(src, tgt)
    return a, b, min(letters(a), letters(b))


@lru_cache(maxsize=4096)
def _cached_copy_parts(src: str, tgt: str) -> tuple[str, str, int]:
    return _copy_parts(src, tgt)


@lru_cache(maxsize=4096)
def _cached_lcs_length(a: str, b: str) -> int:
    return lcs_length(a, b)


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (bit-parallel, Hyyrö 2004:
    one bit per character of the longer string, a few integer operations per character of the
    shorter one)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    match: dict[str, int] = {}
    bit = 1
    for ch in a:
        match[ch] = match.get(ch, 0) | bit
        bit <<= 1
    mask = bit - 1
    v = mask
    for ch in b:
        u = v & match.get(ch, 0)
        v = ((v + u) | (v - u)) & mask
    return len(a) - v.bit_count()


def copied_runs(src: str, tgt: str, min_tokens: int) -> list[tuple[int, int, int]]:
    """Runs of ≥ ``min_tokens`` consecutive target word tokens copied from the source in order.

    Returns ``(start, end, n_tokens)`` in target offsets. Only lowercase-initial alphabetic tokens
    count towards the length (names, acronyms and numbers are legitimately copied).
    """
    s = [w.lower() for _, _, w in tokens(src)]
    t_toks = tokens(tgt)
    t = [w.lower() for _, _, w in t_toks]
    shared = {w for _, _, w in t_toks if w[:1].islower() and w.isalpha()} & set(s)
    if not shared:
        return []
    out = []
    for b, size in _matching_runs(s, t, min_tokens):
        run = t_toks[b : b + size]
        content = [w for _, _, w in run if w[:1].islower() and w.isalpha() and len(w) >= 2]
        if len(content) >= min_tokens:
            out.append((run[0][0], run[-1][1], len(content)))
    return out


def _matching_runs(s: list[str], t: list[str], k: int) -> list[tuple[int, int]]:
    """``(start in t, length)`` of the runs of ``t`` that match ``s`` in order: difflib's
    matching blocks of at least ``k`` tokens; for long or repetitive token lists, the maximal
    runs of ``t`` whose every ``k``-gram occurs in ``s`` (linear time)."""
    n = len(s) + len(t)
    varied = n <= 64 or len(set(s)) + len(set(t)) >= 0.2 * n
    if n <= EXACT_MAX_TOKENS and varied:
        blocks = difflib.SequenceMatcher(None, s, t, autojunk=False).get_matching_blocks()
        return [(blk.b, blk.size) for blk in blocks if blk.size >= k]
    k = max(1, k)
    grams = {tuple(s[i : i + k]) for i in range(len(s) - k + 1)}
    runs: list[tuple[int, int]] = []
    start = end = -1
    for j in range(len(t) - k + 1):
        if tuple(t[j : j + k]) not in grams:
            continue
        if j < end + (k == 1):  # overlaps the current run (or continues it, for 1-grams)
            end = j + k
        else:
            if start >= 0:
                runs.append((start, end - start))
            start, end = j, j + k
    if start >= 0:
        runs.append((start, end - start))
    return runs


def language_text(src: str, tgt: str) -> str:
    """The target without numbers, URLs and capitalised tokens that also occur in the source."""
    s_caps = {w for _, _, w in tokens(src) if w[:1].isupper()}
    kept = [w for _, _, w in tokens(drop_urlish(tgt)) if not NUMLIKE.search(w) and w not in s_caps]
    return " ".join(kept)
