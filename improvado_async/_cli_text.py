"""Docstrings as command-line help: plain text, without reStructuredText or notes for maintainers.

The ``improvado`` command derives every command's help from the client's docstrings (Google
style). Markup (``:class:`X` ``, double backticks) becomes plain text, a method of a service
becomes the command that runs it, and notes about how complete the API reference is (PROPOSAL,
INFERRED, undocumented...) or about Python-only arguments (``NOT_GIVEN``) are left out.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

__all__ = ["DocText", "docstring_sections", "escape_percent"]

# Notes about how complete the API reference is matter to SDK maintainers, not to someone typing a
# command; so do Python-only ways of leaving a field out. Parentheses and sentences carrying these
# words are left out of the help.
_JARGON = re.compile(
    r"\b(PROPOSAL|INFERRED|[Uu]ndocumented|[Ii]nferred|reference's|NOT_GIVEN|left at their "
    r"default)\b|\w=None\b"
)
_NOT_GIVEN_CLAUSE = re.compile(r",? or ``NOT_GIVEN`` to [^.;]*")
_PYTHON_EXAMPLE = re.compile(r",? e\.g\. \[[^]]*\]")
_ROLE = re.compile(r":[a-z]+:`(~?)([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z`:])")
_SECTION = re.compile(r"^(Args|Arguments|Raises|Returns|Yields|Examples?|Notes?):\s*$", re.M)


def _drop_jargon(text: str) -> str:
    def parenthesis(match: re.Match[str]) -> str:
        return "" if _JARGON.search(match.group(0)) else match.group(0)

    previous = None
    while previous != text:  # innermost parentheses first, then the ones around them
        previous, text = text, _PARENTHESES.sub(parenthesis, text)
    sentences = _SENTENCE_END.split(text)
    return " ".join(s for s in sentences if not _JARGON.search(s))


class DocText:
    """Turns docstring text into help; ``commands`` maps ``Service.method`` to its command."""

    def __init__(self, commands: Mapping[str, str]) -> None:
        self._commands = commands

    def plain(self, text: str, *, list_option: bool = False) -> str:
        """Docstring text as one line of help (``list_option``: drop Python list examples)."""
        text = _NOT_GIVEN_CLAUSE.sub("", " ".join(text.split()))
        if list_option:  # a Python list example does not fit an option that takes A,B
            text = _PYTHON_EXAMPLE.sub("", text)
        text = _drop_jargon(_ROLE.sub(self._role_text, text.replace("``None``", "none")))
        text = _LITERAL.sub(lambda m: m.group(1), text)
        return " ".join(text.replace(" ,", ",").replace(" .", ".").split())

    def description(self, paragraphs: list[str]) -> str:
        """Paragraphs as help, each wrapped to 78 columns; emptied ones are left out."""
        kept = [self.plain(p) for p in paragraphs]
        return "\n\n".join(textwrap.fill(p, 78) for p in kept if p)

    def _role_text(self, match: re.Match[str]) -> str:
        target = match.group(2).removesuffix("()")
        command = self._commands.get(".".join(target.split(".")[-2:]))
        if command is not None:
            return command
        return target.rsplit(".", 1)[-1] if match.group(1) else target


def docstring_sections(doc: str) -> tuple[list[str], dict[str, str]]:
    """The paragraphs before the first section and the text of each argument (Google style)."""
    parts = _SECTION.split(doc)
    body, sections = parts[0], dict(zip(parts[1::2], parts[2::2], strict=True))
    arguments: dict[str, str] = {}
    current = None
    for line in sections.get("Args", "").splitlines():
        match = re.match(r" {4}(\w+): ?(.*)", line)
        if match:
            current = match.group(1)
            arguments[current] = match.group(2)
        elif current is not None and line.strip():
            arguments[current] += " " + line.strip()
    return [p for p in body.split("\n\n") if p.strip()], arguments


def escape_percent(text: str) -> str:
    """Help text for argparse, which formats help with %-placeholders."""
    return text.replace("%", "%%")
