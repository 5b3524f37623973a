"""Faults under load: worker processes SIGKILLed at random and Redis restarted while 240 jobs run,
on PostgreSQL and Redis, with the workers under their watchdog (manage.py qcluster_supervised).

Run: .venv/bin/python -m bench.faults [--jobs 240] [--clusters 1] [--workers 2]   (make bench-faults)
Writes bench/results/faults.json, and the clusters' logs to bench/results/faults-logs/. It uses a
database of its own (studio_faults, made afresh and dropped after) and Redis database 7 on the
servers of --database-url and --redis-url, and restarts that Redis server once (`redis-cli shutdown
nosave`, then redis-server as CI starts it): everything else on it loses its keys too. Nothing but
the faults is done while the jobs run: no reaper call, no restart by hand. Jobs are ID photos
(5 points) and checks (free) of eight real photos; three of them are refused as ID photos (head
tilted or cut off), so some jobs fail and release their points, as they would without faults.

Checked at the end: every job is final and settled once (one reservation and one capture or
release, matching its state; one gallery entry per succeeded ID photo); each account's balance
equals the sums of its ledger with nothing left reserved; reserved = captured + released per job.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.shared_data import data_argument

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]
PEOPLE = ("obama", "amy_adams", "steve_carell", "kit_harington", "mark_zuckerberg", "biden", "tom_cruise",
          "rose_leslie")
POINTS = 10_000  # granted to each account: far more than its jobs cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=240)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--clusters", type=int, default=1, help="qcluster_supervised processes")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each cluster")
    parser.add_argument("--kill-every", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                        help="seconds between worker kills, drawn uniformly")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds to wait for every job to end")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/studio_faults")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    data_argument(parser)
    parser.add_argument("--redis-restart", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    var_dir = Path(tempfile.mkdtemp(prefix="studio-faults-"))
    _environment(args, var_dir)
    _database_create(args.database_url)
    watchdogs: list[subprocess.Popen] = []
    try:
        report = _run(args, var_dir, watchdogs)
    finally:
        _stop(watchdogs)
        _redis_ensure_up(args.redis_url)
        _database_drop(args.database_url)
        shutil.rmtree(var_dir, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "faults.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({key: report[key] for key in ("jobs", "faults", "drain_s", "checks", "manual_steps")}, indent=1))
    if not all(report["checks"].values()):
        sys.exit(1)


def _environment(args, var_dir: Path) -> None:
    """For this process and the watchdogs it starts: short leases and heartbeats, so that lost jobs
    and wedged clusters come back within seconds (the bench's jobs take under two seconds)."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "studio.settings", "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
        "STUDIO_VAR_DIR": str(var_dir), "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "STUDIO_WORKERS": str(args.workers), "STUDIO_JOB_LEASE": "15", "STUDIO_HEARTBEAT_INTERVAL": "2",
        "STUDIO_HEARTBEAT_MAX_AGE": "20", "STUDIO_TRIAL_TRAININGS": "0", "STUDIO_TRIAL_CREATIONS": "0",
        "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO",
    })


def _run(args, var_dir: Path, watchdogs: list[subprocess.Popen]) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    logging.getLogger("django_q").setLevel(logging.WARNING)  # not a line per job enqueued

    call_command("migrate", verbosity=0)
    _redis(args.redis_url).flushdb()
    owners = _accounts(args.accounts)
    inputs = _inputs(args.data, owners)
    logs = RESULTS / "faults-logs"  # kept for a look after the run
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    for number in range(args.clusters):
        with (logs / f"watchdog-{number}.log").open("ab") as sink:
            watchdogs.append(subprocess.Popen(
                [sys.executable, "manage.py", "qcluster_supervised", "--reap-every", "5"], cwd=REPO,
                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            ))
    _wait_for_heartbeats(args.clusters)
    started = time.monotonic()
    job_ids = _submit(args.jobs, owners, inputs)
    faults = _faults(args, job_ids, watchdogs, started)
    drained = time.monotonic() - started
    report = _verify(job_ids)
    report["faults"] = {**faults, **_watchdog_restarts(logs)}
    report["drain_s"] = round(drained, 1) if report["jobs"]["stuck"] == 0 else None
    # The bench only submits, kills and restarts Redis; anything recovered was recovered by itself.
    report["manual_steps"] = 0 if report["jobs"]["stuck"] == 0 else "jobs stuck: a manual step would be needed"
    report["setup"] = {"jobs": args.jobs, "accounts": args.accounts, "clusters": args.clusters,
                       "workers_per_cluster": args.workers, "kill_every_s": list(args.kill_every),
                       "lease_s": 15, "heartbeat_interval_s": 2, "heartbeat_max_age_s": 20, "seed": args.seed,
                       "cpus": os.cpu_count()}
    from jobs.health import worker_health_check

    report["health_after"] = worker_health_check().as_dict()
    return report


