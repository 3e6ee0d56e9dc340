"""Prometheus metrics: requests, latency, GraphQL errors, WebSockets, subscriptions, the pool.

Each app has a registry of its own rather than prometheus-client's global one, so several apps in
one process (the tests) never share or clash over a counter.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store.database import Database

# Paths that match no route are all counted under one label: a scanner trying thousands of paths
# must not create thousands of series.
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class Metrics:
    """The app's metrics, at `app.state.metrics`; code elsewhere may update them too (the
    subscription code keeps `subscriptions` current)."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    graphql_errors: Counter
    websockets: Gauge
    subscriptions: Gauge

    @classmethod
    def create(cls, database: Database) -> Metrics:
        registry = CollectorRegistry()
        registry.register(PoolCollector(database))
        return cls(
            registry=registry,
            requests=Counter(
                "http_requests_total",
                "HTTP requests answered, by method, route template and status code.",
                ["method", "route", "status"],
                registry=registry,
            ),
            latency=Histogram(
                "http_request_duration_seconds",
                "Time from receiving an HTTP request to sending the end of its response.",
                ["route"],
                registry=registry,
            ),
            graphql_errors=Counter(
                "graphql_error_responses_total",
                "GraphQL HTTP responses carrying errors (a 4xx or 5xx status, or `errors` in the "
                "JSON of a 200), by status code.",
                ["status"],
                registry=registry,
            ),
            websockets=Gauge(
                "websocket_connections_active",
                "WebSocket connections accepted and still open.",
                registry=registry,
            ),
            subscriptions=Gauge(
                "graphql_subscriptions_active",
                "GraphQL subscriptions running, over any transport.",
                registry=registry,
            ),
        )


class PoolCollector(Collector):
    """The connection pools, read when scraped, so the numbers are current rather than sampled.

    PostgreSQL has one engine (`pool="main"`); SQLite a reader and a writer on one file. A pool
    without a fixed size (SQLite in memory) reports what it can.
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def _pools(self) -> Iterator[tuple[str, AsyncEngine]]:
        if self.database.writer is self.database.reader:
            yield "main", self.database.reader
        else:
            yield "reads", self.database.reader
            yield "writes", self.database.writer

    def collect(self) -> Iterator[Metric]:
        checked_out = GaugeMetricFamily(
            "database_pool_checked_out_connections",
            "Connections lent out of the pool right now.",
            labels=["pool"],
        )
        size = GaugeMetricFamily(
            "database_pool_size_connections",
            "Connections the pool keeps open (bursts may open as many again).",
            labels=["pool"],
        )
        for name, engine in self._pools():
            pool = engine.pool
            # Only QueuePool-like pools count; SQLAlchemy's other pools lack these methods.
            lent = getattr(pool, "checkedout", None)
            if callable(lent):
                checked_out.add_metric([name], float(lent()))
            kept = getattr(pool, "size", None)
            if callable(kept):
                size.add_metric([name], float(kept()))
        yield checked_out
        yield size


def metrics_endpoint(metrics: Metrics) -> Callable[[Request], Awaitable[Response]]:
    async def scrape(request: Request) -> Response:
        """The metrics in the text format Prometheus asked for (OpenMetrics or the classic one)."""
        encode, media_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(metrics.registry), headers={"content-type": media_type})

    return scrape


def _route_of(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class MetricsMiddleware:
    """Counts and times HTTP requests, counts GraphQL responses with errors, and tracks open
    WebSockets. Pure ASGI, so streamed responses and WebSockets pass through untouched."""

    def __init__(self, app: ASGIApp, metrics: Metrics, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.metrics = metrics
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        # An exception before the response starts is answered with a 500 further out.
        status = 500

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            route = _route_of(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
            # The GraphQL view marks a result with errors in the request's state.
            has_errors = scope.get("state", {}).get("graphql_errors", False)
            if route == self.graphql_path and (status >= 400 or has_errors):
                self.metrics.graphql_errors.labels(str(status)).inc()

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = False

        async def tracking_send(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                self.metrics.websockets.inc()
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            if accepted:
                self.metrics.websockets.dec()
