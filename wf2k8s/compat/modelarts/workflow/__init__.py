"""``modelarts.workflow`` is wf2k8s: the same objects under the name ModelArts scripts import."""

import sys

import wf2k8s
from wf2k8s import *  # noqa: F401,F403
from wf2k8s import __all__, data, policy, steps  # noqa: F401

# `import modelarts.workflow.steps` and `from modelarts.workflow.data import X` work too
for _name in ("data", "policy", "steps"):
    sys.modules[f"{__name__}.{_name}"] = getattr(wf2k8s, _name)
