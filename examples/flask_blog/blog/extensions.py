"""The extension objects, created unbound and initialised by the app factory."""

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
