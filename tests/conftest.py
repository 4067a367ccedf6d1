"""Shared fixtures: the seed documents, the report schema, a model-free encoder."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from mtaudit.encoders import HashingEncoder

ROOT = Path(__file__).resolve().parent.parent
SEED_SOURCE = ROOT / "seeds" / "cnn_musk_putin_mangled.en.txt"
SEED_TARGET = ROOT / "seeds" / "ukrinform_retelling.en.txt"


@pytest.fixture(scope="session")
def seed_paths() -> tuple[Path, Path]:
    return SEED_SOURCE, SEED_TARGET


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture()
def hashing_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(scope="session")
def seed_report_with_lm(seed_paths):
    """The seed pair audited with the real fluency LM; skips when it is not installed."""
    import mtaudit
    from mtaudit.errors import ModelUnavailableError
    from mtaudit.fluency import FluencyScorer
    from mtaudit.load import read_document

    try:
        scorer = FluencyScorer.default()
        scorer.token_scorer.token_logprobs(["A test."])  # type: ignore[union-attr]
    except ModelUnavailableError as exc:
        pytest.skip(f"fluency LM not installed: {exc}")
    src, tgt = seed_paths
    return mtaudit.audit(read_document(src), read_document(tgt), fluency=scorer)


@pytest.fixture()
def no_network(monkeypatch):
    """Refuse (and record) every attempt to open a network connection; assert there was none."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == [], f"network access attempted: {attempts}"
