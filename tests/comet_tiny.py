"""Build a tiny, random-weight COMET checkpoint in about a second, for tests.

The checkpoint has the same layout and goes through the same loading code as a real one
(``<folder>/checkpoints/model.ckpt`` + ``<folder>/hparams.yaml``), but everything in it is made
here, offline:

* a sentencepiece unigram model with a few hundred pieces, trained on the seed documents plus some
  generated multilingual text, saved as an XLM-R tokenizer;
* a random 2-layer XLM-R encoder (hidden size 32), saved with ``save_pretrained``;
* a COMET model (``RegressionMetric``, ``ReferencelessRegression`` or ``UnifiedMetric``) on top.

Its scores are deterministic but meaningless: it tests plumbing, not quality. Needs the
``[comet]`` extra (torch, unbabel-comet); import it only after ``pytest.importorskip("comet")``.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

#: The kinds of tiny model :func:`build_tiny_checkpoint` can make.
KINDS = ("regression", "referenceless", "unified", "unified-ref")

_SENTENCES = (
    "the translation of this sentence is good but the next one has errors in names and numbers",
    "das ist ein kleiner Satz über Wetter und Zeit",
    "це речення про погоду і час у Києві",
    "это предложение о погоде и времени в Москве",
    "la traduction de cette phrase est correcte",
    "这是一个关于天气的句子",
)
_WORDS = [word for sentence in _SENTENCES for word in sentence.split()]


def _corpus() -> list[str]:
    """Seed text (when present) plus deterministic generated sentences in several scripts."""
    lines: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    rng = random.Random(0)
    for _ in range(400):
        lines.append(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 14))) + ".")
    return lines


def build_encoder(
    folder: Path, *, vocab_size: int = 400, layers: int = 2, hidden: int = 32
) -> Path:
    """Write an XLM-R tokenizer (fresh sentencepiece model) and a random encoder to ``folder``."""
    import sentencepiece as spm
    import torch
    from transformers import (
        XLMRobertaConfig,
        XLMRobertaModel,
        XLMRobertaTokenizer,
        XLMRobertaTokenizerFast,
    )

    folder.mkdir(parents=True, exist_ok=True)
    model_bytes = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_corpus()),
        model_writer=model_bytes,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    spm_path = folder / "sentencepiece.bpe.model"
    spm_path.write_bytes(model_bytes.getvalue())
    slow = XLMRobertaTokenizer(vocab_file=str(spm_path))
    fast = XLMRobertaTokenizerFast(vocab_file=str(spm_path))
    fast.save_pretrained(str(folder))  # tokenizer.json: loading then needs no conversion

    torch.manual_seed(0)
    config = XLMRobertaConfig(
        vocab_size=len(slow),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=slow.pad_token_id,
        bos_token_id=slow.bos_token_id,
        eos_token_id=slow.eos_token_id,
    )
    XLMRobertaModel(config, add_pooling_layer=False).save_pretrained(str(folder))
    return folder


def build_tiny_checkpoint(
    root: Path, kind: str = "referenceless", *, name: str | None = None, encoder: Path | None = None
) -> Path:
    """Build a tiny COMET model folder under ``root`` and return the folder.

    ``kind`` is one of :data:`KINDS`: ``regression`` (reference-based, like wmt22-comet-da),
    ``referenceless`` (QE, like wmt20-comet-qe-da), ``unified`` (src+mt with an optional ref, like
    CometKiwi / xCOMET) or ``unified-ref`` (a unified model trained on mt+ref only, which needs
    references). The folder holds ``checkpoints/model.ckpt``, ``hparams.yaml`` and, unless
    ``encoder`` names one to reuse, the encoder in ``encoder/`` (``hparams.yaml`` records its
    absolute path, as COMET training does).
    """
    import pytorch_lightning as pl
    import torch
    from comet.models import ReferencelessRegression, RegressionMetric, UnifiedMetric
    from pytorch_lightning.core.saving import save_hparams_to_yaml

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {KINDS}")
    folder = root / (name or f"tiny-{kind}")
    if encoder is None:
        encoder = build_encoder(folder / "encoder")
    common = {
        "pretrained_model": str(encoder.resolve()),
        "encoder_model": "XLM-RoBERTa",
        "hidden_sizes": [16],
        "nr_frozen_epochs": 0.0,
        "dropout": 0.1,
        "load_pretrained_weights": True,
        "local_files_only": True,
    }
    torch.manual_seed(0)
    if kind == "regression":
        model = RegressionMetric(**common)
    elif kind == "referenceless":
        model = ReferencelessRegression(**common)
    else:
        segments = ["mt", "ref"] if kind == "unified-ref" else ["mt", "src", "ref"]
        # word_layer indexes the encoder's hidden states (embeddings + one per layer).
        model = UnifiedMetric(**common, word_layer=2, input_segments=segments)

    ckpt = folder / "checkpoints" / "model.ckpt"
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=str(folder),
    )
    trainer.strategy.connect(model)
    trainer.save_checkpoint(str(ckpt))
    save_hparams_to_yaml(folder / "hparams.yaml", dict(model.hparams))
    return folder
