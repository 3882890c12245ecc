from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_docker_compose_runs_postgresql_redis_the_web_application_a_worker_and_one_beat():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    web = services["web"]
    assert "gunicorn tracker.wsgi" in web["command"]
    assert web["command"].index("migrate") < web["command"].index("gunicorn")
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    assert set(web["depends_on"]) == {"db", "redis"}
    assert (ROOT / web["build"] / "Dockerfile").exists()
    assert web["command"].index("setup_schedules") < web["command"].index("gunicorn")

    worker, beat = services["worker"], services["beat"]
    assert worker["command"][:4] == ["celery", "-A", "tracker", "worker"]
    assert beat["command"][:4] == ["celery", "-A", "tracker", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat["command"]
    assert "beat" not in worker["command"] and "--beat" not in worker["command"]  # one beat, not one per worker
    assert "deploy" not in beat or beat["deploy"].get("replicas", 1) == 1
    for service in (worker, beat):
        assert service["environment"]["REDIS_URL"] == web["environment"]["REDIS_URL"]
        assert service["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
        assert set(service["depends_on"]) == {"db", "redis"}


def test_the_makefile_has_the_two_commands_the_readme_promises():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    for target in ("run", "test"):
        assert f"\n{target}:" in makefile
        assert f"make {target}" in readme
    assert "\nworker:" in makefile and "celery -A tracker worker --beat" in makefile
    assert "setup_schedules" in makefile


def test_pre_commit_runs_ruff_django_upgrade_and_the_same_mypy_as_ci():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "django-upgrade", "mypy"} <= set(hooks)
    assert hooks["django-upgrade"]["args"] == ["--target-version", "5.2"]
    assert hooks["mypy"]["entry"].endswith(".venv/bin/mypy")
    assert "SECRET_KEY=lint $(BIN)/mypy" in (ROOT / "Makefile").read_text()


def test_the_wsgi_application_puts_what_it_loaded_out_of_the_collectors_sight():
    import gc
    import importlib

    import tracker.wsgi

    gc.unfreeze()
    try:
        importlib.reload(tracker.wsgi)
        assert gc.get_freeze_count() > 10_000  # Django and the apps, not a handful of objects
    finally:
        gc.unfreeze()
