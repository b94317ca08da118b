"""A small HTTP forward proxy for the network tests, run as a separate process.

    python tests/_proxy.py --port 0 --log /tmp/proxy.jsonl [--auth user:pass]

It prints ``PORT <n>`` on stdout once it listens on 127.0.0.1, then serves:

* absolute-URI requests (``GET http://127.0.0.1:8080/api/v3/loads HTTP/1.1``) for ``http://``
  targets, forwarded to the origin with keep-alive on both sides;
* ``CONNECT host:port`` tunnels for ``https://`` targets (the bytes inside are not read).

Every request line it receives is appended to the ``--log`` file as one JSON object
(``{"method", "target", "status"}``), flushed at once so the test reads it while the proxy runs.
With ``--auth user:pass`` a request without that ``Proxy-Authorization: Basic`` answers 407;
the log says whether credentials were missing or wrong, never what they were.

Only the standard library: the test drives the client's real network stack against it, so the
proxy must not share that stack's code.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import signal
from urllib.parse import urlsplit

_MAX_HEAD = 64 * 1024
_HOP_BY_HOP = frozenset({"proxy-authorization", "proxy-connection", "connection", "keep-alive"})


class _Closed(Exception):
    """The peer closed the connection between requests."""


class Proxy:
    """The proxy's state: the expected credentials and the open log file."""

    def __init__(self, log_path: str, auth: str | None) -> None:
        self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - open for the run
        self._expected = (
            None if auth is None else "Basic " + base64.b64encode(auth.encode()).decode()
        )

    def record(self, method: str, target: str, status: int, auth: str) -> None:
        """Append one request line (and what became of it) to the log."""
        entry = {"method": method, "target": target, "status": status, "auth": auth}
        self._log.write(json.dumps(entry) + "\n")
        self._log.flush()

    def check_auth(self, headers: dict[str, str]) -> str:
        """``ok``, ``missing`` or ``wrong``: what the request's Proxy-Authorization was."""
        if self._expected is None:
            return "ok"
        given = headers.get("proxy-authorization")
        if given is None:
            return "missing"
        return "ok" if given == self._expected else "wrong"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client connection: requests in turn, or a single CONNECT tunnel."""
        try:
            while True:
                try:
                    method, target, version, headers, raw_headers = await _read_head(reader)
                except _Closed:
                    return
                verdict = self.check_auth(headers)
                if verdict != "ok":
                    self.record(method, target, 407, verdict)
                    await _discard_body(reader, headers)
                    await _answer(writer, 407, "Proxy Authentication Required", proxy_auth=True)
                    continue
                if method == "CONNECT":
                    await self._tunnel(target, reader, writer)
                    return
                if not await self._forward(
                    method, target, version, headers, raw_headers, reader, writer
                ):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, _, port = target.rpartition(":")
        try:
            up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except OSError:
            self.record("CONNECT", target, 502, "ok")
            await _answer(writer, 502, "Bad Gateway")
            return
        self.record("CONNECT", target, 200, "ok")
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def _forward(
        self,
        method: str,
        target: str,
        version: str,
        headers: dict[str, str],
        raw_headers: list[tuple[str, str]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Relay one absolute-URI request; False when the client connection must close."""
        url = urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            self.record(method, target, 400, "ok")
            await _answer(writer, 400, "Bad Request")
            return False
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
        except OSError:
            self.record(method, target, 502, "ok")
            await _answer(writer, 502, "Bad Gateway")
            return False
        try:
            head = [f"{method} {path} {version}"]
            head += [f"{k}: {v}" for k, v in raw_headers if k.lower() not in _HOP_BY_HOP]
            head.append("Connection: close")  # one origin connection per request keeps it simple
            up_writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            await _copy_body(reader, up_writer, headers)
            status_line, resp_headers, raw_resp = await _read_response_head(up_reader)
            status = int(status_line.split()[1])
            self.record(method, target, status, "ok")
            out = [status_line]
            out += [f"{k}: {v}" for k, v in raw_resp if k.lower() not in _HOP_BY_HOP]
            framed = "content-length" in resp_headers or "chunked" in resp_headers.get(
                "transfer-encoding", ""
            )
            bodyless = method == "HEAD" or status in (204, 304) or 100 <= status < 200
            keep = framed or bodyless
            out.append("Connection: keep-alive" if keep else "Connection: close")
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
            if not bodyless:
                if framed:
                    await _copy_body(up_reader, writer, resp_headers)
                else:
                    writer.write(await up_reader.read())
            await writer.drain()
            return keep
        finally:
            up_writer.close()


async def _read_head(
    reader: asyncio.StreamReader,
) -> tuple[str, str, str, dict[str, str], list[tuple[str, str]]]:
    """The request line and headers (names lower-cased in the dict, as sent in the list)."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            raise _Closed from None
        raise
    if len(raw) > _MAX_HEAD:
        raise ConnectionError("request head too large")
    lines = raw.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    raw_headers = _parse_headers(lines[1:])
    return method, target, version, {k.lower(): v for k, v in raw_headers}, raw_headers


async def _read_response_head(
    reader: asyncio.StreamReader,
) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    raw_headers = _parse_headers(lines[1:])
    return lines[0], {k.lower(): v.lower() for k, v in raw_headers}, raw_headers


def _parse_headers(lines: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            pairs.append((name.strip(), value.strip()))
    return pairs


async def _copy_body(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: dict[str, str]
) -> None:
    """Copy a Content-Length or chunked body as it is (chunk framing included)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readuntil(b"\r\n")
            writer.write(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while True:  # trailers, up to the blank line
                    line = await reader.readuntil(b"\r\n")
                    writer.write(line)
                    if line == b"\r\n":
                        return
            writer.write(await reader.readexactly(size + 2))
    length = int(headers.get("content-length", "0"))
    if length:
        writer.write(await reader.readexactly(length))


async def _discard_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)


async def _answer(
    writer: asyncio.StreamWriter, status: int, reason: str, *, proxy_auth: bool = False
) -> None:
    body = f"{status} {reason}\n".encode()
    head = [f"HTTP/1.1 {status} {reason}", "Content-Type: text/plain"]
    if proxy_auth:
        head.append('Proxy-Authenticate: Basic realm="test-proxy"')
    head += [f"Content-Length: {len(body)}", ""]
    writer.write(("\r\n".join(head) + "\r\n").encode() + body)
    await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def _main(port: int, log_path: str, auth: str | None) -> None:
    proxy = Proxy(log_path, auth)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True, help="JSON-lines file of the request lines")
    parser.add_argument("--auth", default=None, help="user:pass the proxy requires")
    args = parser.parse_args(argv)
    asyncio.run(_main(args.port, args.log, args.auth))


if __name__ == "__main__":
    main()
