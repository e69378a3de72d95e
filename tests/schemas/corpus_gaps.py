"""Minimal forms of the real schemas the corpus found failing (docs/generate.md, "Real schemas").

Each class reproduces one package's pattern: a constructor that does not take the column
attributes (celery, privacyidea), mapped classes kept only in a dict or built in a function
(jupyterhub, SQLAlchemy-Continuum), a `MutableList` JSON column (mlflow), a single-row table
(optuna), scalar defaults that are the only valid values (sqlalchemy-celery-beat) and a
polymorphic (discriminator, id) reference with no foreign key (sqlalchemy-celery-beat).
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    and_,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, foreign, relationship, validates


class Base(DeclarativeBase):
    pass


class Task(Base):  # celery: Task(task_id)
    __tablename__ = "celery_taskmeta"
    id = Column(Integer, primary_key=True)
    task_id = Column(String(155), unique=True)
    status = Column(String(50), default="PENDING")
    result = Column(String(200))

    def __init__(self, task_id):
        self.task_id = task_id


class TaskExtended(Task):  # celery: a subclass that adds columns to the same table
    __tablename__ = "celery_taskmeta"
    __table_args__ = {"extend_existing": True}
    name = Column(String(155), nullable=True)
    worker = Column(String(155), nullable=True)


class Realm(Base):  # privacyidea: Realm(realm) sets `name`, not `realm`
    __tablename__ = "realm"
    id = Column(Integer, primary_key=True)
    name = Column(String(255), unique=True, nullable=False)
    default = Column(Integer, default=0)

    def __init__(self, realm):
        self.name = realm.lower()


class Role(Base):
    __tablename__ = "roles"
    id = Column(Integer, primary_key=True)
    name = Column(String(80), unique=True, nullable=False)


class Group(Base):
    __tablename__ = "groups"
    id = Column(Integer, primary_key=True)
    name = Column(String(80), unique=True, nullable=False)


# jupyterhub: association classes built with type() in a loop, kept only in a dict
role_maps: dict[str, type] = {}
for _entity in ("group",):
    _table = Table(
        f"{_entity}_role_map",
        Base.metadata,
        Column(f"{_entity}_id", ForeignKey(f"{_entity}s.id"), primary_key=True),
        Column("role_id", ForeignKey("roles.id"), primary_key=True),
    )
    role_maps[_entity] = type(_entity.title() + "RoleMap", (Base,), {"__table__": _table})


def _build_audit_class() -> type:
    class AuditEntry(Base):  # a class made inside a function: `<locals>` in its qualname
        __tablename__ = "audit_entries"
        id = Column(Integer, primary_key=True)
        message = Column(String(200), nullable=False)

    return AuditEntry


audit_classes = {"audit": _build_audit_class()}


class Job(Base):  # mlflow: MutableList.as_mutable(JSON)
    __tablename__ = "jobs"
    id = Column(String(36), primary_key=True)
    scoped_permissions = Column(MutableList.as_mutable(JSON), nullable=False)
    settings = Column(MutableDict.as_mutable(JSON), nullable=False)


class JSONDict(TypeDecorator):  # jupyterhub: JSON kept as text by a decorator
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class JSONList(JSONDict):
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(list(value)) if isinstance(value, list | tuple | set) else value

    def process_result_value(self, value, dialect):
        return [] if value is None else json.loads(value)


class Service(Base):
    __tablename__ = "services"
    id = Column(Integer, primary_key=True)
    info = Column(JSONDict, nullable=False)
    scopes = Column(JSONList, nullable=False)


class VersionInfo(Base):  # optuna: a single-row table
    __tablename__ = "version_info"
    version_info_id = Column(
        Integer, CheckConstraint("version_info_id=1"), primary_key=True, autoincrement=False
    )
    schema_version = Column(Integer)


class StorageVersion(Base):  # optuna 5: the single row's key also has `default=1`
    __tablename__ = "storage_version"
    __table_args__ = (CheckConstraint("storage_version_id=1"),)
    storage_version_id = Column(Integer, primary_key=True, autoincrement=False, default=1)
    library_version = Column(String(256), nullable=False)


class Account(Base):  # fastapi-users: a collection loaded with a joined eager load
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    email = Column(String(320), unique=True, nullable=False)
    oauth_accounts = relationship("OAuthAccount", lazy="joined")


class OAuthAccount(Base):
    __tablename__ = "oauth_accounts"
    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id", ondelete="cascade"), nullable=False)
    oauth_name = Column(String(100), nullable=False)


class ApiKey(Base):  # fastapi-users: a text key filled by a per-row callable default
    __tablename__ = "api_keys"
    id = Column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))


class SiteSettings(Base):  # a singleton by a unique flag column rather than its key
    __tablename__ = "site_settings"
    id = Column(Integer, primary_key=True)
    singleton = Column(Integer, CheckConstraint("singleton = 1"), unique=True, nullable=False)
    title = Column(String(80))


class CrontabSchedule(Base):  # sqlalchemy-celery-beat: the defaults are the valid values
    __tablename__ = "celery_crontabschedule"
    id = Column(Integer, primary_key=True)
    minute = Column(String(240), nullable=False, default="*")
    hour = Column(String(96), nullable=False, default="*")
    timezone = Column(String(64), nullable=False, default="UTC")

    @validates("minute", "hour")
    def _parse(self, key, value):
        if value != "*" and not value.replace(",", "").isdigit():
            raise ValueError(f"Could not parse cron {value!r}")
        return value


class IntervalSchedule(Base):
    __tablename__ = "celery_intervalschedule"
    id = Column(Integer, primary_key=True)
    every = Column(Integer, nullable=False, default=1)


class PeriodicTask(Base):  # a (discriminator, id) reference with no foreign key
    __tablename__ = "celery_periodictask"
    id = Column(Integer, primary_key=True)
    name = Column(String(255), unique=True, nullable=False)
    discriminator = Column(String(20), nullable=False)
    schedule_id = Column(Integer, nullable=False)


for _schedule in (CrontabSchedule, IntervalSchedule):
    _name = _schedule.__tablename__.removeprefix("celery_")
    setattr(
        PeriodicTask,
        f"model_{_name}",
        relationship(
            _schedule,
            primaryjoin=and_(
                PeriodicTask.discriminator == _name,
                foreign(PeriodicTask.schedule_id) == _schedule.id,
            ),
            viewonly=True,
        ),
    )
