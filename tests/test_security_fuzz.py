"""RPC fuzz: every public method of the suite's models, called as an RPC client would call
it with bad arguments, answers a clear error.

Each call goes through `odoo.api.call_kw`, the dispatcher behind XML-RPC and JSON-RPC, in a
savepoint that is rolled back afterwards (as the RPC transaction of a refused call is).
Arguments: missing, None, wrong types, ids that do not exist, a huge list of ids. A clear
error is a UserError (AccessError, ValidationError and MissingError are UserErrors),
Python's own complaint about the call's signature, or Odoo's own refusals every model
gives: "Expected singleton" for a one-record action called on none or many, "Invalid
field" for a value dictionary naming a field the model lacks. A KeyError, an
AttributeError, a TypeError raised inside the method or a database error is a defect.

The ORM's own methods the suite overrides (create, write, copy, read_group...) get
well-formed calls only (a dictionary of values, hostile ids): their argument shapes are
the ORM's contract for every Odoo model, not the suite's.
"""

import inspect
import logging
import re

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

_logger = logging.getLogger(__name__)

MISSING_ID = 2_000_000_000
HUGE = list(range(MISSING_ID - 2000, MISSING_ID))
BAD_VALUES = [None, "garbage", {"unexpected": 1}, -1, [[1, 2]], 10**30, 3.5]
# Python's own refusal of a call that does not match the method's signature
SIGNATURE_ERROR = re.compile(r"positional argument|unexpected keyword argument|keyword-only argument")
ODOO_REFUSAL = re.compile(r"^(Expected singleton: |Invalid field )")
ORM_METHODS = frozenset(name for name in dir(models.BaseModel) if not name.startswith("_"))
FUZZ_LOGINS = ["admin", "requester"]


class _Rollback(Exception):
    """Undo a call that went through."""


def _suite_methods(env):
    """{model: [method name]}: the public methods the suite's addons define or override."""
    result = {}
    for name in sorted(env.registry):
        model = env[name]
        if model._abstract or model._transient:
            continue
        methods = []
        for attribute in dir(type(model)):
            if attribute.startswith("_") or attribute == "init":
                continue
            definer = next((cls for cls in type(model).__mro__ if attribute in cls.__dict__), None)
            if definer is None or not definer.__module__.startswith("odoo.addons.svc_"):
                continue
            if callable(getattr(type(model), attribute, None)):
                methods.append(attribute)
        if methods:
            result[name] = methods
    return result


@tagged("post_install", "-at_install")
class TestRpcFuzz(TransactionCase):
    def test_every_public_method_answers_bad_arguments_with_a_clear_error(self):
        users = self.env["res.users"].search([("login", "in", FUZZ_LOGINS)])
        self.assertEqual(len(users), len(FUZZ_LOGINS))
        methods_by_model = _suite_methods(self.env)
        self.assertIn("svc.material.request", methods_by_model)
        calls, defects = 0, {}
        for model_name, methods in methods_by_model.items():
            real = self.env[model_name].sudo().search([], limit=1).ids
            for method_name in methods:
                for user in users:
                    model = self.env[model_name].with_user(user)
                    for args in self._arguments(model, method_name, real):
                        calls += 1
                        defect = self._call(model, method_name, args)
                        if defect:
                            defects.setdefault(f"{model_name}.{method_name}: {defect}", args)
        _logger.info("RPC fuzz: %d calls on %d models", calls, len(methods_by_model))
        print(f"RPC fuzz: {calls} calls on {len(methods_by_model)} models")
        self.assertFalse(
            defects, "\n".join(f"{defect}  (args {args!r:.120})" for defect, args in sorted(defects.items()))
        )
        self.assertGreater(calls, 2000)

    def _arguments(self, model, method_name, real_ids):
        """The argument lists an attacker sends: positional, as RPC passes them."""
        method = getattr(type(model), method_name)
        try:
            parameters = list(inspect.signature(method).parameters.values())[1:]
        except (TypeError, ValueError):
            parameters = []
        positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        is_model = getattr(method, "_api", None) in ("model", "model_create")
        id_lists = [None] if is_model else [[], [MISSING_ID], real_ids]
        if method_name in ORM_METHODS:
            bad_values = [{"unexpected": 1}] if method_name in ("create", "write", "copy") else []
        else:
            bad_values = BAD_VALUES
        variants = []
        for ids in id_lists:
            lead = [] if ids is None else [ids]
            variants.append(lead)  # the arguments missing
            for bad in bad_values:
                variants.append(lead + [bad] * max(len(positional), 1))
        if not is_model:
            variants.append([HUGE])
        return variants

    def _call(self, model, method_name, args):
        """A defect description, or None when the call went through or was clearly refused."""
        try:
            with self.env.cr.savepoint():
                api.call_kw(model, method_name, args, {})
                raise _Rollback()
        except (_Rollback, UserError):
            return None
        except TypeError as error:
            if SIGNATURE_ERROR.search(str(error)) and method_name in str(error):
                return None
            return f"TypeError: {error}"
        except ValueError as error:
            return None if ODOO_REFUSAL.search(str(error)) else f"ValueError: {str(error)[:160]}"
        except Exception as error:  # the kind of error is what is checked
            return f"{type(error).__name__}: {str(error)[:160]}"
        finally:
            self.env.invalidate_all()
