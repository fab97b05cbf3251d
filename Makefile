# Each target sets itself up: a fresh clone needs only `make test` or `make demo`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup test test-cluster lint demo bench clean engine opensearch cluster elasticsearch-nodes elasticsearch

$(STAMP): pyproject.toml setup.py indexer/_scan.c
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy tests/conftest.py  # the other module named conftest (pyproject.toml)

# A local OpenSearch node (engine/, jars from Maven Central): the integration tests
# start one of their own; `make opensearch` runs one in the foreground for development,
# on 127.0.0.1:$(OPENSEARCH_PORT), its data kept in $(OPENSEARCH_DATA).
ENGINE_JAR      := engine/target/local-node.jar
OPENSEARCH_PORT ?= 9200
OPENSEARCH_DATA ?= .opensearch-data

$(ENGINE_JAR): engine/pom.xml $(wildcard engine/src/main/java/arabicsearch/*.java)
	mvn -q -B -f engine/pom.xml package

engine: $(ENGINE_JAR)

opensearch: $(ENGINE_JAR)
	java -Xms1g -Xmx1g -cp '$(ENGINE_JAR):engine/target/lib/*' arabicsearch.LocalNode \
		--port $(OPENSEARCH_PORT) --data $(OPENSEARCH_DATA)

# Three local OpenSearch nodes, one cluster, in the foreground (Ctrl-C stops all three):
# node-N on 127.0.0.1:$(CLUSTER_PORT)+N, transport $(CLUSTER_TRANSPORT_PORT)+N, data in
# $(CLUSTER_DATA)/node-N. The tests start a cluster of their own (tests/integration/test_three_nodes.py).
CLUSTER_PORT           ?= 9200
CLUSTER_TRANSPORT_PORT ?= 9300
CLUSTER_DATA           ?= .opensearch-cluster

cluster: $(ENGINE_JAR)
	$(PYTHON) tests/integration/local_node.py --cluster --port $(CLUSTER_PORT) \
		--transport-port $(CLUSTER_TRANSPORT_PORT) --data $(CLUSTER_DATA)

# Elasticsearch test nodes (engine/elasticsearch: Elasticsearch's integ-test distribution
# and the project's test plugin, from Maven Central), run as uid 65534 (Elasticsearch
# refuses root) by tests/integration/elastic_node.py, which rebuilds a version only when
# engine/elasticsearch changed. `make elasticsearch` runs one in the foreground for
# development, on 127.0.0.1:$(ELASTICSEARCH_PORT), its data kept in $(ELASTICSEARCH_DATA).
ELASTICSEARCH_VERSION ?= 9.5.3
ELASTICSEARCH_PORT    ?= 9200
ELASTICSEARCH_DATA    ?= .elasticsearch-data
ELASTIC_NODE          := $(PYTHON) tests/integration/elastic_node.py

elasticsearch-nodes:
	$(ELASTIC_NODE) --build 9.5.3 --build 8.19.21

elasticsearch:
	$(ELASTIC_NODE) --version $(ELASTICSEARCH_VERSION) --port $(ELASTICSEARCH_PORT) \
		--data $(ELASTICSEARCH_DATA)

# The unit tests run a second time on the pure-Python loops (ARABIC_SEARCH_PURE_PYTHON=1),
# as an install without a C compiler runs them (about 100 s). Not again: the integration
# suite and the Lucene parity (they test the engines, not the loops), and the parse of the
# whole ANT corpus (90 s in pure Python; tests/test_scan.py compares the two paths' output
# on its first articles instead).
test: lint $(ENGINE_JAR) elasticsearch-nodes
	$(BIN)/arabic-search mappings --check
	$(BIN)/python -m pytest
	ARABIC_SEARCH_PURE_PYTHON=1 $(BIN)/python -m pytest -q -m "not elasticsearch and not lucene" \
		--deselect tests/test_parse_cli.py::test_all_ant_articles_are_accounted_for

# Only the three-node cluster's tests (`make test` runs them too).
test-cluster: $(STAMP) $(ENGINE_JAR)
	$(BIN)/python -m pytest -m cluster3

# The ANT news corpus from ../shared when it is there, else the bundled sample.
DEMO_DATA := $(firstword $(wildcard ../shared/data/ant-news/ant_v2.1_multisource.jsonl.gz) tests/fixtures/ant-sample.jsonl)
# Its own index, apart from the default home: the README's tour then starts on an empty
# one, as printed (after the 31k demo articles, its first reindex would be a shrink).
DEMO_HOME := .arabic-search-demo
SEARCH    := $(BIN)/arabic-search search --home $(DEMO_HOME) --size 3

demo: $(STAMP)
	$(BIN)/arabic-search reindex $(DEMO_DATA) tests/fixtures/seed-article.txt --home $(DEMO_HOME)
	@echo; echo '== search: الخارجية الروسية'
	$(SEARCH) 'الخارجية الروسية'
	@echo; echo '== search: كأس العالم, in the sport category'
	$(SEARCH) 'كأس العالم' --category sport
	@echo; echo '== search: "الذكاء الاصطناعي" as a phrase, newest first'
	$(SEARCH) '"الذكاء الاصطناعي"' --sort date

bench: $(STAMP)
	$(BIN)/python bench/normalize.py
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/parse_cli.py
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/embedded.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis $(DEMO_HOME) .arabic-search engine/target engine/elasticsearch/target
