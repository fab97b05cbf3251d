"""The embedded backend: a tantivy index on disk, its queries and its versions."""
