"""Imported by the sentiment workers' forkserver: builds the scorer once, so that every worker
forked from the server starts warm (see `transforms.sentiment._process_context`)."""

from transforms.sentiment import warm

warm()
