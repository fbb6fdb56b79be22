"""Filing policy PDFs: the portal's file name, made safe, and proof that it is a real PDF."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from loguru import logger
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from rpa.core.errors import SystemFailure
from rpa.core.files import private_dir

# FR-<code vendeur>_Policy_<n° police>-<AAAAMMJJ>.pdf (PORTALS.md §3)
POLICY_NAME_RE = re.compile(r"^FR-(?P<code>[A-Za-z0-9]+)_Policy_(?P<police>\d+)-(?P<date>\d{8})\.pdf$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class NotAPdf(SystemFailure):
    """The download was not a policy PDF (an error page, a truncated file): fetch it again."""

    code = "not_a_pdf"


def safe_name(suggested: str, police: str) -> str:
    """The portal's name without any path or odd character; it must name this police."""
    base = _UNSAFE.sub("_", os.path.basename(suggested.replace("\\", "/"))).strip("._")
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    if police not in base:
        base = f"Policy_{police}_{base}"
    return base


def first_page_mentions(reader: PdfReader, police: str) -> bool:
    """Does the first page carry `police` in its text?

    The page's content stream is searched first (a tenth of the cost of laying out its
    text); only when the number is not there literally, split or encoded, is the text
    extracted the slow way.
    """
    page = reader.pages[0]
    contents = page.get_contents()
    if contents is not None and police.encode() in contents.get_data():
        return True
    return police in re.sub(r"\s+", "", page.extract_text() or "")


def check_pdf(path: Path, police: str) -> int:
    """Raise NotAPdf unless `path` is a readable PDF; returns its page count."""
    with path.open("rb") as fh:
        head = fh.read(5)
    if head != b"%PDF-":
        raise NotAPdf(f"le fichier téléchargé n'est pas un PDF (début : {head!r})")
    try:
        reader = PdfReader(path)
        pages = len(reader.pages)
        mentioned = first_page_mentions(reader, police) if pages else False
    except (PdfReadError, OSError, ValueError) as err:
        raise NotAPdf(f"PDF illisible : {err}") from err
    if pages == 0:
        raise NotAPdf("PDF sans page")
    if not mentioned:
        logger.warning("le PDF de la police {} ne cite pas son numéro dans son texte", police)
    return pages


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_policy(download: Path, suggested: str, police: str, directory: Path) -> Path:
    """Move a checked download into `directory` under the portal's name.

    Never overwrites another file's good PDF: a valid file already there for this police is
    kept as is (the download is dropped); only a broken one is replaced.
    """
    check_pdf(download, police)
    private_dir(directory)
    target = directory / safe_name(suggested, police)
    if target.exists():
        try:
            check_pdf(target, police)
            if _digest(target) != _digest(download):
                logger.info("{} existe déjà et est valide : conservé", target.name)
            download.unlink(missing_ok=True)
            return target
        except NotAPdf:
            logger.warning("{} existant est illisible : remplacé", target.name)
    download.chmod(0o600)
    shutil.move(str(download), target)
    return target
