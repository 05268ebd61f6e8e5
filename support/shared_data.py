"""Locate `../shared/data` beside the project root, failing with the missing path named."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"missing shared data file: {path} (tests read ../shared/data beside the project root; see its README)"
        )
    return path
