"""Both backends have every operation of the Backend protocol; one that a backend
lacks is refused in one line that names the backend that has it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

from indexer.backends import Backend, Unsupported
from indexer.backends.cluster.backend import ClusterBackend
from indexer.backends.embedded.backend import EmbeddedBackend

OPERATIONS = {
    name
    for name in dir(Backend)
    if not name.startswith("_") and callable(getattr(Backend, name, None))
}


@pytest.mark.parametrize("backend", [EmbeddedBackend, ClusterBackend])
def test_every_operation_of_the_protocol_is_a_method(backend: type) -> None:
    assert "reindex_from_index" in OPERATIONS and "save_checkpoint" in OPERATIONS
    missing = {name for name in OPERATIONS if not callable(getattr(backend, name, None))}
    assert not missing


def test_the_embedded_backend_refuses_from_index_in_a_typed_way(tmp_path: Path) -> None:
    with pytest.raises(Unsupported, match="Elasticsearch or OpenSearch only"):
        EmbeddedBackend(tmp_path).reindex_from_index("articles")
    result = run_cli("reindex", "--from-index", "--backend", "embedded", "--home", str(tmp_path))
    assert result.code == 2 and "Traceback" not in result.err
    line = result.error_line()
    assert "Elasticsearch or OpenSearch only" in line
