"""A real `parceldesk serve` process on a free port, for end-to-end and browser tests."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from parceldesk.conversation.nlu.understand import Understander, training_fingerprint
from parceldesk.loadtest import free_port


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env["PARCELDESK_DATA_DIR"] = str(data_dir)
    return env


def share_model(data_dir: Path, understander: Understander) -> None:
    """Give the server the session's trained model (the cache it would otherwise fill itself)."""
    models = data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    path = models / f"nlu-{training_fingerprint()}.pickle"
    path.write_bytes(pickle.dumps(understander._classifier))


@contextmanager
def running_server(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `parceldesk serve` on ``data_dir`` until the block ends; yields its base URL."""
    port = free_port()
    log_path = data_dir / f"serve-{port}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "parceldesk", "serve", "--port", str(port), *args],
            env=server_env(data_dir) | (env or {}), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text())
                time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
