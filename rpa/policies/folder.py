"""Reconciling the policies folder with the ledger and GuideWire: the pure part, no browser.

`scan` reads the folder (every file, recursively) into facts; `compare` turns the facts, the
ledger and (when online) GuideWire's issued policies into discrepancies. Checking that a file
is a readable PDF carrying its police number means parsing it with pypdf (a few ms each): too
slow for a folder of 100,000 files every night, so each verdict is kept in the ledger
(`rpa.store.verdicts`) and an unchanged file (same size, same mtime to the nanosecond) is not
parsed again.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from pypdf import PdfReader

from rpa.policies.filing import POLICY_NAME_RE, first_page_mentions
from rpa.store.ledger import LedgerItem, Stage
from rpa.store.verdicts import Verdict, VerdictCache

# Kinds of discrepancy: short code -> what an operator reads in the workbook.
KINDS: dict[str, str] = {
    "pdf_manquant": "Police achetée sans PDF",
    "achetee_hors_rpa": "Police achetée hors rpa (GuideWire la connaît, le registre non)",
    "pdf_inconnu": "PDF d'une police inconnue",
    "doublon": "Même police en plusieurs fichiers",
    "illisible": "Fichier qui n'est pas un PDF lisible",
    "nom_invalide": "Nom hors norme FR-<code>_Policy_<n°>-<AAAAMMJJ>.pdf",
    "texte_sans_numero": "PDF dont le texte ne porte pas son numéro de police",
}

# A name that is not the portal's may still say which police it is (`Policy_0001003079.pdf`,
# `copie 0001003079.pdf`): enough to group it with that police's other files.
_LOOSE_POLICE_RE = re.compile(r"Policy[_ -]?(\d{6,})|(?<!\d)(\d{10})(?!\d)", re.I)
_HTML_RE = re.compile(rb"^\s*(<!doctype|<html|<\?xml|<head|<body|<)", re.I)
_TAIL = 1024  # a complete PDF ends with %%EOF in its last KiB
# Below this many files to parse, starting worker processes costs more than it saves.
_POOL_MIN = 400


@dataclass(frozen=True)
class PdfFile:
    """What the folder says about one file."""

    rel: str  # path relative to the scanned folder, with `/`
    size: int
    mtime_ns: int
    name_ok: bool  # follows FR-<code>_Policy_<n°>-<AAAAMMJJ>.pdf
    police: str  # from the name (strict, else loose), "" when the name says none
    code: str = ""
    date: str = ""
    readable: bool = False
    reason: str = ""  # why it is not readable
    police_in_text: bool | None = None  # None: not checked (unreadable or no police)

    @property
    def depth(self) -> int:
        return self.rel.count("/")

    @property
    def good(self) -> bool:
        """A file that needs nothing done: the portal's name, a real PDF, its number inside."""
        return self.name_ok and self.readable and self.police_in_text is True


@dataclass
class Discrepancy:
    kind: str  # a key of KINDS
    police: str
    file: str  # relative path ("" for a missing PDF)
    detail: str
    action: str = ""

    @property
    def label(self) -> str:
        return KINDS[self.kind]


# -- reading the folder ---------------------------------------------------------------------


def _walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every regular file under `root` with its stat; os.scandir is the fast way down."""
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{rel}/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    yield rel, entry.stat(follow_symlinks=False)


def name_facts(rel: str) -> tuple[bool, str, str, str]:
    """(name follows the rule, police, code, date) from the file name alone."""
    name = rel.rsplit("/", 1)[-1]
    match = POLICY_NAME_RE.match(name)
    if match:
        return True, match["police"], match["code"], match["date"]
    loose = _LOOSE_POLICE_RE.search(name)
    police = (loose.group(1) or loose.group(2)) if loose else ""
    return False, police, "", ""


def check_file(path: str, police: str) -> Verdict:
    """Is `path` a readable PDF, and does its first page's text carry `police`?

    Cheap checks first (empty, not `%PDF-`, no `%%EOF` at the end), pypdf only after them.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
            if not head:
                return Verdict(False, "fichier vide", None)
            if not head.startswith(b"%PDF-"):
                if _HTML_RE.match(head):
                    return Verdict(False, "page HTML enregistrée en .pdf", None)
                return Verdict(False, f"pas un PDF (début : {head[:12]!r})", None)
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - _TAIL))
            if b"%%EOF" not in fh.read(_TAIL):
                return Verdict(False, "PDF tronqué (pas de %%EOF final)", None)
    except OSError as err:
        return Verdict(False, f"lecture impossible : {err.strerror or err}", None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path)
            pages = len(reader.pages)
            mentioned = first_page_mentions(reader, police) if pages and police else None
    except Exception as err:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        return Verdict(False, f"PDF illisible : {type(err).__name__}: {err}"[:200], None)
    if pages == 0:
        return Verdict(False, "PDF sans page", None)
    return Verdict(True, "", mentioned)


