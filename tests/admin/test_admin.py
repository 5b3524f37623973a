"""The Django admin: every page renders, credentials are issued and revoked through the services,
and jobs are retried and canceled through the state machine."""
from __future__ import annotations

import html
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Credential, User
from accounts.services import credential_create
from jobs.models import Job, JobKind, JobState
from studio.catalog.models import Style, Template
from studio.portraits.models import Avatar, AvatarJob, AvatarStatus, Photo, Portrait

pytestmark = pytest.mark.django_db

ADD_PAGES = ["accounts_user", "accounts_credential", "portraits_photo", "catalog_style", "catalog_template"]
# Rows that only a job makes: adding them by hand would skip points, the queue or training.
NO_ADD_PAGES = ["jobs_job", "portraits_avatar", "portraits_portrait"]
ALL_MODELS = ADD_PAGES + NO_ADD_PAGES


def png(name: str = "face.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "tan").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_user(email: str = "ana@example.com") -> User:
    return User.objects.create_user(email=email)  # no password: hashing one costs ~0.3 s


@pytest.fixture
def admin_user() -> User:
    """The superuser behind pytest-django's admin_client, without a password to hash."""
    return User.objects.create_superuser(email="admin@example.com")


def make_job(owner: User, *, state: str, kind: str = JobKind.CHECK, avatar: Avatar | None = None) -> Job:
    job = Job.objects.create(owner=owner, kind=kind, state=state, input={"photos": [1, 2]})
    if avatar is not None:
        AvatarJob.objects.create(job=job, avatar=avatar)
    return job


def select(client, model: str, action: str, rows) -> str:
    """Runs an admin action on rows and returns the text of the page it redirects to."""
    response = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture
def rows(admin_user) -> dict[str, object]:
    """One row of every model, with real image files where the model has them."""
    owner = make_user()
    avatar = Avatar.objects.create(owner=owner, name="Ana", status=AvatarStatus.READY)
    style = Style.objects.update_or_create(key="f_business_female", defaults={"title": "Business"})[0]
    template = Template.objects.create(style=style, title="Office", image=png())
    job = make_job(owner, state=JobState.SUCCEEDED, kind=JobKind.CREATE)
    return {
        "accounts_user": owner,
        "accounts_credential": credential_create(owner=owner, name="ci").credential,
        "jobs_job": job,
        "portraits_avatar": avatar,
        "portraits_photo": Photo.objects.create(owner=owner, avatar=avatar, image=png(), check_result={"code": 1}),
        "catalog_style": style,
        "catalog_template": template,
        "portraits_portrait": Portrait.objects.create(owner=owner, job=job, style=style, image=png()),
    }


@pytest.mark.parametrize("model", ALL_MODELS)
def test_changelist_and_change_page_render(admin_client, rows, model):
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{model}_change", args=[rows[model].pk])).status_code == 200


@pytest.mark.parametrize("model", ALL_MODELS)
def test_search_accepts_text_that_is_no_id(admin_client, rows, model):
    # Several lists search integer or UUID ids too; a term that is neither must not break them.
    assert admin_client.get(reverse(f"admin:{model}_changelist"), {"q": "ana@ 12x"}).status_code == 200


@pytest.mark.parametrize("model", ADD_PAGES)
def test_add_page_renders(admin_client, model):
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 200


@pytest.mark.parametrize("model", NO_ADD_PAGES)
def test_rows_made_by_jobs_have_no_add_page(admin_client, model):
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403


def test_user_is_added_by_email_in_lower_case(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Person@Example.COM", "usable_password": "true",
         "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="new.person@example.com").check_password("a-long-passphrase-42")


def test_user_list_counts_avatars_and_jobs(admin_client):
    owner = make_user()
    Avatar.objects.create(owner=owner)
    for _ in range(3):
        make_job(owner, state=JobState.QUEUED)
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": owner.email})
    user = response.context["cl"].result_list[0]
    assert (user.avatar_total, user.job_total) == (1, 3)


def test_credential_add_shows_token_once_and_stores_it_encrypted(admin_client):
    owner = make_user()
    response = admin_client.post(
        reverse("admin:accounts_credential_add"), {"owner": owner.pk, "name": "partner"}, follow=True
    )
    credential = Credential.objects.get(owner=owner)
    shown = " ".join(str(message) for message in response.context["messages"])
    token = re.search(r"token (\S+) ", shown).group(1)
    assert credential.app_id in shown and credential.name == "partner"
    assert credential.token() == token
    assert token not in credential.token_encrypted
    page = admin_client.get(reverse("admin:accounts_credential_change", args=[credential.pk]))
    assert token not in page.content.decode() and credential.token_encrypted not in page.content.decode()


def test_revoke_action_revokes_only_active_credentials(admin_client):
    owner = make_user()
    active = credential_create(owner=owner).credential
    revoked = credential_create(owner=owner).credential
    Credential.objects.filter(pk=revoked.pk).update(revoked_at="2025-01-01T00:00:00Z")
    shown = select(admin_client, "accounts_credential", "revoke_selected", [active, revoked])
    active.refresh_from_db()
    assert active.revoked_at is not None
    assert "Revoked 1 credential(s); 1 were already revoked" in shown


def test_retry_action_requeues_failed_job_and_leaves_succeeded_alone(
    admin_client, queues, django_capture_on_commit_callbacks
):
    owner = make_user()
    avatar = Avatar.objects.create(owner=owner, status=AvatarStatus.FAILED)
    failed = make_job(owner, state=JobState.FAILED, kind=JobKind.TRAIN, avatar=avatar)
    succeeded = make_job(owner, state=JobState.SUCCEEDED)
    with django_capture_on_commit_callbacks(execute=True):
        shown = select(admin_client, "jobs_job", "retry_selected", [failed, succeeded])
    failed.refresh_from_db()
    avatar.refresh_from_db()
    assert (failed.state, failed.attempts) == (JobState.QUEUED, 0)
    assert avatar.status == AvatarStatus.TRAINING  # the train handler's retried()
    assert Job.objects.get(pk=succeeded.pk).state == JobState.SUCCEEDED
    assert queues.size() == 1  # enqueued once, for the failed job only
    assert "Re-queued 1 job(s); 1 not retryable" in shown


def test_cancel_action_cancels_queued_job_and_leaves_finished_alone(admin_client):
    owner = make_user()
    avatar = Avatar.objects.create(owner=owner, status=AvatarStatus.TRAINING)
    queued = make_job(owner, state=JobState.QUEUED, kind=JobKind.TRAIN, avatar=avatar)
    finished = make_job(owner, state=JobState.FAILED)
    shown = select(admin_client, "jobs_job", "cancel_selected", [queued, finished])
    queued.refresh_from_db()
    avatar.refresh_from_db()
    assert queued.state == JobState.CANCELED
    assert avatar.status == AvatarStatus.FAILED  # the train handler's failed()
    assert Job.objects.get(pk=finished.pk).state == JobState.FAILED
    assert "Canceled 1 job(s); 1 not cancelable" in shown


def test_job_actions_need_the_change_permission(client):
    viewer = User.objects.create_user(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_job"))
    client.force_login(viewer)
    page = client.get(reverse("admin:jobs_job_changelist"))
    assert page.status_code == 200 and "retry_selected" not in page.content.decode()


def test_job_search_by_id_or_email(admin_client):
    owner = make_user("bo@example.com")
    job = make_job(owner, state=JobState.QUEUED)
    other = make_job(make_user("cy@example.com"), state=JobState.QUEUED)
    url = reverse("admin:jobs_job_changelist")
    assert list(admin_client.get(url, {"q": str(job.pk)}).context["cl"].result_list) == [job]
    assert list(admin_client.get(url, {"q": "cy@"}).context["cl"].result_list) == [other]


def test_job_page_shows_input_as_pretty_json(admin_client):
    job = make_job(make_user(), state=JobState.QUEUED)
    page = html.unescape(admin_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode())
    assert '<pre style="white-space: pre-wrap; margin: 0">{\n  "photos": [\n    1,\n    2\n  ]\n}</pre>' in page


def test_avatar_search_by_model_id(admin_client):
    avatar = Avatar.objects.create(owner=make_user())
    Avatar.objects.create(owner=make_user("bo@example.com"))
    url = reverse("admin:portraits_avatar_changelist")
    assert list(admin_client.get(url, {"q": str(avatar.model_id)}).context["cl"].result_list) == [avatar]
    assert admin_client.get(url, {"q": "not-a-uuid"}).status_code == 200


@pytest.mark.parametrize(("choice", "expected"), [("yes", ["passed"]), ("no", ["failed"]), ("unchecked", ["new"])])
def test_photo_filter_by_check_verdict(admin_client, choice, expected):
    owner = make_user()
    photos = {
        "passed": Photo.objects.create(owner=owner, image=png(), check_result={"code": 1}),
        "failed": Photo.objects.create(owner=owner, image=png(), check_result={"code": 6}),
        "new": Photo.objects.create(owner=owner, image=png()),
    }
    response = admin_client.get(reverse("admin:portraits_photo_changelist"), {"passed": choice})
    assert list(response.context["cl"].result_list) == [photos[name] for name in expected]


def test_photo_list_survives_a_missing_file(admin_client):
    # Dimensions are given so that the model does not open the file to measure it.
    Photo.objects.create(owner=make_user(), image="photos/gone.jpg", width=8, height=8)
    page = admin_client.get(reverse("admin:portraits_photo_changelist")).content.decode()
    assert 'src="/media/photos/gone.jpg"' in page and 'loading="lazy"' in page


def test_template_list_names_catalog_templates(admin_client):
    Template.objects.create(title="Catalog", image=png())
    Template.objects.create(title="Mine", owner=make_user(), image=png())
    url = reverse("admin:catalog_template_changelist")
    catalog = admin_client.get(url, {"catalog": "yes"})
    assert [t.title for t in catalog.context["cl"].result_list] == ["Catalog"]
    assert ">catalog<" in catalog.content.decode()
