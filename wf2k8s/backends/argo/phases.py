"""Per phase kind of the registry: the shared template it runs on Argo, and the task arguments only
that kind needs (a job's image and pod spec patch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hera.workflows import models as m

from wf2k8s.backends.argo import templates as t
from wf2k8s.backends.argo.expressions import Scope, quote, tag
from wf2k8s.backends.splice import to_json
from wf2k8s.backends.argo.templates import Images
from wf2k8s.contract.registry import CATALOG, LABEL_STUDIO, POD_INFO, PhaseKind
from wf2k8s.errors import ValidationError
from wf2k8s.contract.phases import Volume
from wf2k8s.graph.model import ParamRef, Phase

PRIORITY_CLASSES = {1: "wf2k8s-low", 2: "wf2k8s-medium", 3: "wf2k8s-high"}


@dataclass
class Task:
    """What the compiler needs to emit one phase: its extra arguments."""

    arguments: dict[str, str] = field(default_factory=dict)
    #: a step that must run first in the same branch (a JobStep's image resolution)
    resolver: bool = False
    #: the phase kind of the registry whose template runs the task, when not the phase's own (a JobStep on
    #: several nodes runs as its launcher)
    kind: str | None = None


def simple(value: Any, scope: Scope) -> str:
    """A str value as an Argo simple tag or literal (for fields Argo itself reads, like image)."""
    if isinstance(value, ParamRef):
        param = scope.params[value.name]
        if param.delay:
            return "{{tasks." + scope.input_task(value.name) + ".outputs.parameters." + value.name + "}}"
        return "{{workflow.parameters." + value.name + "}}"
    return str(value)


def job_task(phase: Phase, scope: Scope, images: Images) -> Task:
    engine = phase.spec.algorithm.engine
    task = Task()
    if engine is not None and engine.image_url is not None:
        task.arguments["image"] = simple(engine.image_url, scope)
    else:
        # official engines, algorithm ids and subscriptions are resolved in the cluster when the run starts
        task.resolver = True
    spec = phase.spec.spec
    flavor = spec.resource.flavor
    # a placeholder's value is parsed and written again as one JSON value: whatever a run gives, it stays the
    # value of requests and limits, never more of the patch (a pod spec patch must not set security settings)
    resources: Any = tag(f"toJson(fromJSON({scope.param(flavor.name)}))") if isinstance(flavor, ParamRef) \
        else flavor
    container: dict[str, Any] = {"name": "main", "resources": {"requests": resources, "limits": resources}}
    patch: dict[str, Any] = {"containers": [container]}
    priority = spec.schedule_policy.priority if spec.schedule_policy else None
    if isinstance(priority, int):
        patch["priorityClassName"] = PRIORITY_CLASSES[priority]
    elif isinstance(priority, ParamRef):
        # the class of the run's value; any value but 1, 2 or 3 fails to create the pod, naming the missing class
        classes = ", ".join(f"{quote(str(k))}: {quote(v)}" for k, v in PRIORITY_CLASSES.items())
        value = scope.param(priority.name)
        patch["priorityClassName"] = tag(f"toJson(get({{{classes}}}, {value}) ?? 'wf2k8s-priority-' + {value})")
    volumes, mounts = nfs_volumes(spec.volumes or [], scope)
    if volumes:
        patch["volumes"] = volumes
        container["volumeMounts"] = mounts
    if spec.resource.node_count == 1:
        task.arguments["pod-spec-patch"] = to_json(patch)
        return task
    # several nodes, or a placeholder (whose value may be 1): the launcher starts the workers, each the pod of
    # a one-node JobStep with the same patch (a flavor is each worker's)
    task.kind = "distributed_job"
    task.arguments["worker"] = to_json(patched(t.worker_pod(images), patch))
    return task


def patched(pod: dict, patch: dict) -> dict:
    """``pod`` with a job's pod spec patch applied as Argo applies it (containers by name, lists added)."""
    merged = {**pod, **{k: v for k, v in patch.items() if k not in ("containers", "volumes")},
              "volumes": [*pod.get("volumes", []), *patch.get("volumes", [])]}
    changes = {c["name"]: c for c in patch.get("containers", [])}
    merged["containers"] = [{**c, **{k: v for k, v in changes.get(c["name"], {}).items() if k != "volumeMounts"},
                             "volumeMounts": [*c.get("volumeMounts", []),
                                              *changes.get(c["name"], {}).get("volumeMounts", [])]}
                            for c in pod["containers"]]
    return merged


