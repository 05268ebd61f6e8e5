"""What was imported from a data root's files (`parrot migrate --from-files`, or the first start with the database).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_imports",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("data_root", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_file_imports")),
    )


def downgrade() -> None:
    op.drop_table("file_imports")
