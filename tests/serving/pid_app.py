"""A WSGI app that answers with the process serving it, for tests/serving/test_worker_spread.py.
Django is set up as studio.wsgi sets it up: the workers' post_worker_init loads the URLconf."""
import os

import django

django.setup()


def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
