"""How to reach a cluster: from the environment, overridden by flags.

Each engine reads variables with its own prefix, ES_ for Elasticsearch and
OPENSEARCH_ for OpenSearch:

    <P>URL            http://localhost:9200: the cluster's root, with a scheme and a port and
                      no path (the only required one)
    <P>API_KEY        an API key (base64 "id:key"; Elasticsearch only), or
    <P>USERNAME / <P>PASSWORD
    <P>CA_CERTS       a CA bundle for TLS
    <P>VERIFY_CERTS   true by default; "false" only for a throw-away dev cluster

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
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def safe_url(self) -> str:
        """The url without user-info: fit for messages and logs."""
        parts = urllib.parse.urlsplit(self.url)
        return _root(parts) + parts.path


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
