"""Alembic environment: runs on the connection the app hands over, or on ATELIER_DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from app.storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
config = context.config


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from app.settings import Settings

    engine = create_engine(Settings().database_url)
    with engine.begin() as own_connection:
        run_migrations(own_connection)
