"""Skill-gap paths (#15): the nearly matched projects and the learning that closes each gap, on a hand
made case whose answers are worked out in the comments, and against a plain-Python reading of the
same rules on random data."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from matching import Candidate, Need, SkillClaim, build_need_index
from matching.gaps import StepWeights, gap_paths
from matching.opportunities import Opportunity, build_opportunity_index

TODAY = dt.date(2026, 12, 7)
PY, SQL, GIS, ML = "dssp2-36", "dssp2-37", "dssp2-40", "dssp2-41"
VOCABULARY = [PY, SQL, GIS, ML]
ASAHIKAWA = (43.7706, 142.3650)
KUSHIRO = (42.9849, 144.3820)  # ~240 km from Asahikawa


def person(**fields) -> Candidate:
    defaults = {"id": 1, "skills": {SQL: SkillClaim(3)}, "lat": ASAHIKAWA[0], "lng": ASAHIKAWA[1], "travel_km": 50.0,
                "hours_per_week": 10.0}  # fmt: skip
    return Candidate(**{**defaults, **fields})


NEEDS = [
    Need(101, {PY: 2, SQL: 2}),  # misses Python only: near (1 gap)
    Need(102, {PY: 3, GIS: 2}),  # misses Python 3 and GIS: near (2 gaps)
    Need(103, {SQL: 2}),  # fully matched: not near
    Need(104, {PY: 1, GIS: 1, ML: 1}),  # three gaps: not near
    Need(105, {PY: 1}, work_mode="onsite", lat=KUSHIRO[0], lng=KUSHIRO[1]),  # too far: not feasible
    Need(106, {PY: 1}, hours_per_week=40),  # the person gives 10 h, under 30 % of 40: not feasible
    Need(107, {SQL: 4}),  # holds SQL 3 below the 4 asked: near (1 gap, a level)
]
OPPORTUNITIES = [
    Opportunity(1, {PY: 3}),  # online, free: unlocks 101; closes one of 102's two
    Opportunity(2, {PY: 3, GIS: 2}, cost_yen=30_000),  # unlocks 101 and 102
    Opportunity(3, {PY: 2}, online=False, lat=KUSHIRO[0], lng=KUSHIRO[1]),  # too far to attend
    Opportunity(4, {PY: 2}, for_students=True),  # students only
    Opportunity(5, {SQL: 4}, start=TODAY + dt.timedelta(days=200)),  # the only SQL 4, late
    Opportunity(6, {PY: 1}),  # level 1: below the 2 and 3 the nearly matched projects ask
]


def paths_for(candidate: Candidate, **options):
    needs = build_need_index(NEEDS, VOCABULARY)
    opportunities = build_opportunity_index(OPPORTUNITIES, needs.skill_columns)
    return gap_paths(candidate, needs, opportunities, today=TODAY, **options)


def test_nearly_matched_projects_are_the_feasible_ones_missing_one_or_two_must_haves():
    result = paths_for(person())
    assert [p.need_id for p in result.near] == [107, 101, 102]  # one gap (best covered first), then two
    gaps = {p.need_id: [(g.skill, g.required, g.have) for g in p.gaps] for p in result.near}
    assert gaps == {101: [(PY, 2, 0)], 102: [(PY, 3, 0), (GIS, 2, 0)], 107: [(SQL, 4, 3)]}


def test_each_missing_skill_gets_the_learning_that_closes_it_best_first():
    result = paths_for(person())
    paths = {p.skill: p for p in result.paths}
    assert [p.skill for p in result.paths] == [PY, SQL, GIS]  # Python is missed by two projects; then by code
    python = paths[PY]
    assert python.need_ids == (101, 102) and python.required == 3
    # 2 unlocks both projects; 1 unlocks 101 and closes one of 102's gaps; 3 is too far, 4 is for
    # students, 6 teaches level 1 (below 2 and 3).
    assert [s.opportunity_id for s in python.steps] == [2, 1]
    assert (python.steps[0].unlocks, python.steps[0].closes) == ((101, 102), ())
    assert (python.steps[1].unlocks, python.steps[1].closes) == ((101,), (102,))
    assert python.steps[1].reasons[0].code == "learning_unlocks"
    assert {r.code for r in python.steps[1].reasons} >= {"learning_online", "learning_free", "learning_always_open"}
    assert [s.opportunity_id for s in paths[SQL].steps] == [5]
    assert paths[SQL].steps[0].reasons[-1].numbers == {"days": 200}


def test_students_see_students_only_learning_and_exclude_drops_projects():
    result = paths_for(person(), is_student=True)
    assert 4 in [s.opportunity_id for s in next(p for p in result.paths if p.skill == PY).steps]
    assert [p.need_id for p in paths_for(person(), exclude={101, 107}).near] == [102]


def test_someone_who_matches_everything_or_nothing_nearby_has_no_paths():
    everything = person(skills={c: SkillClaim(4) for c in VOCABULARY})
    assert paths_for(everything).near == () and paths_for(everything).paths == ()
    assert paths_for(person(earliest_start=TODAY + dt.timedelta(days=365))).paths == ()  # starts too late
    remote_only = person(work_modes=frozenset({"remote"}), travel_km=500.0)
    assert 105 not in {p.need_id for p in paths_for(remote_only).near}


def naive_paths(candidate: Candidate, needs, opportunities, today, is_student=False):
    """The rules in plain Python: {skill: [(opportunity id, unlocked need ids)]} for every attendable
    opportunity closing the skill for some nearly matched project (unordered)."""

    def km(a_lat, a_lng, b_lat, b_lng):
        p1, p2 = math.radians(a_lat), math.radians(b_lat)
        dlat, dlng = p2 - p1, math.radians(b_lng - a_lng)
        h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlng / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))

    near = {}
    for need in needs:
        if need.work_mode == "onsite" and not candidate.does_onsite:
            continue
        if need.work_mode != "remote" and (
            candidate.lat is None or km(candidate.lat, candidate.lng, need.lat, need.lng) > candidate.travel_km
        ):
            continue
        if 0 < candidate.hours_per_week < 0.3 * need.hours_per_week:
            continue
        gaps = {c: lv for c, lv in need.must_have.items() if (candidate.skills.get(c).level if c in candidate.skills
                                                             else 0) < lv}  # fmt: skip
        if 1 <= len(gaps) <= 2:
            near[need.id] = gaps
    found: dict[str, set[tuple[int, tuple[int, ...]]]] = {}
    for o in opportunities:
        if o.for_students is not None and o.for_students != is_student:
            continue
        if not o.online and (candidate.lat is None or km(candidate.lat, candidate.lng, o.lat, o.lng)
                             > candidate.travel_km):  # fmt: skip
            continue
        unlocked = tuple(sorted(n for n, g in near.items() if all(o.teaches.get(c, 0) >= lv for c, lv in g.items())))
        for g in near.values():
            for code, lv in g.items():
                if o.teaches.get(code, 0) >= lv:
                    found.setdefault(code, set()).add((o.id, unlocked))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_engine_agrees_with_the_plain_reading_on_random_data(seed):
    rng = random.Random(seed)
    codes = [f"dssp2-{i}" for i in range(20)]
    needs = [
        Need(i, {c: rng.randint(1, 4) for c in rng.sample(codes, rng.randint(1, 3))},
             work_mode=rng.choice(["remote", "onsite"]), lat=43 + rng.random(), lng=142 + rng.random(),
             hours_per_week=rng.choice([0, 5, 10, 20]))
        for i in range(300)
    ]  # fmt: skip
    opportunities = [
        Opportunity(i, {c: rng.randint(1, 4) for c in rng.sample(codes, rng.randint(1, 2))}, online=rng.random() < 0.6,
                    lat=43 + rng.random(), lng=142 + rng.random(), for_students=rng.choice([None, None, True, False]))
        for i in range(400)
    ]  # fmt: skip
    candidate = Candidate(1, {c: SkillClaim(rng.randint(1, 4)) for c in rng.sample(codes, 6)}, lat=43.5, lng=142.5,
                          travel_km=60.0, hours_per_week=4.0)  # fmt: skip
    ix = build_need_index(needs, codes)
    result = gap_paths(candidate, ix, build_opportunity_index(opportunities, ix.skill_columns), today=TODAY,
                       weights=StepWeights(steps_per_path=10_000), path_limit=10_000)  # fmt: skip
    expected = naive_paths(candidate, needs, opportunities, TODAY)
    assert {p.skill: {(s.opportunity_id, s.unlocks) for s in p.steps} for p in result.paths if p.steps} == expected