def _accounts(count: int) -> list:
    from accounts.services import user_get_or_create
    from billing.models import EntryKind
    from billing.services import account_open, ledger_adjust

    owners = []
    for number in range(count):
        owner = user_get_or_create(email=f"faults-{number}@example.com")[0]
        ledger_adjust(account=account_open(user=owner), points=POINTS, reason="fault bench", kind=EntryKind.GRANT)
        owners.append(owner)
    return owners


def _inputs(data: Path, owners: list) -> dict:
    """Real photos (at most 1024 px) from ../shared/data, or scikit-image's astronaut without it: per
    owner, Photo rows for checks and storage names for ID photos."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from studio.portraits.models import Photo

    sources = [next(iter(sorted((data / "faces" / person).iterdir()))) for person in PEOPLE
               if (data / "faces" / person).is_dir()]
    if sources:
        images = [Image.open(path).convert("RGB") for path in sources]
    else:
        from skimage import data as samples

        images = [Image.fromarray(samples.astronaut())]
    encoded = []
    for image in images:
        image.thumbnail((1024, 1024))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        encoded.append(buffer.getvalue())
    inputs = {}
    for owner in owners:
        photos, names = [], []
        for number, content in enumerate(encoded):
            photo = Photo(owner=owner, position=number)
            photo.image.save(f"{number}.jpg", ContentFile(content), save=True)
            photos.append(photo)
            names.append(default_storage.save(f"inputs/faults/{owner.id}/{number}.jpg", ContentFile(content)))
        inputs[owner.id] = (photos, names)
    return inputs


def _submit(count: int, owners: list, inputs: dict) -> list[int]:
    """Two thirds ID photos (5 points each), one third checks (free), round robin over accounts."""
    from studio.portraits.services.photos import photos_check_submit
    from studio.portraits.services.styling import idphoto_submit

    job_ids = []
    for number in range(count):
        owner = owners[number % len(owners)]
        photos, names = inputs[owner.id]
        if number % 3 == 2:
            job = photos_check_submit(owner=owner, photos=[photos[number % len(photos)]])
        else:
            job = idphoto_submit(owner=owner, photo=names[number % len(names)])
        job_ids.append(job.id)
    return job_ids


def _faults(args, job_ids: list[int], watchdogs: list[subprocess.Popen], started: float) -> dict:
    """Kills a random worker every few seconds and restarts Redis once, when 40 % of the jobs have
    ended, until every job has ended or the timeout passes."""
    from jobs.models import FINAL_STATES, Job

    kills, redis_restart = [], None
    next_kill = time.monotonic() + random.uniform(*args.kill_every)
    while time.monotonic() - started < args.timeout:
        final = Job.objects.filter(id__in=job_ids, state__in=FINAL_STATES).count()
        if final == len(job_ids):
            break
        if args.redis_restart and redis_restart is None and final >= 0.4 * len(job_ids):
            redis_restart = _redis_restart(args.redis_url, at=time.monotonic() - started, final=final)
        if time.monotonic() >= next_kill:
            victim = _worker_to_kill(watchdogs)
            if victim:
                os.kill(victim, signal.SIGKILL)
                kills.append({"at_s": round(time.monotonic() - started, 1), "pid": victim, "jobs_final": final})
            next_kill = time.monotonic() + random.uniform(*args.kill_every)
        time.sleep(0.25)
    return {"worker_kills": len(kills), "kills": kills, "redis_restart": redis_restart}


def _worker_to_kill(watchdogs: list[subprocess.Popen]) -> int | None:
    """A random worker process (not a pusher, monitor or sentinel) of the clusters this bench started,
    as django-q2's own cluster stats list them."""
    from django_q.status import Stat

    try:
        workers = [pid for stat in Stat.get_all() for pid in stat.workers]
    except Exception:  # noqa: BLE001 - Redis is restarting: no kill this time
        return None
    ours = _descendants({watchdog.pid for watchdog in watchdogs})
    candidates = [pid for pid in workers if pid in ours]
    return random.choice(candidates) if candidates else None


def _descendants(roots: set[int]) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = set(), set(roots)
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _redis_restart(url: str, *, at: float, final: int) -> dict:
    """Stops Redis without saving (the queued tasks are lost) and starts it again as CI does."""
    start = time.monotonic()
    subprocess.run(["redis-cli", "-p", str(urlsplit(url).port or 6379), "shutdown", "nosave"], capture_output=True)
    _redis_ensure_up(url)
    return {"at_s": round(at, 1), "jobs_final": final, "down_s": round(time.monotonic() - start, 1)}


def _redis_ensure_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _redis(url).ping()
            return
        except Exception:  # noqa: BLE001 - not up (yet): start it, then ask again
            subprocess.run(REDIS_START, capture_output=True)
            time.sleep(0.3)
    raise SystemExit("Redis did not come back: start it by hand with " + " ".join(REDIS_START))


