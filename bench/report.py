"""Puts bench/run's measurements together: one table on stdout, against the
targets of bench/README.md, and one JSON document with every figure and the
machine they were measured on.

    python3 bench/report.py OUT_DIR RESULT.json

OUT_DIR holds one JSON file per measurement (bench/run writes them); a
missing one is reported as missing, never guessed.
"""
import json
import os
import platform
import subprocess
import sys
import time


def load(out, name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip()
    if not text:
        return None
    if name.endswith(".jsonl"):
        # Samples, one per line; the last may be cut short by the sampler's stop.
        samples = []
        for line in text.splitlines():
            try:
                samples.append(json.loads(line))
            except ValueError:
                pass
        return samples
    return json.loads(text)


def peak(samples):
    """The largest figure of each program over a series of memory samples."""
    if not samples:
        return None
    result = {}
    for s in samples:
        for k, v in s.items():
            result[k] = max(result.get(k, 0), v)
    return result


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_mib": mem,
            "kernel": platform.release(), "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


CONTROL_PLANE = ("aegir-web", "aegir-scheduler", "aegir-executor")


def main():
    out, result_path = sys.argv[1], sys.argv[2]
    r = {"machine": machine(), "data": load(out, "data.json"), "web": {}, "jobs": {}, "logs": {},
         "memory_mib": {}, "real_job": {}, "celery": load(out, "celery.json")}
    for page in ("hello", "dashboard", "sites", "sites-unshared", "site", "task"):
        r["web"][page] = load(out, "web-%s.json" % page)
    r["jobs"]["latency"] = load(out, "latency.json")
    r["jobs"]["spawn"] = load(out, "spawn.json")
    r["jobs"]["submit"] = {n: load(out, "submit-%s.json" % n) for n in ("1", "2", "4")}
    r["jobs"]["dispatch"] = {n: load(out, "dispatch-%s.json" % n) for n in ("1", "2", "4")}
    r["logs"]["throughput"] = load(out, "logs-throughput.json")
    r["logs"]["lag"] = load(out, "logs-lag.json")
    r["memory_mib"]["fresh"] = load(out, "memory-fresh.json")
    r["memory_mib"]["idle"] = load(out, "memory-idle.json")
    r["memory_mib"]["web_load_peak"] = peak(load(out, "memory-load.jsonl"))
    r["memory_mib"]["job_load_peak"] = peak(load(out, "memory-jobs.jsonl"))
    r["real_job"]["through_aegir"] = load(out, "real.json")
    r["real_job"]["by_hand"] = load(out, "by-hand.json")

    rows = []  # (what, figure, target, met or None)

    def row(what, figure, target="", met=None):
        rows.append((what, figure, target, met))

    def get(d, *keys):
        for k in keys:
            if d is None:
                return None
            d = d.get(k) if isinstance(d, dict) else None
        return d

    hello_rps = get(r["web"], "hello", "rps")
    for page in ("hello", "dashboard", "sites", "sites-unshared", "site", "task"):
        w = r["web"][page]
        if not w:
            row("web " + page, "missing")
            continue
        errors = sum(w["errors"].values())
        fig = "%.0f req/s, p50 %.2f ms, p99 %.2f ms%s" % (
            w["rps"], w["p50_ms"], w["p99_ms"], ", %d errors" % errors if errors else "")
        if page == "sites" and hello_rps:
            share = w["rps"] / hello_rps
            fig += " (%.0f%% of hello)" % (share * 100)
            row("web site list (50 rows)", fig, ">= 25% of hello, p99 < 20 ms",
                share >= 0.25 and w["p99_ms"] < 20 and errors == 0)
        elif page == "sites-unshared":
            if hello_rps:
                fig += " (%.0f%% of hello)" % (w["rps"] / hello_rps * 100)
            row("  each request another page", fig)
        else:
            row("web " + page, fig)

    celery_rt = get(r["celery"], "roundtrip_ms", "p50")
    celery_drain = get(r["celery"], "drain_per_s")
    lat = get(r["jobs"], "latency", "submit_to_exec_ms")
    if lat:
        met = lat["p50"] < 2 and lat["p99"] < 10 and (celery_rt is None or lat["p50"] < celery_rt)
        if met and celery_rt is None:
            met = "met without Celery's part: no Celery figure"
        row("submit to exec", "p50 %.2f ms, p99 %.2f ms (n %d)" % (lat["p50"], lat["p99"], lat["n"]),
            "p50 < 2 ms, p99 < 10 ms, < Celery's round trip", met)
        ack = get(r["jobs"], "latency", "run_ack_ms")
        row("  RUN stored and answered", "p50 %.2f ms, p99 %.2f ms" % (ack["p50"], ack["p99"]))
        spawn = get(r["jobs"], "spawn", "spawn_to_start_ms")
        if spawn:
            row("  the command started alone", "p50 %.2f ms, p99 %.2f ms (the machine's part)" % (
                spawn["p50"], spawn["p99"]))
    else:
        row("submit to exec", "missing")
    subs = [s for s in r["jobs"]["submit"].values() if s]
    if subs:
        best = max(s["per_s"] for s in subs)
        rates = ", ".join("%.0f" % s["per_s"] for s in subs)
        met = best >= 2000 and (celery_drain is None or best >= 2 * celery_drain)
        if met and celery_drain is None:
            met = "met without Celery's part: no Celery figure"
        row("durable submissions (32 submitters)", "%.0f/s (rounds: %s)" % (best, rates),
            ">= 2000/s and >= 2x Celery's drain", met)
    for n, d in r["jobs"]["dispatch"].items():
        row("dispatch to %s executor(s)" % n,
            "%.0f started/s, %.0f ended/s" % (d["started_per_s"], d["ended_per_s"]) if d else "missing")
    t = r["logs"]["throughput"]
    row("log lines stored", "%.0f lines/s (%d lines)" % (t["lines_per_s"], t["lines"]) if t else "missing",
        ">= 50,000 lines/s", t["lines_per_s"] >= 50000 if t else None)
    lag = get(r["logs"], "lag", "lag_ms")
    row("log lag, line to page", "p50 %.0f ms, p99 %.0f ms" % (lag["p50"], lag["p99"]) if lag else "missing",
        "p99 < 250 ms", lag["p99"] < 250 if lag else None)
    for when in ("idle", "web_load_peak", "job_load_peak"):
        m = r["memory_mib"][when]
        if not m:
            row("memory " + when, "missing")
            continue
        ours = sum(m.get(p, 0) for p in CONTROL_PLANE)
        fig = "%.1f MiB (web %.1f, scheduler %.1f, executor %.1f); MariaDB %.0f, nginx %.1f" % (
            ours, m.get("aegir-web", 0), m.get("aegir-scheduler", 0), m.get("aegir-executor", 0),
            m.get("mariadbd", 0), m.get("nginx", 0))
        if when == "idle":
            row("control plane resident, idle", fig, "< 50 MB", ours * 1.048576 < 50)
        else:
            row("resident, " + when.replace("_", " "), fig)
    aegir_ms = get(r["real_job"], "through_aegir", "ms", "p50")
    hand_ms = get(r["real_job"], "by_hand", "ms", "p50")
    if aegir_ms and hand_ms:
        row("one real job (server-verify)", "%.0f ms through Aegir, %.0f ms by hand: x%.2f" % (
            aegir_ms, hand_ms, aegir_ms / hand_ms))
        r["real_job"]["ratio"] = round(aegir_ms / hand_ms, 3)
    else:
        row("one real job", "missing")
    if r["celery"]:
        row("Celery no-op round trip", "p50 %.2f ms, p99 %.2f ms" % (celery_rt, r["celery"]["roundtrip_ms"]["p99"]))
        row("Celery drain (2 prefork workers)", "%.0f tasks/s" % celery_drain)
    else:
        row("Celery", "missing")

    m = r["machine"]
    print("\nAegir benchmarks, %s, commit %s: %d CPUs (%s), %d MiB" % (
        m["date"], m["commit"], m["cpus"], m["cpu"], m["memory_mib"]))
    if r["data"]:
        print("data: %(sites)d sites, %(tasks)d tasks, %(log_lines)d log lines" % r["data"])
    width = max(len(w) for w, _, _, _ in rows)
    for what, fig, target, met in rows:
        mark = ("" if met is None else "  [%s]" % met if isinstance(met, str)
                else "  [met]" if met else "  [MISSED]")
        line = "%-*s  %s" % (width, what, fig)
        if target:
            line += "   target: " + target + mark
        print(line)
    r["targets"] = {w: met for w, _, _, met in rows if met is not None}
    with open(result_path, "w") as f:
        json.dump(r, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
