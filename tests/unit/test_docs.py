"""Docs that fail when they drift from the code: every CLI command and setting is in the README."""

from __future__ import annotations

from pathlib import Path

import typer

from parceldesk.cli import app
from parceldesk.config import Settings

README = (Path(__file__).parents[2] / "README.md").read_text("utf-8")


def _commands(group: typer.Typer, prefix: str) -> list[str]:
    names = [f"{prefix} {c.name or c.callback.__name__}".strip() for c in group.registered_commands]  # type: ignore[union-attr]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        names += _commands(sub.typer_instance, f"{prefix} {sub.name}")
    return names


def test_every_cli_command_is_documented() -> None:
    commands = _commands(app, "parceldesk")
    assert "parceldesk bench seed" in commands
    assert [c for c in commands if f"`{c}" not in README] == []


def test_every_setting_is_documented() -> None:
    missing = [n for n in Settings.model_fields if f"PARCELDESK_{n.upper()}" not in README]
    assert missing == []
