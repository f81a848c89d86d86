"""The Argo templates phases run in: one per phase type, shared by every task of that type.

What differs between two tasks of one type (their configuration, a job's image and
resources) travels in the task's arguments, so a 1,000-step pipeline carries each
template once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hera.workflows import models as m

from wf2k8s.contract.registry import S3_USER_CODE, S3_WF2K8S

#: where the runtime writes what Argo reads back as output parameters
RESULT_DIR = "/tmp/wf2k8s"
SHARED_BIN = "/wf2k8s/bin"
CATALOG_DIR = "/etc/wf2k8s/catalog"
SEVEN_DAYS = str(7 * 24 * 3600)
#: what every phase of a run shares, given once per template rather than in each task's spec
RUN_ARGS = ("--run", "{{workflow.name}}", "--namespace", "{{workflow.namespace}}")
#: all workflow parameters at once; Argo defines the variable only when the workflow has parameters
PARAMETER_ARGS = ("--parameters", "{{workflow.parameters.json}}")

#: the workflows' service account: the Argo executor's (it reports outputs); phases get no token of it
RUNNER = "wf2k8s-runner"
#: who creates a SparkApplication (the Spark Operator's resource template runs argoexec with the API)
SPARK_SUBMITTER = "wf2k8s-spark-submitter"
CONFIG_MAP = "wf2k8s-config"
#: the Secret with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for each S3 key of the registry
CREDENTIALS_SECRETS = {S3_WF2K8S: "wf2k8s-s3", S3_USER_CODE: "wf2k8s-s3-jobs"}
#: the key a labeling phase gives Label Studio's project storages (read datasets/ only)
LABEL_STUDIO_S3_SECRET = "wf2k8s-s3-label-studio"
CATALOG_CONFIG_MAP = "wf2k8s-catalog"
LABEL_STUDIO_SECRET = "wf2k8s-label-studio"
PODINFO_DIR = "/etc/wf2k8s/podinfo"


#: A phase whose pod the system lost runs again, up to 3 more times, 10 s, 20 s, 40 s apart; a non-zero
#: exit of the phase's own code (the user's code included) is its answer and is not retried. "Lost" is
#: what Argo counts as a transient error: its own (API and network errors) and the cluster's
#: TRANSIENT_ERROR_PATTERN (hack/lib/components.sh: a deleted pod, evicted or preempted, its node low on
#: resources). Not a retry expression: when one says no, Argo replaces the node's message, the phase's
#: one-line failure reason, with "retryStrategy.expression evaluated to false". Phases are idempotent:
#: outputs go to the same keys, a model version and a deployment are reused.
SYSTEM_RETRY = m.RetryStrategy(limit=m.IntOrString(3), retry_policy="OnTransientError",
                               backoff=m.Backoff(duration="10s", factor=m.IntOrString(2), max_duration="5m"))


@dataclass(frozen=True)
class Images:
    registry: str = ""
    tag: str = ""

    def ref(self, name: str) -> str:
        prefix = f"{self.registry.rstrip('/')}/" if self.registry else ""
        return f"{prefix}wf2k8s/{name}:{self.tag}"

    @property
    def runtime(self) -> str:
        return self.ref("runtime")

    @property
    def trainer(self) -> str:
        return self.ref("trainer")

    @property
    def runtime_config_map(self) -> str:
        """The ConfigMap holding the runtime zipapp of this version (hack/lib/manifests.sh makes it from the
        runtime image), mounted into engine images."""
        return "wf2k8s-runtime-" + re.sub(r"[^a-z0-9-]", "-", self.tag.lower())


def param(name: str, default: str | None = None) -> m.Parameter:
    return m.Parameter(name=name, default=default)


def output(name: str, file: str) -> m.Parameter:
    return m.Parameter(name=name, value_from=m.ValueFrom(path=f"{RESULT_DIR}/{file}"))


def runtime_env(s3_key: str | None = S3_WF2K8S) -> list[m.EnvFromSource]:
    # S3 endpoint, bucket and registry address come from the cluster's wf2k8s-config; optional so that
    # a phase that needs none of them still starts, and says what is missing if it does need them
    config = m.EnvFromSource(config_map_ref=m.ConfigMapEnvSource(name=CONFIG_MAP, optional=True))
    if s3_key is None:
        return [config]
    return [config, m.EnvFromSource(secret_ref=m.SecretEnvSource(name=CREDENTIALS_SECRETS[s3_key], optional=True))]


def run_args(with_parameters: bool) -> list[str]:
    return [*RUN_ARGS, *(PARAMETER_ARGS if with_parameters else ())]


def runtime_template(name: str, command: str, images: Images, outputs: tuple[tuple[str, str], ...] = (),
                     catalog: bool = False, image: str | None = None, parameters: bool = True,
                     s3_key: str | None = S3_WF2K8S) -> m.Template:
    """A phase the wf2k8s runtime image runs: ``wf2k8s-runtime <command> --spec <json>``."""
    mounts = [m.VolumeMount(name="catalog", mount_path=CATALOG_DIR, read_only=True)] if catalog else None
    volumes = [m.Volume(name="catalog", config_map=m.ConfigMapVolumeSource(name=CATALOG_CONFIG_MAP, optional=True))] \
        if catalog else None
    return m.Template(
        name=name,
        inputs=m.Inputs(parameters=[param("spec"), param("timeout-seconds", SEVEN_DAYS)]),
        outputs=m.Outputs(parameters=[output("result", "result.json"), *(output(n, f) for n, f in outputs)]),
        active_deadline_seconds=m.IntOrString("{{inputs.parameters.timeout-seconds}}"),
        retry_strategy=SYSTEM_RETRY,
        container=m.Container(
            image=image or images.runtime,
            command=["wf2k8s-runtime", command, *run_args(parameters), "--spec", "{{inputs.parameters.spec}}"],
            env_from=runtime_env(s3_key),
            volume_mounts=mounts,
        ),
        volumes=volumes,
    )


def with_api_access(template: m.Template, service_account: str) -> m.Template:
    """The phase's own container gets the token of ``service_account`` (every other phase gets none)."""
    template.service_account_name = service_account
    template.automount_service_account_token = True
    return template


