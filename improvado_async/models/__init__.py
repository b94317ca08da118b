"""Response models (attrs, frozen) for every API area, and the shared converter."""

from ._base import Model, OpenEnum
from .common import Page, Token
from .loads import Load, LoadDataTable, LoadStatus, RunPolicy

__all__ = ["Load", "LoadDataTable", "LoadStatus", "Model", "OpenEnum", "Page", "RunPolicy", "Token"]
