"""Whether a Prefect task worker serving a given task is connected to the server right now."""

from prefect import Task, get_client


def worker_listening(task: Task) -> bool:
    """True when at least one task worker subscribed to `task` is connected."""
    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/task_workers/filter",
            json={"task_worker_filter": {"task_keys": [task.task_key]}},
        )
    response.raise_for_status()
    return bool(response.json())
