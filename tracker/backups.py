"""Backing up and restoring the database DATABASE_URL names: pg_dump and pg_restore for
PostgreSQL, SQLite's own online backup for the embedded database (safe while it is in use)."""

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError


def _postgres(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection arguments of the client programs, and the environment with the password."""
    arguments = ["--dbname", database["NAME"]]
    if database.get("HOST"):
        arguments += ["--host", database["HOST"]]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    if database.get("USER"):
        arguments += ["--username", database["USER"]]
    environment = {**os.environ, "PGPASSWORD": database.get("PASSWORD") or ""}
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise CommandError(f"{command[0]} is not installed: it comes with PostgreSQL's client programs.") from None
    except subprocess.CalledProcessError as error:
        raise CommandError(f"{command[0]} failed: {error.stderr.strip()}") from None


def backup(database: dict[str, Any], file: Path) -> None:
    """Write a consistent copy of ``database`` to ``file``."""
    file.parent.mkdir(parents=True, exist_ok=True)
    if database["ENGINE"].endswith("postgresql"):
        arguments, environment = _postgres(database)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(file), *arguments],
            environment,
        )
    else:
        _sqlite_copy(Path(database["NAME"]), file)


def restore(database: dict[str, Any], file: Path) -> None:
    """Replace everything in ``database`` with the copy in ``file``."""
    if not file.is_file():
        raise CommandError(f"There is no backup at {file}.")
    if database["ENGINE"].endswith("postgresql"):
        arguments, environment = _postgres(database)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             *arguments, str(file)],
            environment,
        )  # fmt: skip
    else:
        _sqlite_copy(file, Path(database["NAME"]))


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise CommandError(f"There is no SQLite database at {source}.")
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