def nfs_volumes(volumes: list[Volume], scope: Scope) -> tuple[list, list]:
    found, mounts = [], []
    for i, volume in enumerate(volumes):
        nfs = volume.nfs
        if not nfs:
            continue
        address = nfs.nfs_server_path
        if isinstance(address, ParamRef):
            text = scope.param(address.name)
            server: Any = tag(f"toJson(split({text}, ':', 2)[0])")
            path: Any = tag(f"toJson(split({text}, ':', 2)[1])")
        elif isinstance(address, str):
            server, path = address.split(":", 1)
        else:
            raise ValidationError(f"NFS {i} > nfs_server_path", "must be server:/path or a placeholder")
        read_only: Any = nfs.read_only
        if isinstance(read_only, ParamRef):
            read_only = tag(f"{scope.param(read_only.name)} == 'true'")
        local = nfs.local_path
        local_value = tag(f"toJson({scope.param(local.name)})") if isinstance(local, ParamRef) else local
        found.append({"name": f"nfs-{i}", "nfs": {"server": server, "path": path, "readOnly": read_only}})
        mounts.append({"name": f"nfs-{i}", "mountPath": local_value, "readOnly": read_only})
    return found, mounts


SPARK_API = "sparkoperator.k8s.io/v1beta2"


def s3a_expr(value: Any, scope: Scope, where: str) -> str:
    """expr-lang for the s3a:// URL Spark reads, from an OBS path (obs://b/k or /b/k) or its placeholder."""
    if isinstance(value, str):
        if value.startswith("obs://"):
            return quote("s3a://" + value[len("obs://"):])
        return quote("s3a:/" + value if value.startswith("/") else value)
    if isinstance(value, ParamRef):
        text = scope.param(value.name)
        return (f"(hasPrefix({text}, 'obs://') ? 's3a://' + {text}[6:] : "
                f"(hasPrefix({text}, '/') ? 's3a:/' + {text} : {text}))")
    raise ValidationError(where, "on Kubernetes a Spark step reads and writes OBS paths or their placeholders, "
                          f"got {value!r}")


def mrs_task(phase: Phase, scope: Scope, images: Images) -> Task:
    where = f"MrsJobStep {phase.name!r}"
    config = phase.spec
    algorithm = config.algorithm
    spark_conf: dict[str, Any] = {}
    arguments: list[Any] = []
    for parameter in algorithm.parameters or []:
        name, value = parameter.name, parameter.value
        text = tag(f"toJson({scope.param(value.name)})") if isinstance(value, ParamRef) else str(value)
        if name == "run_args":
            # spark-submit options of the MRS cluster (--master,yarn-cluster): kept for the record only,
            # the Spark Operator decides master and deploy mode on Kubernetes
            spark_conf["spark.wf2k8s.run-args"] = text
        elif name == "app_args":
            arguments.append(text)
        else:
            arguments.append(tag(f"toJson({quote(f'--{name}=')} + {scope.param(value.name)})")
                             if isinstance(value, ParamRef)
                             else f"--{name}={value}")
    locations = [(i.name, i.data, "inputs") for i in config.inputs] + \
        [(o.name, o.obs_config.obs_path, "outputs") for o in config.outputs]
    for name, location, kind in locations:
        arguments.append(tag(f"toJson({quote(f'--{name}=')} + {s3a_expr(location, scope, f'{where} > {kind}')})"))
    if config.cluster_id is not None:  # inside the manifest's JSON a simple tag would be escaped: an expression
        cluster = config.cluster_id
        spark_conf["spark.wf2k8s.cluster-id"] = tag(f"toJson({scope.param(cluster.name)})") \
            if isinstance(cluster, ParamRef) else str(cluster)
    manifest = {
        "apiVersion": SPARK_API,
        "kind": "SparkApplication",
        "metadata": {"name": "{{workflow.name}}-" + scope.task_name(phase.name),
                     "labels": {"workflows.argoproj.io/workflow": "{{workflow.name}}",
                                "wf2k8s.io/step": scope.task_name(phase.name)},
                     "annotations": {"wf2k8s.io/step-name": phase.name}},
        "spec": {
            "type": "Python",
            "mode": "cluster",
            "image": images.ref("spark"),
            "sparkVersion": "3.5.6",
            "mainApplicationFile": tag(f"toJson({s3a_expr(algorithm.boot_file, scope, where + ' > boot_file')})"),
            "arguments": arguments,
            "sparkConf": spark_conf,
            "driver": {"cores": 1, "memory": "512m", "serviceAccount": "wf2k8s-spark"},
            "executor": {"instances": 1, "cores": 1, "memory": "512m"},
        },
    }
    return Task({"manifest": to_json(manifest)})


