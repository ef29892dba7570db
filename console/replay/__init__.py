"""Replays and sweeps of recordings: the real parser and engine, driven by recorded time.

``replay(path, settings, …)`` runs one recording through the full paper engine and returns a
``ReplayResult``; ``render_replay`` prints it, labelled REPLAY. ``run_sweep`` replays a grid of
settings on both cores and ``render_sweep`` prints the in-sample / out-of-sample table.
"""
