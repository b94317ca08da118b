"""Test helpers: a sandbox served from its own thread, for blocking (sync client) tests.

The implementation lives in the public pytest plugin :mod:`improvado_async.testing`.
"""

from __future__ import annotations

from improvado_async.testing import SandboxThread as ThreadedSandbox

__all__ = ["ThreadedSandbox"]
