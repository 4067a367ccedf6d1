"""COMET scores from a local checkpoint (optional extra ``mtaudit[comet]``).

:class:`CometScorer` loads a COMET checkpoint that is already on disk — a ``.ckpt`` file, a model
folder holding ``checkpoints/model.ckpt`` and ``hparams.yaml``, or a Hugging Face Hub name that is
already in the local Hugging Face cache — with COMET's own ``load_from_checkpoint``, and scores
segments on the CPU:

* ``{"src", "mt"}`` items: reference-free quality estimation (CometKiwi, COMET-QE, xCOMET in QE
  mode);
* ``{"src", "mt", "ref"}`` items: reference-based scoring (wmt22-comet-da, xCOMET, …).

Nothing is ever downloaded: COMET's ``download_model`` is never called, and the Hugging Face
libraries are switched to offline mode while the model is loaded. ``hparams.yaml`` names the
encoder (XLM-R / InfoXLM) whose tokenizer and configuration COMET reads at load time; that name is
resolved to a local folder here (see :class:`CometScorer`), which also repairs a checkpoint whose
folder was moved after training.

This module imports neither torch nor COMET until a scorer is created, so it is importable in the
default install; creating a scorer without the extra raises
:class:`~mtaudit.errors.ModelUnavailableError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, ModelUnavailableError

__all__ = ["CometScorer", "EXTRA_HINT"]

#: How to install what COMET scoring needs (named in every "not installed" error).
EXTRA_HINT = "pip install 'mtaudit[comet]', after a CPU build of torch (see docs/comet.md)"

_OFFLINE_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
_QUIET_LOGGERS = (
    "pytorch_lightning",
    "lightning",
    "lightning.pytorch",
    "lightning_fabric",
    "comet",
)
# "org/name" or "name/sub" as written on the Hugging Face Hub.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
# Model classes that score one translation at a time (ranking models compare two).
_SUPPORTED = {
    "regression_metric",
    "referenceless_regression_metric",
    "unified_metric",
    "xcomet_metric",
}
_REFERENCE_FREE = {"referenceless_regression_metric"}


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """Force the Hugging Face libraries offline for the duration (environment and live flags)."""
    saved_env = {k: os.environ.get(k) for k in _OFFLINE_ENV}
    for k in _OFFLINE_ENV:
        os.environ[k] = "1"
    # Both libraries read the variables once, at import: also flip their module-level flags.
    patched: list[tuple[Any, str, Any]] = []
    for module_name, attr in (
        ("huggingface_hub.constants", "HF_HUB_OFFLINE"),
        ("transformers.utils.hub", "_is_offline_mode"),
    ):
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, attr):
            patched.append((module, attr, getattr(module, attr)))
            setattr(module, attr, True)
    try:
        yield
    finally:
        for module, attr, value in patched:
            setattr(module, attr, value)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Lightning's banners, tips and warnings while COMET loads or predicts."""
    saved = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _import_comet() -> Any:
    """Import COMET without letting its ``logging.basicConfig`` reconfigure the root logger.

    Not under :func:`_offline`: the Hugging Face libraries would keep offline mode for the rest of
    the process (they read the variables at import). Loading switches them offline instead.
    """
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        with _quiet():
            import comet
    except Exception as exc:  # ImportError, or a broken install failing inside its imports
        raise ModelUnavailableError(
            f"COMET scoring needs the optional extra: {EXTRA_HINT}; import failed: {_describe(exc)}"
        ) from exc
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    return comet