def _wait_for_heartbeats(clusters: int) -> None:
    from jobs.models import WorkerHeartbeat

    deadline = time.monotonic() + 120
    while WorkerHeartbeat.objects.count() < clusters:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start within 120 s")
        time.sleep(0.5)


def _watchdog_restarts(logs: Path) -> dict:
    reasons = Counter()
    for log in logs.glob("watchdog-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if "watchdog: restarting cluster" in line:
                reasons["silent (no heartbeat)" if "no heartbeat" in line else "exited"] += 1
    return {"watchdog_restarts": sum(reasons.values()), "watchdog_restart_reasons": dict(reasons)}


def _verify(job_ids: list[int]) -> dict:
    from django.db.models import Max, Min

    from jobs.models import FINAL_STATES, Job, JobState

    jobs = Job.objects.filter(id__in=job_ids)
    times = jobs.aggregate(first=Min("created_at"), last=Max("finished_at"))
    stuck = jobs.exclude(state__in=FINAL_STATES).count()
    failed_codes = jobs.filter(state=JobState.FAILED).values_list("error_code", flat=True)
    return {
        "jobs": {
            "total": len(job_ids), "by_state": dict(Counter(jobs.values_list("state", flat=True))), "stuck": stuck,
            "attempts": {str(key): n for key, n in sorted(Counter(jobs.values_list("attempts", flat=True)).items())},
            "failed_codes": dict(Counter(failed_codes)),
            "first_submit_to_last_finish_s": round((times["last"] - times["first"]).total_seconds(), 1)
            if times["last"] else None,
        },
        "checks": {"every_job_final": stuck == 0, **_settlement_checks(job_ids), **_ledger_checks(job_ids)},
    }


def _settlement_checks(job_ids: list[int]) -> dict:
    """Each paid job reserved once and was captured or released once, as its outcome says, with one
    gallery entry if it succeeded; free jobs (checks) wrote nothing to the ledger."""
    from django.db.models import Count

    from billing.models import LedgerEntry, Reservation
    from jobs.models import Job, JobKind, JobState
    from studio.portraits.models import Portrait

    entries: dict[int, Counter] = {}
    for job_id, kind in LedgerEntry.objects.filter(job_id__in=job_ids).values_list("job_id", "kind"):
        entries.setdefault(job_id, Counter())[kind] += 1
    portraits = dict(Portrait.objects.filter(job_id__in=job_ids).values("job_id").annotate(n=Count("id"))
                     .values_list("job_id", "n"))
    reservations = dict(Reservation.objects.filter(job_id__in=job_ids).values_list("job_id", "state"))
    settled_once = matches_outcome = gallery_once = True
    for job in Job.objects.filter(id__in=job_ids).only("id", "kind", "state"):
        kinds = entries.get(job.id, Counter())
        succeeded = job.state == JobState.SUCCEEDED
        if job.kind == JobKind.IDPHOTO:
            settled_once &= kinds["reserve"] == 1 and kinds["capture"] + kinds["release"] == 1
            expected, entry = ("captured", "capture") if succeeded else ("released", "release")
            matches_outcome &= reservations.get(job.id) == expected and kinds[entry] == 1
            gallery_once &= portraits.get(job.id, 0) == (1 if succeeded else 0)
        else:
            settled_once &= not kinds
    return {"settled_exactly_once": settled_once, "reservation_matches_outcome": matches_outcome,
            "one_gallery_entry_per_success": gallery_once}


def _ledger_checks(job_ids: list[int]) -> dict:
    from django.db.models import Sum

    from billing.models import Account, LedgerEntry

    accounts_balanced = all(
        (account.available, account.reserved, 0) == (sums["points"], sums["reserved"], account.reserved)
        for account in Account.objects.all()
        for sums in [account.entries.aggregate(points=Sum("points"), reserved=Sum("reserved"))]
    )
    # A reserve holds +points in `reserved`, its capture or release takes -points: per job they cancel.
    held = LedgerEntry.objects.filter(job_id__in=job_ids).values("job_id").annotate(held=Sum("reserved"))
    return {"accounts_equal_their_ledger_nothing_reserved": accounts_balanced,
            "reserved_equals_captured_plus_released_per_job": all(row["held"] == 0 for row in held)}


def _database_create(url: str) -> None:
    _database_admin(url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", "CREATE DATABASE {name}")


def _database_drop(url: str) -> None:
    _database_admin(url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _database_admin(url: str, *statements: str) -> None:
    """Runs statements on the server's maintenance database (postgres), outside any transaction."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unexpected database name {name!r}")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement.format(name=name))


def _stop(watchdogs: list[subprocess.Popen]) -> None:
    for watchdog in watchdogs:
        if watchdog.poll() is None:
            watchdog.send_signal(signal.SIGTERM)
    for watchdog in watchdogs:
        try:
            watchdog.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(watchdog.pid, signal.SIGKILL)
            watchdog.wait()


if __name__ == "__main__":
    main()
