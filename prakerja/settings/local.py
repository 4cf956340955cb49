"""The demo and local development: DEBUG on, SQLite unless DATABASE_URL says otherwise."""
import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
