"""scripts/audit.py: a known vulnerability fails CI; a vulnerability service out of reach only warns."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


CLEAN = {"name": "jinja2", "version": "3.1.6", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"]}],
}
UNREACHABLE = {
    "name": "fastapi",
    "skip_reason": "Dependency not found on PyPI and could not be audited: fastapi (0.165.0)",
}


def test_a_known_vulnerability_fails_and_says_what_to_upgrade(audit: ModuleType) -> None:
    result = audit.verdict({"dependencies": [CLEAN, VULNERABLE], "fixes": []}, strict=False)
    assert result.exit_code == 1
    assert "VULNÉRABLE jinja2 3.1.2 : GHSA-h5c8-rqwp-cp95 (CVE-2024-22195) — corrigée dans : 3.1.3" in result.lines


def test_nothing_known_passes(audit: ModuleType) -> None:
    result = audit.verdict({"dependencies": [CLEAN], "fixes": []}, strict=False)
    assert result.exit_code == 0
    assert result.lines == ["pip-audit : aucune vulnérabilité connue dans les 1 paquet(s) vérifié(s)."]


def test_packages_the_service_could_not_check_warn_loudly_without_failing(audit: ModuleType) -> None:
    result = audit.verdict({"dependencies": [CLEAN, UNREACHABLE], "fixes": []}, strict=False)
    assert result.exit_code == 0
    assert result.lines[0].startswith("AVERTISSEMENT 1 paquet(s) sur 2 non vérifié(s)")
    assert "fastapi 0.165.0" in result.lines[0]
    # Strict (a CI with a network it trusts): not being able to check is a failure too.
    assert audit.verdict({"dependencies": [CLEAN, UNREACHABLE]}, strict=True).exit_code == 1


def test_pip_audit_itself_failing_warns_unless_strict(audit: ModuleType) -> None:
    offline = audit.verdict(None, strict=False, failure="ConnectionError: pypi.org")
    assert offline.exit_code == 0
    assert offline.lines == ["AVERTISSEMENT pip-audit n'a pas pu auditer les dépendances : ConnectionError: pypi.org."]
    assert audit.verdict(None, strict=True, failure="ConnectionError").exit_code == 1
