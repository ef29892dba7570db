"""``l2console notify-test``: one message per URL, which worked, and no secret printed."""

from __future__ import annotations

import os
import sys

import pytest

from console.cli import main
from tests.console.unattended.receiver import receiver
from tests.console.unattended.test_sender import closed_port_url


def test_each_url_gets_a_message_and_the_failures_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with receiver() as service:
        dead = closed_port_url()
        monkeypatch.setenv("NOTIFY_URLS", f"{service.url}?token=s3cret, {dead}")
        code = main(["--env-file", os.devnull, "notify-test"])
        texts = service.texts()
    out = capsys.readouterr().out
    assert code == 1
    port = service.url.rsplit(":", 1)[1].split("/")[0]
    assert out.splitlines() == [
        f"#1 json://127.0.0.1:{port}/…: sent",
        f"#2 json://127.0.0.1:{dead.rsplit(':', 1)[1].split('/')[0]}/…: FAILED",
        "1 of 2 URLs worked",
    ]
    assert "s3cret" not in out and "notify" not in out.replace("notify-test", "")
    assert len(texts) == 1 and "this URL works" in texts[0]


def test_no_urls_or_no_apprise_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NOTIFY_URLS", raising=False)
    assert main(["--env-file", os.devnull, "notify-test"]) == 2
    assert capsys.readouterr().err.startswith("l2console: NOTIFY_URLS is not set")
    monkeypatch.setenv("NOTIFY_URLS", "json://127.0.0.1:9/x")
    monkeypatch.setitem(sys.modules, "apprise", None)  # as if it were not installed
    assert main(["--env-file", os.devnull, "notify-test"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "l2console: notifications are off: NOTIFY_URLS is set but apprise is not installed "
        "(pip install 'l2console[notify]')"
    ]


def test_a_run_without_apprise_has_a_hint_and_no_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    from console.settings import Settings  # noqa: PLC0415
    from console.unattended.runtime import make_sender  # noqa: PLC0415

    settings = Settings(_env_file=None, notify_urls="json://127.0.0.1:9/x")  # type: ignore[call-arg]
    monkeypatch.setitem(sys.modules, "apprise", None)
    sender, hint = make_sender(settings, "desk")
    assert sender is None and "pip install 'l2console[notify]'" in hint
    assert make_sender(Settings(_env_file=None), "desk") == (None, "")  # type: ignore[call-arg]
