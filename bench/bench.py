#!/usr/bin/env python3
"""`make bench`: Badge against the stacks users would otherwise pick, measured side by side.

Badge runs as `make run` starts it (RUST_LOG unset: an access line per request, the log to a
file), built as `make dist` builds it (link-time optimised); a second server with logs off and
one built as `make run` builds it are measured beside it. Servers run pinned to CPU 0, wrk to
CPU 1, on loopback. Every scenario is warmed up, then run in interleaved rounds; the table
reports the mean of the rounds. CPU per request is the server process's utime + stime (from
/proc/<pid>/stat) over the run divided by the requests answered. The closest call, Badge's
hello-world against the bare verifier, is measured again in alternating windows (`paired.py`),
and its targets use that ratio.
Peers (FastAPI + PyJWT under plain uvicorn, Better Auth, panva's oidc-provider) are installed
from the registries into bench/.peers/; the bare Axum + jsonwebtoken verifier
(bench/peers/axum-verifier) is built into target/bench-peers/. The OpenID Provider rows are in
`openid_flows.py`, the two-factor step in `second_factor.py`, the passkey sign-in (with a
software authenticator) in `passkey_sign_in.py`, the attempt-limit stores in `limit_stores.py`.
Writes bench/RESULTS.md and bench/chart.svg. Needs the builds `make bench` makes first, and runs
in its own venv (bench/requirements.txt).
"""
from __future__ import annotations

import base64
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart  # noqa: E402  (beside this file)
import limit_stores  # noqa: E402
import openid_flows  # noqa: E402
import passkey_sign_in  # noqa: E402
import second_factor  # noqa: E402
import paired  # noqa: E402
import start_times  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PEERS = BENCH / ".peers"
SERVER_CPU, LOAD_CPU = "0", "1"
# `make bench` builds the server as `make dist` does (the binary to deploy), with the bench-only route.
DIST = ROOT / "target/dist"
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CONNECTIONS = 16
SIGN_IN_CONNECTIONS = 4
SETTLE_SECONDS = 1.5
PASSWORD = "correct horse battery staple"
EMAIL = "bench@example.com"
SECRET = os.urandom(32).hex()
TICKS = os.sysconf("SC_CLK_TCK")
# The local PostgreSQL server (user postgres, trust) for cold starts and `make bench-scale`.
POSTGRES = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
# `make bench-scale` (bench/scale.py) owns this part of RESULTS.md; `make bench` keeps it as it is.
SCALE_START, SCALE_END = "<!-- bench-scale:start -->", "<!-- bench-scale:end -->"
SCALE_SECTION = re.compile(re.escape(SCALE_START) + ".*?" + re.escape(SCALE_END) + "\n?", re.S)


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# --- installing what the bench needs -------------------------------------------------------

def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is missing: sudo apt-get install -y wrk")
    say("installing wrk (Debian package)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, stdin=subprocess.DEVNULL).returncode != 0:
        run(["apt-get", "update"], env=env, stdin=subprocess.DEVNULL)
        run(["apt-get", "install", "-y", "wrk"], env=env, stdin=subprocess.DEVNULL)


def ensure_fastapi() -> Path:
    home = PEERS / "fastapi"
    requirements = BENCH / "peers/fastapi/requirements.txt"
    stamp = home / ".installed"
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        say("installing the FastAPI peer (PyPI)")
        run([sys.executable, "-m", "venv", str(home / "venv")])
        run([str(home / "venv/bin/pip"), "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)])
        stamp.write_text(requirements.read_text())
    shutil.copy(BENCH / "peers/fastapi/app.py", home / "app.py")
    return home


def ensure_node_peer(name: str) -> Path:
    """bench/peers/NAME (package.json, its lockfile, server.mjs) installed into bench/.peers/NAME."""
    home = PEERS / name
    source = BENCH / "peers" / name
    home.mkdir(parents=True, exist_ok=True)
    lock = (source / "package-lock.json").read_text()
    stamp = home / ".installed"
    for file in ("package.json", "package-lock.json", "server.mjs"):
        shutil.copy(source / file, home / file)
    if not stamp.exists() or stamp.read_text() != lock:
        say(f"installing the {name} peer (npm)")
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=home)
        stamp.write_text(lock)
    return home


def ensure_axum_verifier() -> Path:
    say("building the bare Axum + jsonwebtoken verifier (release; quick when up to date)")
    run(["cargo", "build", "--release", "--quiet", "--locked",
         "--manifest-path", str(BENCH / "peers/axum-verifier/Cargo.toml"),
         "--target-dir", str(ROOT / "target/bench-peers")])
    return ROOT / "target/bench-peers/release/axum-verifier"


# --- servers ---------------------------------------------------------------------------------

@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def memory_kib(self, key: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, cmd: list[str], env: dict, port: int, ready_path: str, scratch: Path, cwd: Path = ROOT) -> Server:
    log = scratch / f"{name}.log"
    process = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, *cmd],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = Server(name, port, process, log)
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"{name} exited:\n{log.read_text()[-2000:]}")
        try:
            status, _, _ = request(server, "GET", ready_path)
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{name} did not start:\n{log.read_text()[-2000:]}")


