from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcStaffingSkill(models.Model):
    """A skill a role requires, with the lowest acceptable level (hr_skills)."""

    _name = "svc.staffing.skill"
    _description = "Required Skill"

    line_id = fields.Many2one("svc.staffing.request.line", required=True, ondelete="cascade", index=True)
    skill_type_id = fields.Many2one("hr.skill.type", required=True)
    skill_id = fields.Many2one("hr.skill", required=True, domain="[('skill_type_id', '=', skill_type_id)]")
    min_level_id = fields.Many2one(
        "hr.skill.level", "Minimum Level", required=True, domain="[('skill_type_id', '=', skill_type_id)]"
    )

    @api.constrains("skill_type_id", "skill_id", "min_level_id")
    def _check_skill_type(self):
        for requirement in self:
            if requirement.skill_id.skill_type_id != requirement.skill_type_id or (
                requirement.min_level_id.skill_type_id != requirement.skill_type_id
            ):
                raise ValidationError(
                    _(
                        "Skill %s and its minimum level must belong to the chosen skill type.",
                        requirement.skill_id.name,
                    )
                )
