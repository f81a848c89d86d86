"""The phase registry: every phase kind, declared once.

A phase kind is its contract class (what its spec holds), its runtime entry point (the
``wf2k8s-runtime`` sub-command and the function that runs it), where it runs (the wf2k8s runtime
image, or an engine image the runtime is copied into) and what it needs from the cluster. Backends
turn ``needs`` into mounts, environment and permissions of their own; the runtime dispatches on
``command``. Adding a phase kind: an SDK class, an entry here, a runtime module, and their tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from wf2k8s.contract import phases as p

#: what a phase may need; each backend says what it means there
CATALOG = "catalog"                 # the cluster's engine/algorithm/model catalog (read only)
POD_INFO = "pod-info"               # its own pod's annotations, kept current (wf2k8s resume / input)
LABEL_STUDIO = "label-studio"       # Label Studio's API token
NEEDS = (CATALOG, POD_INFO, LABEL_STUDIO)

#: which S3 key a phase holds; each backend says which credentials that is
S3_WF2K8S = "wf2k8s"                # wf2k8s's own phases: the data bucket, the registry's files, datasets
S3_USER_CODE = "user-code"          # the user's code: the data bucket only (no registry files, no other bucket)

S3_NONE = None                      # no S3 key at all (a phase that only talks to the Kubernetes API)

#: the service accounts of the phases that use the Kubernetes API (ServiceStep's deployer, the launcher
#: of a JobStep on several nodes); every other phase, the user's own code first, runs with no API token
DEPLOYER = "wf2k8s-deployer"
LAUNCHER = "wf2k8s-launcher"
#: the run-end phase's: reads its own run (the steps' statuses and metrics) to record it in MLflow
RECORDER = "wf2k8s-recorder"


@dataclass(frozen=True)
class PhaseKind:
    #: the phase kind's name in the graph model (``Phase.kind``) and in the SDK (``Step.step_type``)
    kind: str
    contract: type
    #: the runtime's sub-command, also the name of the phase's shared template
    command: str
    #: ``module:function`` in ``wf2k8s.runtime``, called with the typed spec and the run's context
    runtime: str
    #: "runtime": the wf2k8s runtime image; "engine": the user's or an engine image, runtime copied in
    runs_in: str = "runtime"
    #: the wf2k8s image an engine phase runs in when the step names none (e.g. "spark")
    default_engine_image: str | None = None
    needs: tuple[str, ...] = ()
    #: the service account whose token the phase's own container gets; None: no token (no API access)
    service_account: str | None = None
    #: the S3 key the phase holds (S3_WF2K8S, S3_USER_CODE or S3_NONE): the user's code never gets wf2k8s's own
    s3_key: str | None = S3_WF2K8S
    #: output files besides result.json that later steps read (the condition's verdict, an image)
    outputs: tuple[str, ...] = ()
    #: a step of the user's pipeline (``resolve`` is the backend's own)
    user_step: bool = True


PHASE_KINDS: tuple[PhaseKind, ...] = (
    PhaseKind("job", p.JobPhase, "job", "job:run", runs_in="engine", needs=(CATALOG,), s3_key=S3_USER_CODE),
    PhaseKind("model", p.ModelPhase, "model", "model:run", needs=(CATALOG,)),
    PhaseKind("service", p.ServicePhase, "service", "service:run", needs=(POD_INFO,), service_account=DEPLOYER),
    PhaseKind("condition", p.ConditionPhase, "condition", "condition:run", outputs=("condition",)),
    PhaseKind("create_dataset", p.CreateDatasetPhase, "create-dataset", "dataset:create"),
    PhaseKind("labeling", p.LabelingPhase, "labeling", "labeling:run", needs=(LABEL_STUDIO, POD_INFO)),
    PhaseKind("dataset_import", p.DatasetImportPhase, "dataset-import", "labeling:import_data",
              needs=(LABEL_STUDIO,)),
    PhaseKind("release_dataset", p.ReleaseDatasetPhase, "release-dataset", "dataset:release"),
    # spark-submit in local mode in the phase's pod (a backend may offer the Spark Operator instead)
    PhaseKind("mrs_job", p.MrsJobPhase, "mrs-job", "mrs:run", runs_in="engine", default_engine_image="spark",
              s3_key=S3_USER_CODE),
    # a JobStep on several nodes (node_count > 1 or a placeholder): its launcher starts the workers, each a
    # "job" phase of the user's image, and reports them as one step
    PhaseKind("distributed_job", p.JobPhase, "distributed-job", "distributed:run", service_account=LAUNCHER,
              s3_key=S3_NONE, user_step=False),
    # an event of a run to the webhooks subscribed to it (wf2k8s notify); never fails the run
    PhaseKind("notify", p.NotifyPhase, "notify", "notify:run", s3_key=S3_NONE, user_step=False),
    # the end of every run: its record in MLflow tracking and the notifications of its end; never fails the run
    PhaseKind("run_end", p.RunEndPhase, "run-end", "run_end:run", service_account=RECORDER, s3_key=S3_NONE,
              user_step=False),
    PhaseKind("resolve", p.ResolvePhase, "resolve", "resolve:run", needs=(CATALOG,), outputs=("image",),
              user_step=False),
)

BY_KIND = {k.kind: k for k in PHASE_KINDS}
BY_COMMAND = {k.command: k for k in PHASE_KINDS}


def phase_kind(kind: str) -> PhaseKind:
    return BY_KIND[kind]
