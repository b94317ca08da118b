"""Fail when the built site (site/) misses a public name in its API reference or shows a raw
Sphinx role (``:meth:`...` ``, which docs/_hooks.py renders as code)."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import zlib
from pathlib import Path

PUBLIC_MODULES = [
    "improvado_async",
    "improvado_sync",
    "improvado_async.webhooks",
    "improvado_async.sandbox",
    "improvado_async.testing",
    "improvado_async.cli",
    "improvado_async.demo",
    "improvado_async.doctor",
    "improvado_async.pytest_plugin",
    "improvado_async.contrib.otel",
    "improvado_async.contrib.redis",
]


# A role as the Markdown renderer leaves it (:meth:<code>x</code>) or as written (:meth:`x`).
RAW_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|exc|data|obj|const):(?:<code>|`)")


def raw_roles(site: Path) -> list[str]:
    """``page: excerpt`` for every raw role left in the site's HTML."""
    found = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in RAW_ROLE.finditer(text):
            excerpt = text[match.start() : match.end() + 40].replace("\n", " ")
            found.append(f"{page.relative_to(site)}: {excerpt}")
    return found


def documented(site: Path) -> set[str]:
    """Every object path in the site's mkdocstrings inventory."""
    raw = (site / "objects.inv").read_bytes().split(b"\n", 4)[4]
    return {line.split(" ")[0] for line in zlib.decompress(raw).decode().splitlines()}


def public_names() -> set[str]:
    """Qualified names users can reach: exported names, services and their methods."""
    names: set[str] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                names.add(obj.__qualname__)
    from improvado_async import AsyncImprovado

    client = AsyncImprovado(token="docs", base_url="http://127.0.0.1:1")
    for attr, member in vars(AsyncImprovado).items():
        if attr.startswith("_") or not hasattr(member, "func"):
            continue
        service = type(getattr(client, attr))
        names.add(service.__qualname__)
        names.update(f"{service.__qualname__}.{m}" for m in vars(service) if not m.startswith("_"))
    return names


def main() -> int:
    """Compare and report."""
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    roles = raw_roles(site)
    for role in roles:
        print(f"raw Sphinx role in the site: {role}")
    inventory = documented(site)
    missing = sorted(n for n in public_names() if not any(p.endswith("." + n) for p in inventory))
    for name in missing:
        print(f"not in the API reference: {name}")
    print(f"{len(public_names()) - len(missing)} public names documented, {len(missing)} missing")
    print(f"{len(roles)} raw Sphinx roles")
    return 1 if missing or roles else 0


if __name__ == "__main__":
    raise SystemExit(main())
