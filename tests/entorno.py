"""Loaded with `-p tests.entorno` before Django's settings: production-like settings for the test run.

DEBUG stays off (as in production) so the required values are given here; the database and broker
come from the environment (`make test` points them at PostgreSQL and Redis).
"""

import os

os.environ.setdefault("SECRET_KEY", "clave-solo-para-pruebas")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "locmem://")  # Django's test runner swaps in its outbox anyway
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("MESA_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "pruebas"))
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
