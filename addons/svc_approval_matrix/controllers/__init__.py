from . import decision_link
