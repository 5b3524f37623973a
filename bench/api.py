"""Speed of the studio's APIs under load, against a bare view measured in the same run.

Run: .venv/bin/python -m bench.api [--runs 3] [--duration 10] [--quick]
Needs wrk (Debian: apt-get install wrk), PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL):
the production shape that `make serve` requires. Writes bench/results/api.json.

The server is the one `make serve` runs (gunicorn with studio/gunicorn.conf.py, DEBUG off), on a
database made for the run (BENCH_DATABASE, dropped and made anew) seeded by bench/api_seed.py,
without workers: submitted jobs stay queued. Scenarios, each wrk with 16 connections:

- bare: a view doing the least a PAI job query must do (the signature's HMAC, one read of the job
  row): the floor the studio's endpoints are compared with;
- pai_job_query: POST /api/v1/async_jobs/<id> as the PAI SDKs send it;
- native_jobs: GET /api/studio/v1/jobs/ of an account with 1,000 jobs;
- submit: POST /api/studio/v1/portraits/ (one job made, charged and queued per request), the
  requests taking turns among 16 customers, as a studio's submits come from many;
- submit_one_account: the same, all from one customer: every submit of an account updates its one
  billing row, whose lock lasts to the commit, so one account's submits run one after another
  (and the documented rate limits keep any one client far below this);
- waiting: pai_job_query and native_jobs again while 50 synchronous PAI creates wait for their
  jobs (which no worker runs), so every one of them holds its request for the whole measurement.

Each scenario runs --runs times; the report gives the median of the runs' figures, and ratios
against the bare view (throughput) and against the same endpoint without waiting creates (p99).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PYTHON = sys.executable
CONNECTIONS = 16
WAITING_CREATES = 50
TARGETS = {"pai_job_query_vs_bare": 0.7, "pai_job_query_p99_ms": 50.0, "native_jobs_p50_ms": 30.0,
           "submit_per_s": 300.0}

SCENARIOS = {
    "bare": "/bench/bare/{job_id}",
    "pai_job_query": "/api/v1/async_jobs/{job_id}",
    "native_jobs": "/api/studio/v1/jobs/",
    "submit": "/api/studio/v1/portraits/",
    "submit_one_account": "/api/studio/v1/portraits/",
}

# wrk prints one JSON line at the end of a run (latencies in microseconds).
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"socket_errors":%d,"non2xx":%d,'
    .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers; by default STUDIO_WEB_WORKERS or studio/gunicorn.conf.py's")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="wrk connections per scenario")
    parser.add_argument("--quick", action="store_true", help="one run of 3 s each, for a smoke test")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "studio_bench"))
    parser.add_argument("--only", action="append", default=[], choices=[*SCENARIOS, "waiting"],
                        help="run only this scenario (repeatable); the bare view always runs")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.duration = 1, 3
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api.py needs wrk: apt-get install wrk")
    server_url = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    _database_recreate(server_url, args.database)
    _redis_flush(redis_url)
    var_dir = Path(tempfile.mkdtemp(prefix="studio-bench-api-"))
    port = _free_port()
    env = _server_env(database_url=f"{server_url}/{args.database}", redis_url=redis_url, var_dir=var_dir,
                      port=port, workers=args.workers)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "seed_catalog")
    seed = json.loads(subprocess.run([PYTHON, "-m", "bench.api_seed"], env=env, cwd=REPO, check=True,
                                     capture_output=True, text=True).stdout.strip().splitlines()[-1])
    env["BENCH_PAI_TOKEN"] = seed["token"]
    base = f"http://127.0.0.1:{port}"
    log = (var_dir / "server.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", "studio/gunicorn.conf.py", "studio.wsgi"],
                              env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)
    report: dict = {"machine": _machine(), "workers": int(env["STUDIO_WEB_WORKERS"]), "threads": int(env["STUDIO_WEB_THREADS"]),
                    "connections": args.connections, "duration_s": args.duration, "runs": args.runs}
    try:
        _wait_ready(base, server, var_dir / "server.log")
        scripts = _scripts(Path(var_dir), seed)
        urls = {name: base + path.format(job_id=seed["job_id"]) for name, path in SCENARIOS.items()}
        _verify(urls, seed)
        timed = [name for name in urls if not args.only or name == "bare" or name in args.only]
        runs: dict[str, list[dict]] = {name: [] for name in timed}
        for _ in range(args.runs):
            for name in timed:  # interleaved: a drift of the machine hits every scenario alike
                runs[name].append(_wrk(urls[name], scripts[name], args.duration, args.connections))
        report["scenarios"] = {name: _summary(results) for name, results in runs.items()}
        if not args.only or "waiting" in args.only:
            report["waiting"] = _waiting(base, urls, scripts, seed, args)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(var_dir, ignore_errors=True)
    report["figures"] = _figures(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report["figures"], indent=1))


def _server_env(*, database_url: str, redis_url: str, var_dir: Path, port: int, workers: int) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STUDIO_VAR_DIR": str(var_dir),
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "DEBUG": "0",
        "STUDIO_HTTPS": "0",
        "STUDIO_STATIC_MANIFEST": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STUDIO_BIND": f"127.0.0.1:{port}",
        "STUDIO_WEB_WORKERS": str(workers or _gunicorn_setting("workers")),
        "STUDIO_WEB_THREADS": str(_gunicorn_setting("threads")),
        "STUDIO_WEB_GRACEFUL_TIMEOUT": "2",
        "STUDIO_SYNC_WAIT": "600",
        "LOG_LEVEL": "WARNING",
        # The limits stay on (their cost is part of every request) at rates the load cannot reach.
        "STUDIO_RATE_PAI_JOB_QUERY": "1000000/s",
        "STUDIO_RATE_PAI_CREATE_SOLO": "1000000/s",
        "STUDIO_API_RATE": "1000000/s",
    })
    return env


def _gunicorn_setting(name: str) -> int:
    """What studio/gunicorn.conf.py gives (workers, threads per worker: the environment's
    STUDIO_WEB_* or its defaults), for the run and the report."""
    namespace: dict = {}
    exec(compile((REPO / "studio" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    return int(namespace[name])


def _database_recreate(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _manage(env: dict, *command: str) -> None:
    subprocess.run([PYTHON, "manage.py", *command], env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def _pai_headers(seed: dict, path: str, body: bytes) -> dict:
    message = f"POST\n{hashlib.md5(body).hexdigest()}\n{path}"
    signature = hmac.new(seed["token"].encode(), message.encode(), hashlib.sha256).hexdigest()
    return {"Authorization": f"{seed['app_id']}:{signature}", "Content-Type": "application/json"}


def _requests(seed: dict) -> dict[str, tuple[str, dict, str | None]]:
    """Each scenario's request, as wrk sends it and as _verify checks it: (method, headers, body)."""
    query = _pai_headers(seed, f"/api/v1/async_jobs/{seed['job_id']}", b"{}")
    bearer = {"Authorization": f"Bearer {seed['api_key']}", "Content-Type": "application/json"}
    return {
        "bare": ("POST", query, "{}"),
        "pai_job_query": ("POST", query, "{}"),
        "native_jobs": ("GET", bearer, None),
        "submit": ("POST", _bearer(seed["customers"][0]), _portrait_body(seed, seed["customers"][0])),
        "submit_one_account": ("POST", bearer, _portrait_body(seed, seed)),
    }


