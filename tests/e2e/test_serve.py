"""`parceldesk serve` answers real HTTP on a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_reports_health_over_http(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELDESK_")}
    env["PARCELDESK_DATA_DIR"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "parceldesk", "init"], env=env, check=True, capture_output=True
    )
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "parceldesk", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        response = None
        for _ in range(100):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, (tmp_path / "serve.log").read_text()
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert response.json()["database"] == "ok"
        docs = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).json()
        assert "/health" in docs["paths"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
