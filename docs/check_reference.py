"""Fail when a public class or function is missing from the built API reference (site/)."""

from __future__ import annotations

import importlib
import inspect
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
]


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
    inventory = documented(Path(sys.argv[1] if len(sys.argv) > 1 else "site"))
    missing = sorted(n for n in public_names() if not any(p.endswith("." + n) for p in inventory))
    for name in missing:
        print(f"not in the API reference: {name}")
    print(f"{len(public_names()) - len(missing)} public names documented, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
