"""Models of the embeddable Improvado UI (iframe URL)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

import attrs

from ._base import Model

__all__ = ["IframeUrl"]


@attrs.frozen(kw_only=True)
class IframeUrl(Model):
    """The URL of Improvado's hosted UI, to embed in an ``<iframe>``.

    The response shape is undocumented: ``{"url": ...}`` is the reference's PROPOSAL.
    """

    url: str

    def with_account_selection(self) -> str:
        """The URL with ``show_account_selection=True`` appended (two-step connect flow).

        The API never adds this parameter itself; the integrator appends it to the returned URL.
        """
        parts = urlsplit(self.url)
        if any(key == "show_account_selection" for key, _ in parse_qsl(parts.query)):
            return self.url
        # Appended verbatim so the rest of the signed/opaque query string is left untouched.
        flag = "show_account_selection=True"
        query = f"{parts.query}&{flag}" if parts.query else flag
        return urlunsplit(parts._replace(query=query))
