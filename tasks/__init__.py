"""One module per pipeline step, each exposing one verb-named @task; cache_policies.py,
transient.py hold the cache keys and retry rules those tasks share."""
