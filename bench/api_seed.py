"""Seeds the database bench/api.py measures and prints what the load needs, as JSON.

One customer with a PAI credential, an API key, a ready avatar, pay-as-you-go billing and
1,000 finished jobs (the native job list pages through them); and CUSTOMERS more, each with an
API key and a ready avatar, whom the load's submits take turns as (a studio's submits come from
many customers). Run under the bench's settings (bench/api.py sets DJANGO_SETTINGS_MODULE and the
database in the environment).
"""
from __future__ import annotations

import json
import os
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.api_settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.services import apikey_create, credential_create, user_get_or_create  # noqa: E402
from billing.models import Account  # noqa: E402
from jobs.models import Job, JobKind, JobState  # noqa: E402
from studio.catalog.models import Style  # noqa: E402
from studio.portraits.models import Avatar, AvatarStatus  # noqa: E402

JOBS = 1000
CUSTOMERS = 16


def _customer(email: str) -> tuple:
    """A customer with pay-as-you-go billing, an API key and a ready avatar: (user, key, avatar)."""
    user, _ = user_get_or_create(email=email)
    Account.objects.filter(user=user).update(pay_as_you_go=True)
    key = apikey_create(owner=user, name="bench")
    avatar = Avatar.objects.create(owner=user, name="bench", status=AvatarStatus.READY, photos_used=5,
                                   trained_at=timezone.now(), artifact="avatars/bench")
    return user, key, avatar


def main() -> None:
    user, key, avatar = _customer("bench@example.com")
    credential = credential_create(owner=user, name="bench")
    customers = [_customer(f"bench-{number}@example.com") for number in range(CUSTOMERS)]
    now = timezone.now()
    Job.objects.bulk_create([
        Job(owner=user, kind=JobKind.CREATE, state=JobState.SUCCEEDED, progress=100, source="pai",
            app_id=credential.credential.app_id, input={"n": 1, "template": "templates/bench.jpg"},
            result={"images": [{"name": f"portraits/bench/{i}.jpg", "width": 1024, "height": 1024,
                                "identity_distance": 0.31}]},
            cost_time=0.8, created_at=now - timedelta(seconds=JOBS - i),
            started_at=now - timedelta(seconds=JOBS - i), finished_at=now - timedelta(seconds=JOBS - i))
        for i in range(JOBS)
    ], batch_size=500)
    # A studio's database that has served for a minute has planner statistics (autovacuum analyzes
    # a table once a tenth of it changed); one seeded a second ago has none, and PostgreSQL then
    # sorts all 1,000 jobs for every page instead of reading job_owner_newest in order (2 ms a page).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    style = Style.objects.filter(kind="template", templates__isnull=False).values_list("key", flat=True).first()
    print(json.dumps({
        "app_id": credential.credential.app_id,
        "token": credential.token,
        "api_key": key.raw,
        "job_id": Job.objects.filter(owner=user).order_by("-id").values_list("id", flat=True).first(),
        "model_id": str(avatar.model_id),
        "style": style,
        "customers": [{"api_key": other_key.raw, "model_id": str(other_avatar.model_id)}
                      for _, other_key, other_avatar in customers],
    }))


if __name__ == "__main__":
    main()
