import sys; sys.path.insert(0, "/work/main/tests/unit/badges")
import badges.verify as v
from badges.verify import Check
v._contexts_check = lambda credential: Check("contexts", True, "terms_defined")
from test_badges_tamper_properties import *  # noqa
