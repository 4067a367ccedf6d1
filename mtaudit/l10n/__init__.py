"""Localisation files as segment pairs: gettext PO, XLIFF 1.2/2.0, TMX, Qt TS, Android
``strings.xml``, Java ``.properties``, i18n JSON (read through translate-toolkit) and translated
Markdown documents (read through markdown-it-py).

:func:`detect_format` says which format a path is (by extension, or as ``--l10n`` forces);
:func:`read_l10n` turns a bilingual file (PO, XLIFF, TMX, TS) — or, for the monolingual formats
(Android, properties, JSON, Markdown), a source file and its translation — into
:class:`~mtaudit.load.Pair`\\ s plus what was not audited (:class:`L10nInput`). Both libraries
are the ``l10n`` extra (``pip install 'mtaudit[l10n]'``) and are imported only when such a file
is read. See ``docs/l10n.md``.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .units import BILINGUAL, FORMATS, MONOLINGUAL, L10nInput, read_bilingual, read_monolingual

__all__ = [
    "BILINGUAL",
    "FORMATS",
    "L10N_CHOICES",
    "MONOLINGUAL",
    "L10nInput",
    "detect_format",
    "read_l10n",
]

#: The values of the ``l10n`` setting: detect by extension, never, or force one format.
L10N_CHOICES: tuple[str, ...] = ("auto", "off", *FORMATS)

_BY_SUFFIX = {
    ".po": "po",
    ".pot": "po",
    ".xlf": "xliff",
    ".xliff": "xliff",
    ".tmx": "tmx",
    ".ts": "ts",
    ".properties": "properties",
    ".md": "markdown",
    ".strings": "strings",
    ".markdown": "markdown",
}


def detect_format(path: str | Path, setting: str = "auto") -> str | None:
    """The localisation format of ``path`` (``None``: not one, read it as text or pairs).

    ``setting`` is the ``l10n`` option: ``"auto"`` detects by extension (``strings.xml`` and
    ``*.strings.xml`` are Android resources; ``.json`` is not detected, as it is also the pairs
    format: force it with ``--l10n json``), ``"off"`` never, a format name forces that format.
    """
    if setting == "off":
        return None
    if setting != "auto":
        return setting
    p = Path(str(path))
    name = p.name.lower()
    if name.endswith(".xml") and (name == "strings.xml" or name.endswith(".strings.xml")):
        return "android"
    return _BY_SUFFIX.get(p.suffix.lower())


def read_l10n(
    fmt: str,
    path: str,
    target: str | None = None,
    *,
    max_bytes: int,
) -> L10nInput:
    """Read a localisation input of format ``fmt``: ``path`` alone for a bilingual format, or
    ``path`` (source) and ``target`` for a monolingual one (units matched by id; Markdown by
    position). Every problem is an :class:`~mtaudit.errors.InputError` naming the file."""
    if fmt == "markdown":
        if target is None:
            raise InputError(
                f"{path}: a Markdown document is audited against its translation; "
                "give SOURCE.md TARGET.md"
            )
        from .markdown import read_markdown_pair

        return read_markdown_pair(path, target, max_bytes=max_bytes)
    if fmt in BILINGUAL:
        if target is not None:
            raise InputError(
                f"{path}: a {fmt} file holds both languages; audit it alone (mtaudit audit FILE)"
            )
        return read_bilingual(fmt, path, max_bytes=max_bytes)
    if target is None:
        raise InputError(
            f"{path}: a {fmt} file holds one language; give the source file and its translation "
            "(mtaudit audit SOURCE TARGET)"
        )
    return read_monolingual(fmt, path, target, max_bytes=max_bytes)
