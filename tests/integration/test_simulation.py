"""The simulator's outcome is the same whether one process plays the customers or several."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

from parceldesk.bootstrap import bootstrap
from parceldesk.config import load_settings
from parceldesk.conversation.nlu.understand import Understander, training_fingerprint
from parceldesk.domain.languages import LANGUAGES
from parceldesk.operations import seed_world
from parceldesk.services.context import FixedClock
from parceldesk.simulation.customers import load_mix, make_personas
from parceldesk.simulation.run import Simulation, simulate


def _simulate(folder: Path, models: Path, workers: int) -> Simulation:
    settings = load_settings().model_copy(
        update={"data_dir": folder, "database_url": f"sqlite:///{folder}/sim.db"}
    )
    app = bootstrap(settings, clock=FixedClock(datetime(2026, 12, 1, 2, tzinfo=UTC)), migrate=True)
    app.models_dir = models
    seed_world(app, 300, 7)
    personas = make_personas(60, load_mix(None), LANGUAGES, 7)
    try:
        return simulate(app, personas, 7, workers=workers, chunk=20)
    finally:
        app.close()


def test_two_worker_processes_play_the_same_day_as_one(
    tmp_path: Path, understander: Understander
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    model = pickle.dumps(understander._classifier)
    (models / f"nlu-{training_fingerprint()}.pickle").write_bytes(model)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, two = _simulate(tmp_path / "one", models, 1), _simulate(tmp_path / "two", models, 2)

    def seen(s: Simulation) -> list[tuple[object, ...]]:
        return [(o.persona, o.achieved, o.handed_off, o.turns, o.rated) for o in s.outcomes]

    assert len(one.outcomes) == 60
    assert seen(one) == seen(two)
    assert one.measured_rate == two.measured_rate
    assert one.disagreements().keys() == two.disagreements().keys()
    assert one.report is not None
    assert two.report is not None
    assert one.report.summary.csat_responses == two.report.summary.csat_responses > 0
