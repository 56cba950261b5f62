#!/usr/bin/env python3
"""`make bench-scale`: does Badge keep a flat cost per request with a million users?

For SQLite and then PostgreSQL: a million users with one live session each are seeded with
set-based SQL (not the API; one real argon2id hash shared by every user), and `GET /api/token`,
sign-in and the signed-in SSR `GET /` are measured on that database and on an empty one, both
servers up at once and measured in interleaved rounds. Then a million expired sessions are added
and the server restarted: its start-up housekeeping prunes them while wrk runs hello-world, and
that p99 is compared with hello-world's on the same database before, with nothing to prune.
Also reports the database size per 100k users. Conventions, helpers and the BENCH_SECONDS /
BENCH_ROUNDS / BENCH_PG_URL knobs are bench.py's; BENCH_SCALE_USERS replaces the million (for a
quick try). Writes its own section of bench/RESULTS.md. Needs `make build` and a PostgreSQL
server (default 127.0.0.1:5432, user postgres).
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (beside this file)
from bench import say  # noqa: E402
from scale_engines import (  # noqa: E402
    PostgreSQL, SQLite, expired_count, password_hash,
    seed_expired_sessions, seed_live_sessions, seed_users,
)

USERS = int(os.environ.get("BENCH_SCALE_USERS", "1000000"))
BADGE_BIN = bench.ROOT / "target/release/badge"
FLAT_COST_TARGET = 1.25
PRUNE_P99_TARGET = 2.0
PRUNE_MAX_SECONDS = 300
# The quiet p99 is the ratio's denominator, and one window's p99 is noisy: two windows of the
# same idle server measured 0.6 and 1.1 ms. Ten windows keep one lucky or unlucky window from
# deciding the ratio (the pruning side has dozens).
QUIET_WINDOWS = 10
FORM = urllib.parse.urlencode({"email": bench.EMAIL, "password": bench.PASSWORD})


def timed(action, *args) -> float:
    started = time.monotonic()
    action(*args)
    return time.monotonic() - started


# --- servers and the bench account -----------------------------------------------------------------

def badge_env(url: str) -> dict:
    return {"AUTH_SECRET": bench.SECRET, "DATABASE_URL": url, "RUST_LOG": "warn"}


def migrate(url: str) -> None:
    """The schema comes from the server's own migrations."""
    env = {**os.environ, **badge_env(url)}
    bench.run([str(BADGE_BIN), "migrate"], env=env, stdout=subprocess.DEVNULL)


def start_badge(name: str, url: str, scratch: Path) -> bench.Server:
    port = bench.free_port()
    return bench.start(name, [str(BADGE_BIN)], {
        **badge_env(url),
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
        "LEPTOS_SITE_ROOT": str(bench.ROOT / "target/site"),
        "AUTH_RATE_LIMIT": "false",
    }, port, "/healthz", scratch)


def session_cookie(server: bench.Server, path: str) -> str:
    """Signs the bench account up or in (`path`) as the browser form does; returns the cookie."""
    status, _, cookies = bench.request(server, "POST", path, FORM, {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": server.base,
        "Accept": "application/json"})
    assert status == 200, f"{server.name} {path}: {status}"
    return "; ".join(cookies)


def badge_token(server: bench.Server, cookie: str) -> str:
    status, data, _ = bench.request(server, "GET", "/api/token", headers={"Cookie": cookie})
    assert status == 200, f"{server.name} /api/token: {status}"
    return json.loads(data)["token"]


@dataclass
class Instance:
    """A running server, its database URL and the bench account's session cookie there."""
    server: bench.Server
    url: str
    cookie: str


# --- flat cost: empty against seeded -------------------------------------------------------------

def scenarios(instance: Instance) -> list[bench.Scenario]:
    server, cookie = instance.server, instance.cookie
    return [
        bench.Scenario("token", "`GET /api/token` (cookie)", server, "/api/token", {"Cookie": cookie}),
        bench.Scenario("sign_in", f"sign-in `POST /api/auth/sign-in`, concurrency {bench.SIGN_IN_CONNECTIONS}",
                       server, "/api/auth/sign-in", {"Origin": server.base, "Accept": "application/json"}, FORM,
                       connections=bench.SIGN_IN_CONNECTIONS),
        bench.Scenario("ssr", "`GET /` SSR, signed in", server, "/", {"Cookie": cookie}),
    ]


