"""Run localstripe (a Stripe-compatible test server) in this process, on loopback, with nothing on disk.

Used by the tests and by `flask payments demo-server` for the offline demo. Its own command listens on
every interface and rewrites a pickle file on each request; here it binds 127.0.0.1 only and keeps its
state in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import urllib.request
import warnings
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlencode


@dataclass
class LocalStripe:
    host: str = "127.0.0.1"
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalStripe:
        from aiohttp import web

        with warnings.catch_warnings():  # localstripe registers plain functions, which aiohttp deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            from localstripe import resources, server

        resources.store.dump_to_disk = lambda *args, **kwargs: None  # memory only
        ready = threading.Event()
        failure: list[BaseException] = []

        async def serve() -> None:
            runner = web.AppRunner(server.app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            self.port = cast(asyncio.Server, site._server).sockets[0].getsockname()[1]
            ready.set()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(serve())
            except BaseException as error:  # noqa: BLE001 - reported to the starting thread
                failure.append(error)
                ready.set()
                return
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="localstripe", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def register_webhook(self, name: str, url: str, secret: str) -> None:
        """Have localstripe sign and send its events to `url`, as a Stripe webhook endpoint does."""
        data = urlencode({"url": url, "secret": secret}).encode()
        urllib.request.urlopen(f"{self.url}/_config/webhooks/{name}", data=data, timeout=5).read()

    def flush(self) -> None:
        """Forget every object (between tests)."""
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")
        urllib.request.urlopen(request, timeout=5).read()


def main() -> None:
    """`python -m portal.payments.localstripe_server`: the offline payment server for `make run`."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", required=True, help="where to send signed events")
    parser.add_argument("--webhook-secret", required=True)
    args = parser.parse_args()
    server = LocalStripe(port=args.port).start()
    server.register_webhook("portal", args.webhook_url, args.webhook_secret)
    print(f"Local test payment server on {server.url}, sending events to {args.webhook_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
