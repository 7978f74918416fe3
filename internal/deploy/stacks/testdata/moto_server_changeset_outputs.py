"""Runs moto_server with one fix: outputs, exports and imports of change-set stacks.

moto (checked with 5.2.1) wires a stack to the region's exports, and computes its
outputs and exports, only in CreateStack/UpdateStack. A stack created by
CreateChangeSet + ExecuteChangeSet can neither import (Fn::ImportValue finds nothing)
nor export (it keeps the outputs of the empty template it was created with). AWS does
both for change sets; this shim does the same around moto's own ExecuteChangeSet and
otherwise runs moto's server unchanged. Usage is that of moto_server:
python3 moto_server_changeset_outputs.py -H 127.0.0.1 -p PORT
"""

import sys

from moto.cloudformation.models import CloudFormationBackend
from moto.server import main

_execute = CloudFormationBackend.execute_change_set


def _execute_and_refresh_outputs(self, change_set_name, stack_name=None):
    change_set = self.change_sets.get(change_set_name) or next(
        cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name
    )
    stack = self.stacks[change_set.stack_id]
    stack.cross_stack_resources = self.exports
    stack.resource_map.cross_stack_resources = self.exports
    _execute(self, change_set_name, stack_name)
    for export in stack.exports:
        self.exports.pop(export.name, None)
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    for export in stack.exports:
        self.exports[export.name] = export


CloudFormationBackend.execute_change_set = _execute_and_refresh_outputs

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