def generic_template(kind: PhaseKind, images: Images, image: str | None, parameters: bool) -> m.Template:
    """A phase of the registry as an Argo template: the runtime image (or an engine image the runtime is
    copied into), with what the kind needs from the cluster."""
    outputs = tuple((name, name) for name in kind.outputs)
    if kind.runs_in == "engine":
        engine = image or images.ref(kind.default_engine_image or "runtime")
        template = t.engine_template(kind.command, kind.command, engine, images, parameters, inputs=[],
                                     outputs=m.Outputs(parameters=[t.output("result", "result.json"),
                                                                   *(t.output(n, f) for n, f in outputs)]),
                                     s3_key=kind.s3_key)
    else:
        template = t.runtime_template(kind.command, kind.command, images, outputs, catalog=CATALOG in kind.needs,
                                      image=image, parameters=parameters, s3_key=kind.s3_key)
    if LABEL_STUDIO in kind.needs:
        template = t.with_label_studio(template)
    if POD_INFO in kind.needs:
        template = t.with_podinfo(template)
    if kind.service_account:
        template = t.with_api_access(template, kind.service_account)
    return template


def job_template(kind: PhaseKind, images: Images, image: str | None, parameters: bool) -> m.Template:
    return t.job_template(images, parameters=parameters, s3_key=kind.s3_key)


def launcher_template(kind: PhaseKind, images: Images, image: str | None, parameters: bool) -> m.Template:
    assert kind.service_account, "the launcher uses the Kubernetes API"
    return t.launcher_template(images, parameters, kind.service_account)


def spark_operator_template(kind: PhaseKind, images: Images, image: str | None, parameters: bool) -> m.Template:
    return t.spark_operator_template()


@dataclass(frozen=True)
class ArgoPhase:
    """How the Argo backend runs one phase kind of the registry."""

    #: the shared template of the kind: (kind, images, image override, whether the run has parameters)
    template: Callable[[PhaseKind, Images, "str | None", bool], m.Template] = generic_template
    #: the task's arguments besides its spec (a job's image and pod spec patch)
    arguments: Callable[[Phase, Scope, Images], Task] | None = None
    #: whether the template runs the wf2k8s runtime, which reads the phase's spec
    reads_spec: bool = True


#: kinds the backend runs in a way of their own; every other kind of the registry is generic
ARGO_PHASES: dict[str, ArgoPhase] = {"job": ArgoPhase(job_template, job_task),
                                     "distributed_job": ArgoPhase(launcher_template)}

#: with compile option spark_operator=True: MrsJobStep as a Kubeflow Spark Operator SparkApplication
SPARK_OPERATOR_PHASES: dict[str, ArgoPhase] = {
    "mrs_job": ArgoPhase(spark_operator_template, mrs_task, reads_spec=False)}


def argo_phase(kind: str, spark_operator: bool = False) -> ArgoPhase:
    table = {**ARGO_PHASES, **SPARK_OPERATOR_PHASES} if spark_operator else ARGO_PHASES
    return table.get(kind, ArgoPhase())
