"""`parceldesk serve` answers real HTTP on a real port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from parceldesk.conversation.nlu.understand import Understander
from tests.servers import running_server, server_env, share_model


def test_serve_reports_health_and_chats_over_http(
    tmp_path: Path, understander: Understander
) -> None:
    subprocess.run(
        [sys.executable, "-m", "parceldesk", "init"],
        env=server_env(tmp_path), check=True, capture_output=True,
    )  # fmt: skip
    share_model(tmp_path, understander)
    with running_server(tmp_path) as base:
        health = httpx.get(f"{base}/health", timeout=5)
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
        docs = httpx.get(f"{base}/api/v1/openapi.json", timeout=5).json()
        assert "/api/v1/conversations" in docs["paths"]
        started = httpx.post(f"{base}/api/v1/conversations", json={"language": "en"}, timeout=5)
        assert started.status_code == 201
        body = started.json()
        turn = httpx.post(
            f"{base}/api/v1/conversations/{body['id']}/messages",
            json={"text": "I want to talk to a person", "client_message_id": "1"},
            headers={"Authorization": f"Bearer {body['token']}"},
            timeout=10,
        )
        assert turn.status_code == 200
        assert turn.json()["handed_off"] is True
    assert "Traceback" not in "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))
