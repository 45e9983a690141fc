"""The named-segment table covers every code exactly once and explains every name."""

import itertools

from clv.segments import SEGMENT_CODES, SEGMENTS


def test_every_one_of_the_27_codes_has_exactly_one_segment():
    codes = set(SEGMENT_CODES[["r", "f", "m"]].itertuples(index=False, name=None))
    assert codes == set(itertools.product([1, 2, 3], repeat=3))
    assert len(SEGMENT_CODES) == 27


def test_every_segment_used_has_a_description_and_an_action_and_vice_versa():
    assert set(SEGMENT_CODES["segment"]) == set(SEGMENTS["segment"])
    assert SEGMENTS[["description", "action"]].map(len).gt(20).all().all()


def test_best_and_worst_codes():
    named = SEGMENT_CODES.set_index(["r", "f", "m"])["segment"]
    assert named[(3, 3, 3)] == "Champions" and named[(1, 1, 1)] == "Lost"