def measure_with_database(s: bench.Scenario, engine, url: str) -> dict:
    """bench.measure, with the database's CPU added to the server's when it runs elsewhere
    (PostgreSQL's backends), so a slow query shows in CPU per request on both engines."""
    before = engine.backend_cpu(url)
    result = bench.measure(s)
    database = sum(cpu - before.get(pid, 0.0) for pid, cpu in engine.backend_cpu(url).items())
    result["cpu_us"] += database * 1e6 / max(result["requests"] - result["non_2xx"], 1)
    return result


def compare(engine, empty: Instance, seeded: Instance) -> list[tuple[bench.Scenario, bench.Scenario]]:
    """Interleaved rounds over the same scenarios on both; returns (empty, seeded) pairs."""
    pairs = list(zip(scenarios(empty), scenarios(seeded)))
    for pair in pairs:
        for s in pair:
            bench.measure(s, 1)
    for round_no in range(bench.ROUNDS):
        say(f"{engine.name}: round {round_no + 1}/{bench.ROUNDS}, empty and seeded")
        for pair in pairs:
            for s, instance in zip(pair, (empty, seeded)):
                time.sleep(bench.SETTLE_SECONDS)
                s.rounds.append(measure_with_database(s, engine, instance.url))
    return pairs


# --- pruning under load ----------------------------------------------------------------------------

@dataclass
class Prune:
    expired: int
    seconds: float | None  # None: not over within PRUNE_MAX_SECONDS; else at most one window late
    counts: list[int]  # the expired rows left before the first window and after each
    quiet: list[dict]  # hello-world windows on the same database with nothing to prune
    during: list[dict]  # hello-world windows of the same length while the server prunes

    @property
    def quiet_p99_us(self) -> float:
        return statistics.mean(w["p99_us"] for w in self.quiet)

    @property
    def during_p99_us(self) -> float:
        return statistics.mean(w["p99_us"] for w in self.during)


def hello_scenario(server: bench.Server) -> bench.Scenario:
    token = badge_token(server, session_cookie(server, "/api/auth/sign-in"))
    return bench.Scenario("hello", "hello-world", server, "/api/hello-world", {"Authorization": f"Bearer {token}"})


def measure_quiet(engine, url: str, scratch: Path) -> list[dict]:
    """hello-world on a fresh server whose database has nothing to prune."""
    server = start_badge(f"{engine.name}-quiet", url, scratch)
    try:
        hello = hello_scenario(server)
        bench.measure(hello, 1)  # warm-up, as for every other scenario
        windows = []
        for _ in range(QUIET_WINDOWS):
            time.sleep(bench.SETTLE_SECONDS)
            windows.append(bench.measure(hello))
        return windows
    finally:
        server.stop()


def measure_prune(engine, url: str, cutoff: int, quiet: list[dict], scratch: Path) -> Prune:
    """Starts the server (its start-up housekeeping prunes at once) and runs hello-world in
    windows as long as the quiet ones until no expired row is left (or PRUNE_MAX_SECONDS)."""
    expired = expired_count(engine, url, cutoff)
    server = start_badge(f"{engine.name}-prune", url, scratch)
    try:
        healthy = time.monotonic()
        hello = hello_scenario(server)
        bench.measure(hello, 1)  # the same warm-up as the quiet server's
        counts, during, over = [expired_count(engine, url, cutoff)], [], None
        while counts[-1] and time.monotonic() < healthy + PRUNE_MAX_SECONDS:
            during.append(bench.measure(hello))
            # Counted between windows, so the count's scan is not measured as pruning's cost.
            counts.append(expired_count(engine, url, cutoff))
            if counts[-1] == 0:
                over = time.monotonic()
    finally:
        server.stop()
    return Prune(expired=expired, seconds=None if over is None else over - healthy, counts=counts,
                 quiet=quiet, during=during)


# --- one engine end to end -----------------------------------------------------------------------

@dataclass
class EngineResult:
    name: str
    seed_seconds: float
    bytes_per_100k: float
    pairs: list
    prune: Prune