def request(server: Server, method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    cookies = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
    conn.close()
    return response.status, data, cookies


# --- load --------------------------------------------------------------------------------------

@dataclass
class Scenario:
    key: str
    label: str
    server: Server
    path: str
    headers: dict = field(default_factory=dict)
    body: str | None = None
    content_type: str | None = None
    connections: int = CONNECTIONS
    rounds: list = field(default_factory=list)
    # Single-use bodies (authorization codes): `fresh(seconds)` makes enough for one run, before
    # its CPU is counted; each is sent once.
    fresh: Callable[[int], list[str]] | None = None


def fresh_bodies(s: Scenario, seconds: int) -> Path | None:
    if s.fresh is None:
        return None
    bodies = Path(tempfile.mkstemp(prefix="badge-bench-bodies-")[1])
    bodies.write_text("\n".join(s.fresh(seconds)) + "\n")
    return bodies


def wrk(s: Scenario, seconds: int, bodies: Path | None = None) -> subprocess.Popen:
    cmd = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{s.connections}", f"-d{seconds}s", "--latency",
           "-s", str(BENCH / "wrk.lua")]
    for k, v in s.headers.items():
        cmd += ["-H", f"{k}: {v}"]
    env = dict(os.environ)
    if s.body is not None:
        env["WRK_BODY"] = s.body
        env["WRK_CONTENT_TYPE"] = s.content_type or "application/x-www-form-urlencoded"
    if bodies is not None:
        env["WRK_BODIES"] = str(bodies)
    return subprocess.Popen(cmd + [s.server.base + s.path], stdout=subprocess.PIPE, text=True, env=env)


