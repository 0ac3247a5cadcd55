"""Serving the portal with waitress: a production WSGI server in pure Python (the same
on Windows and Linux, no compiler), a bounded thread pool and request body; behind a
reverse proxy, the client address and scheme from the proxy's headers (only when the
request comes from the proxy's own address).

Guarded against one client taking the server (issue 21, :class:`Guard`): at most 20
connections from one address (the proxy's own address excepted: it limits its clients
itself), a connection idle for 30 s is closed, a request's headers must arrive within
20 s of its first byte and its body at no less than 10 KB/s — so trickling connections
end. Whatever waitress
refuses itself (a body or headers too large, a malformed request) is answered with the
portal's own Indonesian page and security headers, never waitress's English text.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.utilities import Error

from .app import HEADERS, MAX_BODY, create_app, error_pages
from .context import portal_of

LOCAL = ("127.0.0.1", "localhost", "::1")
# Waitress buffers a request body before the application sees it: never more than the
# application takes (collect's 20 MB file limit and the form fields). A larger body is
# not read at all: the guard below answers with the portal's 413 page.
MAX_BUFFERED_BODY = MAX_BODY


@dataclass(frozen=True)
class Guard:
    """How much of the server one client may hold."""

    per_address: int = 20  # connections open at once from one client address
    idle_seconds: int = 30  # a connection with nothing to do is closed
    header_seconds: float = 20.0  # a request's headers, from its first byte
    min_bytes_per_second: int = 10 * 1024  # a body slower than this on average: given up
    check_seconds: int = 2  # how often connections are looked at


GUARD = Guard()


class OverBudget(Error):
    """An upload from an address whose bytes of the hour are spent: refused once its
    headers are in, before its body is read."""

    code = 429
    reason = "Too Many Requests"

    def __init__(self, spent: str):
        super().__init__(spent)
        self.page = f"kuota_{spent}"


class PageErrorTask(ErrorTask):
    """Waitress's own refusals (400, 413, 431, 500, 501) and an upload over its byte
    budget (429) as the portal's pages."""

    def execute(self):
        error = self.request.error
        pages = self.channel.server.pages
        page = pages.get(getattr(error, "page", error.code)) or pages[500]
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "text/html; charset=utf-8"),
                                      ("Cache-Control", "no-store"), *HEADERS.items()])
        if isinstance(error, OverBudget):
            self.response_headers.append(("Retry-After", "600"))
        self.set_close_on_finish()
        self.content_length = len(page)
        self.write(page)


class BudgetParser(HTTPRequestParser):
    """A request whose body is not read when its address's (or everyone's) upload
    budget cannot hold it (the application charges what it does read)."""

    channel: GuardedChannel | None = None
    _checked = False

    def received(self, data):
        n = super().received(data)
        if self.headers_finished and not self._checked and not self.completed:
            self._checked = True
            spent = self.channel.over_budget(self.content_length) if self.channel else ""
            if spent:
                self.error, self.completed = OverBudget(spent), True
                return len(data)
        return n


class GuardedChannel(HTTPChannel):
    """A connection that remembers when its current request began, and refuses a body
    its address may no longer send."""

    error_task_class = PageErrorTask
    request_started = 0.0

    def parser_class(self, adj):  # a method: each parser knows its connection
        parser = BudgetParser(adj)
        parser.channel = self
        return parser

    def over_budget(self, size: int) -> str:
        """Which upload budget ``size`` more bytes would overrun ("" none; the audit log
        says so); never for the trusted proxy's own connections (the application sees
        the real address)."""
        server = self.server
        host = self.addr[0] if isinstance(self.addr, tuple) else ""
        if server.budget is None or host in server.exempt or size <= 0:
            return ""
        spent = server.budget.spent(host, size)
        if spent and server.audit is not None:
            server.audit.info("%s unggah_kuota_%s ukuran=%s", host, spent, size)
        return spent

    def received(self, data):
        if self.request is None and data:
            self.request_started = time.time()
        return super().received(data)

    def too_slow(self, now: float, guard: Guard) -> bool:
        """A request in progress past its time: headers, or a body trickling in."""
        request = self.request
        if request is None or not self.request_started:
            return False
        elapsed = now - self.request_started
        if not request.headers_finished:
            return elapsed > guard.header_seconds
        body = request.content_length or 0
        return elapsed > guard.header_seconds + body / guard.min_bytes_per_second


