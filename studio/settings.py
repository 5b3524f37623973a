"""The studio's only settings module: every value comes from the environment.

Defaults run on a laptop with nothing installed (SQLite, django-q2's ORM broker, a local media
folder, the classic CPU engine). Invalid values stop start-up with a message naming the variable.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("STUDIO_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.getenv(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_bytes(name: str, default: str) -> int:
    """A size in bytes: a plain number, or one with K, M, G or T (powers of 1024), as in "2G"."""
    raw = os.getenv(name) or default
    value = raw.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    try:
        number = float(value[:-1]) * units[value[-1]] if value[-1:] in units else int(value)
    except (ValueError, IndexError):
        raise ImproperlyConfigured(f"{name} must be a size in bytes such as 2147483648 or 2G, got {raw!r}") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, got {raw!r}")
    return int(number)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def database_from_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """sqlite:///relative/or//absolute/path or postgres://user:password@host:port/dbname."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ImproperlyConfigured(f"{name} names no SQLite file: {url!r}")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path if Path(path).is_absolute() else str(BASE_DIR / path),
            # Workers and the web process share the file: wait for locks instead of failing.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # A file, not memory, so that worker processes started by the tests share it.
            "TEST": {"NAME": str(VAR_DIR / "test-studio.sqlite3")},
        }
    if parts.scheme in ("postgres", "postgresql"):
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        pool = env_int("STUDIO_DB_POOL", 0)
        if pool:
            # A pool of at most this many connections per process (gunicorn's workers turn it on):
            # threads beyond it wait for a connection instead of opening more, so a web process
            # never holds more than the pool whatever its threads, and a thread that waits for a
            # job hands its connection back between polls at no cost.
            options["pool"] = {"min_size": 1, "max_size": pool,
                               "timeout": env_int("STUDIO_DB_POOL_TIMEOUT", 10, minimum=1)}
        options.update(_statements_prepared())
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0 if pool else env_int("DATABASE_CONN_MAX_AGE", 60),  # the pool keeps them
            "CONN_HEALTH_CHECKS": True,
            # An unreachable server fails a request (and the readiness probe) in seconds, not when
            # the kernel gives up on the connection; ?connect_timeout=N in the URL sets another.
            "OPTIONS": {"connect_timeout": 5, **options},
        }
    raise ImproperlyConfigured(f"{name} must start with sqlite:/// or postgres://, got {url!r}")


def _statements_prepared() -> dict:
    """psycopg's options for PostgreSQL to keep the plans of the statements a connection runs
    again and again (STUDIO_DB_PREPARE: after how many runs on one connection; "off" for none).

    Django binds parameters on the client by default: every statement reaches the server as new
    text, parsed and planned anew. Bound on the server, psycopg prepares a statement once it has
    run that many times on the connection, and from then on sends only its name and values; the
    pooled connections live as long as their worker. bench/api.py --runs 3, off then 2, one
    after the other: PAI job query 1,211 / 1,661 per s (0.706x / 0.816x the bare view, which
    reads a row too), submits 270 / 361 per s, job list p50 25.0 / 21.9 ms; after 5 runs, in
    shorter runs of the same hour, 0.85x and 330 submits/s against off's 0.68x and 317. Off is
    for a pooler in transaction mode that cannot carry prepared statements across its server
    connections (PgBouncer before 1.21, or without max_prepared_statements)."""
    raw = os.getenv("STUDIO_DB_PREPARE", "2").strip().lower()
    if raw == "off":
        return {}
    return {"server_side_binding": True, "prepare_threshold": env_int("STUDIO_DB_PREPARE", 2)}


