"""A portal's next release, as far as its markup goes (the `markup` drift, drift.py): shared by
Planet VO, reseauxconnect and the Traqueur extranet, each drawing its own from its seed.
(GuideWire draws its release from guidewire/markup.py.)"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from rpa.sandbox.drift import Drift


@dataclass(frozen=True)
class TableSpec:
    """A list's columns as PORTALS.md gives them, and those only a drifted release adds."""

    columns: tuple[str, ...]
    extras: tuple[str, ...] = ()


@dataclass(frozen=True)
class Release:
    """A portal's next release, as far as its markup goes; `Release()` is today's markup.

    A person notices none of it: the same labels, button and link texts, column headers,
    headings and dialog titles. What changes is what a script written against markup relies
    on. Fixed per seed and portal (a release does not redesign itself between two pages, nor
    when the server comes back after an outage): drawn from its own generator, so turning on
    another drift, or visiting the pages in another order, draws the same release.
    """

    on: bool = False
    wrappers: int = 0  # extra elements around cell content and controls; a `tbody` a row
    links: frozenset[str] = frozenset()  # button texts drawn as links
    grids: frozenset[str] = frozenset()  # tables drawn as `<table role="grid">`
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # table -> shown
    labelledby: frozenset[str] = frozenset()  # forms whose labels are tied by aria-labelledby
    abbr: bool = False  # required marks drawn as `<abbr title="obligatoire">*</abbr>`
    div_headings: frozenset[int] = frozenset()  # heading levels drawn as `div role=heading`

    @classmethod
    def draw(cls, drift: Drift, portal: str, *, links: Sequence[str],
             maybe_links: Sequence[str], tables: Mapping[str, TableSpec],
             forms: Sequence[str], other_tables: Sequence[str] = ()) -> Release:
        """`links` always become links (those the bot clicks most), `maybe_links` by chance;
        every list in `tables` shows its columns in another order with its extras; a table in
        two (at least one; `other_tables` keep their columns) is a grid, a form in two (at
        least one) ties its labels by id."""
        if not drift.on("markup"):
            return cls()
        rng = random.Random(f"{drift.seed}:{portal}-markup")
        columns = {key: tuple(rng.sample(spec.columns + spec.extras, len(spec.columns + spec.extras)))
                   for key, spec in tables.items()}
        return cls(
            on=True,
            wrappers=rng.choice([1, 2]),
            links=frozenset(links) | {text for text in maybe_links if rng.random() < 0.5},
            columns=columns,
            grids=_some(rng, sorted([*tables, *other_tables])),
            labelledby=_some(rng, forms),
            abbr=rng.random() < 0.5,
            div_headings=frozenset(level for level in (1, 2) if rng.random() < 0.5),
        )

    # -- what templates ask ------------------------------------------------------------------
    def link(self, text: str) -> bool:
        return text in self.links

    def grid(self, table: str) -> bool:
        return table in self.grids

    def order(self, table: str, default: Sequence[str]) -> tuple[str, ...]:
        """The columns a list shows, in the release's order."""
        return self.columns.get(table, tuple(default))

    def by_id(self, form: str) -> bool:
        return form in self.labelledby

    # -- small pieces of HTML, today's markup when the release is not drawn --------------------
    def table_role(self, table: str) -> Markup:
        return Markup(' role="grid"') if self.grid(table) else Markup("")

    def cell(self, content: object) -> Markup:
        """A cell's content (escaped unless already markup), inside the release's wrappers."""
        inner = escape(content)
        if self.wrappers:
            inner = Markup("<span>{}</span>").format(inner)
        for depth in range(self.wrappers):
            inner = Markup('<div class="rw{}">{}</div>').format(depth + 1, inner)
        return inner

    def control(self, html: Markup | str) -> Markup:
        """A control inside the release's wrappers (laid out as if they were not there)."""
        inner = Markup(html)
        for depth in range(self.wrappers):
            inner = Markup('<span class="rw{}" style="display:contents">{}</span>').format(depth + 1, inner)
        return inner

    def row_group(self, opening: bool) -> Markup:
        """`<tbody>` around each row in a drifted release (around all of them today)."""
        if not self.wrappers:
            return Markup("")
        return Markup("<tbody>" if opening else "</tbody>")

    def rows_group(self, opening: bool) -> Markup:
        """Today's one `<tbody>` around all the rows (none when each row has its own)."""
        if self.wrappers:
            return Markup("")
        return Markup("<tbody>" if opening else "</tbody>")

    def mark(self, text: str) -> Markup:
        """A label's text; its required mark (`Nom*`, `Date de dépose *`) may be an `<abbr>`."""
        if self.abbr and text.endswith("*"):
            return Markup('{}<abbr title="obligatoire">*</abbr>').format(text[:-1])
        return escape(text)

    def label(self, form: str, control_id: str, text: str, cls: str = "") -> Markup:
        """The label of control `control_id`: `<label for>`, or a text the control points at."""
        klass = Markup(' class="{}"').format(cls) if cls else Markup("")
        if self.by_id(form):
            return Markup('<span{} id="{}-label">{}</span>').format(klass, control_id, self.mark(text))
        return Markup('<label{} for="{}">{}</label>').format(klass, control_id, self.mark(text))

    def tie(self, form: str, control_id: str) -> Markup:
        """The attribute a control needs when its label points at it by id."""
        if self.by_id(form):
            return Markup(' aria-labelledby="{}-label"').format(control_id)
        return Markup("")

    def heading(self, level: int, text: str, id: str = "", cls: str = "") -> Markup:
        """`<hN>`, or `<div role="heading" aria-level="N">`: same name, same level."""
        ident = Markup(' id="{}"').format(id) if id else Markup("")
        if level in self.div_headings:
            return Markup('<div role="heading" aria-level="{}" class="{}"{}>{}</div>').format(
                level, f"h{level} {cls}".strip(), ident, text)
        klass = Markup(' class="{}"').format(cls) if cls else Markup("")
        return Markup("<h{}{}{}>{}</h{}>").format(level, klass, ident, text, level)


def _some(rng: random.Random, keys: Sequence[str]) -> frozenset[str]:
    """About half of `keys`, never none of them."""
    chosen = {key for key in keys if rng.random() < 0.5}
    return frozenset(chosen or {rng.choice(list(keys))}) if keys else frozenset()


@dataclass
class Releases:
    """A portal's release as its pages draw it: today's markup with the drift off, else this
    seed's next release, drawn once per seed."""

    draw: Callable[[Drift], Release]
    drawn: dict[int, Release] = field(default_factory=dict)

    def current(self, drift: Drift) -> Release:
        if not drift.on("markup"):
            return Release()
        if drift.seed not in self.drawn:
            self.drawn[drift.seed] = self.draw(drift)
        return self.drawn[drift.seed]