class GuardedServer(TcpWSGIServer):
    channel_class = GuardedChannel
    pages: dict[int, bytes] = {}
    busy_page: bytes = b""
    exempt: tuple[str, ...] = ()  # addresses not capped (the trusted proxy)
    guard: Guard = GUARD
    budget = None  # the portal's ByteBudget
    audit = None  # the portal's audit log

    def handle_accept(self):
        try:
            got = self.accept()
            if got is None:
                return
            conn, addr = got
            self.set_socket_options(conn)
        except OSError:
            return
        addr = self.fix_addr(addr)
        host = addr[0] if isinstance(addr, tuple) else ""
        if host not in self.exempt and self._open_from(host) >= self.guard.per_address:
            _refuse(conn, self.busy_page)
            return
        self.channel_class(self, conn, addr, self.adj, map=self._map)

    def _open_from(self, host: str) -> int:
        return sum(1 for ch in list(self._map.values())
                   if isinstance(ch, HTTPChannel) and isinstance(ch.addr, tuple)
                   and ch.addr[0] == host)

    def maintenance(self, now):
        super().maintenance(now)
        for channel in list(self.active_channels.values()):
            if isinstance(channel, GuardedChannel) and channel.too_slow(now, self.guard):
                channel.will_close = True


def _refuse(conn, page: bytes) -> None:
    """Tell a client over its address's connection limit (best effort), and hang up."""
    try:
        conn.setblocking(False)
        conn.send(page)
    except OSError:
        pass
    finally:
        conn.close()


@dataclass
class Running:
    """A server started in a background thread (tests, benchmarks)."""

    server: object
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Close every socket from the server's own loop (closing them from here would
        pull them from under its select), then end the worker threads."""
        server = self.server

        def close_all() -> None:
            for channel in list(_socket_map(server).values()):
                try:
                    channel.close()
                except Exception:
                    pass

        try:
            _trigger(server).pull_trigger(close_all)
        except OSError:  # the loop is gone already: nothing left to close there
            pass
        self.thread.join(10)
        server.task_dispatcher.shutdown()
        server.readers.close()


def _socket_map(server) -> dict:
    return server.map if isinstance(server, MultiSocketServer) else server._map


def _trigger(server):
    if isinstance(server, MultiSocketServer):
        return next(s for s in server.map.values() if isinstance(s, GuardedServer)).trigger
    return server.trigger


def make_server(workspace: Path, *, host: str = "127.0.0.1", port: int = 8000,
                templates: Path | None = None, proxy: str | None = None,
                threads: int = 8, guard: Guard = GUARD, **limits):
    """A waitress server (not yet running) for the portal over ``workspace``."""
    app = create_app(workspace, templates=templates, secure=bool(proxy), **limits)
    options = dict(host=host, port=port, threads=threads,
                   max_request_body_size=MAX_BUFFERED_BODY,
                   ident="iki-xlsx", connection_limit=200,
                   channel_timeout=guard.idle_seconds, cleanup_interval=guard.check_seconds)
    if proxy:
        options.update(trusted_proxy=proxy, trusted_proxy_count=1,
                       trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto",
                                              "x-forwarded-host"},
                       clear_untrusted_proxy_headers=True)
    adj = Adjustments(**options)
    pages, busy = error_pages(app)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict = {}
    servers = []
    for sockinfo in adj.listen:
        server = GuardedServer(app, socket_map, dispatcher=dispatcher, adj=adj,
                               sockinfo=sockinfo)
        server.pages, server.busy_page = pages, busy
        server.exempt = (proxy,) if proxy else ()
        server.guard, server.budget = guard, portal_of(app).budget
        server.audit = portal_of(app).log
        server.readers = portal_of(app).readers
        servers.append(server)
    servers[0].readers.start()
    if len(servers) == 1:
        return servers[0]
    multi = MultiSocketServer(socket_map, adj, [(s.effective_host, s.effective_port)
                                                for s in servers], dispatcher,
                              servers[-1].log_info)
    multi.effective_port = servers[0].effective_port  # "localhost": IPv4 and IPv6
    multi.readers = servers[0].readers
    return multi


def start_background(workspace: Path, *, host: str = "127.0.0.1", port: int = 0,
                     **options) -> Running:
    """Start the portal in a thread on a free port of ``host``; ``.stop()`` ends it."""
    server = make_server(workspace, host=host, port=port, **options)
    thread = threading.Thread(target=server.run, name="iki-portal", daemon=True)
    thread.start()
    return Running(server, thread, f"http://{host}:{server.effective_port}/")


def is_local(host: str) -> bool:
    return host in LOCAL


__all__ = ["Guard", "Running", "is_local", "make_server", "start_background"]
