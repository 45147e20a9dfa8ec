"""The Celery peer of the benchmark suite: see bench/celery-peer."""