def with_label_studio(template: m.Template) -> m.Template:
    """Label Studio's API token, and the S3 key its project storages get (never the phase's own)."""
    container = template.container
    assert container is not None, "a pod template"
    container.env = [*(container.env or []), m.EnvVar(
        name="LABEL_STUDIO_TOKEN", value_from=m.EnvVarSource(secret_key_ref=m.SecretKeySelector(
            name=LABEL_STUDIO_SECRET, key="LABEL_STUDIO_TOKEN", optional=True)))]
    container.env_from = [*(container.env_from or []), m.EnvFromSource(
        secret_ref=m.SecretEnvSource(name=LABEL_STUDIO_S3_SECRET, optional=True))]
    return template


def with_podinfo(template: m.Template) -> m.Template:
    """The pod's own annotations as a file (downward API, kept current by the kubelet): how ``wf2k8s
    resume`` and ``wf2k8s input`` reach a phase that is already running."""
    container = template.container
    assert container is not None, "a pod template"
    container.env = [*(container.env or []), m.EnvVar(name="WF2K8S_PODINFO", value=PODINFO_DIR)]
    container.volume_mounts = [*(container.volume_mounts or []),
                               m.VolumeMount(name="podinfo", mount_path=PODINFO_DIR, read_only=True)]
    template.volumes = [*(template.volumes or []), m.Volume(name="podinfo", downward_api=m.DownwardAPIVolumeSource(
        items=[m.DownwardAPIVolumeFile(path="annotations",
                                       field_ref=m.ObjectFieldSelector(field_path="metadata.annotations"))]))]
    return template


def engine_volumes(images: Images) -> tuple[list[m.Volume], list[m.VolumeMount]]:
    """What an engine image needs to run the runtime: the zipapp (python3 is all it needs), mounted from
    its ConfigMap, and the catalog. (A ConfigMap, not an init container copying it from the runtime image:
    one container start less per phase. Optional, so that a cluster without it fails the phase at once,
    python3 naming the missing file, instead of never starting.)"""
    volumes = [m.Volume(name="wf2k8s-bin", config_map=m.ConfigMapVolumeSource(
                   name=images.runtime_config_map, optional=True, default_mode=0o444)),
               m.Volume(name="catalog", config_map=m.ConfigMapVolumeSource(name=CATALOG_CONFIG_MAP, optional=True))]
    mounts = [m.VolumeMount(name="wf2k8s-bin", mount_path=SHARED_BIN, read_only=True),
              m.VolumeMount(name="catalog", mount_path=CATALOG_DIR, read_only=True)]
    return volumes, mounts


#: the runtime zipapp as an engine image runs it: ``python3 <zipapp> <command> ...``
ENGINE_RUNTIME = ["python3", f"{SHARED_BIN}/wf2k8s-runtime.pyz"]


def engine_template(name: str, command: str, image: str, images: Images, parameters: bool,
                    inputs: list[m.Parameter], outputs: m.Outputs, pod_spec_patch: str | None = None,
                    s3_key: str | None = S3_USER_CODE) -> m.Template:
    """The runtime driving a program in another image (an engine), with ``engine_volumes``."""
    volumes, mounts = engine_volumes(images)
    return m.Template(
        name=name,
        inputs=m.Inputs(parameters=[param("spec"), *inputs, param("timeout-seconds", SEVEN_DAYS)]),
        outputs=outputs,
        active_deadline_seconds=m.IntOrString("{{inputs.parameters.timeout-seconds}}"),
        retry_strategy=SYSTEM_RETRY,
        pod_spec_patch=pod_spec_patch,
        volumes=volumes,
        container=m.Container(
            image=image,
            command=[*ENGINE_RUNTIME, command, *run_args(parameters), "--spec", "{{inputs.parameters.spec}}"],
            env_from=runtime_env(s3_key),
            volume_mounts=mounts,
        ),
    )


