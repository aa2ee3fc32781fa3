"""Audit the dependencies for known vulnerabilities with pip-audit, without making CI flaky.

    .venv/bin/python scripts/audit.py

It audits the virtualenv it runs in: scripts/setup.sh installed exactly the pins of requirements.txt
and requirements-dev.txt there, with their own dependencies (which resolving the files again would
take a minute to find).

- A known vulnerability in a pinned package fails the run (exit 1), naming the package, its version,
  the advisory and the versions that fix it: upgrade the pin, then run the whole suite.
- Packages the vulnerability service could not check (it is unreachable, or does not know that
  version) are listed in a loud warning and do not fail the run: nothing was found, and a network
  hiccup is not a finding. `ATELIER_AUDIT_STRICT=1` makes them fail too (for a CI with a reliable
  network that must prove every package was checked).
- pip-audit itself failing (no network at all to resolve the requirements) is a warning too, unless strict.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 300


@dataclass
class Verdict:
    exit_code: int
    lines: list[str]


def verdict(report: dict[str, Any] | None, *, strict: bool, failure: str = "") -> Verdict:
    """What to say and whether to fail, from pip-audit's JSON report (None when it did not produce one)."""
    if report is None:
        lines = [f"AVERTISSEMENT pip-audit n'a pas pu auditer les dépendances : {failure or 'aucun rapport'}."]
        return Verdict(1 if strict else 0, lines)
    dependencies = report.get("dependencies", [])
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "aucune version corrigée connue"
            aliases = ", ".join(vuln.get("aliases") or [])
            lines.append(
                f"VULNÉRABLE {dep['name']} {dep['version']} : {vuln['id']}"
                f"{f' ({aliases})' if aliases else ''} — corrigée dans : {fixes}"
            )
    if skipped:
        lines.append(
            f"AVERTISSEMENT {len(skipped)} paquet(s) sur {len(dependencies)} non vérifié(s) par le service de "
            f"vulnérabilités (injoignable ou version inconnue) : "
            + ", ".join(_named(dep) for dep in skipped[:12])
            + (" …" if len(skipped) > 12 else "")
        )
    checked = len(dependencies) - len(skipped)
    if not vulnerable and checked:
        lines.append(f"pip-audit : aucune vulnérabilité connue dans les {checked} paquet(s) vérifié(s).")
    elif not vulnerable:
        lines.append("pip-audit : aucun paquet n'a pu être vérifié (voir l'avertissement) ; rien de connu à corriger.")
    failed = bool(vulnerable) or (strict and bool(skipped))
    return Verdict(1 if failed else 0, lines)


def _named(dep: dict[str, Any]) -> str:
    """`name version` (a skipped package's version is only in its reason: "… : fastapi (0.165.0)")."""
    version = dep.get("version") or str(dep.get("skip_reason", "")).rpartition("(")[2].rstrip(")") or "?"
    return f"{dep['name']} {version}"


def run_pip_audit() -> tuple[dict[str, Any] | None, str]:
    command = [str(Path(sys.executable).parent / "pip-audit"), "--format", "json", "--progress-spinner", "off"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, str(error)
    try:
        return json.loads(done.stdout), ""
    except json.JSONDecodeError:
        return None, (done.stderr.strip().splitlines() or [f"code de sortie {done.returncode}"])[-1]


def main() -> int:
    strict = os.environ.get("ATELIER_AUDIT_STRICT") == "1"
    report, failure = run_pip_audit()
    result = verdict(report, strict=strict, failure=failure)
    for line in result.lines:
        print(line, file=sys.stderr if result.exit_code or line.startswith("AVERTISSEMENT") else sys.stdout)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
