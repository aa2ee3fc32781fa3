"""How long a full Format 3 deliverable PDF takes to render (the issue asks for under 2 s).

    .venv/bin/python bench/pdf.py [--runs 15] [--people 10] [--sous-actions 20] [--etapes 12] [--out f.pdf]

Builds a rich Format 3 atelier with the domain (decide, then evolve, as a room does): 10 people, the
canevas written in every field, 20 sous-actions (two merged), 12 étapes dated over a three-year
horizon with pilote and livrable, long notes on every step. Then renders the PDF `--runs` times in
this process, as the route does (the deliverable JSON copied, then WeasyPrint), after one warm-up
render (the first loads fonts), and prints the median and p90 wall time, the CPU time, and the pages.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pycrdt import Doc, Text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.operations import (
    CreateEtape,
    CreateSousAction,
    GotoStep,
    JoinMember,
    MergeSousAction,
    Operation,
    SetCanevasValue,
    SetHorizon,
    SetRole,
    UpdateEtape,
    UpdateText,
)
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState
from app.domain.texts import TEXT_NAME
from app.export.deliverable import deliverable
from app.export.pdf import render_deliverable_pdf

NOTE = (
    "Le groupe revient sur le périmètre : faut-il inclure les captages privés ? La DDT rappelle les "
    "contraintes ; l'association « Eau Vive » propose une carte participative. Décision : on commence "
    "par les réseaux publics, on documente le reste !\n"
)
PEOPLE = [
    ("Claire", "Dubois", "DITP"), ("Marc", "Lefèvre", "Préfecture de la Loire"), ("Inès", "Benali", "Agence de l'eau"),
    ("Hélène", "Müller", "Association Eau Vive"), ("Jérôme", "N'Diaye", ""), ("Zoé", "Garnier", "ARS"),
    ("Éric", "Moreau", "Métropole de Saint-Étienne"), ("Léa", "Fontaine", "UFC-Que Choisir"),
    ("Noël", "Roux", "DDT de la Loire"), ("Anaïs", "Perrin", "Université Jean-Monnet"),
]  # fmt: skip


class Builder:
    def __init__(self) -> None:
        self.state = AtelierState.new(
            atelier_id="bench3", title="Feuille de route : la qualité de l'eau en open data, 2027-2029",
            administration="Ministère de la Transition écologique — Direction de l'eau et de la biodiversité",
            date="2027-01-14", format_key="3",
        )  # fmt: skip
        self.now = 1_800_000_000.0

    def play(self, op: Operation, actor: str = "m0") -> None:
        self.now += 1
        evolve(self.state, decide(self.state, op, actor, self.now))

    def write(self, field: str, text: str) -> None:
        doc = Doc[Text]()
        doc.apply_update(self.state.texts.state_update(field))
        shared = doc.get(TEXT_NAME, type=Text)
        before = doc.get_state()
        shared.insert(len(shared), text)
        self.play(UpdateText(field, doc.get_update(before)))


def rich_format3(people: int, sous_actions: int, etapes: int) -> AtelierState:
    b = Builder()
    for index in range(people):
        first, last, structure = PEOPLE[index % len(PEOPLE)]
        role = Role.REFERENT if index == 0 else Role.PARTICIPANT
        b.play(JoinMember(f"m{index}", first, last, structure, role), SYSTEM)
    b.play(SetRole("m1", Role.CHALLENGEUR))
    b.play(SetRole("m2", Role.COMPLICE))
    b.play(SetHorizon(2027, 2029))
    for key in ("titre", "porte_sur", "c_est", "va", "repond_a", "utile_car"):
        text = f"Champ {key} : publier chaque semaine les analyses de l'eau, commune par commune ; "
        b.write(f"canevas:{key}", text * 3)
    b.play(SetCanevasValue("transparence", True))
    b.play(SetCanevasValue("participation", True))
    b.play(GotoStep(4))  # « Lister les sous-actions »: open to participants
    for index in range(sous_actions):
        text = f"Sous-action {index + 1} : ouvrir le jeu de données n° {index + 1} et l'expliquer aux habitants"
        b.play(CreateSousAction(f"s{index}", text), f"m{index % people}")
    b.play(MergeSousAction("s1", "s0"))
    b.play(MergeSousAction("s3", "s2"))
    starts = ["2027-T1", "2027-03", "2027-T3", "2028", "2028-T2", "2028-09", "2029-T1", "2027-T4", "", "2029-T3"]
    for index in range(etapes):
        title = f"Étape {index + 1} : publier les analyses du réseau n° {index + 1} et en rendre compte"
        b.play(CreateEtape(f"e{index}", title, f"s{index}" if index < sous_actions else None))
        b.play(
            UpdateEtape(f"e{index}", title, starts[index % len(starts)], [6, 3, None, 9, 12, 4][index % 6],
                        "Agence régionale de santé" if index % 2 else "Direction de l'eau",
                        "Jeu de données publié sur data.gouv.fr et note de synthèse")
        )  # fmt: skip
    for step in range(len(b.state.deroule.steps)):
        b.write(b.state.note_field(step), NOTE * 6)
    return b.state


def _pages(pdf: bytes) -> str:
    """The page count from poppler's pdfinfo, when installed (the PDF's page tree is compressed)."""
    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--sous-actions", type=int, default=20)
    parser.add_argument("--etapes", type=int, default=12)
    parser.add_argument("--out", type=Path, help="write the PDF there, to look at it")
    args = parser.parse_args()

    state = rich_format3(args.people, args.sous_actions, args.etapes)
    body = deliverable(state, seq=1)
    started = time.perf_counter()
    pdf = render_deliverable_pdf(copy.deepcopy(body))  # warm-up: fonts and templates load once
    first = time.perf_counter() - started
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        again = render_deliverable_pdf(copy.deepcopy(deliverable(state, seq=1)))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert again == pdf, "the same state must give the same bytes"
    if args.out:
        args.out.write_bytes(pdf)
    pages = _pages(pdf)
    walls.sort()
    p90 = walls[max(0, round(0.9 * len(walls)) - 1)]
    print(f"Format 3 deliverable: {args.people} people, {args.sous_actions} sous-actions, {args.etapes} étapes")
    print(f"  {len(pdf) / 1024:.0f} KiB, pages: {pages}; first render (cold) {first * 1000:.0f} ms")
    print(f"  {args.runs} renders: median {statistics.median(walls) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
          f"max {walls[-1] * 1000:.0f} ms; CPU median {statistics.median(cpus) * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
