"""The request log: one key=value line per request, with the fields operators search by."""
from __future__ import annotations

import json
import logging
import re

from accounts.services import user_get_or_create
from studio.lib.logs import JsonFormatter, KeyValueFormatter


def _request_lines(caplog) -> list[str]:
    return [KeyValueFormatter().format(record) for record in caplog.records if record.name == "studio.request"]


def test_request_log_line_has_method_path_status_duration_user_and_request_id(client, caplog, db):
    user = user_get_or_create(email="logged@example.com")[0]
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="studio.request"):
        response = client.get("/", HTTP_X_REQUEST_ID="balancer-42")
    [line] = _request_lines(caplog)
    assert re.search(rf"msg=request method=GET path=/ status={response.status_code} duration_ms=\d+\.\d "
                     rf"user={user.pk} app_id=\"\" request_id=balancer-42$", line), line
    assert response["X-Request-Id"] == "balancer-42"


def test_request_log_names_the_pai_app_id_and_makes_up_a_request_id(client, caplog, db):
    with caplog.at_level(logging.INFO, logger="studio.request"):
        response = client.post("/api/v1/aigc_images/check", data="{}", content_type="application/json",
                               HTTP_AUTHORIZATION="app-unknown:0123abcd", HTTP_X_REQUEST_ID="not plain!")
    [line] = _request_lines(caplog)
    assert 'user="" app_id=app-unknown ' in line, line
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])
    assert line.endswith(f"request_id={response['X-Request-Id']}")


def test_json_log_format_keeps_a_traceback_on_one_line():
    try:
        raise ValueError("broken\nin two lines")
    except ValueError:
        record = logging.LogRecord("jobs.services", logging.ERROR, __file__, 1, "job %s: crashed", (7,), None)
        record.exc_info = __import__("sys").exc_info()
    record.job_id = 7
    line = JsonFormatter().format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["msg"] == "job 7: crashed" and fields["job_id"] == 7 and "ValueError: broken" in fields["exc"]
