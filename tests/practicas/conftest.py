import pytest

from tests.practicas.utiles import taxonomia as cargar


@pytest.fixture
def taxonomia(db):
    """The CEAD 2024 taxonomy as loaded by the data migration (also after a transactional flush)."""
    return cargar()


@pytest.fixture
def celery_eager(monkeypatch):
    """Tasks run in the test process when enqueued (on commit, with django_capture_on_commit_callbacks)."""
    from mesa.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
