from . import test_acknowledgment
