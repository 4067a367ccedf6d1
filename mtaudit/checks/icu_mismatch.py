"""``icu_mismatch``: ICU MessageFormat ``plural``/``select``/``selectordinal`` arguments whose name
or type changed in the target, a select whose cases differ, a plural without ``other`` or without
the source's exact ``=N`` cases (no pofilter test: pofilter reads these as brace variables)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..l10n.placeholders import Token, icu_arguments, icu_cases
from .integrity import IntegrityCheck

__all__ = ["IcuMismatchCheck"]


class IcuMismatchCheck(IntegrityCheck):
    """ICU plural/select arguments changed in the target."""

    code = "icu_mismatch"
    default_severity = "critical"
    description = (
        "ICU MessageFormat plural/select arguments renamed, dropped or added in the target; a "
        "select with other cases than the source; a plural without 'other' or without the "
        "source's =N cases (plural categories themselves differ by language)"
    )
    kinds = ("cases",)
    what = "ICU argument"

    def tokens(self, text: str) -> list[Token]:
        return icu_arguments(text)

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        found = list(super().compare(src, tgt, s_tok, t_tok))
        yield from found
        if found:
            return
        by_key = {t.key: t for t in t_tok}
        for s in s_tok:
            t = by_key.get(s.key)
            if t is None:
                continue
            sk, tk = icu_cases(s), icu_cases(t)
            kind = s.key.split(",")[1]
            if kind == "select":
                bad = set(sk) != set(tk)
                why = f"select cases {sorted(sk)} → {sorted(tk)}"
            else:
                need = {k for k in sk if k.startswith("=")} | {"other"}
                lost = sorted(need - set(tk))
                bad = bool(lost)
                why = f"plural cases missing in the target: {', '.join(lost)}"
            if bad:
                yield (
                    f"{self.code}.cases",
                    f"ICU {kind} argument '{s.key.split(',')[0]}': {why}",
                    [],
                    [t],
                    {"source_cases": list(sk), "target_cases": list(tk)},
                )
