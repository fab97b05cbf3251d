"""How to reach a cluster: from the environment, overridden by flags.

Each engine reads variables with its own prefix, ES_ for Elasticsearch and
OPENSEARCH_ for OpenSearch:

    <P>URL            http://localhost:9200: the cluster's root, with a scheme and a port and
                      no path (the only required one)
    <P>API_KEY        an API key (base64 "id:key"; Elasticsearch only), or
    <P>USERNAME / <P>PASSWORD
    <P>CA_CERTS       a CA bundle for TLS
    <P>VERIFY_CERTS   true by default; "false" only for a throw-away dev cluster

And, for both engines, how a reindex lays out the versions it creates (reindex's
--shards and --replicas override them):

    ARABIC_SEARCH_SHARDS    primary shards of a new version (default 1)
    ARABIC_SEARCH_REPLICAS  replicas of each shard once loaded (default: auto_expand_replicas
                            0-1, one replica where a second node exists)

Secrets never leave this object: its repr hides them, and urls are shown without
their user-info.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer.backends import KEEP_OLD_VERSIONS, BackendError

# Documents between two checkpoints of a load; every bulk request is a commit, and a
# checkpoint costs one more request.
CHECKPOINT_EVERY = 5_000
DEFAULT_TIMEOUT = 30.0  # seconds a request may take; --timeout
DEFAULT_RETRIES = 5  # per bulk chunk and per request, with exponential backoff; --retries
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
ENV_PREFIX = {"elasticsearch": "ES_", "opensearch": "OPENSEARCH_"}
DEFAULT_SHARDS = 1
SHARDS_VARIABLE = "ARABIC_SEARCH_SHARDS"
REPLICAS_VARIABLE = "ARABIC_SEARCH_REPLICAS"
# What a version's replicas are when none is asked for: one where a second node
# exists, none on a single development node, which stays green.
AUTO_REPLICAS = "0-1"
# The project's own small indices (the locks, the update journal): one shard, and a
# replica where a second node exists.
SMALL_INDEX_SETTINGS = {"index": {"number_of_shards": 1, "auto_expand_replicas": AUTO_REPLICAS}}


@dataclass(frozen=True)
class ClusterSettings:
    url: str = field(repr=False)  # may carry user:password@; show safe_url instead
    api_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    verify_certs: bool = True
    request_timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_RETRIES
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    chunk_docs: int = 500
    chunk_bytes: int = 5 * 1024 * 1024
    checkpoint_every: int = CHECKPOINT_EVERY
    keep_old_versions: int = KEEP_OLD_VERSIONS
    reindex_batch: int = 1000  # documents per batch of a server-side _reindex
    reindex_rate: float | None = None  # its requests_per_second; None: unthrottled
    shards: int = DEFAULT_SHARDS  # primary shards of each new version (fixed once it is created)
    replicas: int | None = None  # of each shard once loaded; None: auto_expand_replicas 0-1

    def __post_init__(self) -> None:
        # Checked here, so a value from the environment, a flag or code is refused alike.
        if isinstance(self.shards, bool) or not isinstance(self.shards, int) or self.shards < 1:
            raise BackendError(
                f"shards must be a whole number, 1 or more, not {self.shards!r} "
                f"(--shards or {SHARDS_VARIABLE})"
            )
        if self.replicas is not None and (
            isinstance(self.replicas, bool)
            or not isinstance(self.replicas, int)
            or self.replicas < 0
        ):
            raise BackendError(
                f"replicas must be a whole number, 0 or more, not {self.replicas!r} "
                f"(--replicas or {REPLICAS_VARIABLE})"
            )

    @property
    def layout(self) -> dict[str, Any]:
        """The index settings of a new version's shards and replicas, once loaded: the
        one place they are set (the committed mappings keep 1 shard and auto 0-1)."""
        if self.replicas is None:
            replicas: dict[str, Any] = {"auto_expand_replicas": AUTO_REPLICAS}
        else:  # auto_expand_replicas off, else number_of_replicas is ignored
            replicas = {"auto_expand_replicas": False, "number_of_replicas": self.replicas}
        return {"number_of_shards": self.shards, **replicas}

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] = os.environ,
        engine: str = "elasticsearch",
        **overrides: object,
    ) -> ClusterSettings:
        p = ENV_PREFIX[engine]
        url = str(overrides.pop("url", None) or env.get(f"{p}URL") or "")
        if not url:
            raise BackendError(f"{p}URL is not set (e.g. {p}URL=http://localhost:9200)")
        check_url(url, f"{p}URL")
        verify = env.get(f"{p}VERIFY_CERTS", "true").strip().lower()
        if verify not in _TRUE | _FALSE:
            raise BackendError(f"{p}VERIFY_CERTS must be true or false, not {verify!r}")
        if bool(env.get(f"{p}USERNAME")) != bool(env.get(f"{p}PASSWORD")):
            raise BackendError(f"set both {p}USERNAME and {p}PASSWORD, or neither")
        if engine == "opensearch" and env.get(f"{p}API_KEY"):
            raise BackendError(
                f"{p}API_KEY: OpenSearch takes no API key; set {p}USERNAME and {p}PASSWORD"
            )
        values: dict[str, Any] = {
            "url": url,
            "api_key": env.get(f"{p}API_KEY") or None,
            "username": env.get(f"{p}USERNAME") or None,
            "password": env.get(f"{p}PASSWORD") or None,
            "ca_certs": env.get(f"{p}CA_CERTS") or None,
            "verify_certs": verify in _TRUE,
        }
        for key, variable, low in (
            ("shards", SHARDS_VARIABLE, 1),
            ("replicas", REPLICAS_VARIABLE, 0),
        ):
            if overrides.get(key) is None:  # a flag given makes the variable irrelevant
                values[key] = _count_variable(env, variable, low)
        values.update({k: v for k, v in overrides.items() if v is not None})
        # None: not set, in the environment or by a flag; the field's default stands.
        return cls(**{k: v for k, v in values.items() if v is not None})

    @property
    def safe_url(self) -> str:
        """The url without user-info: fit for messages and logs."""
        parts = urllib.parse.urlsplit(self.url)
        return _root(parts) + parts.path


def _count_variable(env: Mapping[str, str], name: str, low: int) -> int | None:
    """A whole number of `low` or more from the environment; None when it is not set.
    The message names the variable, which says what to fix."""
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low:
        raise BackendError(f"{name} must be a whole number, {low} or more, not {text!r}")
    return value


def _root(parts: urllib.parse.SplitResult) -> str:
    """scheme://host:port of a url, without its user-info (an IPv6 host in brackets)."""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}:{parts.port}" if parts.port else f"{parts.scheme}://{host}"


def check_url(url: str, name: str) -> None:
    """A cluster url needs a scheme, a host and a port: the clients guess none of them.
    It is the cluster's root: a path (`/articles`) would be put before every API's path,
    and each request would fail with "no handler". A message shows no user-info."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        port, parts = None, urllib.parse.urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(
            f"{name} must start with http:// or https:// and name a host "
            "(e.g. http://localhost:9200)"
        )
    if port is None:
        raise BackendError(f"{name} names no port (e.g. {parts.scheme}://{parts.hostname}:9200)")
    if parts.path not in ("", "/"):
        root = _root(parts)
        hidden = " (with its user-info, not shown)" if "@" in parts.netloc else ""
        raise BackendError(
            f"{name} must be the cluster's root: a scheme, a host and a port, with no path "
            f"(an index name goes in --alias); use {root}{hidden}"
        )
