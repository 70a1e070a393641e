"""Load test: `.venv/bin/python bench/bench_load.py` (about 3 minutes; loopback only).

The portal runs under gunicorn with the production settings (`deploy/gunicorn.conf.py`) on
PostgreSQL (a schema of its own, `bench_load`, filled by `portal init` and `portal demo-data`,
dropped afterwards). Two small apps run under the same server settings and on the same
database: a minimal Flask page (`bench/minimal_app.py`, which does nothing) and the ceiling
(`bench/ceiling_app.py`: the portal's base layout, a summary list and a table, the signed-in
user loaded from the portal's own session cookie and one more row read), so the ratio of a
portal page to the ceiling shows the portal's own overhead.

1. **Throughput** (wrk, closed loop, 2 threads, 16 connections, 10 s each, 3 runs in turn so
   every page sees the same load): the minimal page, the ceiling, the public start page, a
   participant's account, cohort and one-to-one pages, and the officers' dashboard with stored
   figures; with the servers' own CPU time per request (gunicorn master and workers).
   Targets: each participant page at least 60% of the ceiling's throughput, the stored
   dashboard at least 40%.
2. **Fixed arrival rate** (50 requests a second for 30 s, open loop: each request is sent at
   its scheduled moment whatever the others are doing, and its time is counted from that
   moment, so a slow server cannot hide its queue). The mix: 25% people reading public pages
   and the registration start page, 20% applicants answering registration questions (a
   write each), 40% participants browsing their cohort, one-to-one support and account, 15%
   officers reading the outcomes dashboard. Target: p99 under 300 ms.

Options: --rate 50 --seconds 30 --throughput-seconds 10 --runs 3 --workers (gunicorn workers;
default the config's 2 per core plus 1). Needs `wrk` (Debian package; installed with apt-get if
missing and running as root) and PostgreSQL at BENCH_DATABASE_URL or
PORTAL_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from outcomes_data import drop_postgres_schema, empty_postgres_schema  # noqa: E402

from portal.auth.demo import DEMO_PASSWORD, demo_totp_secret  # noqa: E402
from tests.fixtures.http import Browser, start_gunicorn  # noqa: E402

SCHEMA = "bench_load"
APPLICANTS = 12
TARGET_P99_MS = 300
# Shares of the ceiling's throughput (bench/ceiling_app.py) each page should reach.
TARGET_SHARE = 0.6
TARGET_SHARE_DASHBOARD = 0.4


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores ({model}), load average {load}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["/usr/bin/apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: apt-get install wrk")
    return found


def portal_environment(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_ENVIRONMENT": "development",
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_LOG_LEVEL": "WARNING",
        "PORTAL_SIGN_IN_LIMIT_PER_ADDRESS": "1000 per minute",
    }


def flask(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "flask", "--app", "wsgi", "portal", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def add_applicants(environment: dict[str, str]) -> list[str]:
    """Applicant accounts (signed up, email confirmed), with the demo password."""
    emails = [f"applicant{number}@load.example.org" for number in range(APPLICANTS)]
    script = f"""
from portal import create_app, db
from portal.auth.demo import DEMO_PASSWORD
from portal.auth.models import Role, User, UserRole, UserStatus
from portal.auth.passwords import hash_password
from portal.db_base import utcnow
app = create_app()
with app.app_context():
    now = utcnow()
    hashed = hash_password(DEMO_PASSWORD)
    for email in {emails!r}:
        user = User(email=email, name="Load Applicant", password_hash=hashed,
                    status=UserStatus.ACTIVE, email_verified_at=now, created_at=now,
                    status_changed_at=now)
        user.role_grants = [UserRole(role=Role.PARTICIPANT, granted_at=now)]
        db.session.add(user)
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, check=True)  # noqa: S603
    return emails


def serve(
    app: str, environment: dict[str, str], port: int, workers: str | None
) -> subprocess.Popen[str]:
    settings = {**environment, "PORTAL_BIND": f"127.0.0.1:{port}"}
    if workers:
        settings["PORTAL_WORKERS"] = workers
    try:
        return start_gunicorn(settings, app)
    except RuntimeError as error:
        sys.exit(str(error))


