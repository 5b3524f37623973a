"""The remote client over the studio's real transport (studio.lib.outbound) against a scripted server
on loopback: signing, retries with backoff, the breaker, refusals, and secrets kept out of sight."""
from __future__ import annotations

import base64
import http.server
import io
import json
import logging
import time
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from engine.errors import EngineError
from engine.remote import RemoteBackend, endpoints_parse
from engine.remote.backend import INLINE_MAX_BYTES
from engine.remote.breaker import Breaker
from engine.remote.client import PaiClient, RemoteRefused, RemoteUnavailable
from engine.remote.signing import pai_signature
from studio.api import pai_auth
from studio.lib.engine import remote_transport
from studio.lib.outbound import OutboundError, limits_from_settings, url_fetch
from tests.file_server import loopback_server

TOKEN = "mysecret"


class Script:
    """The answers the server gives, in order (the last one repeats), and the requests it got."""

    def __init__(self, *answers: tuple[int, dict]) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, dict[str, str], bytes]] = []


@pytest.fixture
def script() -> Script:
    return Script((200, {"code": "OK", "message": "success", "data": {}}))


@pytest.fixture
def server(script) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            script.requests.append((self.path, dict(self.headers), body))
            status, document = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with loopback_server(Handler) as url:
        yield url


def client_for(url: str, **options) -> PaiClient:
    [endpoint] = endpoints_parse(url.replace("http://", f"http://APP:{TOKEN}@"))
    return PaiClient(endpoint, remote_transport, Breaker(threshold=options.pop("threshold", 3)),
                     backoff=0.01, **options)


def test_signature_matches_the_pai_sdks_test_vector():
    body = b'{"action":"AIGCImageCheck","images":["http://x/1.jpg","http://x/2.jpg"]}\n'

    signature = pai_signature(token=TOKEN, method="POST", path="/api/v1/aigc_images/check", body=body)

    assert signature == "6ef2b24d5e4553e1bf5df4f2c862a1090c921e03247f42585d081a9150fc2643"


def test_requests_are_signed_as_the_studio_verifies_them(server, script):
    client_for(server).check(["data:image/jpeg;base64,AAAA"])

    path, headers, body = script.requests[0]
    app_id, _, signature = headers["Authorization"].partition(":")
    assert app_id == "APP"
    assert signature == pai_auth.pai_signature(token=TOKEN, method="POST", path=path, body=body)


def test_two_sends_of_the_same_work_are_two_distinct_signed_requests(server, script):
    client = client_for(server)

    client.check(["data:image/jpeg;base64,AAAA"])
    client.check(["data:image/jpeg;base64,AAAA"])

    assert script.requests[0][1]["Authorization"] != script.requests[1][1]["Authorization"]


def test_a_busy_endpoint_is_retried_with_backoff_until_it_answers(server, script):
    script.answers = [(503, {}), (200, {"code": "error", "message": "system busy: try again"}),
                      (200, {"code": "OK", "message": "success", "data": {"job_id": 7, "model_id": "m"}})]

    assert client_for(server).train(["data:,x"]) == (7, "m")
    assert len(script.requests) == 3


def test_an_endpoint_still_failing_after_the_retries_is_unavailable(server, script):
    script.answers = [(500, {})]

    with pytest.raises(RemoteUnavailable):
        client_for(server, retries=1).check([])
    assert len(script.requests) == 2


def test_a_refusal_is_not_retried_and_keeps_the_endpoints_words(server, script):
    script.answers = [(200, {"code": "error", "message": "model not found"})]

    with pytest.raises(RemoteRefused, match="model not found"):
        client_for(server).create(template_url="data:,x", model_ids=["m"])
    assert len(script.requests) == 1


def test_the_breaker_opens_after_repeated_failures_and_spares_the_endpoint(server, script):
    script.answers = [(502, {})]
    client = client_for(server, retries=0, threshold=2)
    for _ in range(2):
        with pytest.raises(RemoteUnavailable):
            client.check([])

    with pytest.raises(RemoteUnavailable, match="resting"):
        client.check([])
    assert len(script.requests) == 2


