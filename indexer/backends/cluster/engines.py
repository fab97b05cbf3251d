"""The engines behind the cluster backend: Elasticsearch and OpenSearch.

Everything a reindex or a search does (versions, aliases, bulk, checkpoints, query
bodies) is shared, in backend.py; this module holds only what differs between the
two engines: each engine's official client and how it is built from the settings,
its call signatures, and its exceptions turned into the few kinds below.

Every operation is one request. Reads and idempotent writes go through the client
with its transport retries; requests that must not be sent twice on their own (a
bulk, an alias move, starting a _reindex, taking a lock) go through a client with
none: the backend decides what to do when they fail.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar

from indexer.backends.cluster.settings import ClusterSettings

EngineName = Literal["elasticsearch", "opensearch"]
RETRY_STATUSES = (429, 502, 503, 504)

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound="ClientEngine")

# ------------------------------------------------------------------ errors


class EngineError(Exception):
    """A request that failed; `status` is the HTTP status where there was one."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class Unreachable(EngineError):
    """No answer: connection refused or lost."""


class TimedOut(Unreachable):
    """No answer in time: the request may or may not have been carried out."""


class TlsFailed(EngineError):
    """The TLS handshake failed (an unknown CA, a wrong host name)."""


class PlainHttp(TlsFailed):
    """The TLS handshake failed because the server answered in plain HTTP: an
    https:// url for a node that does not speak TLS."""


# What OpenSSL says when the answer to its ClientHello is no TLS record (an HTTP
# response): "wrong version number" (OpenSSL 1.1 and 3.0), "record layer failure"
# and "packet length too long" (3.2 and later), "http request" (an HTTP line read as
# a record header), "unknown protocol" (older versions).
PLAIN_HTTP_SIGNS = (
    "wrong version number",
    "record layer failure",
    "packet length too long",
    "http request",
    "unknown protocol",
)


def tls_failure(reason: str) -> TlsFailed:
    """A failed handshake, told apart when the server speaks plain HTTP."""
    if any(sign in reason.lower() for sign in PLAIN_HTTP_SIGNS):
        return PlainHttp(reason)
    return TlsFailed(reason)


class Refused(EngineError):
    """401 or 403: the credentials, or their privileges."""


class NotFound(EngineError):
    """404."""


class NoHandler(EngineError):
    """405, or "no handler found": the engine has no such API (a module it lacks)."""


class Conflict(EngineError):
    """409, or an index that already exists."""


class ApiFailure(EngineError):
    """Any other error status; `reason` is the engine's error type and reason."""


class Unavailable(ApiFailure):
    """503, or a node that went away while it had part of the request: the cluster
    cannot answer now (no cluster-manager, a shard with no copy left), and may later."""


class Incompatible(ApiFailure):
    """The server refused the client's REST API version: a major the client does not
    speak (elasticsearch-py 8 asks for version 8 compatibility, which 8.x and 9.x
    servers give)."""


