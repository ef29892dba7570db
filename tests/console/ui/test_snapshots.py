"""SVG snapshots of the console's reference scenes (deterministic replays, fixed sizes).

`make snapshots-update` rewrites them after a deliberate change; look at the diff report first.
"""

from __future__ import annotations

import pytest

from console.app.scenes import SCENES, Scene


@pytest.mark.parametrize("scene", SCENES, ids=[scene.name for scene in SCENES])
def test_scene_matches_its_snapshot(snap_compare, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    app, script = scene.build()
    assert snap_compare(app, terminal_size=scene.size, run_before=script)
