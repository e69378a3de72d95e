"""JSON views that write through `db.session` and commit, as Flask-SQLAlchemy apps do."""

from __future__ import annotations

import datetime

from flask import Blueprint, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from blog.extensions import db
from blog.models import Post, User

api = Blueprint("api", __name__)


@api.post("/users")
def create_user():
    data = request.get_json()
    user = User(email=data["email"], username=data["username"], display_name=data["name"])
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return jsonify(error="email or username taken"), 409
    return jsonify(id=user.id), 201


@api.get("/users/<int:user_id>")
def show_user(user_id: int):
    user = db.get_or_404(User, user_id)
    posts = db.session.scalar(select(func.count()).where(Post.author_id == user.id))
    return jsonify(email=user.email, name=user.display_name, posts=posts)


@api.post("/users/<int:user_id>/posts")
def create_post(user_id: int):
    user = db.get_or_404(User, user_id)
    data = request.get_json()
    post = Post(
        title=data["title"],
        body=data.get("body", ""),
        author=user,
        published_at=datetime.datetime.now().replace(microsecond=0),
    )
    db.session.add(post)
    db.session.commit()
    return jsonify(id=post.id), 201


@api.post("/posts/<int:post_id>/like")
def like_post(post_id: int):
    post = db.get_or_404(Post, post_id)
    post.likes += 1
    db.session.commit()
    return jsonify(likes=post.likes)
