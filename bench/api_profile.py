"""Where one API request's time goes: each bench/api.py scenario served in process, request after
request, through the whole middleware stack (Django's test client), on the same PostgreSQL + Redis
database bench/api.py makes. Complements bench/api.py: no HTTP server and no load generator share
the CPU, so the figures are the studio's own work per request, and --profile names the functions.

Run: .venv/bin/python -m bench.api_profile [--requests 400] [--profile pai_job_query]
Writes bench/results/api_profile.json: per scenario, the median wall and CPU time of a request in
milliseconds, and each against the bare view's (the floor bench/api.py compares with).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.api import (
    PYTHON,
    REPO,
    RESULTS,
    SCENARIOS,
    _database_recreate,
    _manage,
    _redis_flush,
    _requests,
    _server_env,
)

WARM_UP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="timed requests per scenario")
    parser.add_argument("--profile", default="", help="a scenario to profile (cProfile, the top 30 by --sort)")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    # The profile's clock: wall time counts the waits on PostgreSQL and Redis; CPU time only the
    # studio's own work, which is what caps a loaded server's throughput.
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"])
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request of each scenario")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "studio_bench"))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        _measure(args)
        return
    server_url = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    _database_recreate(server_url, args.database)
    _redis_flush(redis_url)
    var_dir = Path(tempfile.mkdtemp(prefix="studio-bench-profile-"))
    env = _server_env(database_url=f"{server_url}/{args.database}", redis_url=redis_url, var_dir=var_dir,
                      port=8000, workers=1)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "seed_catalog")
    seed = subprocess.run([PYTHON, "-m", "bench.api_seed"], env=env, cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    env["BENCH_SEED"] = seed
    env["BENCH_PAI_TOKEN"] = json.loads(seed)["token"]
    subprocess.run([PYTHON, "-m", "bench.api_profile", "--measure", "--requests", str(args.requests),
                    "--profile", args.profile, "--sort", args.sort, "--clock", args.clock] + (["--queries"] if args.queries else []), env=env, cwd=REPO, check=True)


def _measure(args) -> None:
    import django

    django.setup()
    from django.test import Client

    seed = json.loads(os.environ["BENCH_SEED"])
    paths = {name: path.format(job_id=seed["job_id"]) for name, path in SCENARIOS.items()}
    client = Client(HTTP_HOST="127.0.0.1")
    scenarios = {}
    for name, (method, headers, body) in _requests(seed).items():
        def send() -> int:
            extra = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()
                     if key != "Content-Type"}
            if method == "GET":
                return client.get(paths[name], **extra).status_code
            return client.post(paths[name], data=body, content_type="application/json", **extra).status_code

        for _ in range(WARM_UP):
            assert send() in (200, 201), name
        if args.queries:
            _queries_print(name, send)
        walls, cpus = [], []
        for _ in range(args.requests):
            wall, cpu = time.perf_counter(), time.process_time()
            send()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        scenarios[name] = {"wall_ms": round(statistics.median(walls) * 1000, 3),
                           "cpu_ms": round(statistics.median(cpus) * 1000, 3)}
        if name == args.profile:
            profiler = cProfile.Profile(time.process_time if args.clock == "cpu" else time.perf_counter)
            profiler.enable()
            for _ in range(args.requests):
                send()
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(args.sort).print_stats(30 if args.sort == "tottime" else "/work/(main/(studio|jobs|billing|accounts|catalog|engine)|.*(django_q|rest_framework/(views|serializers|fields).py))", 70)
            print(text.getvalue())
    floor = scenarios["bare"]["wall_ms"]
    for figures in scenarios.values():
        figures["vs_bare"] = round(floor / figures["wall_ms"], 3)  # as bench/api.py's throughput ratio
    report = {"requests": args.requests, "python": sys.version.split()[0], "scenarios": scenarios}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api_profile.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(scenarios, indent=1))


def _queries_print(name: str, send) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        send()
    print(f"--- {name}: {len(captured)} statements")
    for query in captured:
        print(f"{query['time']:>7} {query['sql'][:300]}")


if __name__ == "__main__":
    main()
