"""GuideWire's next release, as far as its markup goes (the `markup` drift, rpa/sandbox/drift.py).

A person does not notice any of it: the same labels, button texts, column headers, headings,
card names and dialog titles. What changes is what a careless script relies on: extra wrapper
elements around controls, rows, cards and cell content; buttons drawn as links; list columns
in another order, with extra columns; some tables as ARIA grids (cells are `gridcell`); labels
tied by `aria-labelledby` instead of `<label for>`; required marks as `<abbr>`; some headings
as `<div role="heading">`.

The choices are fixed per seed (a release does not redesign itself between two pages, nor when
the server restarts), and the same for the server-rendered portal and the client-side one:
both draw from `Markup`, the templates through Jinja, the SPA through its JSON config.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from rpa.sandbox.drift import Drift

# Buttons every drifted release draws as links (`<a href="#">Suivant</a>`: role link, same text).
ALWAYS_LINKS = ("Suivant", "Sélectionner", "Continuer le devis", "Acheter maintenant")
# Buttons a release may draw as links too (never the dialog's `Oui`/`Cancel` nor `Connexion`).
MAYBE_LINKS = ("Précédent", "Sauvegarder", "Supprimer le devis", "Annuler")


@dataclass(frozen=True)
class Column:
    key: str  # the key in a row dict (rpa/sandbox/guidewire/domain.py)
    header: str  # the column header a user reads (PORTALS.md)
    link: bool = False  # the cell is a link to the row's `href`


@dataclass(frozen=True)
class TableSpec:
    columns: tuple[Column, ...]
    extras: tuple[Column, ...] = ()  # columns only the drifted release shows


_EFFET = Column("effet", "DATE D'EFFET")
_AGENCE = Column("agence", "AGENCE")
EXTRA_KEYS = frozenset({_EFFET.key, _AGENCE.key})

TABLES: dict[str, TableSpec] = {
    "devis": TableSpec((
        Column("cree", "CRÉÉ"), Column("produit", "PRODUIT"),
        Column("numero", "NUMÉRO DE LA TRANSACTION", link=True), Column("compte", "COMPTE CLIENT"),
        Column("premium", "PREMIUM"), Column("statut", "STATUT"),
    ), (_EFFET, _AGENCE)),
    "recherche": TableSpec((
        Column("type", "TYPE"), Column("numero", "NUMÉRO", link=True), Column("statut", "STATUT"),
        Column("compte", "COMPTE CLIENT"), Column("vin", "VIN"),
    ), (_EFFET, _AGENCE)),
    "polices": TableSpec((
        Column("produit", "PRODUIT"), Column("couverture", "TYPE DE COUVERTURE"),
        Column("statut", "STATUT"), Column("numero", "NUMÉRO DE POLICE", link=True),
        Column("compte", "COMPTE CLIENT"),
    ), (_EFFET, _AGENCE)),
    "comptes": TableSpec((
        Column("compte", "COMPTE CLIENT"), Column("devis", "DEVIS"), Column("polices", "POLICES"),
    ), (_AGENCE,)),
    "vehicules": TableSpec((
        Column("immat", "Immatriculation"), Column("vin", "VIN"), Column("marque", "Marque"),
        Column("modele", "Modèle"),
    )),
}


@dataclass(frozen=True)
class Markup:
    """One release's markup choices. `Markup()` is today's markup (the drift off)."""

    on: bool = False
    wrappers: int = 0  # how many extra elements wrap controls, cards and cell content
    links: frozenset[str] = frozenset()  # button texts drawn as links
    columns: dict[str, tuple[Column, ...]] = field(default_factory=dict)  # table -> shown columns
    grids: frozenset[str] = frozenset()  # tables drawn as `<table role="grid">`
    labelledby: frozenset[str] = frozenset()  # field labels tied by aria-labelledby
    div_headings: frozenset[int] = frozenset()  # heading levels drawn as div role=heading

    @classmethod
    def draw(cls, drift: Drift) -> Markup:
        """Today's markup, or the drifted release this seed stands for."""
        if not drift.on("markup"):
            return cls()
        rng = random.Random(f"{drift.seed}:guidewire-markup")
        columns = {name: _reordered(spec, rng) for name, spec in TABLES.items()}
        lists = sorted(n for n in TABLES if n != "vehicules")
        grids = {n for n in TABLES if rng.random() < 0.5} or {rng.choice(lists)}
        links = set(ALWAYS_LINKS) | {b for b in MAYBE_LINKS if rng.random() < 0.5}
        labels = {label for label in _LABELS if rng.random() < 0.6} or {"VIN *"}
        levels = {lv for lv in (1, 2, 3) if rng.random() < 0.5} or {2}
        return cls(on=True, wrappers=rng.randint(1, 3), links=frozenset(links), columns=columns,
                   grids=frozenset(grids), labelledby=frozenset(labels),
                   div_headings=frozenset(levels))

    # -- what the templates ask ------------------------------------------------------------
    def link(self, label: str) -> bool:
        """Is the button `label` drawn as a link?"""
        return label in self.links

    def grid(self, table: str) -> bool:
        return table in self.grids

    def by_id(self, label: str) -> bool:
        """Is the field `label` tied to its text by aria-labelledby (no `<label for>`)?"""
        return label in self.labelledby

    def div_heading(self, level: int) -> bool:
        return level in self.div_headings

    def shown(self, table: str) -> tuple[Column, ...]:
        """The columns of `table` in the order shown."""
        return self.columns.get(table) or TABLES[table].columns

    def config(self) -> dict[str, Any]:
        """The same choices for the client-side application (JSON)."""
        return {
            "on": self.on, "wrappers": self.wrappers, "links": sorted(self.links),
            "columns": {name: [{"key": c.key, "header": c.header, "link": c.link}
                               for c in self.shown(name)] for name in TABLES},
            "grids": sorted(self.grids), "labelledby": sorted(self.labelledby),
            "divHeadings": sorted(self.div_headings),
        }


# Every field label a drifted release may tie by aria-labelledby.
_LABELS = (
    "Nom d'utilisateur :", "Mot de passe :", "Date de livraison *",
    "VIN *", "Immatriculation *", "Type de véhicule *", "Première date d'immatriculation *",
    "Marque *", "Modèle *", "Type d'énergie *", "Puissance de la voiture *", "Kilométrage *",
    "Garantie constructeur - date de fin *", "Garantie constructeur - kilomètres *",
    "Spécificités du véhicule *", "Vendeur véhicule d'occasion",
)


def _reordered(spec: TableSpec, rng: random.Random) -> tuple[Column, ...]:
    """The columns shuffled (never in today's order), with at least one extra column."""
    shown = list(spec.columns)
    if len(shown) > 1:
        while shown == list(spec.columns):
            rng.shuffle(shown)
    extras = [c for c in spec.extras if rng.random() < 0.6] or list(spec.extras[:1])
    for extra in extras:
        shown.insert(rng.randrange(len(shown) + 1), extra)
    return tuple(shown)