def test_the_breaker_lets_one_trial_through_after_its_cooldown():
    breaker = Breaker(threshold=1, cooldown=0.05)
    breaker.failed("down")
    assert not breaker.allows()

    time.sleep(0.06)

    assert breaker.allows() and not breaker.allows()


def test_an_unreachable_endpoint_is_unavailable_not_a_crash():
    client = client_for("http://127.0.0.1:9", retries=0)

    with pytest.raises(RemoteUnavailable):
        client.check([])


def test_customer_urls_on_loopback_stay_refused_while_the_operators_endpoint_is_reached(server, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    client_for(server).check([])  # the operator's endpoint, on loopback

    with pytest.raises(OutboundError) as refused:
        url_fetch(server + "/photo.jpg", limits=limits_from_settings())
    assert refused.value.code == "private_address"


def test_an_endpoint_never_shows_its_token():
    [endpoint] = endpoints_parse("http://APP:hunter2@10.0.0.5:8000")

    assert "hunter2" not in f"{endpoint!r} {endpoint} {endpoint.name}"


def test_the_token_never_reaches_the_logs(server, script, caplog):
    script.answers = [(503, {})]
    caplog.set_level(logging.DEBUG)

    with pytest.raises(RemoteUnavailable):
        client_for(server, retries=1).check([])

    assert caplog.records and TOKEN not in caplog.text


@pytest.mark.parametrize("value", ["ftp://a:b@h", "http://h:8000", "http://a@h", "http://a:b@h:port", "http://a:b@h/?q=1"])
def test_a_malformed_endpoint_is_refused_without_showing_its_token(value):
    with pytest.raises(EngineError) as refused:
        endpoints_parse(value)
    assert "b@" not in refused.value.message and ":b" not in refused.value.message


def test_a_request_the_endpoint_refuses_as_too_large_is_not_retried_elsewhere(server, script):
    script.answers = [(413, {})]

    with pytest.raises(RemoteRefused, match="HTTP 413"):
        client_for(server).check([])
    assert len(script.requests) == 1


def test_a_large_photo_travels_at_the_engines_working_size(server, script):
    noise = np.random.default_rng(0).integers(0, 255, (3000, 4000, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="JPEG", quality=100)
    assert len(buffer.getvalue()) > INLINE_MAX_BYTES
    script.answers = [(200, {"code": "OK", "message": "success", "data": {"check_results": []}})]
    [endpoint] = endpoints_parse(server.replace("http://", f"http://APP:{TOKEN}@"))

    RemoteBackend([endpoint], transport=remote_transport).check([buffer.getvalue()])

    [url] = json.loads(script.requests[0][2])["images"]
    sent = Image.open(io.BytesIO(base64.b64decode(url.partition(",")[2])))
    assert max(sent.size) == 2048 and sent.size[0] / sent.size[1] == pytest.approx(4 / 3, abs=0.01)


def test_a_create_of_several_portraits_asks_for_n_and_reads_them_all(server, script):
    made = [base64.b64encode(f"portrait {k}".encode()).decode() for k in range(3)]
    script.answers = [(200, {"code": "OK", "message": "success", "data": {"image": made[0], "images": made}})]

    images = client_for(server).create(template_url="data:,x", model_ids=["m"], n=3)

    assert json.loads(script.requests[0][2])["n"] == 3
    assert images == [f"portrait {k}".encode() for k in range(3)]


def test_a_create_of_one_portrait_sends_pais_own_body(server, script):
    script.answers = [(200, {"code": "OK", "message": "success", "data": {"image": base64.b64encode(b"one").decode()}})]

    assert client_for(server).create(template_url="data:,x", model_ids=["m"]) == [b"one"]
    assert "n" not in json.loads(script.requests[0][2])
