"""A web worker freezes the studio it loaded, so that the garbage collector's full collections do
not walk it while the worker's requests wait (studio/gunicorn.conf.py, post_worker_init)."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO
from tests.serving.test_deploy_check import _production_env

WORKER_INIT = """
import django, gc, json, sys
django.setup()
namespace = {}
exec(compile(open("studio/gunicorn.conf.py").read(), "gunicorn.conf.py", "exec"), namespace)
namespace["post_worker_init"](None)
print(json.dumps({"frozen": gc.get_freeze_count(), "views": "studio.api.native.views_gallery" in sys.modules}))
"""


def test_a_web_worker_freezes_the_studio_with_its_views_after_loading_it():
    result = subprocess.run([sys.executable, "-c", WORKER_INIT], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env=_production_env(DJANGO_SETTINGS_MODULE="studio.settings"))
    assert result.returncode == 0, result.stderr
    heap = json.loads(result.stdout.strip().splitlines()[-1])
    # Django, the URLconf's views and what they import: some 150,000 objects, none walked again.
    assert heap["views"] and heap["frozen"] > 50_000