def error_reason(body: object, fallback: str) -> str:
    """'type: reason' from an error body, as both engines send it."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            # "all shards failed" and the like: the first root cause says why.
            causes = error.get("root_cause") or []
            if causes and isinstance(causes[0], dict) and causes[0].get("type"):
                error = causes[0]
            kind, reason = error.get("type"), error.get("reason")
            cause = error.get("caused_by")
            if not reason and isinstance(cause, dict) and cause.get("type"):
                # A search phase failing as a node goes says nothing itself, and has no
                # root cause: why is in its cause (node_not_connected_exception: ...).
                reason = f"{cause['type']}: {cause.get('reason')}"
            if kind or reason:
                return f"{kind}: {reason}" if kind and reason else str(kind or reason)
        if isinstance(error, str) and error:
            return error
    if isinstance(body, str) and body.strip():
        return body.strip().splitlines()[0][:200]
    return fallback


@dataclass(frozen=True)
class StatusRule:
    """An error answer of a kind: by its HTTP status, or by words in its reason."""

    kind: type[EngineError]
    statuses: tuple[int, ...]
    reason_has: str | None
    why: str


# The first row that fits decides; an answer that fits none is an ApiFailure.
STATUS_RULES = (
    StatusRule(Refused, (401, 403), None, "the credentials, or their privileges"),
    # Before NotFound: some engines answer an unknown endpoint with 404 "no handler".
    StatusRule(NoHandler, (405,), "no handler found", "an API the engine lacks (a module)"),
    StatusRule(NotFound, (404,), None, "no such index or document"),
    StatusRule(Conflict, (409,), "resource_already_exists", "it exists already"),
    StatusRule(Unavailable, (503,), None, "no cluster-manager, or a shard with no copy left"),
    # A node that stops while a request is on it (a search's fetch phase, say): 500.
    StatusRule(Unavailable, (), "node_not_connected_exception", "a node went away"),
    StatusRule(Unavailable, (), "node_disconnected_exception", "a node went away"),
    StatusRule(Unavailable, (), "node_closed_exception", "a node is shutting down"),
)


def by_status(status: int, reason: str) -> EngineError:
    """The kind of error for an HTTP status and its reason."""
    for rule in STATUS_RULES:
        if status in rule.statuses or (rule.reason_has and rule.reason_has in reason):
            return rule.kind(reason, status)
    return ApiFailure(reason, status)


# ------------------------------------------------------------------ the interface


@dataclass(frozen=True)
class BulkItem:
    """One document's fate in a bulk request."""

    ok: bool
    status: int
    reason: str = ""


class Engine(Protocol):
    """The requests the cluster backend makes, each one request to the engine."""

    name: EngineName
    product: str  # for messages: "Elasticsearch", "OpenSearch"
    supported: str  # the versions this client serves, for messages (docs/engines.md)

    def info(self) -> dict[str, Any]: ...
    def server_version(self) -> str | None:
        """The server's version number from `GET /`, asked without API version
        headers, so that a server of a version the client does not speak answers too;
        None when it does not say."""

    def health(self) -> dict[str, Any]: ...

    def create_index(
        self, name: str, settings: dict[str, Any], mappings: dict[str, Any]
    ) -> None: ...
    def put_settings(self, index: str, settings: dict[str, Any]) -> None: ...
    def put_meta(self, index: str, meta: dict[str, Any]) -> None: ...
    def mappings(self, index: str) -> dict[str, dict[str, Any]]:
        """Each matching index's mappings; {} when none match."""

    def index_settings(self, index: str) -> dict[str, dict[str, Any]]:
        """Each matching index's settings ({"index": {...}}, values as strings); {}
        when none match."""

    def refresh(self, index: str) -> None: ...
    def count(self, index: str) -> int: ...
    def delete_index(self, name: str) -> None:
        """Delete a concrete index by name; one that does not exist is no error."""

    def is_index(self, name: str) -> bool:
        """Is `name` a concrete index (not an alias)?"""

    def alias_targets(self, alias: str) -> list[str]: ...
    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        """One atomic _aliases request, sent once."""

    def bulk(self, ndjson: bytes) -> list[BulkItem]:
        """One _bulk request (action and document lines, serialized), sent once."""

    def start_reindex(self, source: str, dest: str, batch: int, rate: float | None) -> str:
        """Start a server-side _reindex; returns its task id. NoHandler when the engine
        has no reindex module."""

    def task(self, task_id: str) -> dict[str, Any]:
        """The task: {"completed": ..., "task": {...}, "response" or "error": ...}."""

    def cancel_task(self, task_id: str) -> None: ...

    def search(
        self, index: str, body: dict[str, Any], search_type: str | None = None
    ) -> dict[str, Any]:
        """A _search; `search_type` (a URL parameter) such as "dfs_query_then_fetch"."""

    def analyze(self, index: str, body: dict[str, Any]) -> list[str]: ...

    def create_document(self, index: str, doc_id: str, document: dict[str, Any]) -> None:
        """Create a document, sent once; Conflict if one with that id exists."""

    def get_document(self, index: str, doc_id: str) -> dict[str, Any] | None: ...
    def delete_document(self, index: str, doc_id: str) -> None: ...


