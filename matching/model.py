"""Value types of the matching engine: what a project needs, who a candidate is, and results.

Everything here is a frozen dataclass of plain values. The app converts ORM rows into these;
the engine never sees a database row, a request or a clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

WorkMode = Literal["remote", "onsite", "hybrid"]
PayKind = Literal["hourly", "fixed", "volunteer", "internship"]
SkillSource = Literal["self", "badge", "project"]
MissingMustPolicy = Literal["penalise", "filter"]

WORK_MODES: tuple[WorkMode, ...] = ("remote", "onsite", "hybrid")
PAY_KINDS: tuple[PayKind, ...] = ("hourly", "fixed", "volunteer", "internship")
SKILL_SOURCES: tuple[SkillSource, ...] = ("self", "badge", "project")
VERIFIED_SOURCES: frozenset[SkillSource] = frozenset({"badge", "project"})
MIN_LEVEL, MAX_LEVEL = 1, 4


@dataclass(frozen=True)
class Pay:
    """A pay offer (project) or expectation (person).

    ``yen`` is per hour for ``hourly``, per engagement for ``fixed``, the stipend for
    ``internship`` (0 = unpaid) and ignored for ``volunteer``. A person whose expectation is
    ``volunteer`` (or any kind with ``yen == 0``) accepts any offer.
    """

    kind: PayKind
    yen: int = 0


@dataclass(frozen=True)
class Need:
    """What a project asks for.

    ``must_have`` / ``nice_to_have`` map DSS skill codes (e.g. ``"dssp2-36"``) to the minimum
    level 1–4. ``lat``/``lng`` are the municipality office in degrees (WGS84);
    ``subprefecture`` is the code the app uses for regions of interest (e.g. ``"Tokachi"``).
    ``hours_per_week`` is the expected effort; ``start`` the first working day.
    ``onsite_days_per_month``: the on-site days of hybrid work (``None`` = not said).
    ``students_only``: only people who study may take it. ``start_slack_days``: how many days
    after ``start`` a person may begin and still be feasible.
    """

    id: int
    must_have: Mapping[str, int]
    nice_to_have: Mapping[str, int] = field(default_factory=dict)
    text: str = ""
    work_mode: WorkMode = "remote"
    lat: float | None = None
    lng: float | None = None
    subprefecture: str | None = None
    hours_per_week: float = 0.0
    start: dt.date | None = None
    pay: Pay = Pay("volunteer")
    onsite_days_per_month: int | None = None
    students_only: bool = False
    start_slack_days: int = 30

    @property
    def needs_onsite(self) -> bool:
        """On-site work, or hybrid work with on-site days (a hybrid need that does not say how many
        is taken as mostly remote, as before days were asked)."""
        return self.work_mode == "onsite" or (self.work_mode == "hybrid" and bool(self.onsite_days_per_month))


@dataclass(frozen=True)
class SkillClaim:
    """One skill on a profile: level 1–4 and where it comes from (self, badge, project)."""

    level: int
    source: SkillSource = "self"


@dataclass(frozen=True)
class Candidate:
    """A profile being ranked.

    ``text`` is headline + bio + outcomes joined. ``lat``/``lng`` are the home municipality
    office in degrees, or ``None`` for people outside Hokkaido (distance unknown: no geography
    credit except regions of interest). ``travel_km`` is the furthest the person will travel
    for on-site work (great-circle km). ``hours_per_week`` is what they can give;
    ``earliest_start`` the first day they are free (``None`` = now). ``work_modes`` are the
    ways they work: ``"onsite"`` (or ``"hybrid"``) in it means they do on-site work; remote work
    is open to everyone. ``onsite_days_per_month`` is the most on-site days they give a month
    (``None`` = no limit said). ``is_student``: they have said they study now.
    """

    id: int
    skills: Mapping[str, SkillClaim]
    text: str = ""
    lat: float | None = None
    lng: float | None = None
    travel_km: float = 0.0
    regions: frozenset[str] = frozenset()
    hours_per_week: float = 0.0
    earliest_start: dt.date | None = None
    work_modes: frozenset[WorkMode] = frozenset(WORK_MODES)
    pay: Pay = Pay("volunteer")
    open_to_offers: bool = True
    visible: bool = True
    onsite_days_per_month: int | None = None
    is_student: bool = False

    @property
    def does_onsite(self) -> bool:
        return bool({"onsite", "hybrid"} & set(self.work_modes))


@dataclass(frozen=True)
class Weights:
    """Weights of the score components and the policies for hard cases.

    The score is the weighted mean of the components that apply to a need (each in 0–1), so
    weights need not sum to 1: a need without nice-to-haves drops ``nice_to_have``, a remote
    need drops ``geography``. Then, per missing must-have skill, the score is multiplied by
    ``missing_must_factor`` (``missing_must="penalise"``) or the candidate is dropped
    (``"filter"``). Defaults are set by hand from the two written rubrics in
    tests/unit/matching/data/ (#17), which grade skills, domain (read from the texts) and
    practical fit (hours, start) as parts of about equal size and never grade nice-to-haves:
    text 0.5 (was 0.2), availability 0.3 (was 0.1), nice-to-have 0.05 (was 0.1). On both sets
    (bench/matching_eval.py) nDCG@5 stays within 0.90–0.91 (eval) and 0.95–0.97 (traps) for
    text 0.4–0.6, availability 0.2–0.5, verified 0.05–0.1, geography 0.05–0.1 and
    missing_must_factor 0.3–0.85 (``"filter"`` hides people a town office would still call).

    - ``must_have``: mean over must-haves of min(level / required, 1).
    - ``nice_to_have``: the same over nice-to-haves.
    - ``verified``: share of the need's skills met by badge- or project-verified claims.
    - ``text``: TF-IDF cosine between the need text and the person's text.
    - ``availability``: mean of hours fit and start fit.
    - ``geography``: on-site/hybrid only; 1 - (d / travel_km)² within the travel limit, plus
      ``region_bonus`` when the need is in one of the person's regions of interest (capped at 1).
    - ``pay``: offer / expectation, capped at 1.
    ``start_grace_days``: a start this many days late scores 0 (linear in between).
    """

    must_have: float = 0.35
    nice_to_have: float = 0.05
    verified: float = 0.10
    text: float = 0.50
    availability: float = 0.30
    geography: float = 0.10
    pay: float = 0.05
    missing_must: MissingMustPolicy = "penalise"
    missing_must_factor: float = 0.3
    region_bonus: float = 0.3
    start_grace_days: int = 60


@dataclass(frozen=True)
class Reason:
    """One explanation of a match: a code plus numbers, translated by the app.

    ``subject`` is the skill code, subprefecture code or skill source the reason is about;
    ``numbers`` carries values such as ``level``, ``required``, ``km``, ``hours``;
    ``terms`` the shared text terms for ``text_overlap``.
    """

    code: str
    subject: str | None = None
    numbers: Mapping[str, float] = field(default_factory=dict)
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A ranked pair: score 0–1, the component values and the reasons (codes + numbers).

    ``blocker`` is set on near misses only: the one feasibility rule that stops the pair (its
    code from :data:`matching.feasibility.CODES`, with numbers such as ``km`` and ``limit``).
    """

    candidate_id: int
    need_id: int
    score: float
    components: Mapping[str, float]
    reasons: tuple[Reason, ...]
    blocker: Reason | None = None
