"""A small Flask application with Flask-SQLAlchemy: users write posts through a JSON API."""

from __future__ import annotations

from typing import Any

from flask import Flask

from blog.extensions import db


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///blog.sqlite3"
    app.config.update(config or {})
    db.init_app(app)

    from blog.views import api

    app.register_blueprint(api)
    return app
