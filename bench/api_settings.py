"""Settings of the server that bench/api.py measures: the studio's own, plus one bare view.

Everything comes from studio.settings (and so from the environment bench/api.py sets); only the
URLconf differs, so that the floor is measured by the same processes, on the same database, in
the same run as the studio's endpoints.
"""
from studio.settings import *  # noqa: F401, F403

ROOT_URLCONF = "bench.api_urls"
