#!/usr/bin/env python3
"""`make bench-scale`: does Badge keep a flat cost per request with a million users?

For SQLite and then PostgreSQL: a million users with one live session each are seeded with
set-based SQL (not the API; one real argon2id hash shared by every user), and `GET /api/token`,
sign-in and the signed-in SSR `GET /` are measured on that database and on an empty one, both
servers up at once and measured in interleaved rounds. Then a million expired sessions are added
and the server restarted: its start-up housekeeping prunes them while wrk runs hello-world, and
that p99 is compared with the quiet p99 on the same server afterwards. Also reports the database
size per 100k users. Conventions, helpers and the BENCH_SECONDS / BENCH_ROUNDS knobs are
bench.py's; BENCH_SCALE_USERS replaces the million (for a quick try). Writes its own section of
bench/RESULTS.md. Needs `make build` and a PostgreSQL server at 127.0.0.1:5432 (user postgres).
"""
from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import sqlite3
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

USERS = int(os.environ.get("BENCH_SCALE_USERS", "1000000"))
BADGE_BIN = bench.ROOT / "target/release/badge"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
SEEDED_DOMAIN = "scale.example"
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36")
HOUR, DAY = 3_600, 86_400
FLAT_COST_TARGET = 1.25
PRUNE_P99_TARGET = 2.0
PRUNE_MAX_SECONDS = 300
# While the server prunes, the bench checks twice a second whether an expired row is left (cheap)
# and counts them every few checks (a scan of the expired range: tens of ms), to see progress.
PRUNE_POLL_SECONDS = 0.5
PRUNE_COUNT_EVERY = 4
# The same text on both engines: `:now` is a bound parameter in sqlite3 and a psql variable.
EXPIRED_COUNT = "SELECT count(*) FROM sessions WHERE expires_at <= :now"
ANY_EXPIRED = "SELECT count(*) FROM (SELECT 1 FROM sessions WHERE expires_at <= :now LIMIT 1) AS one"
FORM = urllib.parse.urlencode({"email": bench.EMAIL, "password": bench.PASSWORD})


def cpu_seconds(pid: int) -> float:
    """utime + stime of any process, as bench.Server.cpu_seconds reads it."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / bench.TICKS


# --- the two engines -----------------------------------------------------------------------------

class SQLite:
    """One file per database in the scratch folder, read and seeded with the sqlite3 module."""
    name = "SQLite"
    # A random UUID v4 as text: the shape of the ids the server makes.
    UUID = ("lower(printf('%s-%s-4%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)), "
            "substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1), "
            "substr(hex(randomblob(2)), 2), hex(randomblob(6))))")
    SEED_USERS = f"""
        INSERT INTO users (id, email, password_hash, created_at)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
        SELECT {UUID}, 'user' || i || '@{SEEDED_DOMAIN}', :hash, :now - i FROM n"""
    # Random 64-hex token hashes: the same shape and spread as the SHA-256 the server stores.
    SEED_SESSIONS = f"""
        INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, user_agent, ip, id)
        SELECT lower(hex(randomblob(32))), id, :created, :expires, :seen, :agent,
               '203.0.113.' || (abs(random()) % 250), {UUID}
        FROM users WHERE email LIKE '%@{SEEDED_DOMAIN}'"""
    PASSWORD_HASH = "SELECT password_hash FROM users WHERE email = :email"

    def __init__(self, scratch: Path):
        self.scratch = scratch

    def create(self, label: str) -> str:
        return f"sqlite://{self.scratch}/{label}.db"

    def close(self) -> None:
        """Nothing to drop: the files go with the scratch folder."""

    @staticmethod
    def path(url: str) -> Path:
        return Path(url.removeprefix("sqlite://"))

    def connect(self, url: str) -> contextlib.closing:
        return contextlib.closing(sqlite3.connect(self.path(url), isolation_level=None))

    def query(self, url: str, sql: str, params: dict) -> list[tuple]:
        with self.connect(url) as db:
            return db.execute(sql, params).fetchall()

    def seed(self, url: str, sql: str, params: dict) -> None:
        with self.connect(url) as db:
            # Nothing else has the file open while seeding, and a crash only loses the bench.
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -400000")
            db.execute(sql, params)

    def tidy(self, url: str) -> None:
        """Folds the WAL back into the file, as SQLite's auto-checkpoint would."""
        with self.connect(url) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def data_bytes(self, url: str) -> int:
        self.tidy(url)
        file = self.path(url)
        wal = file.with_name(file.name + "-wal")
        return file.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def backend_cpu(self, url: str) -> dict[int, float]:
        """SQLite runs inside the server: its CPU is already the server's."""
        return {}


