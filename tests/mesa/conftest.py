import pytest


@pytest.fixture
def celery_eager(monkeypatch):
    """Tasks run in the test process when enqueued (on commit, with django_capture_on_commit_callbacks)."""
    from mesa.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