def engine_call(fn: Callable[Concatenate[C, P], T]) -> Callable[Concatenate[C, P], T]:
    """Run a client call; turn the client's exceptions into EngineError kinds, as the
    engine's `translate` reads them."""

    @functools.wraps(fn)
    def call(engine: C, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(engine, *args, **kwargs)
        except EngineError:
            raise
        except Exception as err:
            mapped = engine.translate(err)
            if mapped is None:
                raise
            raise mapped from err

    return call


class ClientEngine:
    """The calls that both official clients make alike; each engine adds the others,
    names its client's 404 exception and says how its exceptions read."""

    client: Any
    not_found: type[Exception]

    @staticmethod
    def translate(err: Exception) -> EngineError | None:
        raise NotImplementedError

    @engine_call
    def info(self) -> dict[str, Any]:
        return dict(self.client.info())

    @engine_call
    def health(self) -> dict[str, Any]:
        return dict(self.client.cluster.health())

    @engine_call
    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index)

    @engine_call
    def count(self, index: str) -> int:
        return int(self.client.count(index=index)["count"])

    @engine_call
    def is_index(self, name: str) -> bool:
        try:
            found = self.client.indices.get(index=name)
        except self.not_found:
            return False
        return name in found  # an alias of that name resolves to other indices

    @engine_call
    def alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except self.not_found:
            return []

    @engine_call
    def cancel_task(self, task_id: str) -> None:
        self.client.tasks.cancel(task_id=task_id)

    @engine_call
    def search(
        self, index: str, body: dict[str, Any], search_type: str | None = None
    ) -> dict[str, Any]:
        params = {"search_type": search_type} if search_type else {}
        return dict(self.client.search(index=index, body=body, **params))

    @engine_call
    def analyze(self, index: str, body: dict[str, Any]) -> list[str]:
        response = self.client.indices.analyze(index=index, body=body)
        return [t["token"] for t in response["tokens"]]

    @engine_call
    def get_document(self, index: str, doc_id: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(index=index, id=doc_id)["_source"])
        except self.not_found:
            return None


def _version_number(info: object) -> str | None:
    version = info.get("version") if isinstance(info, dict) else None
    number = version.get("number") if isinstance(version, dict) else None
    return number if isinstance(number, str) else None


def _bulk_items(response: dict[str, Any]) -> list[BulkItem]:
    items = []
    for entry in response["items"]:
        item = next(iter(entry.values()))
        status = int(item.get("status", 0))
        ok = 200 <= status < 300
        reason = "" if ok else error_reason({"error": item.get("error")}, f"status {status}")
        items.append(BulkItem(ok, status, reason))
    return items


# ------------------------------------------------------------------ Elasticsearch


def _elasticsearch_error(err: Exception) -> EngineError | None:
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout, SerializationError, TlsError
    from elasticsearch import ApiError, UnsupportedProductError

    if isinstance(err, TlsError):
        return tls_failure(str(err.message))
    if isinstance(err, ConnectionTimeout):
        return TimedOut(f"no answer in time ({err.message})")
    if isinstance(err, TransportConnectionError):
        return Unreachable(type(err).__name__)
    if isinstance(err, SerializationError):
        return ApiFailure("not JSON")
    if isinstance(err, UnsupportedProductError):
        return ApiFailure(
            "the server is not Elasticsearch (is it OpenSearch? use --backend opensearch)"
        )
    if isinstance(err, ApiError):
        reason = error_reason(err.body, str(err.message))
        if err.meta.status == 400 and reason.startswith("media_type_header_exception"):
            return Incompatible(reason, 400)
        return by_status(err.meta.status, reason)
    return None


