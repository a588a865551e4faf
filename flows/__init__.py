"""Prefect flows: which task runs in which order, and the approval loop."""
