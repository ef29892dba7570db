"""Running without anyone watching: notifications (``NOTIFY_URLS``), systemd's watchdog, and
the status file ``l2console status`` reads. ``runtime.Unattended`` wires them to one run.

Nothing here imports the rest of the package at import time: ``console.settings`` reads
``events`` from it.
"""
