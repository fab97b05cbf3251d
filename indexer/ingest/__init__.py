"""Ingest: files are read, cleaned and dated into articles; duplicates are set aside."""
