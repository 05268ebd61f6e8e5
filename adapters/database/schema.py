"""The tables, as SQLAlchemy Core: the one description the stores query and the migrations must match.

Every row belongs to a space (`space`, its key: `guild-<id>` or `dm-<id>`). Discord ids are 64-bit. Records that
are listed in the order they came (feedback, corrections, the inbox, the voice log) keep it in an autoincrementing
`id`. A change here needs a new migration under `migrations/versions/`; a test compares the two.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

SPACE = 64
NAME = 255


class Moment(TypeDecorator[datetime]):
    """An aware datetime, kept in UTC: SQLite has no time zones, so its naive values are read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        moment = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record_id() -> Column[Any]:
    # BigInteger on PostgreSQL; SQLite autoincrements only an INTEGER primary key.
    return Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

space_settings = Table(
    "space_settings",
    metadata,
    Column("space", String(SPACE), primary_key=True),
    Column("active_dataset", String(NAME)),
    Column("active_model", Integer),
    Column("language", String(64)),
    Column("transcribe_voice", Boolean, nullable=False),
    Column("spoken_replies", Boolean, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("keep_starter", Boolean),
    Column("keep_voice_transcripts", Boolean, nullable=False),
)

# `listen optout`: a row per member who asked not to be heard in a space.
listening_opt_outs = Table(
    "listening_opt_outs",
    metadata,
    Column("space", String(SPACE), primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
)

feedback = Table(
    "feedback",
    metadata,
    _record_id(),
    Column("space", String(SPACE), nullable=False),
    Column("text", Text, nullable=False),
    Column("author_id", BigInteger, nullable=False),
    Column("author_name", String(NAME), nullable=False),
    Column("guild_id", BigInteger),
    Column("channel_id", BigInteger, nullable=False),
    Column("created_at", Moment, nullable=False),
    Index(None, "space", "id"),
    Index(None, "space", "author_id"),
)

corrections = Table(
    "corrections",
    metadata,
    _record_id(),
    Column("space", String(SPACE), nullable=False),
    Column("user_text", Text, nullable=False),
    # `normalise_text(user_text)`: what a retraction names; `match_key`: what the corrections index looks up.
    Column("retraction_key", Text, nullable=False),
    Column("match_key", Text, nullable=False),
    Column("bot_reply", Text, nullable=False),
    Column("correction", Text, nullable=False),
    Column("author_id", BigInteger, nullable=False),
    Column("guild_id", BigInteger),
    Column("channel_id", BigInteger, nullable=False),
    Column("reply_message_id", BigInteger),
    Column("created_at", Moment, nullable=False),
    Column("answers_intent", String(NAME)),
    # Withdrawn by a retraction: no longer listed, but still its author's record until they are forgotten.
    Column("withdrawn", Boolean, nullable=False),
    Index(None, "space", "id"),
    Index(None, "space", "retraction_key"),
    Index(None, "space", "match_key"),
    Index(None, "space", "author_id"),
)

# The words of each correction's `match_key`, for near duplicates: the corrections sharing a message's rarest words.
correction_words = Table(
    "correction_words",
    metadata,
    Column(
        "correction_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("corrections.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("word", String(NAME), primary_key=True),
    Column("space", String(SPACE), nullable=False),
    Index(None, "space", "word"),
)

thumbs_down = Table(
    "thumbs_down",
    metadata,
    _record_id(),
    Column("space", String(SPACE), nullable=False),
    Column("user_text", Text, nullable=False),
    Column("bot_reply", Text, nullable=False),
    Column("intent", String(NAME), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("author_id", BigInteger, nullable=False),
    Column("asker_id", BigInteger),
    Column("guild_id", BigInteger),
    Column("channel_id", BigInteger, nullable=False),
    Column("reply_message_id", BigInteger, nullable=False),
    Column("created_at", Moment, nullable=False),
    Index(None, "space", "id"),
)

review_items = Table(
    "review_items",
    metadata,
    _record_id(),
    Column("space", String(SPACE), nullable=False),
    Column("text", Text, nullable=False),
    Column("intent", String(NAME), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("at", Moment, nullable=False),
    Column("reason", String(64), nullable=False),
    # The reply as the chat showed it, and its typed parts where it was kept as a `Text` (else NULL).
    Column("reply", Text, nullable=False),
    Column("reply_parts", JSON(none_as_null=True)),
    Column("state", String(32), nullable=False),
    Column("answer", Text, nullable=False),
    Column("author_id", BigInteger),
    Column("rater_id", BigInteger),
    Column("unanswered", Boolean, nullable=False),
    Index(None, "space", "id"),
)

voice_turns = Table(
    "voice_turns",
    metadata,
    _record_id(),
    Column("space", String(SPACE), nullable=False),
    Column("speaker_id", BigInteger, nullable=False),
    Column("at", Moment, nullable=False),
    Column("voice_channel_id", BigInteger, nullable=False),
    Column("transcript", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Index(None, "space", "id"),
)

# When each member last said `forget me` in a space: a record of theirs made before it is not kept after it.
forget_requests = Table(
    "forget_requests",
    metadata,
    Column("space", String(SPACE), primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    Column("at", Moment, nullable=False),
)

# Model versions' metadata; each artifact is a blob in the space's `models` (adapters/database/blobs.py), named in
# `artifact`.
model_versions = Table(
    "model_versions",
    metadata,
    Column("space", String(SPACE), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("backend", String(64), nullable=False),
    Column("dataset_name", String(NAME), nullable=False),
    Column("dataset_hash", String(128), nullable=False),
    Column("created_at", Moment, nullable=False),
    Column("example_count", Integer, nullable=False),
    Column("intents", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("artifact", String(NAME), nullable=False),
)

# Test reports: of a version (`number`), or of a cross-validation (`number` NULL); the picture is a blob in the
# space's `models`, named in `picture`.
model_reports = Table(
    "model_reports",
    metadata,
    _record_id(),
    Column("space", String(SPACE), nullable=False),
    Column("number", Integer),
    Column("report", JSON, nullable=False),
    Column("picture", String(NAME), nullable=False),
    Index(None, "space", "number"),
)

# Datasets' metadata; each dataset is a blob of the same name in the space's `datasets`.
datasets = Table(
    "datasets",
    metadata,
    Column("space", String(SPACE), primary_key=True),
    Column("name", String(NAME), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
)

# Large bytes where every machine reaches them (PostgreSQL; beside SQLite they are files): adapters/database/blobs.py.
blobs = Table(
    "blobs",
    metadata,
    Column("space", String(SPACE), primary_key=True),
    Column("folder", String(64), primary_key=True),
    Column("name", String(NAME), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# What `adapters/database/file_import.py` moved in from a data root's files: a row per space imported (its key in
# `scope`), written in that space's import transaction, and one row `data-root` once every space is in. A space with
# a row is never imported again; with the `data-root` row, nothing is.
file_imports = Table(
    "file_imports",
    metadata,
    Column("scope", String(SPACE), primary_key=True),
    Column("data_root", Text, nullable=False),
    Column("imported_at", Moment, nullable=False),
    # How many records of each store came in: {"feedback": 3, "corrections": 2, ...}.
    Column("records", JSON, nullable=False),
)
