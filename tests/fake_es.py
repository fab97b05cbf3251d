"""A test transport for elasticsearch-py and opensearch-py: an in-memory cluster behind
a fake node.

The client sends real requests (method, path, JSON or NDJSON body) through
elastic_transport, or opensearch-py's transport; FakeNode, or FakeConnection, hands
them to a FakeCluster, which records them and answers like Elasticsearch for the calls
the backend makes. Tests can script failures: statuses for whole requests, per-item
bulk statuses, dropped connections, APIs the node lacks. No network is used.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from elastic_transport import ApiResponseMeta, BaseNode, ConnectionTimeout, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node._base import NodeApiResponse
from elastic_transport.client_utils import DefaultType
from elasticsearch import Elasticsearch
from opensearchpy import Connection, OpenSearch
from opensearchpy import exceptions as os_errors

# A request body as json.loads gives it (Any, as there): the tests check its shape.
Json = Any
# What the cluster answers: the HTTP status and the JSON body.
Answer = tuple[int, dict[str, Any]]


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: Json  # a list for NDJSON, or None


@dataclass
class FakeCluster:
    # name -> {settings, mappings, docs}
    indices: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)  # alias -> indices
    requests: list[Request] = field(default_factory=list)
    # Scripted trouble, consumed in order, one a request: a status for the whole
    # request, "drop" (the connection is lost), or None (answered normally).
    request_failures: list[int | Literal["drop"] | None] = field(default_factory=list)
    # The body of a scripted failure's answer (None: a plain "scripted" error).
    failure_body: dict[str, Any] | None = None
    # Per bulk item: (doc id, attempt) -> status; attempts count from 1.
    item_status: Callable[[str, int], int] = lambda doc_id, attempt: 201
    search_response: dict[str, Any] | None = None
    attempts: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # finished _reindex tasks
    # Requests ("POST /_aliases") carried out whose answer is then lost, once each.
    answers_lost: set[str] = field(default_factory=set)
    # APIs the node lacks, as a node without their module answers: the path's first
    # part ("_reindex") -> 405 (the path is taken for an index name), or 400 or 404
    # (no handler found).
    without: dict[str, int] = field(default_factory=dict)

    def client(self) -> Elasticsearch:
        FakeNode.cluster = self
        return Elasticsearch(
            "http://fake-es:9200", node_class=FakeNode, max_retries=0, retry_on_timeout=False
        )

    def opensearch_client(self) -> OpenSearch:
        FakeConnection.cluster = self
        return OpenSearch(
            "http://fake-os:9200",
            connection_class=FakeConnection,
            max_retries=0,
            retry_on_timeout=False,
        )

    def paths(self, method: str | None = None) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests if method in (None, r.method)]

    def bodies(self, path_pattern: str) -> list[Json]:
        return [r.body for r in self.requests if re.fullmatch(path_pattern, r.path)]

    # ---------------------------------------------------------------- handling

    def handle(self, method: str, path: str, params: dict[str, str], body: Json) -> Answer:
        answer = self._handle(method, path, params, body)
        if f"{method} {path}" in self.answers_lost:
            self.answers_lost.discard(f"{method} {path}")
            raise ConnectionTimeout("read timed out (scripted, after the request was applied)")
        return answer

    def _handle(self, method: str, path: str, params: dict[str, str], body: Json) -> Answer:
        self.requests.append(Request(method, path, params, body))
        failure = None
        if self.request_failures and method != "HEAD" and path != "/":
            failure = self.request_failures.pop(0)
        if failure == "drop":
            raise TransportConnectionError("connection reset by peer (scripted)")
        if failure is not None:
            scripted = {"error": {"type": "scripted", "reason": "scripted"}, "status": failure}
            return failure, self.failure_body or scripted
        parts = [p for p in path.split("/") if p]
        if not parts:
            return 200, {"version": {"number": "9.1.0"}, "tagline": "You Know, for Search"}
        if parts[0] in self.without:
            return _no_handler(method, path, params, self.without[parts[0]])
        if parts[0] == "_bulk":
            return self._bulk(body)
        if parts[0] == "_aliases":
            return self._update_aliases(body["actions"])
        if parts[0] == "_alias":
            return self._get_alias(parts[1])
        if parts[0] == "_cluster":
            return 200, {"status": "green", "number_of_nodes": 1}
        if parts[0] == "_reindex":
            # Run at once; with wait_for_completion=false, answered as a finished task.
            source, dest = body["source"]["index"], body["dest"]["index"]
            docs = self.indices[self._resolve(source)[0]]["docs"]
            self.indices[dest]["docs"].update(docs)
            response = {"total": len(docs), "created": len(docs), "failures": []}
            if params.get("wait_for_completion") != "false":
                return 200, response
            task_id = f"node:{len(self.tasks) + 1}"
            self.tasks[task_id] = {"completed": True, "task": {}, "response": response}
            return 200, {"task": task_id}
        if parts[0] == "_tasks":
            return 200, self.tasks[urllib.parse.unquote(parts[1])]
        name = parts[0]
        rest = parts[1:]
        if not rest:
            return self._index_op(method, name, body)
        if rest[0] in ("_create", "_doc"):
            return self._document(method, name, rest[0], rest[1], body)
        if rest[0] == "_settings" and method == "GET":
            return 200, {n: {"settings": self.index_settings(n)} for n in self._resolve(name)}
        if rest[0] == "_settings":
            self.indices[name]["settings"].setdefault("updates", []).append(body)
            return 200, {"acknowledged": True}
        if rest[0] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if rest[0] == "_count":
            targets = self._resolve(name)
            return 200, {"count": sum(len(self.indices[t]["docs"]) for t in targets)}
        if rest[0] == "_mapping" and method == "PUT":
            # Only what the backend sends: the _meta, replaced as a whole (as in ES).
            self.indices[name]["mappings"]["_meta"] = body["_meta"]
            return 200, {"acknowledged": True}
        if rest[0] == "_mapping":
            return 200, {n: {"mappings": self.indices[n]["mappings"]} for n in self._resolve(name)}
        if rest[0] == "_search":
            return 200, self.search_response or _empty_search()
        raise AssertionError(f"the fake cluster does not handle {method} {path}")

    def index_settings(self, name: str) -> dict[str, Any]:
        """An index's settings as GET _settings gives them: those it was created with,
        then each update, the values as strings; on this one node, auto_expand_replicas
        0-1 expands to no replica."""
        created = self.indices[name]["settings"]
        index = {k: v for k, v in created.get("index", {}).items() if not isinstance(v, dict)}
        index.setdefault("number_of_shards", 1)
        index.setdefault("number_of_replicas", 1)
        for update in created.get("updates", []):
            index.update({k: v for k, v in update["index"].items() if v is not None})
        if index.get("auto_expand_replicas") not in (None, False, "false"):
            index["number_of_replicas"] = 0
        return {
            "index": {
                k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in index.items()
            }
        }

    def _document(self, method: str, index: str, kind: str, doc_id: str, body: Json) -> Answer:
        docs = self.indices.setdefault(index, {"settings": {}, "mappings": {}, "docs": {}})["docs"]
        if kind == "_create":
            if doc_id in docs:
                return 409, {"error": {"type": "version_conflict_engine_exception"}}
            docs[doc_id] = body
            return 201, {"_id": doc_id, "result": "created"}
        if method == "DELETE":
            found = docs.pop(doc_id, None)
            return (200 if found else 404), {"_id": doc_id, "result": "deleted"}
        if doc_id not in docs:
            return 404, {"_id": doc_id, "found": False}
        return 200, {"_id": doc_id, "found": True, "_source": docs[doc_id]}

    def _resolve(self, name: str) -> list[str]:
        if name in self.aliases:
            return sorted(self.aliases[name])
        return sorted(n for n in self.indices if fnmatch.fnmatch(n, name))

    def _index_op(self, method: str, name: str, body: Json) -> Answer:
        if method == "PUT":
            if name in self.indices or name in self.aliases:
                return 400, {"error": {"type": "resource_already_exists_exception"}}
            self.indices[name] = {
                "settings": copy.deepcopy(body.get("settings", {})),
                "mappings": copy.deepcopy(body.get("mappings", {})),
                "docs": {},
            }
            return 200, {"acknowledged": True, "index": name}
        if method == "DELETE":
            self.indices.pop(name, None)
            for members in self.aliases.values():
                members.discard(name)
            return 200, {"acknowledged": True}
        found = self._resolve(name)
        if not found:
            return 404, {"error": {"type": "index_not_found_exception", "index": name}}
        return 200, {n: {"settings": self.indices[n]["settings"]} for n in found}

    def _bulk(self, lines: list[dict[str, Any]]) -> Answer:
        items: list[dict[str, Any]] = []
        for action, source in zip(lines[::2], lines[1::2], strict=True):
            meta = action["index"]
            doc_id, index = meta["_id"], meta["_index"]
            self.attempts[doc_id] = self.attempts.get(doc_id, 0) + 1
            status = self.item_status(doc_id, self.attempts[doc_id])
            item: dict[str, Any] = {"_index": index, "_id": doc_id, "status": status}
            if status < 300:
                self.indices[index]["docs"][doc_id] = source
            else:
                kind = "mapper_parsing_exception" if status == 400 else "es_rejected_execution"
                item["error"] = {"type": kind, "reason": f"scripted {status}"}
            items.append({"index": item})
        return 200, {
            "took": 1,
            "errors": any(i["index"]["status"] >= 300 for i in items),
            "items": items,
        }

    def _update_aliases(self, actions: list[dict[str, Any]]) -> Answer:
        # All or nothing, as in Elasticsearch: check every action first.
        for action in actions:
            ((kind, spec),) = action.items()
            if kind == "remove" and spec["index"] not in self.aliases.get(spec["alias"], set()):
                return 404, {"error": {"type": "aliases_not_found_exception"}}
            if kind in ("add", "remove_index") and spec["index"] not in self.indices:
                return 404, {"error": {"type": "index_not_found_exception"}}
        removed = {a["remove_index"]["index"] for a in actions if "remove_index" in a}
        for action in actions:
            ((kind, spec),) = action.items()
            if kind == "remove":
                self.aliases[spec["alias"]].discard(spec["index"])
            elif kind == "remove_index":
                self.indices.pop(spec["index"])
        for action in actions:
            ((kind, spec),) = action.items()
            if kind == "add":
                if spec["alias"] in self.indices and spec["alias"] not in removed:
                    return 400, {"error": {"type": "invalid_alias_name_exception"}}
                self.aliases.setdefault(spec["alias"], set()).add(spec["index"])
        return 200, {"acknowledged": True}

    def _get_alias(self, alias: str) -> Answer:
        members = self.aliases.get(alias)
        if not members:
            return 404, {"error": f"alias [{alias}] missing", "status": 404}
        return 200, {m: {"aliases": {alias: {}}} for m in members}


def _no_handler(method: str, path: str, params: dict[str, str], status: int) -> Answer:
    """What a node answers for an API it lacks (a bare string as the error)."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    uri = f"{path}?{query}" if query else path
    if status == 405:
        error = (
            f"Incorrect HTTP method for uri [{uri}] and method [{method}], "
            "allowed: [GET, PUT, DELETE, HEAD]"
        )
    else:
        error = f"no handler found for uri [{uri}] and method [{method}]"
    return status, {"error": error, "status": status}


