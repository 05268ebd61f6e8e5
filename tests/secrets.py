"""Secret values the suites use; the session fails if any of them reaches a log line."""

DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.test-token.s3cr3t-value-never-logged"
OPENAI_API_KEY = "sk-test-parrot-0123456789abcdef-never-logged"

ALL = (DISCORD_TOKEN, OPENAI_API_KEY)
