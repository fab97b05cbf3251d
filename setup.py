"""The C part of the package: the per-character loops of ingestion and indexing (indexer/_scan.c).
Everything else is declared in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("indexer._scan", ["indexer/_scan.c"], extra_compile_args=["-O3"])])
