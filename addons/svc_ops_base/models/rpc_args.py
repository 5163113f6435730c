"""The arguments an RPC client sends to the suite's public methods, checked at the door.

XML-RPC and JSON-RPC pass whatever the client sends: a list where a reason was expected, a
number where a date was. Without a check the method fails deep inside with an
AttributeError or a TypeError that tells the client nothing. Each helper returns the value
in the form the method works with, or raises a UserError that names the argument and says
what it must be.
"""

import re
from datetime import date, datetime

from odoo import _, fields, models
from odoo.exceptions import UserError

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}")


def text_argument(value, refusal):
    """`value` stripped when it is a non-empty string; otherwise UserError(`refusal`)."""
    if not isinstance(value, str) or not value.strip():
        raise UserError(refusal)
    return value.strip()


def optional_text_argument(value, name):
    """`value` when it is text or empty (None, False, ""); otherwise a UserError naming it."""
    if value in (None, False) or isinstance(value, str):
        return value or None
    raise UserError(_("%(name)s must be text, not %(value)r.", name=name, value=value))


def date_argument(value, name, required=True):
    """`value` (a date, or a string YYYY-MM-DD) as a date; False when empty and not required."""
    if value in (None, False, "") and not required:
        return False
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = None
    if isinstance(value, str) and DATE_PATTERN.match(value):
        try:
            parsed = fields.Date.to_date(value[:10])
        except ValueError:  # 2026-02-30: the pattern matched, the calendar did not
            parsed = None
    if not parsed:
        raise UserError(
            _("%(name)s must be a date written YYYY-MM-DD, not %(value)r.", name=name, value=value)
        )
    return parsed


def number_argument(value, name, positive=False):
    """`value` as a float when it is a number (and above zero when `positive`)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or (positive and value <= 0):
        raise UserError(
            _("%(name)s must be a number above zero, not %(value)r.", name=name, value=value)
            if positive
            else _("%(name)s must be a number, not %(value)r.", name=name, value=value)
        )
    return float(value)


def ids_argument(value, name):
    """`value` (an id, a list of ids, or None) as a list of ids."""
    if value is None or value is False:
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    raise UserError(_("%(name)s must be a list of record ids, not %(value)r.", name=name, value=value))


def records_argument(value, method):
    """Refuse a server-side helper called over RPC: it takes records, which RPC cannot send."""
    if not isinstance(value, models.BaseModel):
        raise UserError(_("%s is called by the server with records; an RPC client cannot call it.", method))
    return value
