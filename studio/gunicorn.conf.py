"""gunicorn's settings for the studio (`make serve`, or `gunicorn -c studio/gunicorn.conf.py
studio.wsgi`): threaded workers, sized and bound from the environment."""
import os


def _int(name: str, default: int) -> int:
    value = os.getenv(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a positive integer, got {value!r}")
    return int(value)


bind = os.getenv("STUDIO_BIND") or f"0.0.0.0:{os.getenv('PORT') or 8000}"
# Threads, not sync workers: the synchronous PAI check and create hold their request while their job
# runs (up to STUDIO_SYNC_WAIT seconds), and a thread that waits leaves the worker's other threads
# serving. Of each worker's threads, STUDIO_SYNC_WAITERS (all but 16 by default) may wait at once
# (studio.lib.sync_wait); a waiting thread sleeps, costs no CPU and gives its database connection
# back to the pool between its polls (jobs.services.job_wait).
# Measured (bench/api.py): 50 creates waiting at once leave the job query's p99 where it was.
worker_class = "gthread"
# Four processes, not one per core: the threads of one process share its interpreter lock, and a
# request waiting on the database or Redis gets it back only when the thread running lets go, so a
# process with many busy connections spends more of its time handing the lock over than one with a
# few. bench/api.py on a 2-core machine, 4 workers against 2 (reuse_port on, one sitting): the bare
# view 1,474 against 1,337/s, the native job list's p50 27 against 33 ms, submits 251 against 228/s.
# Each costs about 180 MB of memory and its database pool (below): 4 x 16 connections fit
# PostgreSQL's default max_connections of 100 with the job workers'.
workers = _int("STUDIO_WEB_WORKERS", 4)
threads = _int("STUDIO_WEB_THREADS", 64)
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over
# them. On one shared socket the worker awake first took whatever arrived together: a load
# balancer's or a client's kept-alive connections all landed on one process, which ran at a full
# core while the other idled (sampled every 5 s under bench/api.py: one worker +5 s of CPU, the
# other +0), and each scenario's throughput came out at either of two levels run to run (the job
# list 257 or 530/s, submits 138 or 232/s). With it both run alike, run after run. The price: a
# worker that is killed (STUDIO_SYNC_WAIT + 60 s silent) drops the connections not yet accepted
# from its socket, where the shared one would have kept them for the others.
reuse_port = True
# PostgreSQL connections come from a pool of this many per worker (studio.settings), however many
# threads run: workers x STUDIO_DB_POOL per web machine, plus the workers', fit max_connections.
# Set in the environment here, read by each worker when it loads the studio after the fork; 0 turns
# the pool off (behind PgBouncer in transaction mode, say), and studio.settings checks the value.
os.environ.setdefault("STUDIO_DB_POOL", "16")
# A worker whose main loop is silent this long is restarted; it must outlast a synchronous wait.
timeout = _int("STUDIO_SYNC_WAIT", 300) + 60
# On a stop or reload, requests in flight get this long to finish.
graceful_timeout = _int("STUDIO_WEB_GRACEFUL_TIMEOUT", 30)
# Longer than a load balancer's idle timeout would be wasted; shorter makes it reconnect more.
keepalive = 5
# Heartbeat files in memory: a container's disk-backed /tmp can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The studio logs one line per request itself (studio.request, with the user and request id).
accesslog = None
errorlog = "-"
loglevel = (os.getenv("LOG_LEVEL") or "info").lower()
# gunicorn's control socket is one path per user (~/.gunicorn): a second server on the machine would
# take it over; the launcher and the process manager control the server with signals instead.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """Leave the loaded studio out of the garbage collector's full collections.

    A worker's heap after loading (Django, the URLconf and its views, numpy, OpenCV) is about
    150,000 objects that live as long as the worker. Each full collection walked them all while
    every request of the worker waited: 75-220 ms per pause under load, the job query's p99 of
    80-96 ms where its p50 was 13 ms. Frozen, a full collection walks only what came after.
    bench/api.py, the job query's p99: 80-96 ms before (one run each), 30 and 40 ms after (the
    medians of two invocations of --runs 3).
    """
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view and what they import)
    gc.collect()
    gc.freeze()