def worker_pod(images: Images, s3_key: str | None = S3_USER_CODE) -> dict:
    """A worker of a JobStep on several nodes, as a Kubernetes pod spec without its image and arguments (the
    launcher adds both): the pod of a one-node JobStep (``job_template``), with no API token."""
    volumes, mounts = engine_volumes(images)
    container = m.Container(name="main", command=ENGINE_RUNTIME, env_from=runtime_env(s3_key), volume_mounts=mounts)
    return {"containers": [plain(container)], "volumes": [plain(v) for v in volumes], "restartPolicy": "Never",
            "automountServiceAccountToken": False, "enableServiceLinks": False}


def plain(model: Any) -> dict:
    """A hera model as the Kubernetes JSON object it stands for."""
    return json.loads(model.model_dump_json(by_alias=True, exclude_none=True))


def launcher_template(images: Images, parameters: bool, service_account: str) -> m.Template:
    """A JobStep on several nodes: the runtime's launcher starts the workers (a JobSet), prints their logs and
    ends as the job ends. The workers' image and pod spec come as arguments, each read once, as a whole."""
    template = runtime_template("distributed-job", "distributed-job", images, parameters=parameters, s3_key=None)
    template.inputs.parameters = [*(template.inputs.parameters or []), param("image"), param("worker")]  # type: ignore[union-attr]
    container = template.container
    assert container is not None, "a pod template"
    field = m.EnvVarSource
    container.env = [
        m.EnvVar(name="WF2K8S_WORKER_IMAGE", value="{{inputs.parameters.image}}"),
        m.EnvVar(name="WF2K8S_WORKER_POD", value="{{inputs.parameters.worker}}"),
        # the workers belong to the launcher's pod: they go when it goes (a stopped run, a retried launcher)
        m.EnvVar(name="WF2K8S_POD_NAME", value_from=field(field_ref=m.ObjectFieldSelector(field_path="metadata.name"))),
        m.EnvVar(name="WF2K8S_POD_UID", value_from=field(field_ref=m.ObjectFieldSelector(field_path="metadata.uid")))]
    return with_api_access(template, service_account)


def job_template(images: Images, parameters: bool = True, s3_key: str | None = S3_USER_CODE) -> m.Template:
    """A JobStep: the user's code in its engine image, driven by the runtime zipapp: it fetches code
    and inputs, runs the boot file or command, uploads outputs and reads metrics."""
    return engine_template(
        "job", "job", "{{inputs.parameters.image}}", images, parameters,
        inputs=[param("image"), param("pod-spec-patch", "{}")],
        # the job's metrics, rendered as one HTML page, kept in the artifact repository for the Argo UI
        outputs=m.Outputs(parameters=[output("result", "result.json")],
                          artifacts=[m.Artifact(name="metrics", path=f"{RESULT_DIR}/metrics.html", optional=True,
                                                archive=m.ArchiveStrategy(none=m.NoneStrategy()))]),
        pod_spec_patch="{{inputs.parameters.pod-spec-patch}}", s3_key=s3_key)


def spark_operator_template() -> m.Template:
    """MrsJobStep on a cluster with the Kubeflow Spark Operator: a SparkApplication, created and watched by Argo."""
    return with_api_access(m.Template(
        name="mrs-job",
        inputs=m.Inputs(parameters=[param("manifest")]),
        outputs=m.Outputs(parameters=[m.Parameter(
            name="result", value_from=m.ValueFrom(json_path="{.status.applicationState}", default="{}"))]),
        resource=m.ResourceTemplate(
            action="create",
            manifest="{{inputs.parameters.manifest}}",
            set_owner_reference=True,
            success_condition="status.applicationState.state == COMPLETED",
            failure_condition="status.applicationState.state in (FAILED, SUBMISSION_FAILED)",
        ),
    ), SPARK_SUBMITTER)


def input_template(name: str, parameter: str, default: str | None, description: str | None,
                   enum: list[str] | None) -> m.Template:
    """Waits for a value while the run runs (``delay=True``): the Argo UI shows it as awaiting input."""
    # an input without a default would have to be given by the task; "" lets the form start empty
    return m.Template(
        name=name,
        suspend=m.SuspendTemplate(),
        inputs=m.Inputs(parameters=[m.Parameter(name=parameter, default="" if default is None else default,
                                                description=description, enum=enum)]),
        outputs=m.Outputs(parameters=[m.Parameter(name=parameter,
                                                  value_from=m.ValueFrom(supplied=m.SuppliedValueFrom()))]),
    )
