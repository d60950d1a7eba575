"""What the command-line modules share: the console, common options, seeding with a progress
bar and loading the NLU."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from parceldesk.bootstrap import Application
from parceldesk.config import load_settings
from parceldesk.operations import SeedReport, seed_world
from parceldesk.policy_file import load_policy

if TYPE_CHECKING:
    from parceldesk.conversation.nlu.understand import Understander

console = Console(soft_wrap=True)

ShipmentsOption = Annotated[int, typer.Option("--shipments", "-n", help="How many shipments.")]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Random seed: the same seed, the same world.")
]


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console, transient=False,
    )  # fmt: skip


def seed_into(application: Application, count: int, seed: int, replace: bool) -> SeedReport:
    with progress_bar() as progress:
        task = progress.add_task("building the demo world", total=count)
        report = seed_world(
            application, count, seed, replace=replace,
            progress=lambda done: progress.advance(task, done),
        )  # fmt: skip
    return report


def understander_of_settings() -> Understander:
    """The NLU, trained on first use and then loaded from the data directory (imported lazily:
    scikit-learn takes a second to import, which no other command should pay)."""
    from parceldesk.conversation.nlu.understand import Understander

    settings = load_settings()
    policy = load_policy(settings.policy_file)
    return Understander.load_or_train(policy.carriers, settings.data_dir / "models")
