"""engine.remote's Monitor over the database, so that every worker process and the admin see the same
loads, health and errors. Each report is one UPDATE; an endpoint's row is made the first time it reports."""
from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.db.models import Count, F
from django.utils import timezone

from engine.remote import Endpoint
from studio.lib.crypto import secret_decrypt

from .models import RECENT_ERRORS, WORK_FORGOTTEN_AFTER, AvatarRoute, EndpointWork, EngineEndpoint

log = logging.getLogger(__name__)


class DatabaseMonitor:
    def _row(self, endpoint: str):
        EngineEndpoint.objects.get_or_create(base_url=endpoint, defaults={"from_environment": True})
        return EngineEndpoint.objects.filter(base_url=endpoint)

    def started(self, endpoint: str) -> int:
        self._row(endpoint)
        return EndpointWork.objects.create(endpoint=endpoint).id

    def ended(self, endpoint: str, work: object = None) -> None:
        EndpointWork.objects.filter(id=work).delete()

    def answered(self, endpoint: str) -> None:
        self._row(endpoint).update(failures=0, last_ok_at=timezone.now())

    def failed(self, endpoint: str, message: str) -> None:
        now = timezone.now()
        with transaction.atomic():
            row = self._row(endpoint).select_for_update().first()
            errors = [{"at": now.isoformat(), "message": message[:300]}, *(row.recent_errors or [])][:RECENT_ERRORS]
            EngineEndpoint.objects.filter(id=row.id).update(failures=F("failures") + 1, last_failure_at=now,
                                                            recent_errors=errors)

    def loads(self) -> dict[str, int]:
        return endpoint_loads()

    def route_get(self, endpoint: str, model_id: str) -> tuple[str, str] | None:
        route = AvatarRoute.objects.filter(endpoint=endpoint, model_id=model_id).first()
        return (route.moved_endpoint, route.moved_model_id) if route else None

    def route_put(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        AvatarRoute.objects.update_or_create(endpoint=old[0], model_id=old[1],
                                             defaults={"moved_endpoint": new[0], "moved_model_id": new[1],
                                                       "moved_at": timezone.now()})

    def endpoints(self) -> list[Endpoint]:
        """The admin's endpoints (those with a token); one whose token no key opens is skipped, and logged."""
        found = []
        for row in EngineEndpoint.objects.filter(enabled=True).exclude(token_encrypted=""):
            try:
                token = secret_decrypt(row.token_encrypted)
            except ValueError:
                log.warning("engine endpoint %s: its token cannot be decrypted with the configured keys", row.base_url)
                continue
            found.append(Endpoint(base_url=row.base_url, app_id=row.app_id, token=token))
        return found

    def disabled(self) -> set[str]:
        try:
            return set(EngineEndpoint.objects.filter(enabled=False).values_list("base_url", flat=True))
        except DatabaseError:
            return set()


def endpoint_loads() -> dict[str, int]:
    """Requests in flight on each endpoint, from every process; a killed worker's are forgotten in time."""
    recent = EndpointWork.objects.filter(started_at__gte=timezone.now() - WORK_FORGOTTEN_AFTER)
    return dict(recent.values("endpoint").annotate(n=Count("id")).values_list("endpoint", "n"))
