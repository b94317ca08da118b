"""Tests of the local sandbox server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# Until the project is installed (pip install -e .), make the source tree importable.
if importlib.util.find_spec("improvado_async") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
