"""CLI: ``python -m improvado_async.sandbox --port 8080`` serves until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
from collections.abc import Sequence

from .server import Sandbox


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m improvado_async.sandbox",
        description="Run the local Improvado Embedded API v3 sandbox.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 = any free port)")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="multiplier for simulated durations"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for fixtures and faults")
    return parser.parse_args(argv)


def banner(sandbox: Sandbox) -> str:
    """The connection details printed at start-up, with ``export`` lines ready to paste."""
    exports = {
        "IMPROVADO_BASE_URL": sandbox.base_url,
        "IMPROVADO_USERNAME": sandbox.username,
        "IMPROVADO_PASSWORD": sandbox.password,
        "IMPROVADO_WORKSPACE_ID": str(sandbox.workspace_id),
    }
    return "\n".join(
        [
            f"Improvado sandbox listening on {sandbox.base_url}",
            "Paste into another shell to point the improvado command and the SDK at it:",
            "",
            *(f"export {name}={shlex.quote(value)}" for name, value in exports.items()),
            "",
            f"Agency chief (roles): {sandbox.chief_username} / {sandbox.chief_password}; "
            f"a second workspace: {sandbox.other_workspace_id}.",
            "Press Ctrl-C to stop.",
        ]
    )


async def serve(args: argparse.Namespace) -> None:
    """Run the sandbox until cancelled."""
    async with Sandbox(
        host=args.host, port=args.port, time_scale=args.time_scale, seed=args.seed
    ) as sandbox:
        print(banner(sandbox), flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
