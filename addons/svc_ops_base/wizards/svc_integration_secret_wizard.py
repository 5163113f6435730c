from odoo import fields, models


class SvcIntegrationSecretWizard(models.TransientModel):
    """Shows a freshly generated secret once; the record is vacuumed with the other wizards."""

    _name = "svc.integration.secret.wizard"
    _description = "Show an Integration Secret Once"

    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)
    secret = fields.Char(readonly=True)
