"""The shells on top of every layer: the command line, the container entry point, the probe."""
