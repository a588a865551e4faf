"""One module per pipeline step, each exposing one verb-named @task; cache_policies.py,
transient.py and global_slots.py hold the cache keys, retry rules and global slots those tasks
share."""
