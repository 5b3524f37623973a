"""Styles, templates (catalog and private) and API keys through the native API."""
from __future__ import annotations

import pytest
from django.test import Client

from studio.catalog.models import Style, StyleKind, Template

from .conftest import API, ASTRONAUT, shared_upload, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalog")]


@pytest.fixture
def styles(db):
    Style.objects.create(key="b_female", title="Business", kind=StyleKind.TEMPLATE, gender="female", position=1)
    Style.objects.create(key="id_white", title="ID", kind=StyleKind.IDPHOTO, position=2)
    Style.objects.create(key="hidden", title="Hidden", is_active=False, position=3)


def test_styles_filter_by_kind_and_gender(api, styles):
    everything = [s["key"] for s in api.get(f"{API}/styles/").json()["results"]]
    idphoto = [s["key"] for s in api.get(f"{API}/styles/", {"kind": "idphoto"}).json()["results"]]
    male = [s["key"] for s in api.get(f"{API}/styles/", {"gender": "male"}).json()["results"]]

    assert everything == ["b_female", "id_white"]
    assert idphoto == ["id_white"] and male == ["id_white"]
    assert api.get(f"{API}/styles/b_female/").json()["title"] == "Business"
    assert api.get(f"{API}/styles/hidden/").status_code == 404


def test_portrait_with_an_idphoto_style_is_400(api, styles):
    response = api.post(f"{API}/portraits/", {"style": "id_white", "photo_urls": ["data:,x"]},
                        content_type="application/json")

    assert response.status_code == 400 and response.json()["error"]["code"] == "style_kind"


def test_private_template_upload_list_and_delete(api, stranger_api, shared_data):
    created = api.post(f"{API}/templates/", {"image": shared_upload(shared_data, "templates/easyphoto/1.jpg"),
                                             "title": "mine"})

    assert created.status_code == 201, created.content
    template_id = created.json()["id"]
    assert created.json()["private"] is True
    assert [t["id"] for t in api.get(f"{API}/templates/").json()["results"]] == [template_id]
    assert stranger_api.get(f"{API}/templates/{template_id}/").status_code == 404
    assert stranger_api.delete(f"{API}/templates/{template_id}/").status_code == 404
    assert api.delete(f"{API}/templates/{template_id}/").status_code == 204
    assert not Template.objects.filter(id=template_id).exists()


def test_template_without_the_faces_it_claims_is_422(api, shared_data):
    response = api.post(f"{API}/templates/", {"image": upload(ASTRONAUT), "face_count": 3})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "template_rejected"


def test_api_key_is_shown_once_works_and_can_be_revoked(api):
    created = api.post(f"{API}/api-keys/", {"name": "ci"}, content_type="application/json")

    assert created.status_code == 201
    raw, key_id = created.json()["key"], created.json()["id"]
    listed = api.get(f"{API}/api-keys/").json()["results"]
    assert all("key" not in k for k in listed) and key_id in [k["id"] for k in listed]
    new_client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert new_client.get(f"{API}/jobs/").status_code == 200
    assert api.delete(f"{API}/api-keys/{key_id}/").status_code == 204
    assert new_client.get(f"{API}/jobs/").status_code == 401
