"""The garble model: small logistic regressions stored as plain JSON, evaluated with numpy.

``mtaudit/data/garble_model.json`` is written by ``scripts/train_garble.py``. It holds one
*profile* per set of available signals (e.g. LM + lexical + link-grammar for English, lexical +
link-grammar when no LM covers the language). Each profile lists its feature names, the
standardisation (mean, scale), the coefficients and intercept, and the thresholds chosen on dev
data. A missing feature value is replaced by its training mean (it then contributes nothing).

It may also hold *probes* (``probes.lm``): the token break probe of :mod:`.breaks`, whose
per-sentence outputs (``brk_max``, ``brk_win2``) are features of the LM profile.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..langid import base_lang

__all__ = ["Profile", "GarbleModel", "load_garble_model", "sigmoid"]


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """The logistic function, numerically stable."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(
        z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z)))
    )


@dataclass
class Profile:
    """One logistic regression over named features."""

    name: str
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    langs: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    #: Thresholds for sentences whose LM features were computed in document context (each
    #: sentence after the ones before it): clean text scores higher there, so the cut-offs that
    #: keep the same false-alarm rates are lower. Empty: use :attr:`thresholds`.
    context_thresholds: dict[str, float] = field(default_factory=dict)
    #: Per-language thresholds (``{lang: {"fluency": …, "major": …, "critical": …}}``) for a
    #: profile that spans languages whose clean text scores differently (the multilingual LM's):
    #: each chosen on that language's clean dev sentences. Other languages use
    #: :attr:`thresholds`. Empty: :attr:`thresholds` for every language.
    lang_thresholds: dict[str, dict[str, float]] = field(default_factory=dict)

    def thresholds_for(self, lang: str | None) -> dict[str, float]:
        """The thresholds for sentences in ``lang`` read alone (see :attr:`lang_thresholds`)."""
        base = base_lang(lang) or ""
        return dict(self.lang_thresholds.get(base, self.thresholds))

    def matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Feature rows → a standardised matrix (missing/NaN values become 0 after scaling)."""
        x = np.array(
            [[float(r.get(f, np.nan)) for f in self.features] for r in rows], dtype=np.float64
        ).reshape(len(rows), len(self.features))
        z = (x - self.mean) / self.scale
        return np.where(np.isfinite(z), z, 0.0)

    def predict(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Probabilities that each row is garbled."""
        if len(rows) == 0:
            return np.zeros(0)
        return sigmoid(self.matrix(rows) @ self.coef + self.intercept)

    def contributions(self, row: Mapping[str, float]) -> dict[str, float]:
        """Each feature's additive share of the log-odds for one row (for evidence)."""
        z = self.matrix([row])[0]
        return {f: float(c) for f, c in zip(self.features, z * self.coef, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(float(self.intercept), 6),
            "langs": self.langs,
            "thresholds": {k: round(float(v), 4) for k, v in self.thresholds.items()},
            **(
                {
                    "context_thresholds": {
                        k: round(float(v), 4) for k, v in self.context_thresholds.items()
                    }
                }
                if self.context_thresholds
                else {}
            ),
            **(
                {
                    "lang_thresholds": {
                        lang: {k: round(float(v), 4) for k, v in thr.items()}
                        for lang, thr in sorted(self.lang_thresholds.items())
                    }
                }
                if self.lang_thresholds
                else {}
            ),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> Profile:
        return cls(
            name=name,
            features=list(d["features"]),
            mean=np.asarray(d["mean"], dtype=np.float64),
            scale=np.asarray(d["scale"], dtype=np.float64),
            coef=np.asarray(d["coef"], dtype=np.float64),
            intercept=float(d["intercept"]),
            langs=list(d.get("langs", [])),
            thresholds=dict(d.get("thresholds", {})),
            info=dict(d.get("info", {})),
            context_thresholds=dict(d.get("context_thresholds", {})),
            lang_thresholds={k: dict(v) for k, v in d.get("lang_thresholds", {}).items()},
        )


@dataclass
class GarbleModel:
    """All profiles of the garble model, with the metadata of the training run and the token
    probes (by signal group: ``"lm"``)."""

    profiles: dict[str, Profile]
    meta: dict[str, Any] = field(default_factory=dict)
    probes: dict[str, Any] = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        """The model file's identity for the signature: ``meta.id`` (else the training seed)."""
        return str(self.meta.get("id", self.meta.get("seed", "?")))

    def profile(self, groups: Sequence[str]) -> Profile | None:
        """The profile for exactly these signal groups (e.g. ``("lm", "lex", "lg")``), if any."""
        return self.profiles.get("+".join(sorted(groups)))

    def to_json(self) -> str:
        d: dict[str, Any] = {
            "meta": self.meta,
            "profiles": {k: p.to_dict() for k, p in self.profiles.items()},
        }
        if self.probes:
            d["probes"] = {k: p.to_dict() for k, p in self.probes.items()}
        return json.dumps(d, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> GarbleModel:
        from .breaks import BreakProbe

        d = json.loads(text)
        return cls(
            profiles={k: Profile.from_dict(k, v) for k, v in d["profiles"].items()},
            meta=d.get("meta", {}),
            probes={k: BreakProbe.from_dict(v) for k, v in d.get("probes", {}).items()},
        )


@functools.lru_cache(maxsize=4)
def load_garble_model(path: str | None = None) -> GarbleModel:
    """Load the bundled (or a given) garble model; cached per process."""
    if path is not None:
        return GarbleModel.from_json(Path(path).read_text(encoding="utf-8"))
    bundled = Path(__file__).resolve().parent.parent / "data" / "garble_model.json"
    return GarbleModel.from_json(bundled.read_text(encoding="utf-8"))
