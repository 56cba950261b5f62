#!/usr/bin/env python3
"""What the attempt limits cost in each store: memory, PostgreSQL and Redis (`make bench` runs
this after its own scenarios; `bench/.peers/harness/bin/python bench/limit_stores.py`, in the
venv `make bench` makes, runs it alone).

1. One check, in-process (`limit-checks`): latency p50/p99 and the process's CPU per check, one
   check at a time, each on a new key.
2. Sign-in with the limits on, the same binary and PostgreSQL database, only `RATE_LIMIT_STORE`
   differing: wrk with a new client address per request (`TRUST_PROXY`), so every sign-in is
   counted (per IP, per account and IP, the account ceiling) and none is refused. Interleaved
   rounds, p50/p99 against the memory store's.

Needs `target/dist/badge-bench` and `target/dist/limit-checks` (`make bench` builds them),
the local PostgreSQL (BENCH_PG_URL) and Debian's redis-server. Writes its section of
bench/RESULTS.md between markers and keeps the rest.
"""
from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (beside this file)
import start_times  # noqa: E402

START, END = "<!-- limit-stores:start -->", "<!-- limit-stores:end -->"
SECTION = re.compile(re.escape(START) + ".*?" + re.escape(END) + "\n?", re.S)
STORES = ["memory", "postgres", "redis"]


def redis_server(scratch: Path) -> tuple[subprocess.Popen, str]:
    port = bench.free_port()
    process = subprocess.Popen(["taskset", "-c", bench.LOAD_CPU, "redis-server", "--bind", "127.0.0.1",
                                "--port", str(port), "--save", "", "--appendonly", "no",
                                "--logfile", str(scratch / "redis.log")], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            import socket
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"redis://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    sys.exit("redis-server did not start")


def check_costs(database_url: str, redis_url: str) -> dict[str, dict]:
    binary = bench.DIST / "limit-checks"
    urls = {"memory": "", "postgres": database_url, "redis": redis_url}
    costs = {}
    for store in STORES:
        out = bench.run(["taskset", "-c", bench.SERVER_CPU, str(binary), store, urls[store], "20000"],
                        capture_output=True, text=True).stdout
        costs[store] = json.loads(out)
    return costs


def sign_in_latencies(database_url: str, redis_url: str, scratch: Path) -> dict[str, dict]:
    binary = bench.DIST / "badge-bench"
    servers = {}
    try:
        for store in STORES:
            port = bench.free_port()
            servers[store] = bench.start(f"badge-limits-{store}", [str(binary)], {
                "AUTH_SECRET": bench.SECRET,
                "DATABASE_URL": database_url,
                "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
                "LEPTOS_SITE_ROOT": str(bench.ROOT / "target/site"),
                "TRUST_PROXY": "true",
                "RATE_LIMIT_STORE": store,
                "REDIS_URL": redis_url,
                "RUST_LOG": "warn",
            }, port, "/healthz", scratch)
        form = urllib.parse.urlencode({"email": bench.EMAIL, "password": bench.PASSWORD})
        first = servers["memory"]
        status, _, _ = bench.request(first, "POST", "/api/auth/sign-up", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": first.base,
            "Accept": "application/json", "X-Forwarded-For": "10.255.255.1"})
        assert status == 200, f"sign-up: {status}"
        scenarios = {store: bench.Scenario(f"sign_in_{store}", f"sign-in, limits in {store}", server,
                                           "/api/auth/sign-in", {"Origin": server.base, "Accept": "application/json"},
                                           form, connections=bench.SIGN_IN_CONNECTIONS)
                     for store, server in servers.items()}
        env_before = dict(bench.os.environ)
        bench.os.environ["WRK_ROTATE_FORWARDED_FOR"] = "1"
        try:
            for s in scenarios.values():
                bench.measure(s, 1)
            for _ in range(bench.ROUNDS):
                for s in scenarios.values():
                    time.sleep(bench.SETTLE_SECONDS)
                    s.rounds.append(bench.measure(s))
        finally:
            bench.os.environ.clear()
            bench.os.environ.update(env_before)
        return {store: {key: statistics.mean(r[key] for r in s.rounds) for key in ("p50_us", "p99_us", "rps")}
                | {"non_2xx": sum(r["non_2xx"] for r in s.rounds)}
                for store, s in scenarios.items()}
    finally:
        for server in servers.values():
            server.stop()


def section(costs: dict, sign_ins: dict) -> str:
    memory = sign_ins["memory"]
    lines = [
        START,
        "",
        f"## Attempt limits: each store ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        "One check in-process (`limit-checks`, 20,000 checks one at a time, each on a new key; CPU is the "
        "checking process's only):",
        "",
        "| store | p50 µs | p99 µs | mean µs | CPU µs/check |",
        "|---|---:|---:|---:|---:|",
        *(f"| {store} | {c['p50_us']:,.1f} | {c['p99_us']:,.1f} | {c['mean_us']:,.1f} | {c['cpu_us']:,.1f} |"
          for store, c in costs.items()),
        "",
        f"Sign-in with the limits on (PostgreSQL database, {bench.SIGN_IN_CONNECTIONS} connections, a new client "
        f"address per request; {bench.ROUNDS} interleaved rounds of {bench.SECONDS} s, mean shown):",
        "",
        "| limits in | req/s | p50 ms | p99 ms | p50 ÷ memory | p99 ÷ memory | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(f"| {store} | {s['rps']:,.0f} | {s['p50_us'] / 1000:.2f} | {s['p99_us'] / 1000:.2f} | "
          f"{s['p50_us'] / memory['p50_us']:.2f} | {s['p99_us'] / memory['p99_us']:.2f} | {s['non_2xx']} |"
          for store, s in sign_ins.items()),
        "",
        f"PostgreSQL check p50 {costs['postgres']['p50_us'] / 1000:.2f} ms (goal < 1 ms: "
        f"{'met' if costs['postgres']['p50_us'] < 1000 else '**not met**'}).",
        "",
        END,
        "",
    ]
    return "\n".join(lines)


def measure() -> str:
    """Runs both measurements and returns the RESULTS.md section."""
    scratch = Path(tempfile.mkdtemp(prefix="badge-limits-"))
    database = f"badge_bench_limits_{int(time.time())}"
    start_times._psql(bench.POSTGRES, f'CREATE DATABASE "{database}"')
    redis, redis_url = redis_server(scratch)
    try:
        database_url = f"{bench.POSTGRES}/{database}"
        bench.say("attempt limits: one check in each store")
        costs = check_costs(database_url, redis_url)
        bench.say("attempt limits: sign-in with each store")
        sign_ins = sign_in_latencies(database_url, redis_url, scratch)
        return section(costs, sign_ins)
    finally:
        redis.terminate()
        start_times._psql(bench.POSTGRES, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def write(text: str) -> None:
    results = bench.BENCH / "RESULTS.md"
    current = results.read_text() if results.exists() else ""
    kept = SECTION.sub("", current).rstrip("\n")
    results.write_text(kept + "\n\n" + text)


if __name__ == "__main__":
    section_text = measure()
    write(section_text)
    print(section_text)
