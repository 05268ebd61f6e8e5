"""The first schema: settings and opt-outs, feedback, corrections (and their words), thumbs-downs, the review inbox,
the voice log, each member's last `forget me`, model versions and their reports, datasets.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forget_requests",
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("space", "user_id", name=op.f("pk_forget_requests")),
    )
    op.create_table(
        "corrections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("user_text", sa.Text(), nullable=False),
        sa.Column("retraction_key", sa.Text(), nullable=False),
        sa.Column("match_key", sa.Text(), nullable=False),
        sa.Column("bot_reply", sa.Text(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("reply_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers_intent", sa.String(length=255), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    op.create_index(op.f("ix_corrections_space_author_id"), "corrections", ["space", "author_id"], unique=False)
    op.create_index(op.f("ix_corrections_space_id"), "corrections", ["space", "id"], unique=False)
    op.create_index(op.f("ix_corrections_space_match_key"), "corrections", ["space", "match_key"], unique=False)
    op.create_index(
        op.f("ix_corrections_space_retraction_key"), "corrections", ["space", "retraction_key"], unique=False
    )
    op.create_table(
        "datasets",
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("space", "name", name=op.f("pk_datasets")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_space_author_id"), "feedback", ["space", "author_id"], unique=False)
    op.create_index(op.f("ix_feedback_space_id"), "feedback", ["space", "id"], unique=False)
    op.create_table(
        "listening_opt_outs",
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("space", "user_id", name=op.f("pk_listening_opt_outs")),
    )
    op.create_table(
        "model_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("picture", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_reports")),
    )
    op.create_index(op.f("ix_model_reports_space_number"), "model_reports", ["space", "number"], unique=False)
    op.create_table(
        "model_versions",
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("dataset_name", sa.String(length=255), nullable=False),
        sa.Column("dataset_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("example_count", sa.Integer(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("artifact", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("space", "number", name=op.f("pk_model_versions")),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=255), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("reply_parts", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("rater_id", sa.BigInteger(), nullable=True),
        sa.Column("unanswered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    op.create_index(op.f("ix_review_items_space_id"), "review_items", ["space", "id"], unique=False)
    op.create_table(
        "space_settings",
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("active_dataset", sa.String(length=255), nullable=True),
        sa.Column("active_model", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=64), nullable=True),
        sa.Column("transcribe_voice", sa.Boolean(), nullable=False),
        sa.Column("spoken_replies", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("keep_starter", sa.Boolean(), nullable=True),
        sa.Column("keep_voice_transcripts", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("space", name=op.f("pk_space_settings")),
    )
    op.create_table(
        "thumbs_down",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("user_text", sa.Text(), nullable=False),
        sa.Column("bot_reply", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=255), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("asker_id", sa.BigInteger(), nullable=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("reply_message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thumbs_down")),
    )
    op.create_index(op.f("ix_thumbs_down_space_id"), "thumbs_down", ["space", "id"], unique=False)
    op.create_table(
        "voice_turns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("speaker_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voice_channel_id", sa.BigInteger(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_turns")),
    )
    op.create_index(op.f("ix_voice_turns_space_id"), "voice_turns", ["space", "id"], unique=False)
    op.create_table(
        "correction_words",
        sa.Column("correction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("word", sa.String(length=255), nullable=False),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["corrections.id"],
            name=op.f("fk_correction_words_correction_id_corrections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("correction_id", "word", name=op.f("pk_correction_words")),
    )
    op.create_index(op.f("ix_correction_words_space_word"), "correction_words", ["space", "word"], unique=False)


def downgrade() -> None:
    op.drop_table("forget_requests")
    op.drop_index(op.f("ix_correction_words_space_word"), table_name="correction_words")
    op.drop_table("correction_words")
    op.drop_index(op.f("ix_voice_turns_space_id"), table_name="voice_turns")
    op.drop_table("voice_turns")
    op.drop_index(op.f("ix_thumbs_down_space_id"), table_name="thumbs_down")
    op.drop_table("thumbs_down")
    op.drop_table("space_settings")
    op.drop_index(op.f("ix_review_items_space_id"), table_name="review_items")
    op.drop_table("review_items")
    op.drop_table("model_versions")
    op.drop_index(op.f("ix_model_reports_space_number"), table_name="model_reports")
    op.drop_table("model_reports")
    op.drop_table("listening_opt_outs")
    op.drop_index(op.f("ix_feedback_space_id"), table_name="feedback")
    op.drop_index(op.f("ix_feedback_space_author_id"), table_name="feedback")
    op.drop_table("feedback")
    op.drop_table("datasets")
    op.drop_index(op.f("ix_corrections_space_retraction_key"), table_name="corrections")
    op.drop_index(op.f("ix_corrections_space_match_key"), table_name="corrections")
    op.drop_index(op.f("ix_corrections_space_id"), table_name="corrections")
    op.drop_index(op.f("ix_corrections_space_author_id"), table_name="corrections")
    op.drop_table("corrections")
