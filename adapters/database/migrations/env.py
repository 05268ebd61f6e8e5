"""Alembic's entry point: migrations run on the connection `adapters.database.migrate` hands over, never alone."""

from alembic import context

from adapters.database.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