def summary(process: subprocess.Popen) -> dict:
    out, _ = process.communicate()
    line = next((l for l in out.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        sys.exit(f"wrk gave no summary:\n{out}")
    return json.loads(line[len("WRK_JSON "):])


def measure(s: Scenario, seconds: int = SECONDS, alongside: Scenario | None = None) -> dict:
    """Runs `s` (and, if given, `alongside` at the same time) and returns s's figures."""
    bodies = fresh_bodies(s, seconds)  # made before the CPU is counted
    before = s.server.cpu_seconds()
    background = wrk(alongside, seconds) if alongside else None
    result = summary(wrk(s, seconds, bodies))
    if bodies is not None:
        bodies.unlink()
    if background:
        summary(background)
    cpu = s.server.cpu_seconds() - before
    ok = result["requests"] - result["non_2xx"]
    if result["non_2xx"] or result["socket_errors"]:
        say(f"{s.label}: {result['non_2xx']} non-2xx answers, {result['socket_errors']} socket errors")
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    # With a flood beside it the process CPU is shared, so no per-request CPU figure then.
    result["cpu_us"] = None if alongside else cpu * 1e6 / max(ok, 1)
    return result


# --- the run -------------------------------------------------------------------------------------

def micros(value: float) -> str:
    """A CPU time in µs: one decimal below 100, so 9.6 and 10.4 do not both read as 10."""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def main() -> None:
    ensure_wrk()
    fastapi_home = ensure_fastapi()
    better_auth_home = ensure_node_peer("better-auth")
    axum_bin = ensure_axum_verifier()
    badge_bin = DIST / "badge-bench"
    rate_bin = DIST / "argon2-rate"
    for binary in (badge_bin, rate_bin, ROOT / "target/release/badge"):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run `make bench` (it builds with --features bench)")

    scratch = Path(tempfile.mkdtemp(prefix="badge-bench-"))
    servers: list[Server] = []
    try:
        def start_badge(name: str, extra: dict, binary: Path = badge_bin) -> Server:
            # As `make run` starts it: RUST_LOG unset (info, one access line per request), the log
            # to a file. Only the logs-off server sets RUST_LOG=warn.
            port = free_port()
            server = start(name, [str(binary)], {
                "AUTH_SECRET": SECRET,
                "DATABASE_URL": f"sqlite://{scratch}/{name}.db",
                "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
                "LEPTOS_SITE_ROOT": str(ROOT / "target/site"),
                "AUTH_RATE_LIMIT": "false",
                **extra,
            }, port, "/healthz", scratch)
            servers.append(server)
            return server

        badge = start_badge("badge", {})
        quiet = start_badge("badge-logs-off", {"RUST_LOG": "warn"})
        # The binary `make run` builds (tuned for build time), to price that choice.
        run_build = start_badge("badge-make-run", {}, ROOT / "target/release/badge")
        # The same binary in EdDSA mode, to price public-key badges.
        eddsa = start_badge("badge-eddsa", {"JWT_ALGORITHM": "EdDSA"})
        fastapi_port = free_port()
        # Plain uvicorn, as FastAPI's guide runs it (its access log on, like Badge's).
        fastapi = start("fastapi", [str(fastapi_home / "venv/bin/uvicorn"), "app:app", "--port", str(fastapi_port)],
                        {"BADGE_SECRET": SECRET, "BADGE_ISSUER": badge.base}, fastapi_port, "/docs", scratch,
                        cwd=fastapi_home)
        servers.append(fastapi)
        ba_port = free_port()
        better_auth = start("better-auth", ["node", "server.mjs"],
                            {"PORT": str(ba_port), "DB": str(scratch / "better-auth.db"), "SECRET": SECRET},
                            ba_port, "/api/auth/ok", scratch, cwd=better_auth_home)
        servers.append(better_auth)

        def start_verifier(name: str, keys: dict, issuer: str) -> Server:
            port = free_port()
            # Ready once it answers at all (401 without a badge).
            server = start(name, [str(axum_bin)], {"PORT": str(port), "BADGE_ISSUER": issuer, **keys},
                           port, "/api/hello-world", scratch)
            servers.append(server)
            return server

        axum = start_verifier("axum", {"BADGE_SECRET": SECRET}, badge.base)
        axum_eddsa = start_verifier("axum-eddsa", {"BADGE_JWKS_URL": f"{eddsa.base}/.well-known/jwks.json"},
                                    eddsa.base)

        # One account on each; the session cookies and a badge to present.
        form = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD})

        def session_and_badge(server: Server) -> tuple[str, str]:
            status, _, cookies = request(server, "POST", "/api/auth/sign-up", form, {
                "Content-Type": "application/x-www-form-urlencoded", "Origin": server.base,
                "Accept": "application/json"})
            assert status == 200, f"{server.name} sign-up: {status}"
            cookie = "; ".join(cookies)
            status, data, _ = request(server, "GET", "/api/token", headers={"Cookie": cookie})
            assert status == 200, f"{server.name} token: {status}"
            return cookie, json.loads(data)["token"]

        badge_cookie, token = session_and_badge(badge)
        introspect = introspection_call(badge, badge_bin, scratch / "badge.db", token)
        quiet_cookie, quiet_token = session_and_badge(quiet)
        _, run_build_token = session_and_badge(run_build)
        peer = openid_flows.start_peer(scratch)
        servers.append(peer)
        openid = openid_flows.scenarios(badge, badge_bin, scratch / "badge.db", badge_cookie, peer)
        eddsa_cookie, eddsa_token = session_and_badge(eddsa)
        eddsa_bearer = {"Authorization": f"Bearer {eddsa_token}"}
        ba_json = json.dumps({"email": EMAIL, "password": PASSWORD, "name": "Bench"})
        status, _, ba_cookies = request(better_auth, "POST", "/api/auth/sign-up/email", ba_json, {
            "Content-Type": "application/json", "Origin": better_auth.base})
        assert status == 200, f"better-auth sign-up: {status}"
        ba_cookie = "; ".join(ba_cookies)
        bearer = {"Authorization": f"Bearer {token}"}
        sign_in = {"Origin": badge.base, "Accept": "application/json"}

        hello = Scenario("hello", "Badge `GET /api/hello-world` (badge)", badge, "/api/hello-world", bearer)
        hello_quiet = Scenario("hello_quiet", "Badge `GET /api/hello-world`, logs off (`RUST_LOG=warn`)", quiet,
                               "/api/hello-world", {"Authorization": f"Bearer {quiet_token}"})
        ceiling = Scenario("ceiling", "Badge in-binary JSON route, no auth (ceiling)", badge, "/bench/ceiling")
        scenarios = [
            hello,
            hello_quiet,
            Scenario("hello_run", "Badge `GET /api/hello-world`, `make run`'s build (`target/release/badge`)",
                     run_build, "/api/hello-world", {"Authorization": f"Bearer {run_build_token}"}),
            ceiling,
            Scenario("token", "Badge `GET /api/token` (cookie)", badge, "/api/token", {"Cookie": badge_cookie}),
            Scenario("ssr", "Badge `GET /` SSR, signed in", badge, "/", {"Cookie": badge_cookie}),
            introspect,
            Scenario("eddsa_hello", "Badge EdDSA `GET /api/hello-world` (badge)", eddsa, "/api/hello-world",
                     eddsa_bearer),
            Scenario("eddsa_token", "Badge EdDSA `GET /api/token` (cookie)", eddsa, "/api/token",
                     {"Cookie": eddsa_cookie}),
            Scenario("axum", "bare Axum + jsonwebtoken verifier `GET /api/hello-world`", axum, "/api/hello-world",
                     bearer),
            Scenario("axum_eddsa", "bare Axum + jsonwebtoken verifier, EdDSA", axum_eddsa, "/api/hello-world",
                     eddsa_bearer),
            Scenario("fastapi", "FastAPI + PyJWT `GET /api/hello-world`", fastapi, "/api/hello-world", bearer),
            Scenario("ba_token", "Better Auth `GET /api/auth/token` (cookie)", better_auth, "/api/auth/token",
                     {"Cookie": ba_cookie}),
            *openid,
            second_factor.scenario(badge, pools=1 + ROUNDS),
            passkey_sign_in.scenario(badge),
            Scenario("sign_in", f"Badge sign-in, concurrency {SIGN_IN_CONNECTIONS}", badge, "/api/auth/sign-in",
                     sign_in, form, connections=SIGN_IN_CONNECTIONS),
            Scenario("ba_sign_in", f"Better Auth email sign-in, concurrency {SIGN_IN_CONNECTIONS}", better_auth,
                     "/api/auth/sign-in/email", {"Origin": better_auth.base},
                     json.dumps({"email": EMAIL, "password": PASSWORD}), "application/json",
                     connections=SIGN_IN_CONNECTIONS),
        ]
        flood_hello = Scenario("flood", "Badge `GET /api/hello-world` during a sign-in flood", badge,
                               "/api/hello-world", bearer)
        flood = next(s for s in scenarios if s.key == "sign_in")

        say(f"warm-up, then {ROUNDS} interleaved rounds of {SECONDS}s per scenario")
        for s in scenarios:
            measure(s, 1)
        # The flood runs right after the quiet hello-world run it is compared with, and every run
        # starts after a pause, so one server's after-work (a peer's GC) does not land in another's.
        order = [hello, flood_hello] + [s for s in scenarios if s is not hello]
        argon2_rates = []
        for round_no in range(ROUNDS):
            say(f"round {round_no + 1}/{ROUNDS}")
            for s in order:
                time.sleep(SETTLE_SECONDS)
                s.rounds.append(measure(s, alongside=flood if s is flood_hello else None))
            time.sleep(SETTLE_SECONDS)
            out = run(["taskset", "-c", SERVER_CPU, str(rate_bin), "3"], capture_output=True, text=True).stdout
            argon2_rates.append(json.loads(out)["hashes_per_sec"])

        say(f"side by side: Badge's hello-world and the bare verifier in alternating {paired.WINDOW_SECONDS}s "
            f"windows ({paired.GROUPS} × A B B A)")
        scenario = {s.key: s for s in scenarios}
        side_by_side = {
            "HS256": paired.ratio(measure, hello, scenario["axum"], SETTLE_SECONDS),
            "HS256, logs off": paired.ratio(measure, hello_quiet, scenario["axum"], SETTLE_SECONDS),
            "EdDSA": paired.ratio(measure, scenario["eddsa_hello"], scenario["axum_eddsa"], SETTLE_SECONDS),
        }

        rss_end = {srv.name: srv.memory_kib("VmRSS") for srv in servers}
        rss_peak = {srv.name: srv.memory_kib("VmHWM") for srv in servers}
        say("start times: cold start on SQLite and PostgreSQL, then a second `make build`")
        starts = start_times.measure(badge_bin, {
            "AUTH_SECRET": SECRET, "LEPTOS_SITE_ROOT": str(ROOT / "target/site"), "RUST_LOG": "warn",
        }, free_port(), SERVER_CPU, scratch, POSTGRES)
        warm_build = start_times.warm_build_seconds(ROOT)
        for srv in servers:
            srv.stop()
        report(order, side_by_side, statistics.mean(argon2_rates), rss_end, rss_peak, starts, warm_build)
        say("attempt limits in each store (bench/limit_stores.py)")
        limits = limit_stores.measure()
        limit_stores.write(limits)
        print(limits)
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(scratch, ignore_errors=True)


