"""One module per pipeline step, each exposing one verb-named @task."""
