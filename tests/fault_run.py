"""The size and seed of a fault campaign (tests/conftest.py makes it the `fault_run` fixture).

A module of its own, not in conftest.py: the browser tests' conftest is also named `conftest`, so
`from conftest import …` finds whichever was imported first when the whole suite is collected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"


@dataclass
class FaultRun:
    """The size and seed of one fault campaign, and where its figures go."""

    full: bool
    seed: int

    def size(self, ci: int, full: int) -> int:
        return full if self.full else ci

    def report(self, name: str, figures: dict[str, Any]) -> None:
        """Print the figures (the docs quote them); a full run also writes bench/results/faults-<name>.json."""
        figures = {"campaign": name, "size": "full" if self.full else "ci", "seed": self.seed, **figures}
        text = json.dumps(figures, ensure_ascii=False, indent=1)
        print(f"\nfaults-{name}: {text}")
        if self.full:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"faults-{name}.json").write_text(text + "\n", encoding="utf-8")
