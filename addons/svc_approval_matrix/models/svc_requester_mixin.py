from odoo import _, api, models
from odoo.exceptions import AccessError

APPROVAL_MANAGER_GROUP = "svc_approval_matrix.group_approval_manager"


class SvcRequesterMixin(models.AbstractModel):
    """Who asked is set by the server from the caller, not chosen by the caller.

    The requester of a governed document may never approve it (segregation of duties):
    if a user could name someone else as requester, they could then approve their own
    request. So the fields in `_svc_requester_fields` take the caller at creation and
    cannot be changed afterwards, unless the caller is the superuser (flows that ask on
    behalf of a salesperson) or in one of `_svc_requester_manager_groups` (a manager
    entering a request for someone else).
    """

    _name = "svc.requester.mixin"
    _description = "Requester Set by the Server"

    _svc_requester_fields = ("requested_by_id",)
    _svc_requester_manager_groups = (APPROVAL_MANAGER_GROUP,)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._svc_may_assign_requester():
            for vals in vals_list:
                for field_name in self._svc_requester_fields:
                    if vals.get(field_name) and vals[field_name] != self.env.uid:
                        self._svc_refuse_requester(field_name)
                    vals[field_name] = self.env.uid
        return super().create(vals_list)

    def write(self, vals):
        changed = [name for name in self._svc_requester_fields if name in vals]
        if changed and not self._svc_may_assign_requester():
            for field_name in changed:
                if any(record[field_name].id != (vals[field_name] or False) for record in self):
                    self._svc_refuse_requester(field_name)
        return super().write(vals)

    def copy_data(self, default=None):
        """A copy is asked by whoever copies: the requester is not carried over."""
        vals_list = super().copy_data(default=default)
        for vals in vals_list:
            for field_name in self._svc_requester_fields:
                if field_name not in (default or {}):
                    vals.pop(field_name, None)
        return vals_list

    def _svc_may_assign_requester(self):
        """The superuser and the managers of the model may name someone else as requester."""
        user = self.env.user
        return self.env.su or any(user.has_group(group) for group in self._svc_requester_manager_groups)

    def _svc_refuse_requester(self, field_name):
        raise AccessError(
            _(
                "%(field)s of %(model)s is set from who creates the record and cannot be chosen or "
                "changed: only a manager may enter a request in someone else's name.",
                field=self._fields[field_name].get_description(self.env)["string"],
                model=self._description,
            )
        )
