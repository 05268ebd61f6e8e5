"""The Redis keys the bot and `parrot worker` share, besides arq's own (`arq:job:…`, `arq:in-progress:…`)."""

QUEUE = "parrot:work"
FUNCTION = "parrot_job"
# How long results and progress stay in Redis once written (the bot reads them within milliseconds).
KEEP_SECONDS = 3600


def result_key(job_id: str) -> str:
    """The first result written for a job; later ones for the same job are dropped (SET NX)."""
    return f"parrot:result:{job_id}"


def done_key(job_id: str) -> str:
    """A list the worker pushes to once the result is written, so the bot wakes at once (BLPOP)."""
    return f"parrot:done:{job_id}"


def progress_key(job_id: str) -> str:
    return f"parrot:progress:{job_id}"


def in_progress_key(job_id: str) -> str:
    """arq's lease on a running job: while it exists no other worker takes the job; when it lapses, one does."""
    return f"arq:in-progress:{job_id}"


def shard_key(shard_id: int) -> str:
    """Which bot process holds a shard (refreshed while it runs, so a dead process frees it)."""
    return f"parrot:shard:{shard_id}"
