"""What a garbled portal answers (`Sandbox.garbage`): a page as a broken proxy or a
half-deployed release serves it, for tests of a bot that must not read anything into it.

Its tags name nothing a user looks for (no form, control, label or role), and its text has
no vowels, `x`, `v` or `°` (nor `&`, which could spell any of them as an entity), so that no
name of PORTALS.md (`Connexion`, `VIN`, `N°`, `4x4`, `VP`…) can come out of it. `Ã©` and
`\\ufffd`: mojibake.
"""

from __future__ import annotations

import random

GARBAGE_TAGS = ("div", "span", "p", "td", "tr", "table", "ul", "li", "b", "em", "font", "center")
GARBAGE_TEXT = "bcdfghjklmnpqrstwzBCDFGHJKLMNPQRSTWZ0123456789#%*+=|~^_;:!?$@  \ufffdÃ©"


def garbage_page(rng: random.Random) -> str:
    """Markup cut short, random characters, mojibake. Drawn from `rng`, so a seed replays
    the same pages."""
    parts = []
    if rng.random() < 0.5:  # a head, sometimes: what follows is still shown, not swallowed by it
        parts.append(f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>'
                     f'{garbage_text(rng, 1, 12)}</title></head><body>')
    for _ in range(rng.randint(20, 60)):
        tag = rng.choice(GARBAGE_TAGS)
        kind = rng.random()
        if kind < 0.3:
            parts.append(f'<{tag} class="{garbage_text(rng, 3, 8)}">')
        elif kind < 0.5:
            parts.append(f"</{tag}>")
        elif kind < 0.6:
            parts.append(f"<{tag}"[: rng.randint(1, len(tag) + 1)])  # a tag cut in the middle
        else:
            parts.append(garbage_text(rng, 1, 40))
    parts.append(f'<{rng.choice(GARBAGE_TAGS)} cl')  # and the answer stops mid-tag
    return "".join(parts)


def garbage_text(rng: random.Random, shortest: int, longest: int) -> str:
    return "".join(rng.choice(GARBAGE_TEXT) for _ in range(rng.randint(shortest, longest)))
