from . import test_allocation, test_capacity_math
