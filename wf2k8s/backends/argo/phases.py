"""Per phase type: which shared template it runs, and the arguments only that type needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from wf2k8s.errors import ValidationError
from wf2k8s.backends.argo.expressions import Raw, Scope, quote, tag, to_json
from wf2k8s.backends.argo.templates import Images
from wf2k8s.graph.model import ParamRef, Phase

PRIORITY_CLASSES = {1: "wf2k8s-low", 2: "wf2k8s-medium", 3: "wf2k8s-high"}


@dataclass
class Task:
    """What the compiler needs to emit one phase: its template and its extra arguments."""

    template: str
    arguments: dict[str, str] = field(default_factory=dict)
    #: a step that must run first in the same branch (a JobStep's image resolution)
    resolver: bool = False


@dataclass(frozen=True)
class PhaseType:
    template: str
    #: the runtime's sub-command (the argv contract); None for non-runtime templates
    command: str | None
    #: extra output files besides result.json: (parameter name, file name)
    outputs: tuple[tuple[str, str], ...] = ()
    arguments: Callable[[Phase, Scope, Images], Task] | None = None


def simple(value: Any, scope: Scope) -> str:
    """A str value as an Argo simple tag or literal (for fields Argo itself reads, like image)."""
    if isinstance(value, ParamRef):
        param = scope.params[value.name]
        if param.delay:
            return "{{tasks." + scope.input_task(value.name) + ".outputs.parameters." + value.name + "}}"
        return "{{workflow.parameters." + value.name + "}}"
    return str(value)


def job_task(phase: Phase, scope: Scope, images: Images) -> Task:
    where = f"JobStep {phase.name!r}"
    algorithm = phase.config["algorithm"]
    engine = algorithm.get("engine") or {}
    task = Task("job")
    if "image_url" in engine:
        task.arguments["image"] = simple(engine["image_url"], scope)
    else:
        # official engines, algorithm ids and subscriptions are resolved in the cluster when the run starts
        task.resolver = True
    spec = phase.config["spec"]
    resource = spec["resource"]
    flavor = resource["flavor"]
    # a placeholder's value is a resource map (JSON) spliced in as it is
    resources: Any = Raw(simple(flavor, scope)) if isinstance(flavor, ParamRef) else flavor
    node_count = resource.get("node_count", 1)
    if isinstance(node_count, ParamRef):
        raise ValidationError(f"{where} > spec.resource.node_count",
                              "must be 1 (a literal): distributed training is not supported yet")
    container: dict[str, Any] = {"name": "main", "resources": {"requests": resources, "limits": resources}}
    patch: dict[str, Any] = {"containers": [container]}
    priority = (spec.get("schedule_policy") or {}).get("priority")
    if isinstance(priority, int):
        patch["priorityClassName"] = PRIORITY_CLASSES[priority]
    elif isinstance(priority, ParamRef):
        # a run given any value but 1, 2 or 3 fails to create the pod, naming the missing class
        patch["priorityClassName"] = "wf2k8s-priority-" + simple(priority, scope)
    volumes, mounts = nfs_volumes(spec.get("volumes") or [], scope)
    if volumes:
        patch["volumes"] = volumes
        container["volumeMounts"] = mounts
    task.arguments["pod-spec-patch"] = to_json(patch)
    return task


def nfs_volumes(volumes: list[dict], scope: Scope) -> tuple[list, list]:
    found, mounts = [], []
    for i, volume in enumerate(volumes):
        nfs = volume.get("nfs")
        if not nfs:
            continue
        address = nfs["nfs_server_path"]
        if isinstance(address, ParamRef):
            text = scope.param(address.name)
            server: Any = tag(f"toJson(split({text}, ':', 2)[0])")
            path: Any = tag(f"toJson(split({text}, ':', 2)[1])")
        else:
            server, path = address.split(":", 1)
        read_only = nfs.get("read_only", False)
        if isinstance(read_only, ParamRef):
            read_only = tag(f"{scope.param(read_only.name)} == 'true'")
        local = nfs["local_path"]
        local_value = tag(f"toJson({scope.param(local.name)})") if isinstance(local, ParamRef) else local
        found.append({"name": f"nfs-{i}", "nfs": {"server": server, "path": path, "readOnly": read_only}})
        mounts.append({"name": f"nfs-{i}", "mountPath": local_value, "readOnly": read_only})
    return found, mounts


SPARK_API = "sparkoperator.k8s.io/v1beta2"


def s3a_expr(value: Any, scope: Scope, where: str) -> str:
    """expr-lang for the s3a:// URL Spark reads, from an OBS path (obs://b/k or /b/k) or its placeholder."""
    if isinstance(value, dict) and "obs_path" in value:
        value = value["obs_path"]
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
    config = phase.config
    algorithm = config["algorithm"]
    spark_conf: dict[str, Any] = {}
    arguments: list[Any] = []
    for parameter in algorithm.get("parameters") or []:
        name, value = parameter["name"], parameter["value"]
        text = tag(f"toJson({scope.param(value.name)})") if isinstance(value, ParamRef) else str(value)
        if name == "run_args":
            # spark-submit options of the MRS cluster (--master,yarn-cluster): kept for the record only,
            # the Spark Operator decides master and deploy mode on Kubernetes
            spark_conf["spark.wf2k8s.run-args"] = text
        elif name == "app_args":
            arguments.append(text)
        else:
            arguments.append(tag(f"toJson('--{name}=' + {scope.param(value.name)})") if isinstance(value, ParamRef)
                             else f"--{name}={value}")
    for kind in ("inputs", "outputs"):
        for item in config.get(kind) or []:
            location = item["data"] if kind == "inputs" else item["obs_config"]["obs_path"]
            arguments.append(tag(f"toJson('--{item['name']}=' + {s3a_expr(location, scope, f'{where} > {kind}')})"))
    if config.get("cluster_id") is not None:
        spark_conf["spark.wf2k8s.cluster-id"] = simple(config["cluster_id"], scope)
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
            "mainApplicationFile": tag(f"toJson({s3a_expr(algorithm['boot_file'], scope, where + ' > boot_file')})"),
            "arguments": arguments,
            "sparkConf": spark_conf,
            "driver": {"cores": 1, "memory": "512m", "serviceAccount": "wf2k8s-runner"},
            "executor": {"instances": 1, "cores": 1, "memory": "512m"},
        },
    }
    return Task("mrs-job", {"manifest": to_json(manifest)})


PHASE_TYPES: dict[str, PhaseType] = {
    "job": PhaseType("job", "job", arguments=job_task),
    "model": PhaseType("model", "model"),
    "service": PhaseType("service", "service"),
    "condition": PhaseType("condition", "condition", outputs=(("condition", "condition"),)),
    "create_dataset": PhaseType("create-dataset", "create-dataset"),
    "labeling": PhaseType("labeling", "labeling"),
    "dataset_import": PhaseType("dataset-import", "dataset-import"),
    "release_dataset": PhaseType("release-dataset", "release-dataset"),
    # spark-submit in local mode in the phase's pod; SPARK_OPERATOR where the cluster has the operator
    "mrs_job": PhaseType("mrs-job", "mrs-job"),
}

#: MrsJobStep as a Kubeflow Spark Operator SparkApplication (compile option spark_operator=True)
SPARK_OPERATOR = PhaseType("mrs-job", None, arguments=mrs_task)

#: the step that resolves a JobStep's algorithm and image from the cluster's catalog
RESOLVER = PhaseType("resolve", "resolve", outputs=(("image", "image"),))

