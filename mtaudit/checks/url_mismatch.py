"""``url_mismatch``: URLs and e-mail addresses of the source missing from the target, or added
(pofilter's ``urls`` and ``emails`` tests). Numbers inside URLs are left to neither this check nor
``number_mismatch`` (which skips URLs); Markdown link targets are ``markdown_mismatch``'s."""

from __future__ import annotations

from ..l10n.placeholders import Token, urls
from .integrity import IntegrityCheck

__all__ = ["UrlMismatchCheck"]


class UrlMismatchCheck(IntegrityCheck):
    """URLs and e-mail addresses changed between source and target."""

    code = "url_mismatch"
    default_severity = "major"
    description = (
        "URLs and e-mail addresses of the source missing, changed or added in the target "
        "(a localised URL is flagged too: disable or downgrade per project; pofilter: urls, "
        "emails)"
    )
    what = "URL/e-mail"

    def tokens(self, text: str) -> list[Token]:
        return urls(text)
