"""The blog's models, on Flask-SQLAlchemy's `db.Model`."""

from __future__ import annotations

import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.extensions import db


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    posts: Mapped[list[Post]] = relationship(back_populates="author")


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (CheckConstraint("likes >= 0", name="posts_likes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    likes: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime.datetime]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship(back_populates="posts")