def _bearer(customer: dict) -> dict:
    return {"Authorization": f"Bearer {customer['api_key']}", "Content-Type": "application/json"}


def _portrait_body(seed: dict, customer: dict) -> str:
    return json.dumps({"avatars": [customer["model_id"]], "style": seed["style"]})


# The submit scenario's requests take turns among the seed's customers (each wrk thread starts at
# another one).
TAKING_TURNS = """
local customers = {%s}
turn = 0  -- a global: setup() sets each thread's own
function setup(thread)
  thread:set("turn", turn)
  turn = turn + 7
end
function request()
  turn = turn %% #customers + 1
  wrk.headers["Authorization"] = customers[turn][1]
  return wrk.format(nil, nil, wrk.headers, customers[turn][2])
end
"""


def _scripts(folder: Path, seed: dict) -> dict[str, Path]:
    scripts = {}
    for name, (method, headers, body) in _requests(seed).items():
        lines = [f'wrk.method = "{method}"']
        lines += [f'wrk.headers["{key}"] = {json.dumps(value)}' for key, value in headers.items()]
        if body is not None:
            lines.append(f"wrk.body = {json.dumps(body)}")
        if name == "submit":
            turns = ", ".join("{%s, %s}" % (json.dumps(_bearer(customer)["Authorization"]),
                                            json.dumps(_portrait_body(seed, customer)))
                              for customer in seed["customers"])
            lines.append(TAKING_TURNS % turns)
        path = folder / f"{name}.lua"
        path.write_text("\n".join(lines) + "\n" + DONE)
        scripts[name] = path
    return scripts


