"""Index: the fields and mappings of the index, and a reindex with its checkpoints."""
