from . import (
    test_allocation,
    test_capacity,
    test_capacity_math,
    test_overallocation_approval,
    test_staffing_request,
)
