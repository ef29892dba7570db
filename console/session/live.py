"""The doors to live trading, the same at a live start and when going live mid-run: the venue's
positions and orders reconciled with the session (``core.engine.reconcile``,
``POSITION_ON_START``), then the venue's dead-man's switch armed, before the first live decision;
leaving live (or a door that fails) releases the switch again."""

from __future__ import annotations

from console.account_lock import AccountLock, AccountLockError
from console.settings import Settings
from console.venue_setup import VenueConnection
from core.dead_man import DeadManPhase, DeadManView
from core.engine import Engine, ModeChangeRefused
from core.engine.reconcile import ReconcileError, Reconciliation
from core.engine.settle import InFlightOrder, SettleError
from core.enums import Mode
from core.maintenance import NOTICE_PREFIX
from core.ports import VenueError


class LiveDoors:
    """Reconciliation and the dead-man's switch of one run's venue."""

    def __init__(
        self,
        engine: Engine,
        connection: VenueConnection,
        settings: Settings,
        start_mode: Mode,
        *,
        account_lock: AccountLock,
        in_flight: tuple[InFlightOrder, ...] = (),
    ) -> None:
        self._engine = engine
        self._account_lock = account_lock
        self._in_flight = in_flight  # the last run's orders without a final answer
        self._connection = connection
        self._settings = settings
        self._start_mode = start_mode  # what the run was started in: where a refused go-live goes
        self.reconciliation: Reconciliation | None = None  # the last one, once live
        self._dead_man_armed = False
        self._maintenance = False  # a venue maintenance window holds the switch off
        self._left_running = False  # released without disarming: the venue's timer runs out
        self._disarmed = False  # released and switched off at the venue (a clean stop)

    async def open(self) -> None:
        """Reconcile, then arm the dead-man's switch. Raises ``ReconcileError`` (venue unreadable
        or holding what the session may not take on), ``SettleError`` (an order the last run left
        without an answer cannot be settled), ``AccountLockError`` (another live session trades
        this account and product) or ``VenueError`` (switch refused)."""
        # First the account: a reconciliation must never flatten another live session's position.
        self._account_lock.acquire()
        if self._in_flight:  # a crash left orders without an answer: the venue's word first
            await self._engine.settle_in_flight(self._in_flight)
            self._in_flight = ()
        self.reconciliation = await self._engine.reconcile_at_start(
            self._settings.position_on_start
        )
        if not self._maintenance:
            await self.arm()

    async def hold_for_maintenance(self, held: bool) -> None:
        """Disarm the dead-man's switch while entries are stopped for a venue maintenance window
        (while the venue still answers, so its timer cannot fire inside the window, when it
        cancels nothing), and arm it again once the window is over if the run is live."""
        dead_man = self._connection.dead_man
        if held == self._maintenance or dead_man is None:
            self._maintenance = held
            return
        notice = self._engine.notice
        if held:
            self._maintenance = True
            if self._dead_man_armed:
                await self.release()
                notice(f"{NOTICE_PREFIX}: dead-man's switch disarmed for the window")
            return
        if self._engine.mode is not Mode.LIVE:
            self._maintenance = False
            return
        try:
            self._maintenance = False
            await self.arm()
        except VenueError as exc:
            self._maintenance = True  # asked again at the next poll
            notice(f"{NOTICE_PREFIX} over: could not re-arm the dead-man's switch ({exc})")
            return
        notice(f"{NOTICE_PREFIX} over: dead-man's switch re-armed")

    async def arm(self) -> None:
        """Arm the dead-man's switch (raises ``VenueError`` if the venue refuses)."""
        dead_man = self._connection.dead_man
        if dead_man is not None and not self._dead_man_armed:
            dead_man.report_to(self._engine.notice)
            await dead_man.start()
            self._dead_man_armed, self._left_running = True, False

    def dead_man_view(self) -> DeadManView:
        """The switch as the console and the STATE line show it."""
        dead_man = self._connection.dead_man
        if dead_man is not None and self._dead_man_armed:
            return dead_man.view()
        if dead_man is not None and self._maintenance and self._engine.mode is Mode.LIVE:
            return DeadManView(DeadManPhase.MAINTENANCE)
        if dead_man is not None and self._left_running:
            return DeadManView(DeadManPhase.OFF, why="left to fire at the venue: not flat")
        mode = self._engine.mode
        if mode is not Mode.LIVE:
            return DeadManView(DeadManPhase.OFF, why=mode.value.lower())
        if dead_man is None:
            return DeadManView(DeadManPhase.OFF, why="no switch at this venue")
        return DeadManView(DeadManPhase.OFF, why="disarmed" if self._disarmed else "not armed")

    async def set_mode(self, mode: Mode) -> None:
        """Change mode mid-run (the console's toggle) through the same doors as a start.

        Going live reconciles with the venue and arms its dead-man's switch before the first live
        decision, exactly as a live start does; leaving live disarms it. Raises
        ``ModeChangeRefused`` with a one-line reason, and then nothing has changed.
        """
        engine = self._engine
        if mode is engine.mode:
            return
        engine.check_mode_change(mode)
        if mode is Mode.LIVE:
            engine.halt_decisions(True)  # no decision in either mode while we check the venue
            try:
                engine.set_mode(mode)
                try:
                    await self.open()
                except (ReconcileError, SettleError, AccountLockError, VenueError) as exc:
                    engine.force_mode(
                        self._start_mode if self._start_mode is not Mode.LIVE else Mode.DRY_RUN
                    )
                    await self.release()
                    raise ModeChangeRefused(f"cannot go live safely: {exc}") from None
            finally:
                engine.halt_decisions(False)
            return
        engine.set_mode(mode)
        await self.release()

    async def release(self, *, disarm: bool = True) -> None:
        """Stop the dead-man's switch if armed; ``disarm`` False leaves the venue's timer running
        (live and not confirmed flat: the venue cancels what was left behind). The account is
        free again."""
        self._account_lock.release()
        dead_man = self._connection.dead_man
        if dead_man is not None and self._dead_man_armed:
            self._dead_man_armed = False
            self._left_running, self._disarmed = not disarm, disarm
            await dead_man.stop(disarm=disarm)
