"""What the Kubeflow Pipelines target refuses: seed semantics KFP cannot express (README, "One pipeline, two
targets"). Each refusal is one line naming the step or placeholder and the feature."""

from __future__ import annotations

from wf2k8s.errors import ValidationError
from wf2k8s.graph.model import Graph, Phase

PREFIX = "Kubeflow Pipelines target: "
#: resource-map keys KFP's task settings take
RESOURCES = ("cpu", "memory", "nvidia.com/gpu")


def refuse(where: str, feature: str) -> ValidationError:
    return ValidationError(where, PREFIX + feature + " (the Argo target runs it)")


def check_supported(graph: Graph) -> None:
    for param in graph.params.values():
        if param.delay or param.type == "service_input":
            raise refuse(f"Placeholder {param.name!r}",
                         "a value given while the run waits (delay=True, a service input) has no KFP form: "
                         "a KFP run cannot stop for input")
    if graph.scenes:
        scene = next(iter(graph.scenes))
        raise refuse(f"Workflow {graph.name!r} > scene {scene!r}",
                     "partial execution (scenes) reads outputs of earlier runs, which KFP cannot give a run")
    for phase in graph.phases:
        check_phase(phase)


def check_phase(phase: Phase) -> None:
    where = f"step {phase.name!r}"
    if phase.kind == "labeling":
        raise refuse(where, "a LabelingStep waits for people to label in Label Studio and is resumed through its "
                            "pod's annotations (wf2k8s resume), which a KFP task cannot")
    if phase.kind != "job":
        return
    spec = phase.spec.spec
    if spec.resource.node_count != 1:
        raise refuse(f"{where} > spec.resource.node_count", "a job on several nodes (or a node count placeholder) "
                                                           "runs as a JobSet of workers, which KFP's DSL cannot make")
    if spec.schedule_policy is not None:
        raise refuse(f"{where} > spec.schedule_policy", "a priority needs a pod's priority class, which KFP's DSL "
                                                       "cannot set")
    if spec.volumes:
        raise refuse(f"{where} > spec.volumes", "NFS volumes need pod volumes, which KFP's DSL cannot mount")
    flavor = spec.resource.flavor
    if isinstance(flavor, dict):
        other = sorted(set(flavor) - set(RESOURCES))
        if other:
            raise refuse(f"{where} > spec.resource.flavor", f"resource {other[0]!r} has no KFP task setting "
                                                           f"(cpu, memory and nvidia.com/gpu have)")
