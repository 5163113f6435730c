"""17.0.1.1.0: the audit log becomes a hash chain; the lines written before it are hashed in order."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    api.Environment(cr, SUPERUSER_ID, {})["svc.approval.log"]._chain_start_all()
