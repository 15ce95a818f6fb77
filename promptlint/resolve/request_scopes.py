"""The scope pass as request finding needs it: the calls that may be Messages requests.

``scope.ScopeBuilder`` collects scopes and bindings and knows nothing of the API; this subclass
says which calls are remembered with their scope, loops and place in the flow (an attribute
chain through ``messages``: ``client.messages.create(...)``, ``client.beta.messages.stream``,
``client.messages.batches.create``) and whether the module imports the SDK.
"""

from __future__ import annotations

import libcst as cst

from promptlint.syntax.scope import ScopeBuilder


class RequestScopes(ScopeBuilder):
    def of_interest(self, func: cst.Attribute) -> bool:
        node: cst.BaseExpression = func
        while isinstance(node, cst.Attribute):
            if node.attr.value == "messages":
                return True
            node = node.value
        return False

    @property
    def imports_anthropic(self) -> bool:
        return "anthropic" in self.imported


def request_scopes(module: cst.Module) -> RequestScopes:
    """The scopes of a module, with the calls that may be requests."""
    return RequestScopes.of(module)
