"""One module per pipeline step, each exposing one verb-named @task; cache_policies.py,
transient.py and task_workers.py hold the cache keys, retry rules and the task-worker check
those tasks share."""
