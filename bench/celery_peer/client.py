"""The measuring client of the Celery peer (run by bench/celery-peer, which
starts Redis and the worker first).

  round trip: N sequential noop.delay().get() from this one client.
  drain:      M noop.apply_async() as fast as one client sends them (the
              send rate), then the client waits until all M results are in
              the Redis result backend; the drain rate is M over the time
              from the first send until the last of them was stored.

Percentiles are nearest-rank on the sorted samples: sorted[ceil(q*n) - 1].
"""

import argparse
import datetime
import json
import math
import os
import sys
import time

import celery
import celery.exceptions
import kombu
import redis

from .app import app, noop, redis_url

WARMUP = 300          # round trips before measuring, not counted
READY_TIMEOUT_S = 60  # for the worker to answer a ping
GET_TIMEOUT_S = 60    # for a result, or for progress while draining


def percentile(sorted_samples, q):
    return sorted_samples[math.ceil(q * len(sorted_samples)) - 1]


def wait_for_worker(worker_pid):
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if worker_pid:
            try:
                os.kill(worker_pid, 0)
            except ProcessLookupError:
                sys.exit("celery-peer: the celery worker exited before it was ready")
        if app.control.ping(timeout=0.5):
            return
    sys.exit(f"celery-peer: the celery worker did not answer a ping within {READY_TIMEOUT_S} s")


def roundtrips(n):
    samples = []
    for _ in range(n):
        t = time.perf_counter_ns()
        noop.delay().get(timeout=GET_TIMEOUT_S)
        samples.append(time.perf_counter_ns() - t)
    samples.sort()
    ms = [s / 1e6 for s in samples]
    return {"p50": round(percentile(ms, 0.50), 3),
            "p99": round(percentile(ms, 0.99), 3),
            "mean": round(sum(ms) / n, 3),
            "n": n}


def drain(m):
    """Sends m tasks, waits until all m results are in the backend, and
    returns (send rate, drain rate, drain seconds). The drain ends when the
    last result was stored: its date_done, set by the worker, so the time the
    client takes to notice does not count. While waiting, the client only
    counts the stored results (one EXISTS over their keys every 0.1 s), so it
    takes little of the CPU the worker needs."""
    backend = app.backend
    wall0 = time.time()
    t0 = time.perf_counter_ns()
    results = [noop.apply_async() for _ in range(m)]
    t_sent = time.perf_counter_ns()

    keys = [backend.get_key_for_task(r.id) for r in results]
    deadline = time.monotonic() + GET_TIMEOUT_S
    stored = 0
    while stored < m:
        n = backend.client.exists(*keys)
        if n > stored:
            stored, deadline = n, time.monotonic() + GET_TIMEOUT_S
        elif time.monotonic() > deadline:
            sys.exit(f"celery-peer: only {stored} of {m} results after {GET_TIMEOUT_S} s without progress")
        if stored < m:
            time.sleep(0.1)

    last = None
    for i in range(0, m, 1000):
        for meta in backend.client.mget(keys[i:i + 1000]):
            meta = backend.decode_result(meta)
            if meta["status"] != "SUCCESS":
                sys.exit(f"celery-peer: task {meta['task_id']} ended {meta['status']}")
            done = datetime.datetime.fromisoformat(meta["date_done"])
            last = done if last is None or done > last else last
    drain_s = last.replace(tzinfo=datetime.timezone.utc).timestamp() - wall0
    return m / ((t_sent - t0) / 1e9), m / drain_s, drain_s


def settings(workers):
    conf = app.conf
    info = redis.Redis.from_url(redis_url).config_get("client-output-buffer-limit")
    return {
        "broker": "redis", "result_backend": "redis",
        "worker_prefetch_multiplier": conf.worker_prefetch_multiplier,
        "prefetch_count": conf.worker_prefetch_multiplier * workers,  # the worker's, all processes
        "task_acks_late": conf.task_acks_late,
        "task_ignore_result": conf.task_ignore_result,
        "task_serializer": conf.task_serializer,
        "result_serializer": conf.result_serializer,
        "broker_pool_limit": conf.broker_pool_limit,
        "worker_optimization": "default",
        "redis_client_output_buffer_limit": info.get("client-output-buffer-limit"),
        "kombu_version": kombu.__version__,
        "python_redis_version": redis.__version__,
        "python_version": sys.version.split()[0],
        "warmup_roundtrips": WARMUP,
    }


def main():
    p = argparse.ArgumentParser(prog="celery-peer client")
    p.add_argument("--roundtrips", type=int, required=True)
    p.add_argument("--drain", type=int, required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--worker-pid", type=int, default=0)
    p.add_argument("--json")
    a = p.parse_args()

    wait_for_worker(a.worker_pid)
    for _ in range(WARMUP):
        noop.delay().get(timeout=GET_TIMEOUT_S)

    rt = roundtrips(a.roundtrips)
    send_per_s, drain_per_s, drain_s = drain(a.drain)

    redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    out = {
        "peer": "celery",
        "celery_version": celery.__version__,
        "redis_version": redis_version,
        "workers": a.workers,
        "pool": "prefork",
        "roundtrip_ms": rt,
        "send_per_s": round(send_per_s),
        "drain_per_s": round(drain_per_s),
        "drain_n": a.drain,
        "drain_s": round(drain_s, 3),
        "drain_method": "from the first send until the date_done of the last of "
                        "the drain_n results, all of them counted in the Redis result backend",
        "settings": settings(a.workers),
    }

    print(f"Celery {out['celery_version']} (prefork, {a.workers} worker processes), "
          f"Redis {redis_version}")
    print(f"  round trip  n={rt['n']:<6}  p50 {rt['p50']:.3f} ms   p99 {rt['p99']:.3f} ms"
          f"   mean {rt['mean']:.3f} ms")
    print(f"  drain       n={a.drain:<6}  sent {out['send_per_s']} tasks/s, "
          f"drained {out['drain_per_s']} tasks/s ({drain_s:.2f} s)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    try:
        main()
    except celery.exceptions.TimeoutError:
        sys.exit(f"celery-peer: a task's result did not come within {GET_TIMEOUT_S} s")
    except KeyboardInterrupt:
        sys.exit(130)
