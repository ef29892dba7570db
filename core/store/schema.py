"""The database layout, as numbered migrations.

``PRAGMA application_id`` marks a file as ours (so a foreign SQLite file is recognised and left
alone) and ``PRAGMA user_version`` is the number of the last migration applied. A migration runs
inside one ``BEGIN IMMEDIATE`` transaction together with the version bump, so two processes that
open a fresh file at once apply it exactly once.

Money and quantities are TEXT holding a ``Decimal``'s exact string; times are INTEGER Unix-epoch
nanoseconds (``*_ns``). Enums are stored by value.
"""

from __future__ import annotations

APPLICATION_ID = 0x4C32434E  # "L2CN"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the paper-trading validator (issue 4).
    (
        """
        CREATE TABLE sessions (
            id          INTEGER PRIMARY KEY,
            name        TEXT    NOT NULL UNIQUE,
            venue       TEXT    NOT NULL,
            symbol      TEXT    NOT NULL,
            mode        TEXT    NOT NULL,
            parameters  TEXT    NOT NULL,      -- JSON: strategy and risk settings of the first run
            created_ns  INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE runs (
            id             INTEGER PRIMARY KEY,
            session_id     INTEGER NOT NULL REFERENCES sessions(id),
            started_ns     INTEGER NOT NULL,
            ended_ns       INTEGER,            -- NULL while running or after a crash
            last_alive_ns  INTEGER NOT NULL,   -- refreshed by the writer's heartbeat
            how_ended      TEXT,               -- completed | interrupted | crashed; NULL = running
            parameters     TEXT    NOT NULL,   -- JSON: settings this run used
            host           TEXT    NOT NULL,
            pid            INTEGER NOT NULL
        )
        """,
        "CREATE INDEX runs_by_session ON runs(session_id, started_ns)",
        """
        CREATE TABLE signals (
            id            INTEGER PRIMARY KEY,
            session_id    INTEGER NOT NULL REFERENCES sessions(id),
            run_id        INTEGER NOT NULL REFERENCES runs(id),
            number        INTEGER NOT NULL,
            product       TEXT    NOT NULL,
            action        TEXT    NOT NULL,
            price         TEXT    NOT NULL,
            quantity      TEXT    NOT NULL,
            ratio         REAL    NOT NULL,    -- the imbalance ratio: a measurement, not money
            reason        TEXT    NOT NULL,
            outcome       TEXT    NOT NULL,    -- acted | blocked | ignored
            block_reason  TEXT    NOT NULL,
            wall_ns       INTEGER NOT NULL,
            UNIQUE (session_id, number)
        )
        """,
        """
        CREATE TABLE orders (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            client_order_id  TEXT    NOT NULL UNIQUE,
            signal_number    INTEGER,
            product          TEXT    NOT NULL,
            side             TEXT    NOT NULL,
            quantity         TEXT    NOT NULL,
            order_type       TEXT    NOT NULL,
            limit_price      TEXT,
            reduce_only      INTEGER NOT NULL,
            status           TEXT    NOT NULL,  -- SENT until the venue answers, then OrderStatus
            venue_order_id   TEXT    NOT NULL DEFAULT '',
            reason           TEXT    NOT NULL DEFAULT '',
            sent_ns          INTEGER NOT NULL,
            updated_ns       INTEGER NOT NULL
        )
        """,
        "CREATE INDEX orders_by_session ON orders(session_id, sent_ns)",
        """
        CREATE TABLE fills (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            fill_id          TEXT    NOT NULL,
            client_order_id  TEXT    NOT NULL,
            product          TEXT    NOT NULL,
            side             TEXT    NOT NULL,
            price            TEXT    NOT NULL,
            quantity         TEXT    NOT NULL,
            fee              TEXT    NOT NULL,
            slippage_bps     TEXT    NOT NULL,  -- against us, versus the mid at decision time
            decision_mid     TEXT,
            wall_ns          INTEGER NOT NULL,
            UNIQUE (session_id, fill_id)
        )
        """,
        """
        CREATE TABLE round_trips (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            closing_fill_id  TEXT    NOT NULL,  -- the fill that brought the position back to flat
            product          TEXT    NOT NULL,
            side             TEXT    NOT NULL,  -- entry side: BUY = long
            quantity         TEXT    NOT NULL,
            entry_price      TEXT    NOT NULL,
            exit_price       TEXT    NOT NULL,
            gross_pnl        TEXT    NOT NULL,
            fees             TEXT    NOT NULL,
            net_pnl          TEXT    NOT NULL,
            opened_ns        INTEGER NOT NULL,
            closed_ns        INTEGER NOT NULL,
            UNIQUE (session_id, closing_fill_id)
        )
        """,
        "CREATE INDEX round_trips_by_close ON round_trips(session_id, closed_ns)",
        """
        CREATE TABLE positions (                -- the ledger's position after the last fill
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            product          TEXT    NOT NULL,
            quantity         TEXT    NOT NULL,  -- signed: > 0 long, < 0 short, 0 flat
            entry_price      TEXT    NOT NULL,
            opened_ns        INTEGER NOT NULL,
            fees             TEXT    NOT NULL,  -- fees paid on the open position so far
            last_fill_id     TEXT    NOT NULL,
            PRIMARY KEY (session_id, product)
        )
        """,
        """
        CREATE TABLE ledgers (                  -- the ledger's totals after the last fill
            session_id       INTEGER PRIMARY KEY REFERENCES sessions(id),
            realized_pnl     TEXT    NOT NULL,
            fees_paid        TEXT    NOT NULL,
            last_fill_id     TEXT    NOT NULL
        )
        """,
        """
        CREATE TABLE equity_points (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            wall_ns          INTEGER NOT NULL,
            equity           TEXT    NOT NULL,  -- realized + unrealized, net of fees
            realized_pnl     TEXT    NOT NULL,
            unrealized_pnl   TEXT    NOT NULL,
            position         TEXT    NOT NULL,
            mark_price       TEXT
        )
        """,
        "CREATE INDEX equity_by_time ON equity_points(session_id, wall_ns)",
        """
        CREATE TABLE gate_evaluations (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            wall_ns          INTEGER NOT NULL,
            gate             TEXT    NOT NULL,  -- "5→6" | "6→7"
            ready            INTEGER NOT NULL,
            details          TEXT    NOT NULL   -- JSON: each requirement, threshold and value
        )
        """,
        """
        CREATE TABLE latency_histograms (
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            name             TEXT    NOT NULL,  -- e.g. tick_to_decision
            buckets          TEXT    NOT NULL,  -- JSON, as the histogram's bucket_counts() gave
            updated_ns       INTEGER NOT NULL,
            PRIMARY KEY (run_id, name)
        )
        """,
    ),
    # 2: kill switch results (issue 6): who pulled it, and whether the venue confirmed flat.
    (
        """
        CREATE TABLE kill_switch_events (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id),
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            wall_ns          INTEGER NOT NULL,
            reason           TEXT    NOT NULL,  -- "Flatten command ...", "Shutdown: flatten", ...
            phase            TEXT    NOT NULL,  -- flat | failed
            detail           TEXT    NOT NULL   -- "flat confirmed by the venue", or what is open
        )
        """,
        "CREATE INDEX kill_switch_by_session ON kill_switch_events(session_id, wall_ns)",
    ),
    # 3: the ledger's exact working state of an open round trip (cost basis, partial closes), so
    # a resume closes to the same P&L as an uninterrupted run. NULL in rows written before.
    (
        "ALTER TABLE positions ADD COLUMN progress TEXT",  # JSON of exact decimal strings
    ),
    # 4: fill bands (issue 8): per run, the paper decisions' P&L filled worse / as paper / better,
    # so the stored report can show how much of the edge survives worse execution.
    (
        """
        CREATE TABLE fill_bands (
            run_id           INTEGER NOT NULL REFERENCES runs(id),
            model            TEXT    NOT NULL,  -- pessimistic | default | optimistic
            execution        TEXT    NOT NULL,  -- "+250 ms, +2.0 bps": how it fills
            trades           INTEGER NOT NULL,  -- round trips this band closed
            net_pnl          TEXT    NOT NULL,  -- exact decimal, net of fees
            open_quantity    TEXT    NOT NULL,  -- still held at the run's end: not in net_pnl
            short_orders     INTEGER NOT NULL,  -- orders the book could not fill completely
            updated_ns       INTEGER NOT NULL,
            PRIMARY KEY (run_id, model)
        )
        """,
    ),
)

LATEST_VERSION = len(MIGRATIONS)
