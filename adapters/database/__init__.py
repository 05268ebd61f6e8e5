"""Users' records in a SQL database (SQLite by default, PostgreSQL across machines), through SQLAlchemy Core, async."""