# The chart's rows, Badge next to what it replaces; the peers are grey.
CHART_ROWS = {
    "hello": "Badge hello-world",
    "axum": "bare Axum verifier",
    "eddsa_hello": "Badge hello-world, EdDSA",
    "axum_eddsa": "bare Axum verifier, EdDSA",
    "fastapi": "FastAPI + PyJWT hello-world",
    "token": "Badge /api/token",
    "ba_token": "Better Auth /api/auth/token",
    "op_exchange": "Badge code exchange (OpenID)",
    "peer_exchange": "oidc-provider code exchange",
    "op_userinfo": "Badge userinfo",
    "peer_userinfo": "oidc-provider userinfo",
    "totp_verify": "Badge two-factor step (TOTP)",
    "passkey_sign_in": "Badge passkey sign-in",
    "sign_in": "Badge sign-in (argon2id)",
    "ba_sign_in": "Better Auth sign-in",
}
PEER_KEYS = {"axum", "axum_eddsa", "fastapi", "ba_token", "ba_sign_in", "peer_exchange", "peer_userinfo"}


def introspection_call(badge: Server, badge_bin: Path, database: Path, token: str) -> Scenario:
    """`POST /oauth2/introspect` of a badge by a vault (an introspection-only client registered
    with `badge clients add`): what a vault pays to learn of sign-outs on every request."""
    added = run([str(badge_bin), "clients", "add", "Bench vault", "--introspection-only"],
                env={**os.environ, "AUTH_SECRET": SECRET, "DATABASE_URL": f"sqlite://{database}"},
                capture_output=True, text=True).stdout
    lines = dict(line.split(": ", 1) for line in added.splitlines() if ": " in line)
    basic = base64.b64encode(f"{lines['client_id']}:{lines['client_secret']}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}
    body = urllib.parse.urlencode({"token": token})
    status, data, _ = request(badge, "POST", "/oauth2/introspect", body,
                              {**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(data)["active"], f"introspection: {status} {data!r}"
    return Scenario("introspect", "Badge `POST /oauth2/introspect` (a badge, by a vault)", badge,
                    "/oauth2/introspect", headers, body)


def mean(s: Scenario, key: str):
    values = [r[key] for r in s.rounds if r[key] is not None]
    return statistics.mean(values) if values else None


def report(scenarios: list[Scenario], side_by_side: dict[str, paired.Paired], argon2_rate: float, rss_end: dict,
           rss_peak: dict, starts: dict, warm_build: float) -> None:
    by = {s.key: s for s in scenarios}
    cpu = {k: mean(s, "cpu_us") for k, s in by.items()}
    p99 = {k: mean(s, "p99_us") for k, s in by.items()}
    rps = {k: mean(s, "rps") for k, s in by.items()}
    pkg = ROOT / "target/site/pkg"
    wasm = (pkg / "badge.wasm").read_bytes()
    wasm_gz = len(gzip.compress(wasm, 9))
    mib = lambda kib: kib / 1024

    lines = [
        "# make bench results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} CPUs: servers pinned to "
        f"CPU {SERVER_CPU}, wrk to CPU {LOAD_CPU}, loopback; {CONNECTIONS} connections "
        f"({SIGN_IN_CONNECTIONS} for sign-in); warm-up, then {ROUNDS} interleaved rounds of {SECONDS} s, "
        "mean shown. CPU/request = server utime+stime over the run ÷ successful requests.",
        "",
        "| scenario | req/s | p50 ms | p99 ms | CPU µs/request |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        c = cpu[s.key]
        lines.append(f"| {s.label} | {rps[s.key]:,.0f} | {mean(s, 'p50_us') / 1000:.2f} | {p99[s.key] / 1000:.2f} | "
                     f"{'—' if c is None else micros(c)} |")
    lines += [
        f"| argon2id raw hash rate, one thread on CPU {SERVER_CPU} (`argon2-rate`) | {argon2_rate:,.1f} hashes/s | | | |",
        "",
        "| footprint | value |",
        "|---|---:|",
        f"| hydrate WASM (release, wasm-opt) | {len(wasm) / 1024:,.0f} KiB raw, {wasm_gz / 1024:,.0f} KiB gzip |",
        f"| server binary (`make dist`, with the bench route) | {(DIST / 'badge-bench').stat().st_size / 1048576:,.1f} MiB |",
    ]
    for name in rss_end:
        lines.append(f"| {name} RSS after the run (peak) | {mib(rss_end[name]):,.1f} MiB ({mib(rss_peak[name]):,.1f} MiB) |")

    def target(label: str, ratio: float, goal: str, met: bool) -> str:
        return f"| {label} | {ratio:,.2f} | {goal} | {'met' if met else '**not met**'} |"

    hello_vs_ceiling = cpu["hello"] / cpu["ceiling"]
    hello_vs_axum = side_by_side["HS256"].ratio
    eddsa_vs_axum = side_by_side["EdDSA"].ratio
    quiet_vs_axum = side_by_side["HS256, logs off"].ratio
    fastapi_vs_hello = cpu["fastapi"] / cpu["hello"]
    ba_vs_token = cpu["ba_token"] / cpu["token"]
    peer_vs_exchange = cpu["peer_exchange"] / cpu["op_exchange"]
    peer_vs_userinfo = cpu["peer_userinfo"] / cpu["op_userinfo"]
    sign_in_vs_raw = rps["sign_in"] / argon2_rate
    flood_vs_quiet = p99["flood"] / p99["hello"]
    rss_mib = mib(rss_end["badge"])
    eddsa_verify = cpu["eddsa_hello"] / cpu["hello"]
    eddsa_mint = cpu["eddsa_token"] / cpu["token"]
    second_run = warm_build + starts["SQLite"]["restart"] / 1000
    lines += [
        "",
        "| target | ratio | goal | |",
        "|---|---:|---|---|",
        target("hello-world CPU/request ÷ bare Axum verifier (HS256), side by side, access log on as `make run`",
               hello_vs_axum, "≤ 1.15", hello_vs_axum <= 1.15),
        target("the same with logs off (`RUST_LOG=warn`)", quiet_vs_axum, "≤ 1.15", quiet_vs_axum <= 1.15),
        target("EdDSA hello-world CPU/request ÷ bare Axum verifier (EdDSA), side by side", eddsa_vs_axum,
               "≤ 1.15", eddsa_vs_axum <= 1.15),
        target("hello-world CPU/request ÷ ceiling route", hello_vs_ceiling, "≤ 1.15", hello_vs_ceiling <= 1.15),
        target("FastAPI (plain uvicorn) CPU/request ÷ Badge hello-world, both logging", fastapi_vs_hello, "≥ 18", fastapi_vs_hello >= 18),
        target("Better Auth `/api/auth/token` CPU/request ÷ Badge `/api/token`", ba_vs_token, "≥ 50",
               ba_vs_token >= 50),
        target("oidc-provider code exchange CPU/request ÷ Badge's", peer_vs_exchange, "≥ 10", peer_vs_exchange >= 10),
        target("oidc-provider userinfo CPU/request ÷ Badge's", peer_vs_userinfo, "≥ 10", peer_vs_userinfo >= 10),
        target("sign-in throughput ÷ raw argon2id rate", sign_in_vs_raw, "≥ 0.9", sign_in_vs_raw >= 0.9),
        target("hello-world p99 during sign-in flood ÷ unloaded p99", flood_vs_quiet, "≤ 2", flood_vs_quiet <= 2),
        target("Badge RSS after the run, MiB", rss_mib, "≤ 64", rss_mib <= 64),
        target("hydrate WASM gzip, KB", wasm_gz / 1000, "≤ 200", wasm_gz / 1000 <= 200),
        target("second `make run`: warm `make build` + cold start (SQLite), s", second_run, "≤ 5", second_run <= 5),
        "",
        "| start | SQLite | PostgreSQL |",
        "|---|---:|---:|",
        f"| cold start, process start → `/healthz` 200, first start (runs the migrations) | "
        f"{starts['SQLite']['first']:,.0f} ms | {starts['PostgreSQL']['first']:,.0f} ms |",
        f"| cold start, restart (median of {start_times.RESTARTS}) | "
        f"{starts['SQLite']['restart']:,.0f} ms | {starts['PostgreSQL']['restart']:,.0f} ms |",
        f"| `make build` with nothing changed | {warm_build:,.1f} s | |",
        "",
        f"| side by side: hello-world in alternating {paired.WINDOW_SECONDS} s windows, {paired.GROUPS} × A B B A | "
        "Badge µs | bare verifier µs | ratio, median of the groups (range) | ratio of the rounds above |",
        "|---|---:|---:|---:|---:|",
        *(f"| {mode} | {micros(p.a_us)} | {micros(p.b_us)} | {p.ratio:.2f} ({p.low:.2f}–{p.high:.2f}) | "
          f"{rounds:.2f} |"
          for (mode, p), rounds in zip(side_by_side.items(), (cpu["hello"] / cpu["axum"],
                                                              cpu["hello_quiet"] / cpu["axum"],
                                                              cpu["eddsa_hello"] / cpu["axum_eddsa"]))),
        "",
        "| EdDSA beside HS256 (CPU/request, whole request) | ratio | extra µs |",
        "|---|---:|---:|",
        f"| verify: EdDSA hello-world ÷ HS256 hello-world | {eddsa_verify:,.2f} | "
        f"{micros(cpu['eddsa_hello'] - cpu['hello'])} |",
        f"| mint: EdDSA `/api/token` ÷ HS256 `/api/token` | {eddsa_mint:,.2f} | "
        f"{micros(cpu['eddsa_token'] - cpu['token'])} |",
        "",
    ]
    text = "\n".join(lines)
    results = BENCH / "RESULTS.md"
    scale = SCALE_SECTION.search(results.read_text()) if results.exists() else None
    results.write_text(text + ("\n" + scale.group(0) if scale else ""))
    print(text)
    rows = [(label, cpu[k], rps[k], k not in PEER_KEYS) for k, label in CHART_ROWS.items()]
    machine = f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d', time.gmtime())}"
    (BENCH / "chart.svg").write_text(chart.svg(rows, f"make bench: Badge (blue) beside each peer ({machine})"))


if __name__ == "__main__":
    main()