class PostgreSQL:
    """One database per label on the local server, driven with psql."""
    name = "PostgreSQL"
    SEED_USERS = f"""
        INSERT INTO users (id, email, password_hash, created_at)
        SELECT gen_random_uuid()::text, 'user' || i || '@{SEEDED_DOMAIN}', :'hash', :now - i
        FROM generate_series(1, :count) AS i"""
    SEED_SESSIONS = f"""
        INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, user_agent, ip, id)
        SELECT encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), id, :created, :expires,
               :seen, :'agent', '203.0.113.' || floor(random() * 250)::int, gen_random_uuid()::text
        FROM users WHERE email LIKE '%@{SEEDED_DOMAIN}'"""
    PASSWORD_HASH = "SELECT password_hash FROM users WHERE email = :'email'"
    CLIENT_BACKENDS = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")

    def __init__(self):
        self.databases: list[str] = []

    @staticmethod
    def psql(url: str, sql: str, params: dict | None = None) -> list[str]:
        cmd = ["psql", url, "-AtqX", "-v", "ON_ERROR_STOP=1"]
        for name, value in (params or {}).items():
            cmd += ["-v", f"{name}={value}"]
        # One backend per query: no parallel workers spreading the bench's own scans over the CPUs.
        env = {**os.environ, "PGOPTIONS": "-c max_parallel_workers_per_gather=0"}
        return subprocess.run(cmd, input=sql, stdout=subprocess.PIPE, text=True, check=True,
                              env=env).stdout.splitlines()

    def create(self, label: str) -> str:
        name = f"badge_scale_{os.getpid()}_{label}"
        self.psql(f"{POSTGRES}/postgres", f"CREATE DATABASE {name}")
        self.databases.append(name)
        return f"{POSTGRES}/{name}"

    def close(self) -> None:
        for name in self.databases:
            self.psql(f"{POSTGRES}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.databases.clear()

    def query(self, url: str, sql: str, params: dict) -> list[tuple]:
        return [tuple(line.split("|")) for line in self.psql(url, sql, params)]

    def seed(self, url: str, sql: str, params: dict) -> None:
        self.psql(url, sql, params)

    def tidy(self, url: str) -> None:
        """Vacuums and analyzes after a bulk change, so autovacuum does not land in a measurement
        and the planner sees the real table sizes."""
        self.psql(url, "VACUUM (ANALYZE) users, sessions")

    def data_bytes(self, url: str) -> int:
        self.tidy(url)
        return int(self.psql(url, "SELECT pg_total_relation_size('users') + pg_total_relation_size('sessions')")[0])

    def backend_cpu(self, url: str) -> dict[int, float]:
        """CPU seconds of the server's connections to this database (the queries run there)."""
        used = {}
        for pid in map(int, self.psql(url, self.CLIENT_BACKENDS)):
            try:
                used[pid] = cpu_seconds(pid)
            except FileNotFoundError:
                pass  # the connection closed meanwhile
        return used


def expired_count(engine, url: str, now: int) -> int:
    return int(engine.query(url, EXPIRED_COUNT, {"now": now})[0][0])


def any_expired(engine, url: str, now: int) -> bool:
    return int(engine.query(url, ANY_EXPIRED, {"now": now})[0][0]) > 0


def password_hash(engine, url: str) -> str:
    return engine.query(url, engine.PASSWORD_HASH, {"email": bench.EMAIL})[0][0]


def seed_users(engine, url: str, argon2_hash: str) -> None:
    engine.seed(url, engine.SEED_USERS, {"count": USERS, "hash": argon2_hash, "now": int(time.time())})


def seed_live_sessions(engine, url: str) -> None:
    """One session per seeded user, seen an hour ago (so a lookup does not refresh it)."""
    now = int(time.time())
    engine.seed(url, engine.SEED_SESSIONS, {"created": now - 2 * DAY, "expires": now + 6 * DAY,
                                            "seen": now - HOUR, "agent": USER_AGENT})


def seed_expired_sessions(engine, url: str) -> int:
    """One more session per seeded user, expired a day ago; returns the cut-off to count them by."""
    now = int(time.time())
    engine.seed(url, engine.SEED_SESSIONS, {"created": now - 8 * DAY, "expires": now - DAY,
                                            "seen": now - 2 * DAY, "agent": USER_AGENT})
    return now


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
    seconds: float | None  # None: not over within PRUNE_MAX_SECONDS
    counts: list[int]  # the expired rows left, counted every few polls
    overshoot_seconds: float  # quiet time at the end of the "during" window, at most one poll
    during_p99_us: float
    quiet_p99_us: float
    # hello-world answered per second: what pruning leaves of the server's CPU under full load
    during_rps: float
    quiet_rps: float


def wait_for_prune(engine, url: str, cutoff: int, deadline: float) -> tuple[float | None, list[int]]:
    """Polls until no expired row is left; returns when that was seen (None: not by the deadline)
    and the expired rows counted on the way."""
    counts = []
    for poll in itertools.count():
        if time.monotonic() >= deadline:
            return None, counts
        if not any_expired(engine, url, cutoff):
            return time.monotonic(), counts + [0]
        if poll % PRUNE_COUNT_EVERY == 0:
            counts.append(expired_count(engine, url, cutoff))
        time.sleep(PRUNE_POLL_SECONDS)


def measure_prune(engine, url: str, cutoff: int, scratch: Path) -> Prune:
    """Starts the server (its housekeeping prunes at once) and loads hello-world while it prunes."""
    expired = expired_count(engine, url, cutoff)
    server = start_badge(f"{engine.name}-prune", url, scratch)
    try:
        healthy = time.monotonic()
        token = badge_token(server, session_cookie(server, "/api/auth/sign-in"))
        hello = bench.Scenario("hello", "hello-world", server, "/api/hello-world", {"Authorization": f"Bearer {token}"})
        load = bench.wrk(hello, PRUNE_MAX_SECONDS)
        load_started = time.monotonic()
        over, counts = wait_for_prune(engine, url, cutoff, healthy + PRUNE_MAX_SECONDS)
        load.send_signal(signal.SIGINT)  # wrk stops and still prints its summary
        during = bench.summary(load)
        engine.tidy(url)
        quiet = []
        for _ in range(bench.ROUNDS):
            time.sleep(bench.SETTLE_SECONDS)
            quiet.append(bench.measure(hello))
    finally:
        server.stop()
    return Prune(
        expired=expired,
        seconds=None if over is None else over - healthy,
        counts=counts,
        overshoot_seconds=0 if over is None else min(PRUNE_POLL_SECONDS, over - load_started),
        during_p99_us=during["p99_us"],
        quiet_p99_us=statistics.mean(r["p99_us"] for r in quiet),
        during_rps=during["requests"] / (during["duration_us"] / 1e6),
        quiet_rps=statistics.mean(r["rps"] for r in quiet),
    )


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
    seed_seconds = timed(seed_users, engine, seeded_url, argon2_hash)
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

    say(f"{engine.name}: seeding {USERS:,} expired sessions, then pruning them under load")
    cutoff = seed_expired_sessions(engine, seeded_url)
    engine.tidy(seeded_url)
    prune = measure_prune(engine, seeded_url, cutoff, scratch)
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
        cpu_ratio = figures[1][2] / figures[0][2]
        p99_ratio = figures[1][1] / figures[0][1]
        cells = " | ".join(f"{rps:,.0f} | {p99:.2f} | {cpu:,.0f}" for rps, p99, cpu in figures)
        lines.append(f"| {empty.label} | {cells} | {cpu_ratio:.2f} | {p99_ratio:.2f} | "
                     f"{verdict(cpu_ratio <= FLAT_COST_TARGET)} |")
    return lines + [""]


def progress(p: Prune) -> str:
    """What the polls saw: a count falling in several steps means batches."""
    if p.counts[0] == 0:
        return "over before the load started: the *during* figure is quiet time"
    steps = sum(1 for before, after in zip(p.counts, p.counts[1:]) if after < before)
    if steps > 1:
        shape = f"fell in {steps} steps over {len(p.counts)} counts (batched)"
    elif len(p.counts) > 3:
        shape = f"fell in one step over {len(p.counts)} counts (one statement)"
    else:
        shape = f"over within {len(p.counts)} counts"
    return f"{shape}; load ran ≤ {p.overshoot_seconds:.1f} s past the end"


def prune_row(result: EngineResult) -> str:
    p = result.prune
    took = f"not over after {PRUNE_MAX_SECONDS} s" if p.seconds is None else f"{p.seconds:.1f} s"
    ratio = p.during_p99_us / p.quiet_p99_us
    return (f"| {result.name} | {p.expired:,} | {took} | {progress(p)} | {p.quiet_rps:,.0f} / {p.during_rps:,.0f} | "
            f"{p.quiet_p99_us / 1000:.2f} | {p.during_p99_us / 1000:.2f} | {ratio:.2f} | "
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
        "prunes them while wrk runs `GET /api/hello-world` (badge), stopped once no expired row is left "
        f"(checked every {PRUNE_POLL_SECONDS} s, counted every {PRUNE_POLL_SECONDS * PRUNE_COUNT_EVERY:g} s). "
        "Duration from `/healthz` answering. Quiet p99: the same server after, mean of "
        f"{bench.ROUNDS} runs of {bench.SECONDS} s.",
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
    if subprocess.run(["psql", f"{POSTGRES}/postgres", "-AtqXc", "SELECT 1"], stdout=subprocess.DEVNULL).returncode:
        sys.exit(f"PostgreSQL does not answer at {POSTGRES} (user postgres, no password)")


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