def _secret_key() -> str:
    key = os.getenv("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # A laptop install gets a random key kept beside its database, never one from the repo.
    path = VAR_DIR / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Fernet keys (comma-separated, newest first) for secrets kept at rest, such as PAI tokens.
# Unset: one key derived from SECRET_KEY, so rotating SECRET_KEY needs these set first.
ENCRYPTION_KEYS = env_list("STUDIO_ENCRYPTION_KEYS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static: no CDN at run time
    "django_q",
    "axes",  # log-in throttling
    "accounts",
    "jobs",
    "billing",
    "studio.webhooks",
    "studio.catalog",
    "studio.portraits",
    "studio.engines",
    "studio",
]

MIDDLEWARE = [
    # First: load balancers' probes of /health/live and /health/ready skip host checks and sessions.
    "studio.health.HealthMiddleware",
    # One log line per request (studio.request), timing everything below it.
    "studio.lib.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (collectstatic) with far-future caching and gzipped copies;
    # with DEBUG on it steps aside for runserver's own static files.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A website action while the job queue is down: a "try again" page, not a 500.
    "studio.web.outages.QueueOutageMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out log-in before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'studio.sqlite3'}"))}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Media: a local folder, or any S3-compatible bucket through django-storages and boto3.
S3_BUCKET = env_str("STUDIO_S3_BUCKET", "")
if S3_BUCKET:
    from botocore.config import Config as BotoConfig

    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("STUDIO_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("STUDIO_S3_REGION", "") or None,
            "access_key": env_str("STUDIO_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("STUDIO_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("STUDIO_S3_PREFIX", ""),
            # Faces are personal data: objects are private, served through signed URLs only.
            "default_acl": "private",
            "querystring_auth": True,
            # botocore would presign with SigV2 in us-east-1, which buckets made since June 2020
            # and several S3-compatible stores (Cloudflare R2, for one) refuse.
            "signature_version": "s3v4",
            "file_overwrite": False,
            # Bounded waits: a store that stops answering fails a request (and the readiness probe)
            # in seconds instead of holding a thread for botocore's default minute. Given here, the
            # client settings carry the signature version too (django-storages then makes none).
            "client_config": BotoConfig(
                signature_version="s3v4",
                connect_timeout=env_int("STUDIO_S3_CONNECT_TIMEOUT", 5, minimum=1),
                read_timeout=env_int("STUDIO_S3_READ_TIMEOUT", 30, minimum=1),
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Hashed, compressed static file names (site.3f2a9c.css, cached for a year) once DEBUG is off.
# They need `collectstatic` (make serve runs it): the manifest it writes maps names to hashes, and
# {% static %} refuses a name missing from it. The test settings turn this off, so that tests need
# no collectstatic; tests/serving runs collectstatic with it on and serves the result.
STUDIO_STATIC_MANIFEST = env_bool("STUDIO_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if STUDIO_STATIC_MANIFEST else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads above this are refused before they reach the engine.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("STUDIO_REQUEST_MAX_BYTES", 30 * 1024 * 1024, minimum=1024)

# The engine backend that does the work of jobs: classic (CPU, default) or diffusion (GPU: the
# [gpu] extra, requirements/gpu.txt, and the weights of `manage.py models fetch`) or remote (engine
# studios over the PAI wire protocol: STUDIO_REMOTE_ENDPOINTS, docs/remote-engine.md).
STUDIO_ENGINE = env_str("STUDIO_ENGINE", "classic")
if STUDIO_ENGINE not in ("classic", "diffusion", "remote"):
    raise ImproperlyConfigured(f"STUDIO_ENGINE must be one of: classic, diffusion, remote; got {STUDIO_ENGINE!r}")
# The engine studios of STUDIO_ENGINE=remote: http(s)://APPID:TOKEN@host:port, comma-separated. The
# operator names them, so they may be private or loopback addresses (customer URLs never may). Secret.
STUDIO_REMOTE_ENDPOINTS = env_str("STUDIO_REMOTE_ENDPOINTS", "")
if STUDIO_ENGINE == "remote":
    from engine.errors import EngineError as _EngineError
    from engine.remote.endpoints import endpoints_parse as _endpoints_parse

    try:
        if not _endpoints_parse(STUDIO_REMOTE_ENDPOINTS):
            raise ImproperlyConfigured("STUDIO_ENGINE=remote needs STUDIO_REMOTE_ENDPOINTS "
                                       "(http://APPID:TOKEN@host:port, comma-separated).")
    except _EngineError as _exc:
        raise ImproperlyConfigured(f"STUDIO_REMOTE_ENDPOINTS: {_exc.message}") from None
# Seconds a request to an engine endpoint may take (a create waits for its portrait: PAI allows 5 min).
STUDIO_REMOTE_TIMEOUT = env_int("STUDIO_REMOTE_TIMEOUT", 30, minimum=1)
STUDIO_REMOTE_CREATE_TIMEOUT = env_int("STUDIO_REMOTE_CREATE_TIMEOUT", 240, minimum=1)
# Seconds an endpoint may leave its training's job queries unanswered before the training is done elsewhere.
STUDIO_REMOTE_LOST_AFTER = env_int("STUDIO_REMOTE_LOST_AFTER", 60, minimum=1)

# Outbound fetches of image URLs (studio.lib.outbound).
STUDIO_ALLOW_PRIVATE_URLS = env_bool("STUDIO_ALLOW_PRIVATE_URLS", False)
STUDIO_FETCH_MAX_BYTES = env_int("STUDIO_FETCH_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
STUDIO_FETCH_TIMEOUT = env_int("STUDIO_FETCH_TIMEOUT", 20, minimum=1)

# Jobs: a worker holds a lease while it works and renews it as the engine reports progress; the
# reaper re-queues a job whose lease ran out (its worker died) up to STUDIO_JOB_MAX_ATTEMPTS.
STUDIO_JOB_LEASE = env_int("STUDIO_JOB_LEASE", 300, minimum=5)
STUDIO_JOB_MAX_ATTEMPTS = env_int("STUDIO_JOB_MAX_ATTEMPTS", 3, minimum=1)
STUDIO_JOB_TIMEOUT = env_int("STUDIO_JOB_TIMEOUT", 1800, minimum=10)
if STUDIO_ENGINE == "remote" and STUDIO_REMOTE_CREATE_TIMEOUT >= STUDIO_JOB_LEASE:
    # A create job reports progress between remote calls: a call longer than the lease would be re-queued.
    raise ImproperlyConfigured(f"STUDIO_REMOTE_CREATE_TIMEOUT ({STUDIO_REMOTE_CREATE_TIMEOUT}) must be shorter "
                               f"than STUDIO_JOB_LEASE ({STUDIO_JOB_LEASE}).")
# How long the synchronous PAI calls (check, create) wait for their job before answering.
STUDIO_SYNC_WAIT = env_int("STUDIO_SYNC_WAIT", 300, minimum=1)
# How many of those calls one web process lets wait at once (studio.lib.sync_wait): by default all
# of its threads (STUDIO_WEB_THREADS, studio/gunicorn.conf.py) but 16, which serve everything else.
STUDIO_SYNC_WAITERS = env_int("STUDIO_SYNC_WAITERS", max(1, env_int("STUDIO_WEB_THREADS", 64, minimum=1) - 16),
                              minimum=1)
# The PAI SDKs other than Python's send X-Request-Time; requests further off than this are refused.
STUDIO_PAI_CLOCK_SKEW = env_int("STUDIO_PAI_CLOCK_SKEW", 900, minimum=1)
# How long a result URL handed to an API client stays valid (DashScope: 24 hours).
STUDIO_RESULT_URL_TTL = env_int("STUDIO_RESULT_URL_TTL", 24 * 3600, minimum=60)
if S3_BUCKET and STUDIO_RESULT_URL_TTL > 7 * 24 * 3600:
    raise ImproperlyConfigured("STUDIO_RESULT_URL_TTL may be at most 604800 (7 days) with STUDIO_S3_BUCKET: "
                               "S3 refuses presigned URLs (SigV4) valid for longer")
STUDIO_TRAIN_MAX_PHOTOS = env_int("STUDIO_TRAIN_MAX_PHOTOS", 20, minimum=1)
# The largest template image accepted (an upload or an import of seed_catalog).
STUDIO_TEMPLATE_MAX_BYTES = env_int("STUDIO_TEMPLATE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# django-q2. One cluster serves every kind of job unless STUDIO_SPLIT_CLUSTERS is on; then check
# and stylize go to the "cpu" cluster and train and create to the "gpu" cluster, started with
# Q_CLUSTER_NAME=cpu or Q_CLUSTER_NAME=gpu on their own machines.
STUDIO_SPLIT_CLUSTERS = env_bool("STUDIO_SPLIT_CLUSTERS", False)
REDIS_URL = env_str("REDIS_URL", "")
_timeout = STUDIO_JOB_TIMEOUT
Q_CLUSTER = {
    "name": "studio",
    "workers": env_int("STUDIO_WORKERS", 2, minimum=1),
    "timeout": _timeout,
    # django-q2's rule: retry must exceed timeout, or a running task is delivered again.
    "retry": _timeout + 60,
    # Jobs are retried by the reaper (which knows about leases), never by the broker itself.
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "poll": 0.2,
    "ALT_CLUSTERS": {
        "cpu": {"timeout": 600, "retry": 660},
        "gpu": {"timeout": _timeout, "retry": _timeout + 60},
    },
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Worker health (jobs.heartbeat). Workers record a heartbeat when a task starts or ends and every
# STUDIO_HEARTBEAT_INTERVAL seconds while one runs; `manage.py qcluster_supervised` sends a probe
# task that often, so an idle cluster beats too, and restarts a cluster silent for
# STUDIO_HEARTBEAT_MAX_AGE seconds. `manage.py worker_health` fails on the same age, and on a job
# queued longer than STUDIO_QUEUE_MAX_AGE seconds (0: no limit).
STUDIO_HEARTBEAT_INTERVAL = env_int("STUDIO_HEARTBEAT_INTERVAL", 15, minimum=1)
STUDIO_HEARTBEAT_MAX_AGE = env_int("STUDIO_HEARTBEAT_MAX_AGE", 120, minimum=3)
if STUDIO_HEARTBEAT_MAX_AGE < 3 * STUDIO_HEARTBEAT_INTERVAL:
    raise ImproperlyConfigured(
        f"STUDIO_HEARTBEAT_MAX_AGE ({STUDIO_HEARTBEAT_MAX_AGE}) must be at least three times "
        f"STUDIO_HEARTBEAT_INTERVAL ({STUDIO_HEARTBEAT_INTERVAL}): a healthy cluster beats once per interval"
    )
STUDIO_QUEUE_MAX_AGE = env_int("STUDIO_QUEUE_MAX_AGE", 1800)
# The private memory (RLIMIT_DATA) one worker process may use, its loaded models included: a job
# that needs more fails with a clear error instead of taking the machine down. 0: no limit.
# RLIMIT_DATA rather than RLIMIT_AS: the address space also counts shared libraries and reservations
# that cost no memory (measured: a worker that ran every kind of job maps 1.3 GB, 0.5 GB of it data).
STUDIO_JOB_MAX_MEMORY = env_bytes("STUDIO_JOB_MAX_MEMORY", "2G")

# Nothing by default: each API family (studio.api.native) names its own authentication,
# permissions, pagination and error handler, so that the PAI and DashScope wire formats stay theirs.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Requests per user (API key or website session) to the native API.
    "DEFAULT_THROTTLE_RATES": {"studio_api": env_str("STUDIO_API_RATE", "1200/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Portrait studio API",
    "DESCRIPTION": "Photo checks, avatars, portraits, stylizations and ID photos. "
    "Authenticate with `Authorization: Bearer <api key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/studio/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# HTTPS: on by default with DEBUG off. It redirects plain HTTP, sends HSTS and keeps cookies to
# HTTPS, so that `manage.py check --deploy` (which `make serve` runs first) is clean. STUDIO_HTTPS=0
# is the explicit opt-out for a plain-HTTP run (a LAN, a test): it also silences the deploy
# checks that ask for these. Behind a proxy that ends TLS (STUDIO_PROXY_COUNT > 0), the proxy's
# X-Forwarded-Proto says whether the client used HTTPS; it must set that header, not pass it on.
STUDIO_HTTPS = env_bool("STUDIO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = STUDIO_HTTPS
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", STUDIO_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", STUDIO_HTTPS)
SECURE_HSTS_SECONDS = env_int("STUDIO_HSTS_SECONDS", 365 * 24 * 3600) if STUDIO_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("STUDIO_HSTS_INCLUDE_SUBDOMAINS", True)
# Browsers' preload list is a commitment for the whole domain, which only its owner can make.
SECURE_HSTS_PRELOAD = env_bool("STUDIO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if not STUDIO_HTTPS:
    # HSTS, SSL redirect, secure session and CSRF cookies: asked for, and declined, by STUDIO_HTTPS=0.
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]
if env_int("STUDIO_PROXY_COUNT", 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One line per record: LOG_FORMAT=keyvalue (logfmt, default) or json. The studio.request logger
# writes one line per request, jobs.services one per job state change (studio.lib.logs).
LOG_FORMAT = env_str("LOG_FORMAT", "keyvalue")
if LOG_FORMAT not in ("keyvalue", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be keyvalue or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "keyvalue": {"()": "studio.lib.logs.KeyValueFormatter"},
        "json": {"()": "studio.lib.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every record a second time through the root.
        "django": {"level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
        # httpx logs every URL it fetches at INFO, presigned query strings included.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# A cache shared by every web process (Redis when REDIS_URL is set): rate limits count there.
CACHE_URL = env_str("STUDIO_CACHE_URL", REDIS_URL)
if CACHE_URL:
    # Short socket timeouts: rate limits fail open when the cache is down, which helps only if a
    # dead or unreachable Redis answers within a second instead of holding every request.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "studio-cache",
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Billing. Points are integers; at list price 1 point = STUDIO_POINT_CENTS cents of STUDIO_CURRENCY.
# Every new account gets the free trial once: trainings and creations, spent before points.
STUDIO_TRIAL_TRAININGS = env_int("STUDIO_TRIAL_TRAININGS", 5)
STUDIO_TRIAL_CREATIONS = env_int("STUDIO_TRIAL_CREATIONS", 200)
STUDIO_POINT_CENTS = env_int("STUDIO_POINT_CENTS", 1, minimum=1)
STUDIO_CURRENCY = env_str("STUDIO_CURRENCY", "usd").lower()
# Stripe: without a secret key the studio runs and point purchases are off.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# Rate limits per account (the accounts.* ones per account or per client address),
# "<count>/<s|m|h>" (the seeds' SLA); an empty value turns one off.
_RATE_DEFAULTS = {
    "pai.train": ("STUDIO_RATE_PAI_TRAIN", "2/s"),
    "pai.job_query": ("STUDIO_RATE_PAI_JOB_QUERY", "20/s"),
    "pai.create_solo": ("STUDIO_RATE_PAI_CREATE_SOLO", "10/s"),
    "pai.create_multi": ("STUDIO_RATE_PAI_CREATE_MULTI", "5/s"),
    "dashscope.submit": ("STUDIO_RATE_DASHSCOPE_SUBMIT", "2/s"),
    "dashscope.query": ("STUDIO_RATE_DASHSCOPE_QUERY", "20/s"),
    "dashscope.detect": ("STUDIO_RATE_DASHSCOPE_DETECT", "5/s"),
    "accounts.password_reset_account": ("STUDIO_RATE_PASSWORD_RESET_ACCOUNT", "3/h"),
    "accounts.password_reset_address": ("STUDIO_RATE_PASSWORD_RESET_ADDRESS", "10/h"),
    "accounts.confirmation_email": ("STUDIO_RATE_CONFIRMATION_EMAIL", "3/h"),
}
STUDIO_RATE_LIMITS = {}
for _operation, (_name, _default) in _RATE_DEFAULTS.items():
    _rate = env_str(_name, _default).strip()
    _count, _, _unit = _rate.partition("/")
    if _rate and not (_count.isdigit() and int(_count) > 0 and _unit in ("s", "m", "h")):
        raise ImproperlyConfigured(f"{_name} must look like 2/s, 100/m or 1000/h (empty: no limit), got {_rate!r}")
    STUDIO_RATE_LIMITS[_operation] = _rate
# A balance.low webhook event goes out when an account's points fall to this or below.
STUDIO_BALANCE_LOW_POINTS = env_int("STUDIO_BALANCE_LOW_POINTS", 100)
# DashScope's documents allow one task in flight per account.
STUDIO_DASHSCOPE_MAX_CONCURRENT = env_int("STUDIO_DASHSCOPE_MAX_CONCURRENT", 1, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Sign-up mails a link that confirms the address (and grants the free trial) for this many days.
STUDIO_EMAIL_CONFIRM_DAYS = env_int("STUDIO_EMAIL_CONFIRM_DAYS", 3, minimum=1)

# Log-in throttling (django-axes): after STUDIO_LOGIN_FAILURE_LIMIT failed log-ins for one account, or
# from one client address, log-in there is refused, the right password included, until
# STUDIO_LOGIN_COOLOFF seconds pass without another failure. Website and admin alike. Failures are
# counted in the database, which every web process shares even when no cache server is set.
AXES_FAILURE_LIMIT = env_int("STUDIO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("STUDIO_LOGIN_COOLOFF", 900, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, and per address
AXES_USERNAME_FORM_FIELD = "username"  # what Django's log-in form posts and passes to authenticate()
AXES_USERNAME_CALLABLE = "accounts.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# Not reset by a success: a log-in to one's own account must not wipe the failures of one's address.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are not kept: personal data nothing here needs
# The client's address is REMOTE_ADDR, or behind this many reverse proxies (a load balancer: 1) the
# one X-Forwarded-For gives; with proxies and 0 here, everyone shares the proxy's address.
STUDIO_PROXY_COUNT = env_int("STUDIO_PROXY_COUNT", 0)

# Outbound webhooks (studio.webhooks). Each POST is bounded by STUDIO_WEBHOOK_TIMEOUT seconds; failed
# deliveries are retried 5 s, 30 s, 5 min, 30 min, 2 h, 6 h, 12 h and 24 h later; an endpoint failing
# for STUDIO_WEBHOOK_DISABLE_AFTER_DAYS is disabled and its owner emailed. A rotated secret keeps
# signing next to the new one for STUDIO_WEBHOOK_SECRET_OVERLAP seconds.
STUDIO_WEBHOOK_TIMEOUT = env_int("STUDIO_WEBHOOK_TIMEOUT", 10, minimum=1)
STUDIO_WEBHOOK_DISABLE_AFTER_DAYS = env_int("STUDIO_WEBHOOK_DISABLE_AFTER_DAYS", 3, minimum=1)
STUDIO_WEBHOOK_SECRET_OVERLAP = env_int("STUDIO_WEBHOOK_SECRET_OVERLAP", 24 * 3600, minimum=0)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "studio@localhost")

# Retention (studio.portraits.services.retention, run hourly by the "retention sweep" schedule).
# Training photos: "trained" deletes them once their avatar is trained (the reference photo, which
# ID photos of an avatar are made from, is kept), or a number of days after upload.
STUDIO_RETENTION_TRAINING_PHOTOS = env_str("STUDIO_RETENTION_TRAINING_PHOTOS", "trained").strip().lower()
if not (STUDIO_RETENTION_TRAINING_PHOTOS == "trained" or STUDIO_RETENTION_TRAINING_PHOTOS.isdigit()):
    raise ImproperlyConfigured(
        f"STUDIO_RETENTION_TRAINING_PHOTOS must be 'trained' or a number of days, got {STUDIO_RETENTION_TRAINING_PHOTOS!r}"
    )
# Photos of check-only and train-free requests, and jobs' input files (inputs/...), after N days.
STUDIO_RETENTION_INPUT_DAYS = env_int("STUDIO_RETENTION_INPUT_DAYS", 1, minimum=1)
# Avatars not used (trained or used in a creation) for N days are deleted with everything made from
# them; 0 keeps them forever. Gallery portraits are kept until their owner deletes them.
STUDIO_RETENTION_AVATAR_UNUSED_DAYS = env_int("STUDIO_RETENTION_AVATAR_UNUSED_DAYS", 180)

# Moderation of photos and templates before work starts: a dotted path to a function
# (kind: "photo" | "template", content: bytes) that raises studio.lib.moderation.Refused.
STUDIO_MODERATION_HOOK = env_str("STUDIO_MODERATION_HOOK", "studio.lib.moderation.moderation_allow_all")
