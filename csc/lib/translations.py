"""Where the project's translation catalogues live."""

from pathlib import Path


def locale_dirs(base_dir: Path) -> list[Path]:
    """The project's locale/ and every first-party app's locale/."""
    return sorted(
        path
        for path in [base_dir / "locale", *base_dir.glob("*/locale")]
        if path.is_dir() and not path.parent.name.startswith(".")
    )