def _hf_cache_dir() -> Path:
    """The Hugging Face Hub cache folder, from the environment as it is now."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def _cached_snapshot(repo_id: str, wanted: str, cache_dir: Path) -> Path | None:
    """The local snapshot folder of ``repo_id`` that holds ``wanted``, without any network."""
    repo = cache_dir / ("models--" + repo_id.replace("/", "--"))
    snapshots = repo / "snapshots"
    if not snapshots.is_dir():
        return None
    ref = repo / "refs" / "main"
    if ref.is_file():
        folder = snapshots / ref.read_text(encoding="utf-8").strip()
        if (folder / wanted).exists():
            return folder
    candidates = [p for p in snapshots.iterdir() if (p / wanted).exists()]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name))


def _looks_like_hub_id(text: str) -> bool:
    return bool(_HUB_ID.match(text)) and not text.endswith(".ckpt")


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


class CometScorer:
    """Segment-level COMET scores from a checkpoint on local disk, on the CPU.

    ``model`` is one of:

    * a model folder as published by Unbabel (``checkpoints/model.ckpt`` + ``hparams.yaml``),
    * the ``.ckpt`` file inside such a folder,
    * a Hub name such as ``Unbabel/wmt22-cometkiwi-da`` that is already in the local Hugging Face
      cache (``HF_HUB_CACHE`` / ``HF_HOME``). Nothing is downloaded: a name with no local copy is
      a :class:`~mtaudit.errors.ModelUnavailableError` that says how to fetch it elsewhere.

    The encoder named in ``hparams.yaml`` (``pretrained_model``: only its tokenizer and config are
    read; the weights are in the checkpoint) is looked for, in this order: the ``encoder``
    argument; the name itself when it is an existing folder or a Hub name in the local cache; then
    ``<model folder>/encoder`` and ``<model folder>/<last part of the name>``. So a checkpoint whose
    training folder was moved still loads when its encoder moved along with it.

    ``name`` (the checkpoint's name) and ``version`` (the COMET version) are meant for the report
    signature; ``requires_references`` says whether the model needs ``ref``. Scores are
    deterministic for the same input, batch size and thread count. ``threads`` sets torch's
    process-wide thread count when given. Load only checkpoints you trust: a ``.ckpt`` is a pickle.
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        encoder: str | os.PathLike[str] | None = None,
        batch_size: int = 16,
        threads: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise InputError(f"COMET batch size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.threads = threads
        comet = _import_comet()
        self.version = str(getattr(comet, "__version__", "unknown"))
        ckpt, hparams_file, name = self._locate(str(os.fspath(model)))
        self.path = ckpt
        self.name = name
        hparams = self._read_hparams(hparams_file)
        self.model_class = str(hparams.get("class_identifier"))
        if self.model_class not in _SUPPORTED:
            raise ModelUnavailableError(
                f"COMET model {name!r} is a {self.model_class!r}, which mtaudit cannot use: give a "
                "regression, referenceless or unified (CometKiwi/xCOMET) checkpoint"
            )
        stored = str(hparams.get("pretrained_model", ""))
        self.encoder = self._resolve_encoder(stored, encoder, hparams_file.parent)
        self._check_patch_support(hparams)
        if threads is not None:
            import torch

            torch.set_num_threads(max(1, int(threads)))
        self._model = self._load(comet, ckpt, hparams_file, hparams, stored)
        self.requires_references = bool(self._model.requires_references())
        segments = hparams.get("input_segments") or ["mt", "src", "ref"]
        self.uses_references = self.model_class not in _REFERENCE_FREE and "ref" in segments

    # -- locating the files ------------------------------------------------------------------

    @staticmethod
    def _locate(model: str) -> tuple[Path, Path, str]:
        """(checkpoint file, hparams.yaml, display name) for what the user gave."""
        path = Path(model).expanduser()
        name: str | None = None
        if not path.exists():
            if _looks_like_hub_id(model):
                cache = _hf_cache_dir()
                snapshot = _cached_snapshot(model, "checkpoints/model.ckpt", cache)
                if snapshot is None:
                    raise ModelUnavailableError(
                        f"COMET model {model!r} is neither a local path nor in the local Hugging "
                        f"Face cache ({cache}); mtaudit never downloads models: fetch it on a "
                        f"connected machine (huggingface-cli download {model}) and pass the "
                        "downloaded folder's local path"
                    )
                path, name = snapshot, model
            else:
                raise InputError(
                    f"COMET checkpoint not found: {model} (give a .ckpt file or a model folder "
                    "with checkpoints/model.ckpt and hparams.yaml)"
                )
        if path.is_dir():
            ckpt = path / "checkpoints" / "model.ckpt"
            if not ckpt.is_file():
                found = sorted((path / "checkpoints").glob("*.ckpt"))
                if len(found) != 1:
                    raise InputError(
                        f"no COMET checkpoint in {path}: expected {ckpt} (a model folder holds "
                        "checkpoints/model.ckpt and hparams.yaml)"
                    )
                ckpt = found[0]
        else:
            ckpt = path
            if ckpt.suffix != ".ckpt":
                raise InputError(
                    f"{ckpt} is not a COMET checkpoint: give a .ckpt file or its model folder"
                )
        ckpt = ckpt.absolute()  # not resolve(): HF cache files are symlinks into blobs/
        for folder in (ckpt.parent.parent, ckpt.parent):
            if (folder / "hparams.yaml").is_file():
                hparams_file = folder / "hparams.yaml"
                break
        else:
            raise InputError(
                f"hparams.yaml is missing for COMET checkpoint {ckpt}: keep it in "
                f"{ckpt.parent.parent} as published (the model folder holds checkpoints/ and "
                "hparams.yaml)"
            )
        if name is None:
            name = hparams_file.parent.name
            if ckpt.stem != "model":
                name = f"{name}:{ckpt.stem}"
        return ckpt, hparams_file, name

    @staticmethod
    def _read_hparams(hparams_file: Path) -> dict[str, Any]:
        try:
            import yaml
        except ImportError as exc:
            raise ModelUnavailableError(
                f"COMET scoring needs the optional extra: {EXTRA_HINT}"
            ) from exc
        try:
            data = yaml.safe_load(hparams_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ModelUnavailableError(
                f"cannot read {hparams_file} ({_describe(exc)}): restore it from the published "
                "model folder"
            ) from exc
        if not isinstance(data, dict) or "class_identifier" not in data:
            raise ModelUnavailableError(
                f"{hparams_file} is not a COMET hparams file (no class_identifier): restore it "
                "from the published model folder"
            )
        return data

    @staticmethod
    def _resolve_encoder(
        stored: str, override: str | os.PathLike[str] | None, model_dir: Path
    ) -> str:
        """A local folder with the encoder's tokenizer and config (see the class docstring)."""
        cache = _hf_cache_dir()

        def usable(folder: Path) -> bool:
            return (folder / "config.json").is_file()

        if override is not None:
            folder = Path(override).expanduser()
            if usable(folder):
                return str(folder.resolve())
            snapshot = _cached_snapshot(str(override), "config.json", cache)
            if snapshot is not None:
                return str(snapshot)
            raise InputError(
                f"COMET encoder {override} is neither a folder with config.json nor in the local "
                "Hugging Face cache: give the folder with the encoder's tokenizer and config.json"
            )
        candidates: list[Path] = []
        if stored:
            as_path = Path(stored).expanduser()
            if not as_path.is_absolute():
                candidates.append(model_dir / as_path)
            candidates.append(as_path)
        for candidate in candidates:
            if usable(candidate):
                return str(candidate.resolve())
        if stored and not Path(stored).is_absolute():
            snapshot = _cached_snapshot(stored, "config.json", cache)
            if snapshot is not None:
                return str(snapshot)
        tail = Path(stored).name if stored else ""
        for candidate in (model_dir / "encoder", model_dir / tail if tail else None):
            if candidate is not None and usable(candidate):
                return str(candidate.resolve())
        where = f"{model_dir / 'encoder'}"
        if stored and Path(stored).is_absolute():
            raise ModelUnavailableError(
                f"the COMET checkpoint's encoder folder {stored} (named in hparams.yaml) does not "
                f"exist: the checkpoint was probably moved; put the encoder folder at {where} or "
                "pass its location as the scorer's encoder"
            )
        raise ModelUnavailableError(
            f"the COMET checkpoint's encoder {stored!r} (its tokenizer and config.json) is not "
            f"available offline: on a connected machine run `huggingface-cli download {stored} "
            f"--exclude '*.bin' '*.safetensors' '*.h5' '*.msgpack' '*.onnx'` and copy the "
            f"Hugging Face cache here, or put those files in {where}"
        )

    @staticmethod
    def _check_patch_support(hparams: Mapping[str, Any]) -> None:
        """COMET only applies its 'sparsemax_patch' fix when pkg_resources can be imported."""
        if hparams.get("layer_transformation") != "sparsemax_patch":
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pkg_resources  # noqa: F401
        except ImportError as exc:
            raise ModelUnavailableError(
                "this COMET checkpoint needs pkg_resources to load correctly: "
                "pip install 'setuptools<81' (or reinstall with " + EXTRA_HINT + ")"
            ) from exc

    # -- loading -------------------------------------------------------------------------------

    def _load(
        self,
        comet: Any,
        ckpt: Path,
        hparams_file: Path,
        hparams: dict[str, Any],
        stored: str,
    ) -> Any:
        """Load with COMET's ``load_from_checkpoint`` through a standard layout and hparams."""
        standard = hparams_file.parent == ckpt.parent.parent
        with contextlib.ExitStack() as stack:
            target = ckpt
            if not standard or stored != self.encoder:
                tmp = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="mtaudit-comet-"))
                )
                (tmp / "checkpoints").mkdir()
                target = tmp / "checkpoints" / "model.ckpt"
                _link_or_copy(ckpt, target)
                import yaml

                rewritten = dict(hparams, pretrained_model=self.encoder)
                (tmp / "hparams.yaml").write_text(yaml.safe_dump(rewritten), encoding="utf-8")
            stack.enter_context(_offline())
            stack.enter_context(_quiet())
            try:
                model = comet.load_from_checkpoint(
                    str(target), reload_hparams=True, local_files_only=True
                )
            except (InputError, ModelUnavailableError):
                raise
            except Exception as exc:
                raise self._load_error(exc, ckpt) from exc
        model.eval()
        return model

    def _load_error(self, exc: Exception, ckpt: Path) -> ModelUnavailableError:
        if not zipfile.is_zipfile(ckpt):
            return ModelUnavailableError(
                f"COMET checkpoint {ckpt} is corrupt or truncated ({_describe(exc)}): "
                "download it again"
            )
        if isinstance(exc, OSError):
            return ModelUnavailableError(
                f"cannot load the encoder {self.encoder} of COMET checkpoint {ckpt} "
                f"({_describe(exc)}): it needs the tokenizer files and config.json"
            )
        return ModelUnavailableError(
            f"cannot load COMET checkpoint {ckpt} ({_describe(exc)}): check that the file and "
            "hparams.yaml come from the same model, or download it again"
        )

    # -- scoring -------------------------------------------------------------------------------

    @property
    def signature(self) -> str:
        """A compact description for reports, e.g. ``comet:2.2.7|model:wmt22-cometkiwi-da``."""
        return f"comet:{self.version}|model:{self.name}"

    def _samples(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
        with_ref = 0
        for k, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise InputError(f"COMET item {k} is a {type(item).__name__}, not a dict")
            for key in ("src", "mt"):
                if not isinstance(item.get(key), str):
                    raise InputError(f"COMET item {k} needs a string {key!r}")
            if "ref" in item and item["ref"] is not None:
                if not isinstance(item["ref"], str):
                    raise InputError(f"COMET item {k} has a 'ref' that is not a string")
                with_ref += 1
        if with_ref not in (0, len(items)):
            raise InputError(
                f"{with_ref} of {len(items)} COMET items have a reference: give a 'ref' for "
                "every item or for none"
            )
        if not with_ref and self.requires_references:
            raise InputError(
                f"COMET model {self.name} is reference-based: give a reference for every segment "
                "(--reference FILE) or use a reference-free checkpoint such as CometKiwi"
            )
        keys = ("src", "mt", "ref") if with_ref and self.uses_references else ("src", "mt")
        return [{key: item[key] for key in keys} for item in items]

    def predict(self, items: Sequence[Mapping[str, Any]]) -> list[float]:
        """One score per item, in input order.

        Items are ``{"src", "mt"}`` (reference-free) or ``{"src", "mt", "ref"}`` (all of them, or
        none, with a reference). A reference-based model given no references raises
        :class:`~mtaudit.errors.InputError`; a reference-free model ignores references. Items are
        batched in order of length (less padding) and the scores put back in input order.
        """
        samples = self._samples(items)
        if not samples:
            return []
        order = sorted(range(len(samples)), key=lambda i: sum(map(len, samples[i].values())))
        with _quiet():
            output = self._model.predict(
                [samples[i] for i in order],
                batch_size=self.batch_size,
                gpus=0,
                accelerator="cpu",
                progress_bar=False,
                num_workers=0,
                length_batching=False,
            )
        sorted_scores = [float(s) for s in output.scores]
        if len(sorted_scores) != len(samples):  # pragma: no cover - a COMET bug
            raise ModelUnavailableError(
                f"COMET returned {len(sorted_scores)} scores for {len(samples)} items"
            )
        scores = [0.0] * len(samples)
        for position, index in enumerate(order):
            scores[index] = sorted_scores[position]
        return scores


def _link_or_copy(source: Path, target: Path) -> None:
    """Make ``target`` show ``source``: a symlink, else a hard link, else (slowly) a copy."""
    for make in (os.symlink, os.link):
        try:
            make(source, target)
            return
        except OSError:
            continue
    shutil.copyfile(source, target)
