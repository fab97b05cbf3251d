"""How to reach Elasticsearch: from the environment, overridden by flags.

    ES_URL            http://localhost:9200 (the only required one)
    ES_API_KEY        an API key (base64 "id:key"), or
    ES_USERNAME / ES_PASSWORD
    ES_CA_CERTS       a CA bundle for TLS
    ES_VERIFY_CERTS   true by default; "false" only for a throw-away dev cluster

Secrets never leave this object: its repr hides them, and urls are shown without
their user-info.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from indexer.backends import BackendError

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ElasticSettings:
    url: str = field(repr=False)  # may carry user:password@; show safe_url instead
    api_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    verify_certs: bool = True
    request_timeout: float = 30.0
    max_retries: int = 5  # per bulk chunk and per request, with exponential backoff
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    chunk_docs: int = 500
    chunk_bytes: int = 5 * 1024 * 1024
    keep_old_versions: int = 2

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **overrides: object) -> ElasticSettings:
        url = str(overrides.pop("url", None) or env.get("ES_URL") or "")
        if not url:
            raise BackendError("ES_URL is not set (e.g. ES_URL=http://localhost:9200)")
        verify = env.get("ES_VERIFY_CERTS", "true").strip().lower()
        if verify not in _TRUE | _FALSE:
            raise BackendError(f"ES_VERIFY_CERTS must be true or false, not {verify!r}")
        if bool(env.get("ES_USERNAME")) != bool(env.get("ES_PASSWORD")):
            raise BackendError("set both ES_USERNAME and ES_PASSWORD, or neither")
        values: dict = {
            "url": url,
            "api_key": env.get("ES_API_KEY") or None,
            "username": env.get("ES_USERNAME") or None,
            "password": env.get("ES_PASSWORD") or None,
            "ca_certs": env.get("ES_CA_CERTS") or None,
            "verify_certs": verify in _TRUE,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def safe_url(self) -> str:
        """The url without user-info: fit for messages and logs."""
        parts = urllib.parse.urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def client_options(self) -> dict:
        """Keyword arguments for elasticsearch.Elasticsearch."""
        options: dict = {
            "hosts": [self.url],
            "verify_certs": self.verify_certs,
            "request_timeout": self.request_timeout,
            "max_retries": self.max_retries,
            "retry_on_timeout": True,
            "retry_on_status": (429, 502, 503, 504),
        }
        if self.ca_certs:
            options["ca_certs"] = self.ca_certs
        if self.api_key:
            options["api_key"] = self.api_key
        elif self.username:
            options["basic_auth"] = (self.username, self.password)
        if not self.verify_certs:
            options["ssl_show_warn"] = False
        return options
