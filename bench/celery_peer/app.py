"""The Celery app the peer measures: one no-op task, Redis as broker and
result backend (the URL comes from CELERY_PEER_REDIS, set by
bench/celery-peer). Everything else is Celery's default; client.py reports
the settings that matter for the comparison."""

import os

from celery import Celery

redis_url = os.environ.get("CELERY_PEER_REDIS", "redis://127.0.0.1:6379/0")

app = Celery("celery_peer", broker=redis_url, backend=redis_url)


@app.task
def noop(value=None):
    """Does nothing and returns its argument: the task's cost is the queue's."""
    return value
