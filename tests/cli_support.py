"""Running the real ``improvado`` command in a subprocess against a threaded sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from improvado_async.testing import SandboxThread

CREDENTIAL_VARIABLES = (
    "IMPROVADO_USERNAME",
    "IMPROVADO_PASSWORD",
    "IMPROVADO_WORKSPACE_ID",
    "IMPROVADO_TOKEN",
    "IMPROVADO_BASE_URL",
)


def improvado_command() -> list[str]:
    """The installed console script (what users run), else ``python -m improvado_async``."""
    script = Path(sys.executable).with_name("improvado")
    return [str(script)] if script.exists() else [sys.executable, "-m", "improvado_async"]


def sandbox_env(served: SandboxThread | None, **overrides: str | None) -> dict[str, str]:
    """The environment of a user who exported the sandbox's credentials (``None`` unsets)."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    if served is not None:
        env.update(
            IMPROVADO_USERNAME=served.username,
            IMPROVADO_PASSWORD=served.password,
            IMPROVADO_WORKSPACE_ID=str(served.workspace_id),
            IMPROVADO_BASE_URL=served.base_url,
        )
    for name, value in overrides.items():
        env.pop(name, None)
        if value is not None:
            env[name] = value
    return env


def run_cli(
    served: SandboxThread | None, *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """``improvado ARGS`` with the sandbox's credentials; stdout and stderr captured as text."""
    return subprocess.run(
        [*improvado_command(), *args],
        capture_output=True,
        text=True,
        env=sandbox_env(served) if env is None else env,
        timeout=60,
        check=False,
        **kwargs,
    )
