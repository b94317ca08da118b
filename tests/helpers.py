"""Test helpers shared by several test packages."""

from __future__ import annotations

import importlib
import pkgutil

import improvado_async.resources as resources_pkg
from improvado_async._transport.operation import OPERATIONS, Operation

__all__ = ["declared_operations"]


def declared_operations() -> dict[str, Operation]:
    """Every operation the client declares (importing every resource module first)."""
    for module in pkgutil.iter_modules(resources_pkg.__path__):
        importlib.import_module(f"{resources_pkg.__name__}.{module.name}")
    return dict(OPERATIONS)
