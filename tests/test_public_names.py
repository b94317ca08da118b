"""The public names are written in several lists; these tests make them agree."""

from __future__ import annotations

import ast
from pathlib import Path

import improvado_async
import improvado_async.models as models
import improvado_sync

PACKAGE = Path(improvado_async.__file__).resolve().parent


def _type_checking_imports(path: Path) -> set[str]:
    """Names imported under ``if TYPE_CHECKING:`` in ``path``."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names |= {alias.asname or alias.name for alias in stmt.names}
    return names


def _imported_names(path: Path) -> set[str]:
    """Names a module imports at its top level (relative imports only: its own package's)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def test_async_all_lazy_table_and_type_checking_imports_agree() -> None:
    exported = set(improvado_async.__all__) - {"__version__"}
    lazy = set(improvado_async._LAZY)
    assert lazy == exported
    assert _type_checking_imports(PACKAGE / "__init__.py") == exported


def test_every_lazy_name_resolves_from_its_module() -> None:
    for name in improvado_async.__all__:
        assert getattr(improvado_async, name) is not None


def test_models_package_imports_and_all_agree() -> None:
    assert _imported_names(PACKAGE / "models" / "__init__.py") == set(models.__all__)


def test_every_model_is_exported_by_the_package() -> None:
    assert set(models.__all__) <= set(improvado_async.__all__)


def test_sync_package_exports_the_same_public_names() -> None:
    renames = {"AsyncImprovado": "Improvado", "AsyncPaginator": "Paginator"}
    expected = {renames.get(name, name) for name in improvado_async.__all__}
    assert set(improvado_sync.__all__) == expected
    for name in expected - set(renames.values()) - {"__version__"}:
        assert getattr(improvado_sync, name) is getattr(improvado_async, name), name
