"""Requests per second under gunicorn: one address asked by many clients at once (issue 11).

``benchmarks/pages.py`` runs it for the activity detail API in both of its phases (shipped
data, then at scale). On its own, against a database that is already there:

    python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/tracker \\
        --path /api/v1/activities/1/ --token KEY [--clients 16 --seconds 20 --workers 2 --redis-url URL]

It starts gunicorn (the ``deploy`` extra: ``pip install -e '.[deploy]'``) with the production
settings (``tracker.settings``, DEBUG off, HTTPS said by the X-Forwarded-Proto header, as behind
the proxy of a deployment) on a free port of 127.0.0.1, warms it up, then has each client thread
send one request after the other for the given seconds (gunicorn's sync workers close the
connection after each answer, so each request opens its own). It prints requests per second,
the median and 95th percentile latency, and the errors (any answer but 200, or no answer).
The clients run on the same machine as the server, and take some of its processor.
"""

import argparse
import http.client
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_SECONDS = 2.0


@dataclass
class Load:
    """What the clients measured."""

    clients: int
    workers: int
    seconds: float
    requests: int
    errors: int
    p50: float
    p95: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        return (
            f"{self.per_second:.0f} requests/s ({self.requests:,} in {self.seconds:.0f} s, {self.clients} clients, "
            f"{self.workers} gunicorn workers), p50 {self.p50:.1f} ms, p95 {self.p95:.1f} ms, {self.errors} errors"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(database_url: str, secret_key: str, port: int, workers: int, redis_url: str | None) -> subprocess.Popen:
    executable = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if executable is None:
        sys.exit("gunicorn is not installed: pip install -e '.[deploy]' (make bench does).")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        # The key the token was made under: a token is bound to it (organizations/models.py).
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    environment.pop("REDIS_URL", None)
    if redis_url:  # as deployed: the shared cache keeps the activity detail API's answers
        environment["REDIS_URL"] = redis_url
    command = [executable, "tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    return subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=environment)


def ask(port: int, path: str, headers: dict[str, str]) -> tuple[int, float]:
    """One request: its status (0 when no answer came) and how long it took in seconds."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, time.perf_counter() - started


def wait_until_up(port: int, path: str, headers: dict[str, str], server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit status {server.returncode}).")
        if ask(port, path, headers)[0]:
            return
        time.sleep(0.2)
    sys.exit("gunicorn did not answer within a minute.")


def hammer(port: int, path: str, headers: dict[str, str], *, clients: int, seconds: float) -> Load:
    """``clients`` threads asking ``path`` one request after the other for ``seconds``."""
    times: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        while time.perf_counter() < stop:
            status, took = ask(port, path, headers)
            times[n].append(took)
            errors[n] += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for own in times for t in own)
    p95 = every[max(0, math.ceil(0.95 * len(every)) - 1)] if every else math.nan
    return Load(
        clients=clients,
        workers=0,
        seconds=elapsed,
        requests=len(every),
        errors=sum(errors),
        p50=statistics.median(every) * 1000 if every else math.nan,
        p95=p95 * 1000,
    )


def throughput(
    database_url: str,
    secret_key: str,
    path: str,
    token: str,
    *,
    clients: int = 16,
    seconds: float = 20.0,
    workers: int = 2,
    redis_url: str | None = None,
) -> Load:
    """Start gunicorn on ``database_url`` (and ``redis_url``, its cache, if given), warm it up, and
    measure ``path`` asked with ``token`` (made under ``secret_key``)."""
    port = free_port()
    headers = {"Authorization": f"Token {token}", "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    server = gunicorn(database_url, secret_key, port, workers, redis_url)
    try:
        wait_until_up(port, path, headers, server)
        hammer(port, path, headers, clients=clients, seconds=WARM_UP_SECONDS)
        load = hammer(port, path, headers, clients=clients, seconds=seconds)
        load.workers = workers
        return load
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--path", required=True, help="e.g. /api/v1/activities/1/")
    parser.add_argument("--token", required=True, help="an API token's key")
    parser.add_argument("--secret-key", default=os.environ.get("SECRET_KEY"), help="the SECRET_KEY of the token")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis-url", help="Redis for the server's cache and broker, as deployed (default: none, nothing kept)"
    )
    options = parser.parse_args()
    if not options.secret_key:
        parser.error("say the SECRET_KEY the token was made under: --secret-key or SECRET_KEY")
    load = throughput(
        options.database_url,
        options.secret_key,
        options.path,
        options.token,
        clients=options.clients,
        seconds=options.seconds,
        workers=options.workers,
        redis_url=options.redis_url,
    )
    print(f"{options.path}: {load}")


if __name__ == "__main__":
    main()