def _check_many(jobs: list[tuple[str, str]]) -> list[Verdict]:
    """A worker's batch (top-level so a spawned process can import it)."""
    # A broken file is a verdict, not a log line: pypdf's own warnings would flood the log.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        return [check_file(path, police) for path, police in jobs]
    finally:
        pypdf_log.setLevel(level)


def _chunks(items: list[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def scan(directory: Path, cache: VerdictCache | None = None, *, workers: int | None = None) -> list[PdfFile]:
    """Facts about every file under `directory`; only new or changed files are parsed."""
    root = directory.resolve()
    if not root.is_dir():
        return []
    prefix = f"{root}{os.sep}"
    known = cache.load(prefix) if cache else {}
    files: list[PdfFile] = []
    todo: list[int] = []
    for rel, st in _walk(root):
        name_ok, police, code, date = name_facts(rel)
        facts = PdfFile(rel=rel, size=st.st_size, mtime_ns=st.st_mtime_ns, name_ok=name_ok,
                        police=police, code=code, date=date)
        hit = known.get(prefix + rel)
        if hit and hit[0] == st.st_size and hit[1] == st.st_mtime_ns and hit[2] == police:
            verdict = hit[3]
            facts = replace(facts, readable=verdict.readable, reason=verdict.reason,
                            police_in_text=verdict.police_in_text)
        else:
            todo.append(len(files))
        files.append(facts)
    jobs = [(prefix + files[i].rel, files[i].police) for i in todo]
    verdicts = _check_all(jobs, workers)
    for index, verdict in zip(todo, verdicts, strict=True):
        files[index] = replace(files[index], readable=verdict.readable, reason=verdict.reason,
                               police_in_text=verdict.police_in_text)
    if cache is not None:
        if todo:
            cache.store((prefix + files[i].rel, files[i].size, files[i].mtime_ns, files[i].police,
                         Verdict(files[i].readable, files[i].reason, files[i].police_in_text))
                        for i in todo)
        if len(known) > len(files) - len(todo):
            cache.forget(prefix, {prefix + f.rel for f in files})
    files.sort(key=lambda f: f.rel)
    return files


def _check_all(jobs: list[tuple[str, str]], workers: int | None) -> list[Verdict]:
    """pypdf is CPU-bound: a big cold batch goes to worker processes (spawned, not forked:
    the caller may be running browser and server threads)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < _POOL_MIN:
        return _check_many(jobs)
    size = max(50, min(2000, len(jobs) // (workers * 8) or 1))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return [v for batch in pool.map(_check_many, _chunks(jobs, size)) for v in batch]


# -- comparing ------------------------------------------------------------------------------


def _fault(f: PdfFile) -> tuple[str, str] | None:
    """The file's own problem, worst first (one kind per file: one action per file)."""
    if not f.readable:
        return "illisible", f.reason
    if not f.name_ok:
        return "nom_invalide", "le nom ne suit pas FR-<code>_Policy_<n° police>-<AAAAMMJJ>.pdf"
    if f.police_in_text is False:
        return "texte_sans_numero", f"le texte de la première page ne cite pas la police {f.police}"
    return None


def compare(files: list[PdfFile], ledger_items: list[LedgerItem],
            portal_policies: set[str] | None, root: Path | None = None,
            vins: dict[str, str] | None = None) -> list[Discrepancy]:
    """Every discrepancy between the folder, the ledger and (unless None) GuideWire.

    A police GuideWire holds and the ledger does not was bought outside the bot (by hand,
    before the bot, by a colleague): its own kind, with the VIN GuideWire shows (`vins`),
    whether or not its PDF is in the folder.

    A policy is *bought* if the ledger has it at stage bought/done or GuideWire lists it.
    Files of one police: the best one is kept (valid name, readable, text OK, at the top of
    the folder, then the ledger's own file when `root` says where the files are); the others
    are duplicates unless they have a worse fault (the ledger is relinked after a fix).
    """
    prefix = f"{root.resolve()}{os.sep}" if root is not None else None
    ledger_known = {i.police for i in ledger_items if i.police}
    ledger_pdfs = {i.pdf for i in ledger_items if i.pdf}  # a set: one lookup per file
    bought = {i.police for i in ledger_items if i.police and i.stage.rank >= Stage.BOUGHT.rank}
    if portal_policies is not None:
        bought |= portal_policies
    out: list[Discrepancy] = []
    by_police: dict[str, list[PdfFile]] = {}
    for f in files:
        if f.police:
            by_police.setdefault(f.police, []).append(f)
        else:
            kind, detail = _fault(f) or ("nom_invalide", "aucun numéro de police dans le nom")
            out.append(Discrepancy(kind, "", f.rel, detail))

    def rank(f: PdfFile) -> tuple[bool, bool, bool, int, bool, int, str]:
        return (not f.readable, not f.name_ok, f.police_in_text is not True,
                f.depth, prefix is None or prefix + f.rel not in ledger_pdfs, len(f.rel), f.rel)

    for police, group in by_police.items():
        if len(group) > 1:
            group.sort(key=rank)
        best = group[0]
        for f in group:
            fault = _fault(f)
            if fault:
                out.append(Discrepancy(fault[0], police, f.rel, fault[1]))
            elif f is not best:
                out.append(Discrepancy("doublon", police, f.rel, f"même police que {best.rel}"))
        if best.good and portal_policies is not None and police in portal_policies and police not in ledger_known:
            continue  # bought outside the bot: reported below, with its VIN
        if best.good:
            unknown = [who for who, known in (("du registre", police in ledger_known),
                                              ("de GuideWire", portal_policies is None
                                               or police in portal_policies)) if not known]
            if unknown:
                out.append(Discrepancy("pdf_inconnu", police, best.rel,
                                       "police inconnue " + " et ".join(unknown)))
    for police in sorted(bought):
        group = by_police.get(police, [])
        if police not in ledger_known:
            good = next((f for f in group if f.good), None)
            vin = (vins or {}).get(police, "")
            out.append(Discrepancy("achetee_hors_rpa", police, good.rel if good else "",
                                   f"VIN {vin or '?'} : police de GuideWire absente du registre"
                                   + ("" if good else ", sans PDF dans le dossier")))
            continue
        if not any(f.good for f in group):
            where = "registre" if police in ledger_known else "GuideWire"
            detail = f"police achetée ({where}) sans PDF valide dans le dossier"
            if group:
                detail += " ; fichiers défectueux : " + ", ".join(f.rel for f in group)
            out.append(Discrepancy("pdf_manquant", police, "", detail))
    order = list(KINDS)
    out.sort(key=lambda d: (order.index(d.kind), d.police, d.file))
    return out


def to_quarantine(d: Discrepancy, portal_checked: bool) -> bool:
    """Whether `--fix` moves this file away: bad files and duplicates always; a PDF of an
    unknown police only when every source consulted ignores it (a policy GuideWire knows but
    the ledger does not is a genuine document: it stays)."""
    if not d.file or d.kind == "achetee_hors_rpa":  # a genuine policy: filed, never moved away
        return False
    if d.kind == "pdf_inconnu":
        return ("registre" in d.detail) and (not portal_checked or "GuideWire" in d.detail)
    return True


def quarantine_dir(directory: Path) -> Path:
    return directory.parent / f"{directory.name}-quarantaine"


def free_path(target: Path) -> Path:
    """`target`, or `name-1.pdf`, `name-2.pdf`… the first that does not exist (never overwrite)."""
    if not target.exists():
        return target
    n = 1
    while True:
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        if not candidate.exists():
            return candidate
        n += 1
