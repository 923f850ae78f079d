"""Where the project's translation catalogues live, and a code's label in the reader's
language."""

from pathlib import Path


def locale_dirs(base_dir: Path) -> list[Path]:
    """The project's locale/ and every first-party app's locale/."""
    return sorted(
        path
        for path in [base_dir / "locale", *base_dir.glob("*/locale")]
        if path.is_dir() and not path.parent.name.startswith(".")
    )


def choice_label(choices, value) -> str:
    """The label of `value` in a choices enum (`TicketStatus(value).label`), in the
    current language; the value itself when it is none of the enum's (as
    `get_FOO_display()` answers), and "" for None. One translation, where
    `get_FOO_display()` translates every choice of the field on each call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return "" if value is None else str(value)