class ElasticsearchEngine(ClientEngine):
    """Elasticsearch 8.x/9.x through elasticsearch-py 8, which asks for version 8
    compatibility: 9.x servers give it, and elasticsearch-py 9 is refused by 8.x."""

    name: EngineName = "elasticsearch"
    product = "Elasticsearch"
    supported = "Elasticsearch 8.x and 9.x (tested on 8.19 and 9.5)"

    def __init__(self, settings: ClusterSettings, client: Any = None) -> None:
        from elasticsearch import Elasticsearch, NotFoundError

        self.not_found = NotFoundError
        self.client = client or Elasticsearch(**self.client_options(settings))
        self.once = self.client.options(max_retries=0, retry_on_timeout=False)

    translate = staticmethod(_elasticsearch_error)

    @staticmethod
    def client_options(s: ClusterSettings) -> dict[str, Any]:
        options: dict[str, Any] = {
            "hosts": [s.url],
            "verify_certs": s.verify_certs,
            "request_timeout": s.request_timeout,
            "max_retries": s.max_retries,
            "retry_on_timeout": True,
            "retry_on_status": RETRY_STATUSES,
        }
        if s.ca_certs:
            options["ca_certs"] = s.ca_certs
        if s.api_key:
            options["api_key"] = s.api_key
        elif s.username:
            options["basic_auth"] = (s.username, s.password)
        if not s.verify_certs:
            options["ssl_show_warn"] = False
        return options

    def server_version(self) -> str | None:
        # The client turns every request's media types into its compatibility ones: the
        # transport under it sends them plain (with the client's other headers: auth).
        headers = self.client._headers.copy()
        headers.update({"accept": "application/json", "content-type": "application/json"})
        try:
            answer = self.client.transport.perform_request("GET", "/", headers=headers)
        except Exception:  # no answer, or none that says: the caller says "unknown"
            return None
        return _version_number(answer.body)

    @engine_call
    def create_index(self, name: str, settings: dict[str, Any], mappings: dict[str, Any]) -> None:
        self.once.indices.create(index=name, settings=settings, mappings=mappings)

    @engine_call
    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self.client.indices.put_settings(index=index, settings=settings)

    @engine_call
    def put_meta(self, index: str, meta: dict[str, Any]) -> None:
        self.client.indices.put_mapping(index=index, meta=meta)

    @engine_call
    def mappings(self, index: str) -> dict[str, dict[str, Any]]:
        found = self.client.indices.get_mapping(index=index, allow_no_indices=True)
        return {name: body["mappings"] for name, body in found.items()}

    @engine_call
    def index_settings(self, index: str) -> dict[str, dict[str, Any]]:
        found = self.client.indices.get_settings(index=index, allow_no_indices=True)
        return {name: body["settings"] for name, body in found.items()}

    @engine_call
    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name, ignore_unavailable=True)

    @engine_call
    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.once.indices.update_aliases(actions=actions)

    @engine_call
    def bulk(self, ndjson: bytes) -> list[BulkItem]:
        # The client sends bytes as they are (serialized already).
        response = self.once.bulk(operations=ndjson)
        return _bulk_items(dict(response))

    @engine_call
    def start_reindex(self, source: str, dest: str, batch: int, rate: float | None) -> str:
        response = self.once.reindex(
            source={"index": source, "size": batch},
            dest={"index": dest},
            wait_for_completion=False,
            requests_per_second=rate if rate else -1,
        )
        return str(response["task"])

    @engine_call
    def task(self, task_id: str) -> dict[str, Any]:
        from elasticsearch.exceptions import GeneralAvailabilityWarning

        # The task API is marked "technical preview"; it is how _reindex is watched.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GeneralAvailabilityWarning)
            return dict(self.client.tasks.get(task_id=task_id))

    @engine_call
    def create_document(self, index: str, doc_id: str, document: dict[str, Any]) -> None:
        self.once.create(index=index, id=doc_id, document=document, refresh=True)

    @engine_call
    def delete_document(self, index: str, doc_id: str) -> None:
        from elasticsearch import NotFoundError

        with contextlib.suppress(NotFoundError):
            self.client.delete(index=index, id=doc_id, refresh=True)


# ------------------------------------------------------------------ OpenSearch


def _opensearch_error(err: Exception) -> EngineError | None:
    from opensearchpy import exceptions as os_errors

    if isinstance(err, os_errors.SerializationError):
        return ApiFailure("not JSON")
    if isinstance(err, os_errors.SSLError):
        return tls_failure(str(err.info or err.error))
    if isinstance(err, os_errors.ConnectionTimeout):
        return TimedOut(f"no answer in time ({err.error})")
    if isinstance(err, os_errors.ConnectionError):
        return Unreachable(type(err.info).__name__ if err.info else "ConnectionError")
    if isinstance(err, os_errors.TransportError) and isinstance(err.status_code, int):
        return by_status(err.status_code, error_reason(err.info, str(err.error)))
    return None


