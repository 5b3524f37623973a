"""`make run`: the web server and a django-q2 cluster together in the foreground, one Ctrl-C for both.

Runs `manage.py demo_data`, starts `runserver` and `qcluster_supervised` (qcluster under a watchdog
that restarts it when it stops working), prints where the studio answers and how to log in once it
does, and stops both (and their own children) when either exits or on SIGINT/SIGTERM. DEBUG
defaults to on, so that runserver serves static files and media.

With --serve (`make serve`) it is the production start instead: DEBUG off, PostgreSQL and Redis
required, `check --deploy` clean or no start, then migrate, collectstatic and seed_catalog, and
gunicorn (studio/gunicorn.conf.py) in place of runserver.

Before the server starts, `make run` fetches the default template packs (`manage.py templates fetch
--default`; STUDIO_FETCH_PACKS=0 skips it, and `make serve` does it only with STUDIO_FETCH_PACKS=1).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: the project's packages are not on the path

from jobs.process_groups import group_alive, group_signal  # noqa: E402 - needs the path above

STARTUP_TIMEOUT = 60  # seconds for runserver to accept connections
STOP_TIMEOUT = 15  # seconds for a child to stop after SIGINT before it is killed
# The default template packs (manage.py templates fetch --default) on start: at most this long for
# each file, so that a machine without a network starts at once (no DNS) or after one such wait.
PACK_FILE_TIMEOUT = 10
OFFLINE = 'Template packs not fetched (offline?): run "python manage.py templates fetch --default" later.'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.getenv("PORT") or 8000))
    parser.add_argument("--serve", action="store_true",
                        help="production: DEBUG off, PostgreSQL and Redis, gunicorn (make serve)")
    args = parser.parse_args()
    port = args.port
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    manage = [sys.executable, str(REPO / "manage.py")]
    if args.serve:
        env.setdefault("DEBUG", "0")
        refusal = _serve_refusal(env) or _serve_prepare(manage, env)
        if refusal:
            print(refusal, file=sys.stderr, flush=True)
            return 2
        _packs_fetch(manage, env, wanted_by_default=False)
        web = [sys.executable, "-m", "gunicorn", "-c", str(REPO / "studio" / "gunicorn.conf.py"),
               "--bind", f"0.0.0.0:{port}", "studio.wsgi"]
        banner = _serve_banner(port, env)
    else:
        env.setdefault("DEBUG", "1")
        env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        demo = subprocess.run([*manage, "demo_data"], cwd=REPO, env=env, capture_output=True, text=True)
        sys.stderr.write(demo.stderr)
        if demo.returncode:
            sys.stderr.write(demo.stdout)
            return demo.returncode
        _packs_fetch(manage, env, wanted_by_default=True)
        web = [*manage, "runserver", f"127.0.0.1:{port}"]
        banner = _run_banner(port, demo.stdout, env)

    # Handlers first: started in the background, the launcher inherits SIGINT ignored, and an
    # ignored signal stays ignored through exec, while a handled one comes back as the default.
    stopping: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: stopping.append(signum))
    # Each child leads its own process group, so that a signal reaches the processes it starts
    # itself too (runserver's autoreloaded server, gunicorn's and qcluster's workers).
    children = {
        name: subprocess.Popen(command, cwd=REPO, env=env, process_group=0)
        for name, command in (("web server", web), ("workers", [*manage, "qcluster_supervised"]))
    }

    if _wait_for_port(port, children, stopping):
        rule = "=" * max(len(line) for line in banner)
        print("\n".join(["", rule, *banner, rule, ""]), flush=True)
    while not stopping and all(child.poll() is None for child in children.values()):
        time.sleep(0.2)

    exited = [name for name, child in children.items() if child.poll() is not None]
    if exited and not stopping:
        code = children[exited[0]].returncode
        print(f"\nThe {exited[0]} stopped (exit code {code}); stopping the rest.", flush=True)
    _stop(children.values())
    if stopping:
        return 0
    code = children[exited[0]].returncode
    return 128 - code if code < 0 else code or 1  # killed by signal N: 128 + N, as a shell says


def _packs_fetch(manage: list[str], env: dict[str, str], *, wanted_by_default: bool) -> None:
    """The default template packs, under `make run` unless STUDIO_FETCH_PACKS=0, under `make serve`
    only with STUDIO_FETCH_PACKS=1. Idempotent and never in the way of the start: a failure is one line."""
    switch = env.get("STUDIO_FETCH_PACKS", "1" if wanted_by_default else "0").strip().lower()
    if switch in ("0", "false", "no", "off", ""):
        return
    command = [*manage, "templates", "fetch", "--default", "--timeout", str(PACK_FILE_TIMEOUT)]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode == 0:
        print("\n".join(line for line in result.stdout.splitlines() if " files verified " in line), flush=True)
    elif "could not be downloaded" in result.stderr:
        print(OFFLINE, flush=True)
    else:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        print(f"Template packs not fetched ({reason.removeprefix('CommandError: ')}): "
              'run "python manage.py templates fetch --default" later.', flush=True)


def _wait_for_port(port: int, children: dict[str, subprocess.Popen], stopping: list[int]) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if stopping or any(child.poll() is not None for child in children.values()):
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.3)
    print(f"The web server did not answer on port {port} within {STARTUP_TIMEOUT} s.", flush=True)
    return False


def _run_banner(port: int, demo_output: str, env: dict[str, str]) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    broker = "Redis (REDIS_URL)" if env.get("REDIS_URL") else "the database (django-q2's ORM broker)"
    return [
        f"The studio runs at {base}/  (admin: {base}/admin/, API docs: {base}/api/docs/)",
        *demo_output.strip().splitlines(),
        f"PAI API (ai-service-python-sdk host): {base}  (paths under {base}/api/v1/)",
        f"Workers: a django-q2 cluster under a watchdog, broker: {broker}",
        "Ctrl-C stops the web server and the workers.",
    ]


def _serve_refusal(env: dict[str, str]) -> str | None:
    """Why `make serve` will not start with this environment, or None."""
    if env["DEBUG"].lower() not in ("0", "false", "no", "off"):
        return "make serve runs with DEBUG off: unset DEBUG (make run is the DEBUG server)."
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "make serve needs PostgreSQL: set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME."
    if not env.get("REDIS_URL"):
        return "make serve needs Redis for the job queue and the shared cache: set REDIS_URL=redis://HOST:PORT/DB."
    if not env.get("SECRET_KEY"):
        return ("make serve needs SECRET_KEY: keep one secret, long random value, such as the output of\n"
                "  python3 -c 'import secrets; print(secrets.token_urlsafe(50))'")
    return None


def _serve_prepare(manage: list[str], env: dict[str, str]) -> str | None:
    """The deploy checks (any warning stops the start), the schema, static files and the catalog."""
    steps = (
        (["check", "--deploy", "--fail-level", "WARNING"],
         "Refusing to start: `manage.py check --deploy` found the problems above (README: Deploying)."),
        (["migrate", "--no-input"], "Migrating the database failed (above)."),
        (["collectstatic", "--no-input", "--verbosity", "0"], "collectstatic failed (above)."),
        (["seed_catalog"], "seed_catalog failed (above)."),
    )
    for command, failure in steps:
        if subprocess.run([*manage, *command], cwd=REPO, env=env).returncode:
            return failure
    return None


def _serve_banner(port: int, env: dict[str, str]) -> list[str]:
    base = env.get("SITE_URL") or f"http://127.0.0.1:{port}"
    return [
        f"The studio serves on port {port} (gunicorn, DEBUG off) for {base}/",
        "An administrator for the admin: .venv/bin/python manage.py createsuperuser",
        "Workers: a django-q2 cluster under a watchdog, broker: Redis (REDIS_URL)",
        "Ctrl-C stops the web server and the workers.",
    ]


def _stop(children) -> None:
    """SIGINT to every child's process group, then SIGKILL to what is left after STOP_TIMEOUT."""
    children = list(children)
    for child in children:
        group_signal(child, signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and any(group_alive(child) for child in children):
        time.sleep(0.2)
    for child in children:
        if group_alive(child):
            group_signal(child, signal.SIGKILL)
        child.wait()


if __name__ == "__main__":
    sys.exit(main())
