"""The cluster backend: one backend for Elasticsearch and OpenSearch, and its engines."""
