"""Log records as one line each for operators: key=value (logfmt) or JSON, with the id of the
request being served. LOGGING in settings names these formatters (LOG_FORMAT picks one)."""
from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# Set by the request log middleware (studio.lib.request_log) for the request being served, so
# that every line logged while serving it carries the same request_id.
request_id_var: ContextVar[str] = ContextVar("request_id", default="")

# What every LogRecord has; anything else on a record came from `extra=` and is a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def record_fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict:
    """The record as ordered fields: time, level, logger, message, then its extras."""
    fields = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "msg": record.getMessage(),
    }
    for key, value in vars(record).items():
        # Plain values only: Django passes the request object itself as an extra, for instance.
        if key not in _RECORD_ATTRIBUTES and not key.startswith("_") and isinstance(value, str | int | float | bool):
            fields[key] = value
    request_id = request_id_var.get()
    if request_id:
        fields.setdefault("request_id", request_id)
    if record.exc_info:
        fields["exc"] = formatter.formatException(record.exc_info)
    return fields


def _logfmt_value(value) -> str:
    text = str(value)
    if text and not any(char in text for char in ' ="\\') and text.isprintable():
        return text
    return json.dumps(text)  # quoted, with newlines escaped: one record stays one line


class KeyValueFormatter(logging.Formatter):
    """ts=... level=INFO logger=studio.request msg=request method=GET path=/ status=200 ..."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in record_fields(record, self).items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log pipelines that parse JSON."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record_fields(record, self), default=str)
