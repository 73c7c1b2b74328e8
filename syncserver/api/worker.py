"""The app of one of several server processes (``writecarenotes-server serve --workers N``):
uvicorn calls ``create`` in each process; the settings come from the environment and the
configuration file that ``serve`` checked before starting them."""

from __future__ import annotations

from fastapi import FastAPI

from syncserver.api.app import create_app
from syncserver.config import load_settings
from syncserver.logging_setup import configure_logging


def create() -> FastAPI:
    settings = load_settings()
    configure_logging(json_lines=settings.log_json)
    return create_app(settings)
