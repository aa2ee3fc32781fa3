"""Limits that keep an atelier readable and a server healthy (documented in docs/protocol.md)."""

CARD_TITLE_MAX = 120  # a title, not a paragraph
CARD_DESCRIPTION_MAX = 280  # "une phrase" in the kit; a tweet's length leaves room for it
CARDS_MAX = 2000  # far above a 1h30 atelier (6–10 people × 1–2 subjects); a burst of 1,000 is tested
NAME_MAX = 80
STRUCTURE_MAX = 120
EMAIL_MAX = 254  # the longest address SMTP carries (RFC 5321)
MEMBERS_MAX = 200  # everyone in the atelier, team included: joining beyond it is refused
# Participants per group the kit recommends: beyond it the team and new joiners see a warning
# suggesting groups (larger rooms still work).
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

# Personal data (names, structures, emails) is kept this many months after the atelier's date
# (or its creation when it has none), then anonymised; the référent may choose another date,
# up to RETENTION_MAX_MONTHS from today.
RETENTION_MONTHS = 3
RETENTION_MAX_MONTHS = 24
