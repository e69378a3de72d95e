"""View tests: the views commit through `db.session`; every write vanishes after the test."""

from blog.extensions import db
from blog.models import Post, User
from sqlalchemy import func, select


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_view_commits_into_the_test_session(client, db_session):
    response = client.post(
        "/users", json={"email": "ada@example.com", "username": "ada", "name": "Ada"}
    )
    assert response.status_code == 201
    # The view's commit went into this test's session, so the test sees the row...
    user = db_session.get(User, response.get_json()["id"])
    assert user.email == "ada@example.com"
    assert db.session() is db_session
    # ...and the request's teardown (db.session.remove()) left the session usable.
    assert count(db_session, User) == 1


def test_nothing_is_left_from_the_previous_test(client, db_session):
    assert count(db_session, User) == 0
    response = client.post(
        "/users", json={"email": "ada@example.com", "username": "ada", "name": "Ada"}
    )
    assert response.status_code == 201  # the same email again: the last test's row is gone


def test_factory_rows_are_seen_by_views(client, user_factory, post_factory):
    author = user_factory()
    post_factory.create_batch(2, author=author)
    response = client.get(f"/users/{author.id}")
    assert response.get_json() == {"email": author.email, "name": author.display_name, "posts": 2}


def test_views_write_rows_the_test_reads_back(client, user, db_session):
    for title in ("First", "Second"):
        response = client.post(f"/users/{user.id}/posts", json={"title": title})
        assert response.status_code == 201
    titles = db_session.scalars(select(Post.title).where(Post.author == user).order_by(Post.id))
    assert list(titles) == ["First", "Second"]
    post_id = response.get_json()["id"]
    assert client.post(f"/posts/{post_id}/like").get_json() == {"likes": 1}
    assert db_session.get(Post, post_id).likes == 1


def test_a_failed_commit_in_a_view_does_not_break_the_test(client, user_factory, db_session):
    taken = user_factory(email="taken@example.com")
    db_session.commit()
    response = client.post(
        "/users", json={"email": "taken@example.com", "username": "other", "name": "Other"}
    )
    assert response.status_code == 409  # the view rolled back its own failed insert
    assert db_session.get(User, taken.id).email == "taken@example.com"
    assert count(db_session, User) == 1


def test_model_query_goes_through_the_test_session(user_factory, db_session):
    user_factory.create_batch(3)
    assert User.query.count() == 3
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
