"""The roster: the chefs, from hiring to firing, and who of them is on duty.

A chef's state says whether they work (idle, cooking, prepping, or idle in the dark) or not (on
leave, on a day off, on call as a backup, on the way in); pay follows the state
(`Books.pay_chef`). A chef hired during the shift arrives after the scenario's hiring delay.
Leave takes a chef off duty after the current job and calls in a backup; the backup goes back on
call when the chef returns. Whenever the chefs on duty change, items no one on duty can take are
re-routed and the remap meter compares what modulo hashing and a ring would move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pizzashop.sim import events
from pizzashop.sim.hashing import remapped_fraction
from pizzashop.sim.shop import WORKING, Accrual, Chef, ChefState

if TYPE_CHECKING:
    from pizzashop.sim.books import Books
    from pizzashop.sim.kitchen import Kitchen
    from pizzashop.sim.shop import Branch, Shop

CHEF_NAMES = (
    "Mario", "Sofia", "Luigi", "Giulia", "Marco", "Chiara", "Paolo", "Anna", "Enzo", "Rosa",
    "Dario", "Elena", "Fabio", "Lucia", "Nico", "Marta", "Piero", "Sara", "Gino", "Vera",
)  # fmt: skip


class Roster:
    """Hires, fires, trains and moves chefs between states; keeps the remap meter."""

    def __init__(self, shop: Shop, kitchen: Kitchen, books: Books) -> None:
        self.shop = shop
        self.loop = shop.loop
        self.metrics = shop.metrics
        self.chefs = shop.chefs
        self.kitchen = kitchen
        self.books = books
        self.staff = shop.scenario.staff
        self.regulars = shop.scenario.regulars
        self.remaps: list[dict] = []
        self._chef_ids = 0

    # -------------------------------------------------------------- payroll

    def add(
        self, branch: Branch, name: str, specialty: str, level: int, state: ChefState | None = None
    ) -> Chef:
        """A new chef at the branch in `state`: by default on duty at once (in the dark if the
        power is off)."""
        self._chef_ids += 1
        chef = Chef(f"c{self._chef_ids}", name, branch, specialty, level, self.speed_at(level))
        chef.pay = Accrual("wages", 0.0, self.loop.now)
        branch.chefs.append(chef)
        self.chefs[chef.id] = chef
        if state is None:
            state = ChefState.IDLE if branch.lit else ChefState.NO_POWER
        chef.state = state
        self.set_state(chef, state)
        return chef

    def hire(self, branch: Branch, name: str, specialty: str) -> Chef:
        """Add a level-1 chef during the shift. They arrive after the scenario's hiring delay
        (unpaid until then) and start on the waiting items; with no delay, at once."""
        delay = self.staff.hire_minutes
        if delay <= 0:
            before = self._members(branch)
            chef = self.add(branch, name, specialty, 1)
            self._members_changed(branch, before)
            self.kitchen.wake(branch)
            return chef
        chef = self.add(branch, name, specialty, 1, ChefState.CALLED_IN)
        arrival = self.loop.now + delay
        self.loop.at(arrival, events.HIRE_ARRIVES, chef)
        self.metrics.record(
            self.loop.now,
            "staff",
            f"{chef.name} is hired and arrives at {self.shop.clock(arrival)}",
            branch.name,
            chef.name,
        )
        return chef

    def hire_arrives(self, chef: Chef) -> None:
        """A chef hired during the shift arrives: to work, or on call if made a backup on the
        way (and straight to work when a chef is away with nobody covering)."""
        if chef.id not in self.chefs or chef.state is not ChefState.CALLED_IN:
            return
        if chef.covering is not None:  # called in as a backup on the way: backup_arrives
            return
        branch = chef.branch
        before = self._members(branch)
        if chef.backup:
            absent = self._uncovered(branch)
            if absent is None:
                self.set_state(chef, ChefState.ON_CALL)
                self.metrics.record(
                    self.loop.now, "staff", f"{chef.name} arrived, on call", branch.name, chef.name
                )
                return
            chef.covering = absent.id
        self.set_state(chef, ChefState.IDLE if branch.lit else ChefState.NO_POWER)
        self.metrics.record(
            self.loop.now, "staff", f"{chef.name} arrived and starts work", branch.name, chef.name
        )
        self._members_changed(branch, before)
        self.kitchen.wake(branch)

    def _uncovered(self, branch: Branch) -> Chef | None:
        """A chef of the branch on leave whom no backup covers."""
        covered = {chef.covering for chef in branch.chefs}
        for chef in branch.chefs:
            if chef.state is ChefState.ON_LEAVE and chef.id not in covered and not chef.backup:
                return chef
        return None

    def fire(self, chef: Chef) -> None:
        """The chef leaves for good: their item goes back to its line, their queue re-routed."""
        branch = chef.branch
        before = self._members(branch)
        self.kitchen.interrupt(chef)
        self.set_state(chef, ChefState.ON_LEAVE)
        self.books.settle(chef.pay)
        branch.chefs.remove(chef)
        del self.chefs[chef.id]
        self.kitchen.release_queue(chef)
        for backup in branch.chefs:
            if backup.covering == chef.id:
                backup.covering = None
                if backup.state in (ChefState.IDLE, ChefState.CALLED_IN):
                    self.set_state(backup, ChefState.ON_CALL)
        self._members_changed(branch, before)
        self.kitchen.wake(branch)

    def upgrade(self, chef: Chef) -> None:
        """Train the chef one level up: faster, and paid more from now on."""
        self.books.settle(chef.pay)
        chef.level += 1
        chef.speed = self.speed_at(chef.level)
        self.set_state(chef, chef.state)

    def set_specialty(self, chef: Chef, specialty: str) -> None:
        chef.specialty = specialty
        self.kitchen.rescue_orphans(chef.branch)
        self.kitchen.wake(chef.branch)

    def mark_backup(self, chef: Chef, backup: bool) -> None:
        """Put the chef on call as a backup (off duty unless busy), or back on duty."""
        branch = chef.branch
        before = self._members(branch)
        chef.backup = backup
        if backup:
            if chef.state is ChefState.IDLE:
                self.set_state(chef, ChefState.ON_CALL)
                self.kitchen.release_queue(chef)
            elif chef.state is ChefState.OFF:  # reachable on their day off, for the retainer
                self.set_state(chef, ChefState.ON_CALL)
        else:
            chef.covering = None
            if chef.state is ChefState.ON_CALL:
                self.set_state(chef, ChefState.IDLE if branch.lit else ChefState.NO_POWER)
        self._members_changed(branch, before)
        self.kitchen.wake(branch)

    def next_chef_name(self) -> str:
        taken = {chef.name for chef in self.chefs.values()}
        for lap in range(1, 100):
            for base in CHEF_NAMES:
                name = base if lap == 1 else f"{base} {lap}"
                if name not in taken:
                    return name
        return f"Chef {self._chef_ids + 1}"

    def speed_at(self, level: int) -> float:
        return self.staff.speed_by_level[level - 1]

    def set_state(self, chef: Chef, state: ChefState) -> None:
        """Change a chef's state, settling wages when the pay rate changes, and keep the time
        each chef is on duty (for utilisation and the meters) and each branch has nobody on
        duty."""
        self.books.pay_chef(chef, state)
        was, now = chef.duty_since >= 0.0, state in WORKING
        chef.state = state
        if was == now:
            return
        time, branch = self.loop.now, chef.branch
        if now:
            chef.duty_since = time
            if branch.no_chef_since >= 0:
                branch.no_chef_minutes += time - branch.no_chef_since
                branch.no_chef_since = -1.0
        else:
            served = time - chef.duty_since
            chef.duty_minutes += served
            self.metrics.duty_minutes += served
            chef.duty_since = -1.0
            if not any(other.state in WORKING for other in branch.chefs):
                branch.no_chef_since = time

    # ---------------------------------------------------------------- duty

    def after_job(self, chef: Chef) -> None:
        """A chef just finished a job: leave, go back on call, or take the next one."""
        if chef.absent_until > self.loop.now:
            self._go_on_leave(chef)
        elif chef.backup and chef.covering is None:
            before = self._members(chef.branch)
            self.set_state(chef, ChefState.ON_CALL)
            self.kitchen.release_queue(chef)
            self._members_changed(chef.branch, before)
        else:
            self.kitchen.next_job(chef)

    def leave_start(self, ref: tuple[Chef, float]) -> None:
        """Leave begins: now, or after the job the chef is doing."""
        chef, until = ref
        if chef.id not in self.chefs or until <= self.loop.now or chef.state is ChefState.OFF:
            return
        chef.absent_until = max(chef.absent_until, until)
        self.loop.at(until, events.LEAVE_END, chef)
        if chef.state in (ChefState.COOKING, ChefState.PREPPING):
            self.metrics.record(
                self.loop.now,
                "staff",
                f"{chef.name} will leave after this job",
                chef.branch.name,
                chef.name,
            )
            return
        self._go_on_leave(chef)

    def send_on_leave(self, chef: Chef, minutes: float) -> None:
        """A game day's leave: the chef is away for `minutes` from now (after the current job)."""
        self.leave_start((chef, self.loop.now + minutes))

    def _go_on_leave(self, chef: Chef) -> None:
        branch = chef.branch
        before = self._members(branch)
        was_working = chef.state in WORKING
        self.kitchen.interrupt(chef)
        self.set_state(chef, ChefState.ON_LEAVE)
        if chef.absent_until >= self.shop.scenario.shift_hours * 60.0:
            until = "for the rest of the shift"
        else:
            until = f"until {self.shop.clock(chef.absent_until)}"
        self.metrics.record(
            self.loop.now, "staff", f"{chef.name} is on leave {until}", branch.name, chef.name
        )
        if was_working:
            self._call_backup(branch, chef)
        self.kitchen.release_queue(chef)
        self._members_changed(branch, before)

    def leave_end(self, chef: Chef) -> None:
        if chef.id not in self.chefs or chef.state is not ChefState.ON_LEAVE:
            return
        if chef.absent_until > self.loop.now:
            return
        branch = chef.branch
        before = self._members(branch)
        back = ChefState.ON_CALL if chef.backup else ChefState.IDLE
        if back is ChefState.IDLE and not branch.lit:
            back = ChefState.NO_POWER
        self.set_state(chef, back)
        self.metrics.record(self.loop.now, "staff", f"{chef.name} is back", branch.name, chef.name)
        self._release_cover(chef)
        self._members_changed(branch, before)
        self.kitchen.wake(branch)

    def _call_backup(self, branch: Branch, absent: Chef) -> None:
        now = self.loop.now
        for backup in branch.chefs:
            if backup.backup and backup.state is ChefState.ON_CALL:
                backup.covering = absent.id
                self.set_state(backup, ChefState.CALLED_IN)
                arrival = now + self.staff.call_in_minutes
                self.loop.at(arrival, events.BACKUP_ARRIVES, backup)
                self.metrics.record(
                    now,
                    "staff",
                    f"backup {backup.name} called in for {absent.name}, arriving "
                    f"{self.shop.clock(arrival)}",
                    branch.name,
                    backup.name,
                )
                return
        if not any(chef.on_duty for chef in branch.chefs):
            self.metrics.record(now, "staff", f"no chef left on duty at {branch.name}", branch.name)

    def backup_arrives(self, chef: Chef) -> None:
        if chef.id not in self.chefs or chef.state is not ChefState.CALLED_IN:
            return
        branch = chef.branch
        before = self._members(branch)
        self.set_state(chef, ChefState.IDLE if branch.lit else ChefState.NO_POWER)
        self.metrics.record(
            self.loop.now, "staff", f"backup {chef.name} arrived", branch.name, chef.name
        )
        self._members_changed(branch, before)
        self.kitchen.wake(branch)

    def _release_cover(self, returning: Chef) -> None:
        for backup in returning.branch.chefs:
            if backup.covering == returning.id:
                backup.covering = None
                if backup.state in (ChefState.IDLE, ChefState.NO_POWER, ChefState.CALLED_IN):
                    self.set_state(backup, ChefState.ON_CALL)

    def _members(self, branch: Branch) -> list[str]:
        return [chef.id for chef in branch.chefs if chef.state in WORKING]

    def remaps_matter(self, branch: Branch) -> bool:
        """Whether the chefs joining or leaving the branch remaps customers who care: regulars
        know their chef in this scenario, or the branch routes by hashing customers."""
        return self.regulars.chef_speedup < 1.0 or self.kitchen.router(branch).hashes_customers

    def _members_changed(self, branch: Branch, before: list[str]) -> None:
        """Rescue orphaned lines, warn at once if nobody is left, and report the remap meter
        (where remaps matter) when the chefs on duty change."""
        after = self._members(branch)
        if before == after:
            return
        self.kitchen.rescue_orphans(branch)
        self.books.recheck(branch)
        if not before or not after or not self.remaps_matter(branch):
            return
        moved = remapped_fraction(before, after, self.regulars.customers, self.regulars.ring_vnodes)
        actual = None
        if self.kitchen.router(branch).hashes_customers:
            actual = moved["ring" if branch.strategy == "ring" else "modulo"]
        now = self.loop.now
        remap = {
            "time": now, "branch": branch.name, "before": len(before), "after": len(after),
            "modulo": moved["modulo"], "ring": moved["ring"], "actual": actual,
        }  # fmt: skip
        self.remaps.append(remap)
        self.metrics.record(
            now,
            "remap",
            f"chefs {len(before)}→{len(after)}: modulo would remap {moved['modulo']:.0%} of "
            f"customers, a ring {moved['ring']:.0%}",
            branch.name,
        )
