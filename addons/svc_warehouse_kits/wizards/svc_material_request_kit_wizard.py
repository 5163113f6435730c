from odoo import fields, models


class SvcMaterialRequestKitWizard(models.TransientModel):
    """Adds one or more kits to a draft request, a number of times over."""

    _name = "svc.material.request.kit.wizard"
    _description = "Add Kits to a Material Request"

    request_id = fields.Many2one("svc.material.request", required=True)
    kit_ids = fields.Many2many("svc.kit", string="Kits", required=True)
    multiplier = fields.Float("Times", default=1.0, required=True)

    def action_confirm(self):
        self.request_id.action_add_kit(self.kit_ids.ids, self.multiplier)
        return {"type": "ir.actions.act_window_close"}