def _empty_search() -> dict[str, Any]:
    return {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}


class FakeNode(BaseNode):
    cluster: FakeCluster

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = None,
    ) -> NodeApiResponse:
        path, _, query = target.partition("?")
        params = {k: v for k, _, v in (p.partition("=") for p in query.split("&") if p)}
        parsed: Json = None
        if body:
            text = body.decode("utf-8")
            if path.endswith("_bulk"):
                parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                parsed = json.loads(text)
        status, answer = self.cluster.handle(method, path, params, parsed)
        raw = b"" if method == "HEAD" else json.dumps(answer).encode("utf-8")
        headers = HttpHeaders(
            {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
        )
        meta = ApiResponseMeta(status, "1.1", headers, 0.0, self.config)
        return NodeApiResponse(meta, raw)


class FakeConnection(Connection):
    """opensearch-py's connection to the same FakeCluster."""

    cluster: FakeCluster

    def perform_request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
        ignore: Collection[int] = (),
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        parsed: Json = None
        if text and url.endswith("_bulk"):
            parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif text:
            parsed = json.loads(text)
        try:
            status, answer = self.cluster.handle(
                method, url, {k: _param(v) for k, v in (params or {}).items()}, parsed
            )
        except ConnectionTimeout as err:
            raise os_errors.ConnectionTimeout("TIMEOUT", str(err), err) from err
        except TransportConnectionError as err:
            raise os_errors.ConnectionError("N/A", str(err), err) from err
        raw = json.dumps(answer)
        if not 200 <= status < 300 and status not in ignore:
            self._raise_error(status, raw, "application/json")
        return status, {"content-type": "application/json"}, raw


def _param(value: object) -> str:
    """A URL parameter as the server reads it (opensearch-py passes some as bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
