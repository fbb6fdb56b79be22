"""Filing a downloaded policy: whatever name the portal suggests, the file lands in the
policies folder under a name of its own police, never over another policy, and only if it
really is a PDF."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rpa.policies.filing import NotAPdf, file_policy, safe_name
from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.seed import build_state
from rpa.sandbox.state import Policy

HOSTILE = ["../../etc/passwd", "..\\..\\boot.ini", "/abs/FR-X_Policy_1-20260101.pdf", ".hidden.pdf",
           "FR-865268J_Policy_0001003079-20261123.pdf", "a\x00b.pdf", "CON", "", "....", "é t é.PDF"]
names = st.one_of(st.text(max_size=60), st.sampled_from(HOSTILE))


@settings(max_examples=300, deadline=None)
@given(suggested=names)
def test_any_suggested_name_becomes_a_plain_pdf_name_of_this_police(suggested: str) -> None:
    name = safe_name(suggested, "0001003080")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name.lower().endswith(".pdf")
    assert "0001003080" in name  # another police's name can never be reused
    assert Path("/policies", name).parent == Path("/policies")


def _policy_bytes() -> tuple[bytes, str]:
    """A real policy PDF, as the sandbox's GuideWire serves it."""
    state = build_state(extra=0)
    now = dt.datetime(2026, 11, 23, 10, 0)
    policy = Policy(numero="0001003080", devis="0001006187", vin="VF3CCHMZ6JT059716", immat="EG-702-HQ",
                    client="MARTIN", offer="GVO Premium 7 / 150", price=349.0, start=now.date(),
                    end=now.date().replace(year=2027), issued_at=now, document_ready_at=now)
    return policy_pdf(policy, state.dealer), policy.numero


def test_a_download_that_is_not_a_pdf_is_refused_and_nothing_is_filed(tmp_path: Path) -> None:
    page = tmp_path / "download.part"
    page.write_text("<html><body>Service momentanément indisponible</body></html>", encoding="utf-8")
    with pytest.raises(NotAPdf):
        file_policy(page, "FR-865268J_Policy_0001003080-20261123.pdf", "0001003080", tmp_path / "policies")
    assert not (tmp_path / "policies").exists() or not any((tmp_path / "policies").iterdir())


@settings(max_examples=25, deadline=None)
@given(suggested=names)
def test_a_hostile_name_files_the_pdf_inside_the_folder_without_overwriting_another(suggested: str) -> None:
    data, police = _policy_bytes()
    root = Path(tempfile.mkdtemp())
    folder = root / "policies"
    folder.mkdir()
    other = folder / "FR-865268J_Policy_0009999999-20261123.pdf"
    other.write_bytes(b"%PDF-1.4 another policy")
    download = root / "download.part"
    download.write_bytes(data)
    filed = file_policy(download, suggested, police, folder)
    assert filed.parent == folder and police in filed.name
    assert filed.read_bytes() == data and oct(filed.stat().st_mode & 0o777) == "0o600"
    assert other.read_bytes() == b"%PDF-1.4 another policy"
    assert sorted(p.name for p in root.iterdir()) == ["policies"]  # nothing escaped the folder