def run_engine(engine, scratch: Path, servers: list[bench.Server]) -> EngineResult:
    empty_url, seeded_url = engine.create("empty"), engine.create("seeded")
    for url in (empty_url, seeded_url):
        migrate(url)
    empty_server = start_badge(f"{engine.name}-empty", empty_url, scratch)
    servers.append(empty_server)
    empty = Instance(empty_server, empty_url, session_cookie(empty_server, "/api/auth/sign-up"))
    # The bench account's hash: a real argon2id hash with the server's parameters, for every user.
    argon2_hash = password_hash(engine, empty_url)

    say(f"{engine.name}: seeding {USERS:,} users and {USERS:,} sessions")
    schema_bytes = engine.data_bytes(seeded_url)
    seed_seconds = timed(seed_users, engine, seeded_url, argon2_hash, USERS)
    seed_seconds += timed(seed_live_sessions, engine, seeded_url)
    bytes_per_100k = (engine.data_bytes(seeded_url) - schema_bytes) * 100_000 / USERS
    say(f"{engine.name}: seeded in {seed_seconds:.0f} s")

    seeded_server = start_badge(f"{engine.name}-seeded", seeded_url, scratch)
    servers.append(seeded_server)
    seeded = Instance(seeded_server, seeded_url, session_cookie(seeded_server, "/api/auth/sign-up"))
    pairs = compare(engine, empty, seeded)
    for server in (empty_server, seeded_server):
        server.stop()
        servers.remove(server)

    say(f"{engine.name}: hello-world on the seeded database with nothing to prune")
    quiet = measure_quiet(engine, seeded_url, scratch)
    say(f"{engine.name}: seeding {USERS:,} expired sessions, then pruning them under load")
    cutoff = seed_expired_sessions(engine, seeded_url)
    engine.tidy(seeded_url)
    prune = measure_prune(engine, seeded_url, cutoff, quiet, scratch)
    return EngineResult(engine.name, seed_seconds, bytes_per_100k, pairs, prune)


# --- the report ----------------------------------------------------------------------------------

def verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def flat_cost_table(result: EngineResult) -> list[str]:
    users = f"{USERS:,} users"
    lines = [
        f"**{result.name}** (seeded in {result.seed_seconds:.0f} s)",
        "",
        f"| scenario | empty req/s | empty p99 ms | empty CPU µs | {users} req/s | p99 ms | CPU µs | "
        f"CPU ratio | p99 ratio | CPU ≤ {FLAT_COST_TARGET} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for empty, seeded in result.pairs:
        figures = [(bench.mean(s, "rps"), bench.mean(s, "p99_us") / 1000, bench.mean(s, "cpu_us"))
                   for s in (empty, seeded)]
        if not all(p99 for _, p99, _ in figures):
            # A window too short (or a CPU too busy) for even one answer: nothing to compare.
            lines.append(f"| {empty.label} | no answer in a {bench.SECONDS} s window: measure longer "
                         "(BENCH_SECONDS) | | | | | | | | **not measured** |")
            continue
        cpu_ratio = figures[1][2] / figures[0][2]
        p99_ratio = figures[1][1] / figures[0][1]
        cells = " | ".join(f"{rps:,.0f} | {p99:.2f} | {cpu:,.0f}" for rps, p99, cpu in figures)
        lines.append(f"| {empty.label} | {cells} | {cpu_ratio:.2f} | {p99_ratio:.2f} | "
                     f"{verdict(cpu_ratio <= FLAT_COST_TARGET)} |")
    return lines + [""]


def progress(p: Prune) -> str:
    """What the counts between windows saw: a count falling in several steps means batches."""
    steps = sum(1 for before, after in zip(p.counts, p.counts[1:]) if after < before)
    if steps > 1:
        shape = f"fell in {steps} steps over {len(p.during)} windows (batched)"
    elif len(p.during) > 2:
        shape = f"fell in one step over {len(p.during)} windows (one statement)"
    else:
        shape = f"over within {len(p.during)} windows"
    return f"{shape}; {p.counts[-1]:,} left"


def prune_row(result: EngineResult) -> str:
    p = result.prune
    quiet_rps = statistics.mean(w["rps"] for w in p.quiet)
    if not p.during:
        return (f"| {result.name} | {p.expired:,} | over before the first window | | {quiet_rps:,.0f} / — | "
                f"{p.quiet_p99_us / 1000:.2f} | — | — | **not measured** |")
    took = f"not over after {PRUNE_MAX_SECONDS} s" if p.seconds is None else f"{p.seconds:.0f} s"
    during_rps = statistics.mean(w["rps"] for w in p.during)
    worst = max(w["p99_us"] for w in p.during)
    ratio = p.during_p99_us / p.quiet_p99_us
    return (f"| {result.name} | {p.expired:,} | {took} | {progress(p)} | {quiet_rps:,.0f} / {during_rps:,.0f} | "
            f"{p.quiet_p99_us / 1000:.2f} | {p.during_p99_us / 1000:.2f} ({worst / 1000:.2f}) | {ratio:.2f} | "
            f"{verdict(ratio <= PRUNE_P99_TARGET)} |")


def size_row(result: EngineResult) -> str:
    return f"| {result.name} | {result.bytes_per_100k / 1048576:,.1f} |"


def section(results: list[EngineResult]) -> str:
    lines = [
        bench.SCALE_START,
        f"## make bench-scale: flat cost at {USERS:,} users",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} CPUs. "
        f"{USERS:,} users with one live session each, seeded with set-based SQL (one argon2id hash shared), "
        "against an empty database on the same run; both servers up, pinned to CPU "
        f"{bench.SERVER_CPU}, wrk on CPU {bench.LOAD_CPU}; warm-up, then {bench.ROUNDS} interleaved rounds of "
        f"{bench.SECONDS} s, mean shown. CPU/request = the server's utime+stime (PostgreSQL: plus its "
        "connections' backend processes) ÷ successful requests. Target: CPU/request with the users "
        f"≤ {FLAT_COST_TARGET} × empty. Load average at the end: {os.getloadavg()[0]:.1f} (the bench alone "
        "keeps it near 2; more means other work shared the CPUs, and p99 figures are noisy).",
        "",
    ]
    for result in results:
        lines += flat_cost_table(result)
    lines += [
        f"Pruning: {USERS:,} expired sessions added, then the server started; its start-up housekeeping "
        f"prunes them while wrk runs `GET /api/hello-world` (badge) in windows of {bench.SECONDS} s, the "
        "expired rows counted between windows, until none is left (at most "
        f"{PRUNE_MAX_SECONDS} s from `/healthz` answering; the last window may end up to a window after "
        "the pruning). Quiet: a fresh server on the same database before the expired sessions were "
        f"added, {QUIET_WINDOWS} windows after a warm-up. p99: mean over the windows (worst window).",
        "",
        "| engine | expired sessions | pruned in | progress seen | hello req/s quiet / during | "
        f"hello p99 quiet ms | during ms | p99 ratio | ≤ {PRUNE_P99_TARGET:g} |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|",
        *map(prune_row, results),
        "",
        "Database size per 100k users (users + one session each; SQLite: file + WAL after a checkpoint, "
        "PostgreSQL: `pg_total_relation_size` of both tables after VACUUM; less the empty schema):",
        "",
        "| engine | MiB per 100k users |",
        "|---|---:|",
        *map(size_row, results),
        bench.SCALE_END,
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replaces this bench's section of RESULTS.md, or appends it; the rest stays as it is."""
    path = bench.BENCH / "RESULTS.md"
    old = path.read_text() if path.exists() else ""
    if bench.SCALE_SECTION.search(old):
        new = bench.SCALE_SECTION.sub(lambda _: text, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text if old else text
    path.write_text(new)


# --- the run -----------------------------------------------------------------------------------------

def check_prerequisites() -> None:
    bench.ensure_wrk()
    if not BADGE_BIN.exists():
        sys.exit(f"{BADGE_BIN} is missing: run `make build`")
    if shutil.which("psql") is None:
        sys.exit("psql is missing: sudo apt-get install -y postgresql-client")
    if subprocess.run(["psql", f"{bench.POSTGRES}/postgres", "-AtqXc", "SELECT 1"], stdout=subprocess.DEVNULL).returncode:
        sys.exit(f"PostgreSQL does not answer at {bench.POSTGRES} (set BENCH_PG_URL for another server)")


def main() -> None:
    started = time.monotonic()
    check_prerequisites()
    # The bench's own work (seeding, polling) stays off the servers' CPU.
    os.sched_setaffinity(0, {int(bench.LOAD_CPU)})
    scratch = Path(tempfile.mkdtemp(prefix="badge-scale-"))
    servers: list[bench.Server] = []
    results = []
    try:
        for engine in (SQLite(scratch), PostgreSQL()):
            try:
                results.append(run_engine(engine, scratch, servers))
            finally:
                for server in servers:
                    server.stop()
                servers.clear()
                engine.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = section(results)
    write_section(text)
    print(text)
    say(f"bench-scale took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
