"""Build a tiny, random-weight sentence-transformers model in well under a second, for tests.

The folder has the layout of a real one (``modules.json``, ``config_sentence_transformers.json``,
a ``0_Transformer``-style root with ``config.json``, weights and a word-piece tokenizer, and
``1_Pooling``), saved with ``SentenceTransformer(modules=[...]).save`` and read back through the
same loading code, offline. Everything in it is made here:

* a word-piece vocabulary of a few hundred pieces: the special tokens, single characters of the
  seed documents and generated multilingual text, and their most frequent words;
* a random 2-layer BERT (hidden size 32) with mean pooling.

Its vectors are deterministic but meaningless beyond surface overlap: it tests plumbing, not
quality. Needs torch and sentence-transformers; import it only after
``pytest.importorskip("sentence_transformers")``.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

_SENTENCES = (
    "the president met the ministers in Kyiv on Monday and spoke about the war",
    "der Präsident traf am Montag die Minister in Kiew und sprach über den Krieg",
    "президент зустрівся з міністрами в Києві в понеділок і говорив про війну",
    "президент встретился с министрами в Киеве в понедельник и говорил о войне",
    "le président a rencontré les ministres à Kyiv lundi",
)


def _corpus() -> list[str]:
    lines: list[str] = list(_SENTENCES)
    for path in sorted(SEEDS.glob("*.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


def _vocab(size: int) -> list[str]:
    text = _corpus()
    chars = Counter(ch for line in text for ch in line.lower() if not ch.isspace())
    words = Counter(w.lower().strip(".,;:!?\"'()«»“”") for line in text for w in line.split())
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    singles = [c for c, _ in chars.most_common()][: size // 2]
    vocab += singles + ["##" + c for c in singles[: size // 4]]
    for w, _ in words.most_common():
        if len(vocab) >= size:
            break
        if w and w not in vocab:
            vocab.append(w)
    return vocab[:size]


def build_st_model(
    folder: Path, *, vocab_size: int = 400, layers: int = 2, hidden: int = 32
) -> Path:
    """Write a tiny sentence-transformers model (random BERT + mean pooling) to ``folder``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:  # sentence-transformers >= 5.7
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer

    folder = Path(folder)
    work = folder.parent / (folder.name + ".parts")
    work.mkdir(parents=True, exist_ok=True)
    vocab_file = work / "vocab.txt"
    vocab_file.write_text("\n".join(_vocab(vocab_size)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True)
    torch.manual_seed(0)
    random.seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(work / "bert")
    tokenizer.save_pretrained(work / "bert")
    word = Transformer(str(work / "bert"), max_seq_length=128)
    dim = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = Pooling(dim(), pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(folder))
    return folder