def wrk(binary: str, url: str, seconds: int, cookie: str | None = None) -> dict[str, float]:
    command = [binary, "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    found = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore[union-attr]
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            found[f"p{percentile}"] = (
                value / 1000 if unit == "us" else value * (1000 if unit == "s" else 1)
            )
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    found["errors"] = float(non_2xx.group(1)) if non_2xx else 0.0
    return found


def server_cpu_seconds(server: subprocess.Popen[str]) -> float:
    """CPU seconds (user + system) spent by a gunicorn master and its workers so far, counting
    workers that have exited (their time is added to the master's once it reaps them)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    master = fields(server.pid)
    total = sum(int(value) for value in master[11:15])  # utime stime cutime cstime
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    for child in children:
        try:
            total += sum(int(value) for value in fields(int(child))[11:13])
        except FileNotFoundError:
            continue
    return total / tick


def throughput(
    binary: str,
    mix: Mix,
    benches: dict[str, str],
    servers: list[subprocess.Popen[str]],
    runs: int,
    seconds: int,
) -> dict[str, float]:
    """wrk against the minimal page, the ceiling and the portal's pages, one after another in
    each of ``runs`` rounds, so every page sees the same load. Prints the medians with their
    spread and each page's share of the ceiling; returns each page's median share."""
    portal_server, minimal_server, ceiling_server = servers
    participant = mix.participant.cookie_header()
    officer = mix.officer.cookie_header()
    pages = [
        ("minimal Flask page", benches["minimal"] + "/", None, minimal_server),
        ("ceiling (bench/ceiling_app.py)", benches["ceiling"], participant, ceiling_server),
        ("public start page /", mix.base + "/", None, portal_server),
        ("participant /account/", mix.base + "/account/", participant, portal_server),
        ("participant /my-cohort/", mix.base + "/my-cohort/", participant, portal_server),
        ("participant /one-to-one/", mix.base + "/one-to-one/", participant, portal_server),
        ("officer /outcomes/ (stored)", mix.base + "/outcomes/", officer, portal_server),
    ]
    found: dict[str, list[dict[str, float]]] = defaultdict(list)
    loads = []
    for run in range(runs):
        loads.append(os.getloadavg()[0])
        print(f"Run {run + 1} of {runs}, load average {loads[-1]:.1f}", flush=True)
        for name, url, cookie, server in pages:
            cpu = server_cpu_seconds(server)
            result = wrk(binary, url, seconds, cookie)
            requests = result["rps"] * seconds
            result["cpu_ms"] = (server_cpu_seconds(server) - cpu) * 1000 / max(requests, 1)
            found[name].append(result)
    loads.append(os.getloadavg()[0])
    failed = [name for name, results in found.items() if any(r["errors"] for r in results)]
    if failed:
        print(f"WARNING: non-2xx/3xx answers from {', '.join(failed)}: their figures are wrong")
    ceiling_name = pages[1][0]
    print(
        f"Throughput (wrk, 2 threads, 16 connections, {seconds} s a page, {runs} runs; "
        f"load average {min(loads):.1f} to {max(loads):.1f}). Medians, with the lowest and "
        "highest run; share of the ceiling is the median of each run's ratio."
    )
    print(
        "| page | requests/s | spread | share of ceiling | spread | server CPU ms/request "
        "| p50 ms | p99 ms | non-2xx/3xx |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    shares = {}
    for name, *_ in pages:
        results = found[name]
        rps = [result["rps"] for result in results]
        ratios = [
            result["rps"] / ceiling["rps"]
            for result, ceiling in zip(results, found[ceiling_name], strict=True)
        ]
        shares[name] = statistics.median(ratios)
        print(
            f"| {name} | {statistics.median(rps):,.0f} | {min(rps):,.0f}-{max(rps):,.0f} | "
            f"{statistics.median(ratios):.0%} | {min(ratios):.0%}-{max(ratios):.0%} | "
            f"{statistics.median(result['cpu_ms'] for result in results):.1f} | "
            f"{statistics.median(result.get('p50', 0) for result in results):.1f} | "
            f"{statistics.median(result.get('p99', 0) for result in results):.1f} | "
            f"{sum(result['errors'] for result in results):.0f} |",
            flush=True,
        )
    return shares


class Mix:
    """The people of the fixed-rate run, signed in, with what each kind of request does."""

    def __init__(self, base: str, applicants: list[str]) -> None:
        self.base = base
        self.visitor = Browser()
        self.participant = Browser()
        assert self.participant.sign_in(base, "owner@bakery.example.org", DEMO_PASSWORD) == 302
        self.officer = Browser()
        code = pyotp.TOTP(demo_totp_secret("officer@demo.example.org")).now()
        assert (
            self.officer.sign_in_with_code(base, "officer@demo.example.org", DEMO_PASSWORD, code)
            == 302
        )
        self.applicants: list[tuple[Browser, str]] = []
        for email in applicants:
            browser = Browser()
            assert browser.sign_in(base, email, DEMO_PASSWORD) == 302
            token = browser.token(f"{base}/register/")
            browser.request(f"{base}/register/start", {"csrf_token": token})
            self.applicants.append((browser, browser.token(f"{base}/register/question/business")))
        # Warm the officers' stored figures, as the store-figures job would have.
        self.officer.request(f"{base}/outcomes/")

    def request(self, kind: str, rng: random.Random) -> int:
        base = self.base
        if kind == "public pages":
            return self.visitor.request(base + rng.choice(["/", "/register/", "/stories/"]))[0]
        if kind == "applicant answers":
            browser, token = rng.choice(self.applicants)
            name = f"Load Test Business {rng.randrange(10_000)} Ltd"
            return browser.request(
                f"{base}/register/question/business",
                {"csrf_token": token, "business_name": name},
            )[0]
        if kind == "participant pages":
            page = rng.choice(["/my-cohort/", "/one-to-one/", "/account/"])
            return self.participant.request(base + page)[0]
        return self.officer.request(f"{base}/outcomes/")[0]


KINDS = {
    "public pages": 25,
    "applicant answers": 20,
    "participant pages": 40,
    "officer dashboard": 15,
}


def fixed_rate(mix: Mix, rate: int, seconds: int) -> dict[str, list[tuple[float, int]]]:
    rng = random.Random(20261126)
    total = rate * seconds
    plan = rng.choices(list(KINDS), weights=list(KINDS.values()), k=total)
    results: dict[str, list[tuple[float, int]]] = defaultdict(list)
    lock = threading.Lock()
    start = time.perf_counter() + 1.0

    def send(index: int, kind: str, seed: int) -> None:
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        try:
            status = mix.request(kind, random.Random(seed))
        except OSError:
            status = 0
        took = (time.perf_counter() - scheduled) * 1000
        with lock:
            results[kind].append((took, status))

    with ThreadPoolExecutor(max_workers=200) as pool:
        for index, kind in enumerate(plan):
            pool.submit(send, index, kind, rng.randrange(1 << 30))
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--throughput-seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default=None)
    arguments = parser.parse_args()
    binary = ensure_wrk()
    base_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    print(f"Machine: {machine()} at the start", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    url = empty_postgres_schema(base_url, SCHEMA, with_public=True)
    environment = portal_environment(url, folder / "instance")
    servers = []
    try:
        flask(environment, "init")
        flask(environment, "demo-data")
        applicants = add_applicants(environment)
        portal_port, minimal_port, ceiling_port = free_port(), free_port(), free_port()
        servers.append(serve("wsgi:app", environment, portal_port, arguments.workers))
        bench_environment = {**environment, "PYTHONPATH": str(ROOT / "bench")}
        servers.append(serve("minimal_app:app", bench_environment, minimal_port, arguments.workers))
        servers.append(serve("ceiling_app:app", bench_environment, ceiling_port, arguments.workers))
        portal = f"http://127.0.0.1:{portal_port}"
        ceiling = f"http://127.0.0.1:{ceiling_port}/ceiling"
        mix = Mix(portal, applicants)
        shares = throughput(
            binary,
            mix,
            {"minimal": f"http://127.0.0.1:{minimal_port}", "ceiling": ceiling},
            servers,
            arguments.runs,
            arguments.throughput_seconds,
        )
        print(flush=True)
        print(
            f"Fixed arrival rate: {arguments.rate} requests a second for {arguments.seconds} s",
            flush=True,
        )
        started = time.perf_counter()
        results = fixed_rate(mix, arguments.rate, arguments.seconds)
        elapsed = time.perf_counter() - started
        everything = [item for values in results.values() for item in values]
        print("| requests | count | p50 ms | p90 ms | p99 ms | max ms | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for kind in [*KINDS, "all"]:
            values = everything if kind == "all" else results[kind]
            times = [took for took, _ in values]
            errors = sum(1 for _, status in values if status == 0 or status >= 400)
            print(
                f"| {kind} | {len(values):,} | {statistics.median(times):.0f} | "
                f"{percentile(times, 0.90):.0f} | {percentile(times, 0.99):.0f} | "
                f"{max(times):.0f} | {errors} |"
            )
        achieved = len(everything) / elapsed
        p99 = percentile([took for took, _ in everything], 0.99)
        print()
        print(f"Achieved {achieved:.1f} requests a second including start-up of the run.")
        print(f"Machine: {machine()} at the end")
        participant = min(share for name, share in shares.items() if "participant" in name)
        dashboard = shares["officer /outcomes/ (stored)"]
        print(
            f"Targets: participant pages at least {TARGET_SHARE:.0%} of the ceiling: "
            f"{'met' if participant >= TARGET_SHARE else 'MISSED'} ({participant:.0%}); "
            f"the stored dashboard at least {TARGET_SHARE_DASHBOARD:.0%}: "
            f"{'met' if dashboard >= TARGET_SHARE_DASHBOARD else 'MISSED'} ({dashboard:.0%}); "
            f"p99 under {TARGET_P99_MS} ms at {arguments.rate}/s: "
            f"{'met' if p99 < TARGET_P99_MS else 'MISSED'} ({p99:.0f} ms)."
        )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        drop_postgres_schema(base_url, SCHEMA)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
