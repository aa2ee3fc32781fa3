"""Limits that keep an atelier readable and a server healthy (documented in docs/protocol.md)."""

CARD_TITLE_MAX = 120  # a title, not a paragraph
CARD_DESCRIPTION_MAX = 280  # "une phrase" in the kit; a tweet's length leaves room for it
CARDS_MAX = 2000  # far above a 1h30 atelier (6–10 people × 1–2 subjects); a burst of 1,000 is tested
NAME_MAX = 80
STRUCTURE_MAX = 120
MEMBERS_MAX = 200  # the kit recommends ≤ 10 per group; larger rooms work, with a warning
MEMBERS_RECOMMENDED = 10
TEXT_UPDATE_MAX_BYTES = 32 * 1024  # one keystroke batch is tiny; a paste of a page fits
ADD_TIME_MAX_S = 60 * 60

# Formats 2 and 3
ANSWER_MAX = 500  # one reformulation prompt's answer, an idea, a sous-action's first wording
REFORMULATIONS_MAX = 200
IDEAS_MAX = 500
SOUS_ACTIONS_MAX = 300
ETAPES_MAX = 100
ETAPE_TITLE_MAX = 200
OWNER_MAX = 120
LIVRABLE_MAX = 280
DURATION_MONTHS_MAX = 120
HORIZON_YEARS = (2000, 2100)
HORIZON_SPAN_MAX = 20
# Participants keep writing in a tool this long after the animateur moved on: a keystroke in
# flight when the step changes must not be refused (and lost).
TOOL_GRACE_S = 60.0