def _verify(urls: dict[str, str], seed: dict) -> None:
    """One request of each scenario, checked: a fast error would be a false figure."""
    checks = {
        "bare": lambda doc: doc.get("code") == "OK" and doc["data"]["id"] == seed["job_id"],
        "pai_job_query": lambda doc: doc.get("code") == "OK" and doc["data"]["job"]["id"] == seed["job_id"],
        "native_jobs": lambda doc: len(doc.get("results") or []) > 0 and doc.get("next") is not None,
        "submit": lambda doc: doc.get("state") == "queued",
        "submit_one_account": lambda doc: doc.get("state") == "queued",
    }
    for name, (method, headers, body) in _requests(seed).items():
        request = urllib.request.Request(urls[name], data=None if body is None else body.encode(), headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                document = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{name}: HTTP {exc.code}: {exc.read()[:500]!r}") from None
        if not checks[name](document):
            raise SystemExit(f"{name} did not answer as expected: {json.dumps(document)[:500]}")


def _wrk(url: str, script: Path, duration: int, connections: int) -> dict:
    completed = subprocess.run(
        ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s",
         "-s", str(script), url],
        capture_output=True, text=True, check=True,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["per_s"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result


def _summary(results: list[dict]) -> dict:
    def median(key: str) -> float:
        return statistics.median(result[key] for result in results)

    return {
        "per_s": round(median("per_s"), 1),
        "p50_ms": round(median("p50_us") / 1000, 2),
        "p90_ms": round(median("p90_us") / 1000, 2),
        "p99_ms": round(median("p99_us") / 1000, 2),
        "errors": sum(result["socket_errors"] + result["non2xx"] for result in results),
        "runs": results,
    }


def _template_data_url() -> str:
    """A template the intake admits (the job never runs: no worker takes it)."""
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (512, 512, 3), dtype=np.uint8)).save(buffer, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def _waiting(base: str, urls: dict[str, str], scripts: dict[str, Path], seed: dict, args) -> dict:
    """The job query and job list measured while WAITING_CREATES synchronous creates wait."""
    template = _template_data_url()
    answers: list[str] = []
    stop = threading.Event()

    def create(number: int) -> None:
        # A field the API ignores makes each body, and so each signature, its own (a repeated
        # signature is refused as a replay).
        body = json.dumps({"template_image": template, "model_id": seed["model_id"],
                           "bench_request": number}).encode()
        request = urllib.request.Request(f"{base}/api/v1/aigc_images/create", data=body, method="POST",
                                         headers=_pai_headers(seed, "/api/v1/aigc_images/create", body))
        try:
            with urllib.request.urlopen(request, timeout=args.duration * args.runs * 4 + 120) as response:
                answers.append(json.loads(response.read()).get("message", "OK"))
        except OSError as exc:
            if not stop.is_set():
                answers.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=create, args=(i,), daemon=True) for i in range(WAITING_CREATES)]
    for thread in threads:
        thread.start()
    time.sleep(3)  # every create past its intake, waiting for its job
    early = list(answers)
    runs: dict[str, list[dict]] = {"pai_job_query": [], "native_jobs": []}
    for _ in range(args.runs):
        for name in runs:
            runs[name].append(_wrk(urls[name], scripts[name], args.duration, args.connections))
    still_waiting = WAITING_CREATES - len(answers)
    stop.set()
    return {
        "creates": WAITING_CREATES,
        "answered_before_load": early,  # a create refused (busy) answers at once instead of waiting
        "still_waiting_after_load": still_waiting,
        "scenarios": {name: _summary(results) for name, results in runs.items()},
    }


def _figures(report: dict) -> dict:
    """The issue's figures, of the scenarios that ran (--only runs some)."""
    scenarios = report["scenarios"]
    bare = scenarios["bare"]["per_s"]
    figures: dict = {"bare_per_s": bare}
    if "pai_job_query" in scenarios:
        query = scenarios["pai_job_query"]
        figures.update(pai_job_query_per_s=query["per_s"], pai_job_query_vs_bare=round(query["per_s"] / bare, 3),
                       pai_job_query_p99_ms=query["p99_ms"])
    if "native_jobs" in scenarios:
        figures.update(native_jobs_p50_ms=scenarios["native_jobs"]["p50_ms"],
                       native_jobs_p99_ms=scenarios["native_jobs"]["p99_ms"])
    if "submit" in scenarios:
        # Beside the rate the target names, the same against the bare view of the same run: the
        # machine's speed moves both (the bare view served 1,166-2,000/s on different days here).
        figures.update(submit_per_s=scenarios["submit"]["per_s"],
                       submit_vs_bare=round(scenarios["submit"]["per_s"] / bare, 3))
    if "submit_one_account" in scenarios:
        figures["submit_one_account_per_s"] = scenarios["submit_one_account"]["per_s"]
    if "waiting" in report:
        figures.update(waiting_creates=report["waiting"]["creates"],
                       waiting_creates_still_waiting=report["waiting"]["still_waiting_after_load"])
        for name, measured in report["waiting"]["scenarios"].items():
            figures[f"{name}_p99_ms_while_waiting"] = measured["p99_ms"]
            if name in scenarios:
                figures[f"{name}_p99_while_waiting_vs_idle"] = round(measured["p99_ms"] / scenarios[name]["p99_ms"], 2)
    figures["targets"] = TARGETS
    return figures


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0]}


if __name__ == "__main__":
    main()
