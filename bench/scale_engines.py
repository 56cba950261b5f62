"""The two engines of `make bench-scale`: creating, seeding (set-based SQL) and reading a database
on SQLite (the sqlite3 module) and on PostgreSQL (psql), with the same interface."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import bench

SEEDED_DOMAIN = "scale.example"
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36")
HOUR, DAY = 3_600, 86_400
# The same text on both engines: `:now` is a bound parameter in sqlite3 and a psql variable.
EXPIRED_COUNT = "SELECT count(*) FROM sessions WHERE expires_at <= :now"


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
        self.psql(f"{bench.POSTGRES}/postgres", f"CREATE DATABASE {name}")
        self.databases.append(name)
        return f"{bench.POSTGRES}/{name}"

    def close(self) -> None:
        for name in self.databases:
            self.psql(f"{bench.POSTGRES}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
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
                used[pid] = bench.cpu_seconds(pid)
            except FileNotFoundError:
                pass  # the connection closed meanwhile
        return used


def expired_count(engine, url: str, now: int) -> int:
    return int(engine.query(url, EXPIRED_COUNT, {"now": now})[0][0])


def password_hash(engine, url: str) -> str:
    return engine.query(url, engine.PASSWORD_HASH, {"email": bench.EMAIL})[0][0]


def seed_users(engine, url: str, argon2_hash: str, count: int) -> None:
    engine.seed(url, engine.SEED_USERS, {"count": count, "hash": argon2_hash, "now": int(time.time())})


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
