"""Start times. Cold start: from starting the process to the first `GET /healthz` answered 200, on
SQLite and on PostgreSQL (the first start on an empty database also runs the migrations; the
restarts find them applied, as a redeploy or a crashed instance coming back would). Warm
build: a second `make build` with nothing changed, the part of a second `make run` before the
server starts."""
from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import time
import uuid
from pathlib import Path

RESTARTS = 5
POLL_SECONDS = 0.002
GIVE_UP_SECONDS = 30


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def start_to_healthy_ms(binary: Path, env: dict, port: int, cpu: str) -> float:
    """Starts `binary`, waits for /healthz 200, stops it; returns the milliseconds in between."""
    started = time.perf_counter()
    process = subprocess.Popen(["taskset", "-c", cpu, str(binary)], env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not _healthy(port):
            if process.poll() is not None:
                raise RuntimeError(f"{binary.name} exited with {process.returncode} before it was healthy")
            if time.perf_counter() - started > GIVE_UP_SECONDS:
                raise RuntimeError(f"{binary.name} was not healthy within {GIVE_UP_SECONDS} s")
            time.sleep(POLL_SECONDS)
        return (time.perf_counter() - started) * 1000
    finally:
        process.terminate()
        process.wait(timeout=10)


def _psql(server: str, sql: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qAtc", sql], check=True, stdout=subprocess.DEVNULL)


def measure(binary: Path, base_env: dict, port: int, cpu: str, scratch: Path,
            postgres: str) -> dict[str, dict[str, float]]:
    """{engine: {"first": ms, "restart": median ms}} for SQLite and PostgreSQL (`postgres`: the
    server's URL without a database)."""
    env = {**base_env, "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}", "MAIL_OUTBOX_DIR": str(scratch / "outbox")}
    results = {}
    database = f"badge_cold_{uuid.uuid4().hex[:12]}"
    _psql(postgres, f'CREATE DATABASE "{database}"')
    try:
        for engine, url in (("SQLite", f"sqlite://{scratch}/cold-start.db"),
                            ("PostgreSQL", f"{postgres}/{database}")):
            run = lambda: start_to_healthy_ms(binary, {**env, "DATABASE_URL": url}, port, cpu)
            first = run()
            restarts = [run() for _ in range(RESTARTS)]
            results[engine] = {"first": first, "restart": statistics.median(restarts)}
    finally:
        _psql(postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return results


def warm_build_seconds(root: Path) -> float:
    """Seconds for a second `make build` in a row, the first making sure all is built: building
    the bench binaries (another feature set) replaced the library's cdylib output, which has no
    per-feature file name, so the first `make build` after them relinks the server."""
    def make_build() -> float:
        started = time.perf_counter()
        subprocess.run(["make", "-s", "build"], cwd=root, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        return time.perf_counter() - started

    make_build()
    return make_build()
