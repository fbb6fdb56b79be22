"""`rpa removals process` N lines at a time, the way a warranty run works its vehicles: one
browser, a context and signed-in tab per worker, each worker in its own greenlet
(`rpa.browser.workers`) taking work off one shared queue, every line claimed in the ledger
through its worker's boundary, one guard for the run.

The queue holds VINs, not lines: a file may act twice on one VIN (Accepter, then Signaler),
and the second move is only legal after the first, so a VIN's lines go to one worker, which
does them in file order.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from functools import partial

from loguru import logger

from rpa.browser.workers import run_together
from rpa.core.errors import RpaError, SignInRefused
from rpa.flows.boundary import Ended
from rpa.flows.extranet import Extranet, ExtranetCrew
from rpa.flows.remover import Applied, RemoverBoard
from rpa.sheets.removals import ActionLine

# One action line and how it ended at the boundary.
Done = tuple[ActionLine, Ended[Applied]]


def action_key(action: ActionLine) -> str:
    """The line's name in traces, screenshots and claims: one file may act twice on a VIN."""
    return f"{action.vin}-{action.action}-L{action.row}"


def vin_groups(actions: list[ActionLine]) -> list[list[ActionLine]]:
    """The file's lines by VIN, each VIN's in file order, VINs in order of first appearance."""
    groups: dict[str, list[ActionLine]] = {}
    for action in actions:
        groups.setdefault(action.vin, []).append(action)
    return list(groups.values())


class RemoverWorker:
    """One worker: its tab and boundary (`Extranet`), and its own view of the remover's list."""

    def __init__(self, side: Extranet, keys: dict[str, ActionLine]) -> None:
        """`keys`: every line of the file by its `action_key`, to record a failed line."""
        self.side = side
        self.name = side.name
        self.board = RemoverBoard(side)
        side.boundary.on_failure = lambda key, failure: side.records.action(keys[key].vin, keys[key].action, "failed")

    def sign_in(self) -> bool:
        """A worker after the first signs in as it starts; if it cannot, the others take its share."""
        try:
            self.side.sign_in()
        except SignInRefused:
            return False  # the guard has stopped the run, in the portal's words
        except RpaError as err:  # retried already: the lines stay on the queue for the others
            logger.warning("connexion impossible ({}) : les autres workers prennent ses lignes", err.message)
            return False
        return True

    def apply(self, action: ActionLine) -> Ended[Applied]:
        work = partial(self.side.retrying, f"{action.action} {action.vin}", partial(self.board.apply, action))
        return self.side.boundary.run(action_key(action), work)


def process_together(crew: ExtranetCrew, actions: list[ActionLine], workers: int) -> list[Done]:
    """Every line through a worker's boundary, at most `workers` VINs at once (never more
    workers than VINs). Each line ends exactly once; a line no worker could reach (its worker
    broke down) is deferred to the next run, which finds on the portal what is left to do."""
    groups = vin_groups(actions)
    todo: queue.SimpleQueue[list[ActionLine]] = queue.SimpleQueue()
    for group in groups:
        todo.put(group)
    keys = {action_key(a): a for a in actions}
    count = max(1, min(workers, len(groups)))
    team = [RemoverWorker(crew.first, keys)] + [RemoverWorker(crew.join(n), keys) for n in range(1, count)]
    done: list[Done] = []
    jobs = [partial(_work, worker, todo, done.append, signed_in=n == 0) for n, worker in enumerate(team)]
    broken = run_together(crew.browser, jobs)
    for err in broken:  # a worker that broke down: the others went on
        logger.opt(exception=err).error("worker arrêté : {}", err)
    ended = {action.row for action, _ in done}
    reason = f"interrompu ({broken[0]}) : repris au prochain run" if broken else "interrompu : repris au prochain run"
    done += [(a, Ended(deferred=reason)) for a in actions if a.row not in ended]
    return sorted(done, key=lambda d: d[0].row)


def _work(worker: RemoverWorker, todo: queue.SimpleQueue[list[ActionLine]], record: Callable[[Done], None],
          *, signed_in: bool) -> None:
    """Take VINs off the queue until it is empty. Every log line says which worker."""
    with logger.contextualize(worker=worker.name):
        if not signed_in and not worker.sign_in():
            return
        while True:
            try:
                group = todo.get_nowait()
            except queue.Empty:
                return
            for action in group:
                record((action, worker.apply(action)))
