"""Stand-in for a phase: resolve the spec with the real runtime, record it, succeed."""

import json
import os
import sys

sys.path.insert(0, "/opt/wf2k8s/wf2k8s-runtime.pyz")

from wf2k8s.contract import load_phase  # noqa: E402
from wf2k8s.contract.registry import BY_COMMAND  # noqa: E402
from wf2k8s.runtime import __main__ as runtime  # noqa: E402
from wf2k8s.runtime.context import RunContext  # noqa: E402
from wf2k8s.runtime.clients import S3  # noqa: E402


def main(argv):
    if argv[0] in BY_COMMAND:  # a phase kind the runtime has: run it for real
        return runtime.main(argv)
    args = dict(zip(argv[1::2], argv[2::2], strict=False))
    run = RunContext.from_args(args.get("--run", "run"), args.get("--namespace", ""), args.get("--parameters", "{}"))
    spec = load_phase(BY_COMMAND[argv[0]].kind, args["--spec"])
    inputs = {i.name: run.resolve(i.data) for i in getattr(spec, "inputs", None) or []}
    record = {"step": spec.step, "command": argv[0], "inputs": inputs}
    print(json.dumps(record))
    S3.from_env().put(os.environ["WF2K8S_S3_BUCKET"], f"e2e-records/{run.name}/{spec.step}.json",
                      json.dumps(record).encode())
    outputs = {o.name: {"uri": f"s3://{os.environ['WF2K8S_S3_BUCKET']}/e2e-records/{run.name}/{o.name}"}
               for o in getattr(spec, "outputs", None) or []}
    runtime.write_result({"outputs": outputs})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