class OpenSearchEngine(ClientEngine):
    """OpenSearch 2.x/3.x, self-hosted or managed with basic auth, through opensearch-py."""

    name: EngineName = "opensearch"
    product = "OpenSearch"
    supported = "OpenSearch 2.x (tested on 2.19)"

    def __init__(self, settings: ClusterSettings, client: Any = None) -> None:
        from opensearchpy import NotFoundError, OpenSearch

        self.not_found = NotFoundError
        options = self.client_options(settings)
        self.client = client or OpenSearch(**options)
        # A client given (a test's) serves for both.
        self.once = client or OpenSearch(**{**options, "max_retries": 0, "retry_on_timeout": False})

    translate = staticmethod(_opensearch_error)

    @staticmethod
    def client_options(s: ClusterSettings) -> dict[str, Any]:
        options: dict[str, Any] = {
            "hosts": [s.url],
            "verify_certs": s.verify_certs,
            "timeout": s.request_timeout,
            "max_retries": s.max_retries,
            "retry_on_timeout": True,
            "retry_on_status": RETRY_STATUSES,
        }
        if s.ca_certs:
            options["ca_certs"] = s.ca_certs
        if s.username:
            options["http_auth"] = (s.username, s.password)
        if not s.verify_certs:
            options["ssl_show_warn"] = False
        return options

    def server_version(self) -> str | None:
        try:
            return _version_number(self.client.info())
        except Exception:
            return None

    @engine_call
    def create_index(self, name: str, settings: dict[str, Any], mappings: dict[str, Any]) -> None:
        self.once.indices.create(index=name, body={"settings": settings, "mappings": mappings})

    @engine_call
    def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self.client.indices.put_settings(index=index, body=settings)

    @engine_call
    def put_meta(self, index: str, meta: dict[str, Any]) -> None:
        self.client.indices.put_mapping(index=index, body={"_meta": meta})

    @engine_call
    def mappings(self, index: str) -> dict[str, dict[str, Any]]:
        found = self.client.indices.get_mapping(index=index, params={"allow_no_indices": "true"})
        return {name: body["mappings"] for name, body in found.items()}

    @engine_call
    def index_settings(self, index: str) -> dict[str, dict[str, Any]]:
        found = self.client.indices.get_settings(index=index, params={"allow_no_indices": "true"})
        return {name: body["settings"] for name, body in found.items()}

    @engine_call
    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name, params={"ignore_unavailable": "true"})

    @engine_call
    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.once.indices.update_aliases(body={"actions": actions})

    @engine_call
    def bulk(self, ndjson: bytes) -> list[BulkItem]:
        return _bulk_items(self.once.bulk(body=ndjson))

    @engine_call
    def start_reindex(self, source: str, dest: str, batch: int, rate: float | None) -> str:
        response = self.once.reindex(
            body={"source": {"index": source, "size": batch}, "dest": {"index": dest}},
            params={"wait_for_completion": "false", "requests_per_second": rate or -1},
        )
        return str(response["task"])

    @engine_call
    def task(self, task_id: str) -> dict[str, Any]:
        return dict(self.client.tasks.get(task_id=task_id))

    @engine_call
    def create_document(self, index: str, doc_id: str, document: dict[str, Any]) -> None:
        self.once.create(index=index, id=doc_id, body=document, params={"refresh": "true"})

    @engine_call
    def delete_document(self, index: str, doc_id: str) -> None:
        from opensearchpy import NotFoundError

        with contextlib.suppress(NotFoundError):
            self.client.delete(index=index, id=doc_id, params={"refresh": "true"})


# Keyed by str: engine names come from --backend or the environment (see choose_backend).
ENGINES: dict[str, Callable[[ClusterSettings], Engine]] = {
    "elasticsearch": ElasticsearchEngine,
    "opensearch": OpenSearchEngine,
}
