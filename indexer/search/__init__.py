"""Search: the query syntax and plans, highlights, facets, feedback and evaluation."""
