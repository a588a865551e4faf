"""One module per pipeline step, each exposing one verb-named @task; cache_policies.py,
transient.py, task_workers.py and global_slots.py hold the cache keys, retry rules, the
task-worker check and the global slots those tasks share."""
