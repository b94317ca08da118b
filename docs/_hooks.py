"""mkdocs hooks (registered in mkdocs.yml): Sphinx roles in docstrings rendered as code.

The docstrings use Sphinx roles (``:class:`Load` ``, ``:meth:`aclose` ``); the Google-style
renderer leaves them as text, which shows as ``:meth:<code>aclose</code>`` in the HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any

ROLES = ("class", "meth", "func", "attr", "mod", "exc", "data", "obj", "const")
ROLE_IN_HTML = re.compile(r":(?:py:)?(?:" + "|".join(ROLES) + r"):<code>(?P<target>[^<]*)</code>")
# `Title <dotted.target>` names a target with its own text.
EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<[^<>]+>$")


def displayed_name(target: str) -> str:
    """What Sphinx would display: the title of ``Title <target>``, the last part of ``~a.b.C``."""
    raw = html.unescape(target)
    titled = EXPLICIT_TITLE.match(raw)
    if titled is not None:
        raw = titled["title"]
    elif raw.startswith("~"):
        raw = raw[1:].rsplit(".", 1)[-1]
    return html.escape(raw, quote=False)


def strip_roles(page_html: str) -> str:
    """Every ``:role:<code>X</code>`` of a page as ``<code>X</code>``."""
    return ROLE_IN_HTML.sub(lambda m: f"<code>{displayed_name(m['target'])}</code>", page_html)


def on_page_content(html: str, **_: Any) -> str:
    """mkdocs hook: rewrite the roles of each page once its Markdown is rendered."""
    return strip_roles(html)
