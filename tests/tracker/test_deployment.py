from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_docker_compose_runs_postgresql_redis_and_the_web_application():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    web = services["web"]
    assert "gunicorn tracker.wsgi" in web["command"]
    assert web["command"].index("migrate") < web["command"].index("gunicorn")
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    assert set(web["depends_on"]) == {"db", "redis"}
    assert (ROOT / web["build"] / "Dockerfile").exists()


def test_the_makefile_has_the_two_commands_the_readme_promises():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    for target in ("run", "test"):
        assert f"\n{target}:" in makefile
        assert f"make {target}" in readme
