"""What the Argo backend emits for each of the seed's semantics."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

import wf2k8s as wf
from argo_schema import check_document
from wf2k8s.backends.argo import run_manifest
from wf2k8s.backends.argo.compiler import step_names
from wf2k8s.backends.argo.yamlio import dump_all

FLAVOR = {"cpu": "1", "memory": "1Gi"}


def job(name, depend_steps=None, policy=None, image="team/train:1", **kwargs):
    outputs = kwargs.pop("outputs", None) or [wf.steps.JobOutput(name="train_url")]
    return wf.steps.JobStep(
        name=name,
        algorithm=kwargs.pop("algorithm", None) or wf.BaseAlgorithm(
            code_dir="obs://b/code/", boot_file="train.py", engine=wf.steps.JobEngine(image_url=image)),
        inputs=kwargs.pop("inputs", None) or wf.steps.JobInput(name="data_url",
                                                               data=wf.data.OBSPath(obs_path="obs://b/data/")),
        outputs=outputs, spec=kwargs.pop("spec", None) or wf.steps.JobSpec(
            resource=wf.steps.JobResource(flavor=FLAVOR)),
        depend_steps=depend_steps, policy=policy, **kwargs)


def compile_(*steps, **kwargs) -> dict:
    document = wf.Workflow(name="wf", desc="d", steps=list(steps), **kwargs).to_workflow_template()
    assert check_document(yaml.safe_load(dump_all([document]))) == []
    return document


def tasks(document) -> dict[str, dict]:
    return {t["name"]: t for t in document["spec"]["templates"][0]["dag"]["tasks"]}


def argument(task, name):
    return next(p["value"] for p in task["arguments"]["parameters"] if p["name"] == name)


def test_default_rule_needs_one_dependency_to_have_succeeded():
    a, b = job("a"), job("b")
    c = job("c", depend_steps=[a, b])
    found = tasks(compile_(a, b, c))
    assert "when" not in found["a"]
    assert found["c"]["dependencies"] == ["a", "b"]
    assert found["c"]["when"] == "{{tasks.a.status}} == Succeeded || {{tasks.b.status}} == Succeeded"


def test_skip_condition_replaces_the_default_rule():
    skip = wf.Placeholder(name="is_skip", placeholder_type=wf.PlaceholderType.BOOL, default=False)
    a = job("a")
    b = job("b", depend_steps=a, policy=wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
        wf.steps.ConditionTypeEnum.EQ, skip, True)))
    assert tasks(compile_(a, b))["b"]["when"] == "{{=!(workflow.parameters['is_skip'] == 'true')}}"


def test_metric_skip_condition_reads_the_jobs_result_and_depends_on_it():
    storage = wf.data.OutputStorage(name="out")
    a = job("train", outputs=[wf.steps.JobOutput(name="metrics", metrics_config=wf.data.MetricsConfig(
        metric_files=storage.join("m.json", create_dir=False)))])
    b = job("register", policy=wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
        wf.steps.ConditionTypeEnum.LT, wf.steps.MetricInfo(a.outputs["metrics"].as_input(), "accuracy"), 0.5)))
    found = tasks(compile_(a, b, storages=storage))
    assert found["register"]["dependencies"] == ["train"]  # the metric makes it depend on the job
    assert found["register"]["when"] == ("{{=!(asFloat(jsonpath(tasks['train'].outputs.parameters.result, "
                                         "'$.metrics.metrics.accuracy')) < 0.5)}}")


def test_condition_step_branches():
    flag = wf.Placeholder(name="flag", placeholder_type=wf.PlaceholderType.BOOL, default=True)
    check = wf.steps.ConditionStep(name="check", conditions=wf.steps.Condition(
        wf.steps.ConditionTypeEnum.EQ, flag, True), if_then_steps="yes", else_then_steps=["no"])
    yes, no = job("yes", depend_steps=check), job("no")  # "no" gets the dependency from the branch
    found = tasks(compile_(check, yes, no))
    assert found["yes"]["when"] == ("{{=(tasks['check'].status == 'Succeeded' && "
                                    "tasks['check'].outputs.parameters.condition == 'true')}}")
    assert found["no"]["dependencies"] == ["check"]
    assert found["no"]["when"].endswith("condition == 'false')}}")
    spec = json.loads(argument(found["check"], "spec"))
    assert spec == {"contract": "1.0", "step": "check", "title": "check",
                    "policy": {"poll_interval_seconds": 1, "max_execution_minutes": 10080},
                    "conditions": [{"op": "==", "left": {"$param": "flag", "type": "bool"}, "right": True}]}


def test_data_consumption_selector_gives_every_candidate_result():
    a, b = job("a"), job("b")
    selector = wf.data.DataConsumptionSelector(
        data_list=[a.outputs["train_url"].as_input(), b.outputs["train_url"].as_input()])
    model = wf.steps.ModelStep(name="m", inputs=wf.steps.ModelInput(name="model_input", data=selector),
        outputs=wf.steps.ModelOutput(name="o", model_config=wf.steps.ModelConfig(model_name="x")),
        depend_steps=[a, b])
    spec = argument(tasks(compile_(a, b, model))["m"], "spec")
    assert '{"$select":[{"$output":"a/train_url","result":{{=tasks[\'a\'].outputs.parameters.result ?? \'null\'}}}' \
        in spec


def test_scene_parameter_and_membership():
    a, b = job("a"), job("b")
    document = compile_(a, b, policy=wf.policy.Policy(scenes=[wf.policy.Scene(scene_name="Only a", scene_steps=[a])]))
    scene = next(p for p in document["spec"]["arguments"]["parameters"] if p["name"] == "wf2k8s-scene")
    assert scene["value"] == "all" and scene["enum"] == ["all", "Only a"]
    found = tasks(document)
    assert found["a"]["when"] == "{{=(workflow.parameters['wf2k8s-scene'] in ['all', 'Only a'])}}"
    assert found["b"]["when"] == "{{=(workflow.parameters['wf2k8s-scene'] in ['all'])}}"


def test_delayed_placeholder_is_a_suspend_node_before_its_first_consumer():
    value = wf.Placeholder(name="epochs", placeholder_type=wf.PlaceholderType.ENUM, enum_list=["1", "5"],
                           default="5", delay=True, description="how long")
    first = job("first")
    second = job("second", depend_steps=first, algorithm=wf.BaseAlgorithm(
        code_dir="obs://b/c/", boot_file="t.py", engine=wf.steps.JobEngine(image_url="i:1"),
        parameters=[wf.AlgorithmParameters(name="epochs", value=value)]))
    document = compile_(first, second)
    found = tasks(document)
    assert found["input-epochs"]["dependencies"] == ["first"]
    assert found["second"]["dependencies"] == ["first", "input-epochs"]
    template = next(t for t in document["spec"]["templates"] if t["name"] == "input-epochs")
    assert template["suspend"] == {}
    assert template["inputs"]["parameters"] == [{"name": "epochs", "default": "5", "description": "how long",
                                                 "enum": ["1", "5"]}]
    assert template["outputs"]["parameters"] == [{"name": "epochs", "valueFrom": {"supplied": {}}}]
    assert "epochs" not in {p["name"] for p in document["spec"]["arguments"]["parameters"]}
    assert "{{=toJson(tasks['input-epochs'].outputs.parameters['epochs'])}}" in argument(found["second"], "spec")


@pytest.mark.parametrize("default, text", [(1e-5, "1e-05"), ("08", "08"), (True, "true"), ("null", "null"),
                                           ("1e-5", "1e-5"), ("0o17", "0o17"), ("yes", "yes"), ("", "")])
def test_parameter_values_stay_strings_in_yaml(default, text):
    ptype = wf.PlaceholderType.BOOL if isinstance(default, bool) else \
        wf.PlaceholderType.FLOAT if isinstance(default, float) else wf.PlaceholderType.STR
    placeholder = wf.Placeholder(name="p", placeholder_type=ptype, default=default)
    step = job("a", algorithm=wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py",
                                                engine=wf.steps.JobEngine(image_url="i:1"),
                                                parameters=[wf.AlgorithmParameters(name="p", value=placeholder)]))
    emitted = dump_all([compile_(step)])
    assert f'value: "{text}"' in emitted  # quoted: go-yaml reads it as the string it is
    reloaded = yaml.safe_load(emitted)["spec"]["arguments"]["parameters"][0]["value"]
    assert reloaded == text


def test_names_documents_and_runs():
    a = job("training_job")
    document = compile_(a)
    assert document["metadata"] == {"name": "wf", "namespace": "wf2k8s",
                                    "labels": {"app.kubernetes.io/managed-by": "wf2k8s"},
                                    "annotations": document["metadata"]["annotations"]}
    assert "generateName" not in json.dumps(document)
    assert step_names(document["spec"]) == {"training-job": "training_job"}
    run = run_manifest(document, "wf-1", {"p": "1"})
    assert run["spec"] == {"workflowTemplateRef": {"name": "wf"}, "arguments": {"parameters": [
        {"name": "p", "value": "1"}]}}
    assert check_document(run) == []


def test_job_pod_patch_priority_volumes_timeout_and_shared_arguments():
    spec = wf.steps.JobSpec(resource=wf.steps.JobResource(flavor="modelarts.vm.cpu.2u"),
                            schedule_policy=wf.steps.SchedulePolicy(priority=3),
                            volumes=[wf.steps.Volume(nfs=wf.steps.NFS(nfs_server_path="10.0.0.1:/exports/d",
                                                                      local_path="/mnt/d", read_only=True))])
    a = job("a", spec=spec, policy=wf.steps.StepPolicy(max_execution_minutes=30))
    b = job("b", spec=spec)
    document = compile_(a, b)
    template = next(t for t in document["spec"]["templates"] if t["name"] == "job")
    defaults = {p["name"]: p.get("default") for p in template["inputs"]["parameters"]}
    # both jobs give the same patch and image: they became the template's defaults
    patch = json.loads(defaults["pod-spec-patch"])
    assert defaults["image"] == "team/train:1"
    assert patch["priorityClassName"] == "wf2k8s-high"
    assert patch["containers"][0]["resources"]["limits"] == {"cpu": "2", "memory": "8Gi"}
    assert patch["volumes"] == [{"name": "nfs-0", "nfs": {"server": "10.0.0.1", "path": "/exports/d",
                                                         "readOnly": True}}]
    assert patch["containers"][0]["volumeMounts"] == [{"name": "nfs-0", "mountPath": "/mnt/d", "readOnly": True}]
    assert argument(tasks(document)["a"], "timeout-seconds") == "1800"
    assert argument(tasks(document)["b"], "timeout-seconds") == "604800"  # the default, written out


def test_engines_resolve_once_per_engine_when_the_run_starts():
    engine = wf.steps.JobEngine(engine_name="scikit-learn", engine_version="1.2")
    algorithm = wf.BaseAlgorithm(code_dir="obs://b/c/", boot_file="t.py", engine=engine)
    a, b = job("a", algorithm=algorithm), job("b", algorithm=algorithm)
    c = job("c", algorithm=wf.Algorithm(algorithm_id="algo-1"))
    found = tasks(compile_(a, b, c))
    assert [n for n in found if n.startswith("resolve-image")] == ["resolve-image-1", "resolve-image-2"]
    assert found["a"]["dependencies"] == found["b"]["dependencies"] == ["resolve-image-1"]
    assert argument(found["c"], "image") == "{{tasks.resolve-image-2.outputs.parameters.image}}"
    assert json.loads(argument(found["resolve-image-2"], "spec"))["algorithm"] == {"algorithm_id": "algo-1"}


def test_storage_paths_and_output_storage_parameters():
    storage = wf.data.OutputStorage(name="out", description="where runs write")
    a = job("a", outputs=[wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
        obs_path=storage.join("model/").join("v1/")))])
    document = compile_(a, storages=storage)
    assert document["spec"]["arguments"]["parameters"] == [{"name": "out", "description": "where runs write"}]
    assert '{"$storage":"out","path":"model/v1/","execution_id":true}' in argument(tasks(document)["a"], "spec")


def mrs_step() -> wf.steps.MrsJobStep:
    return wf.steps.MrsJobStep(
        name="mrs_test", mrs_algorithm=wf.steps.MrsJobAlgorithm(
            boot_file="obs://spark-sql/wordcount.py",
            parameters=[wf.AlgorithmParameters(name="run_args", value="--master,yarn-cluster")]),
        inputs=wf.steps.MrsJobInput(name="mrs_input", data=wf.data.OBSPath(obs_path="/spark-sql/mrs_input/")),
        outputs=wf.steps.MrsJobOutput(name="mrs_output", obs_config=wf.data.OBSOutputConfig(
            obs_path="/spark-sql/mrs_output")),
        cluster_id="cluster_id_xxx")


def test_mrs_job_runs_spark_submit_in_the_spark_image():
    document = compile_(mrs_step())
    template = next(t for t in document["spec"]["templates"] if t["name"] == "mrs-job")
    assert template["container"]["image"] == f"wf2k8s/spark:{wf.__version__}"
    assert template["container"]["command"][:3] == ["python3", "/wf2k8s/bin/wf2k8s-runtime.pyz", "mrs-job"]
    spec = json.loads(argument(tasks(document)["mrs-test"], "spec"))
    assert spec["algorithm"]["boot_file"] == "obs://spark-sql/wordcount.py"
    assert spec["inputs"] == [{"name": "mrs_input", "data": "/spark-sql/mrs_input/"}]
    assert spec["algorithm"]["parameters"] == [{"name": "run_args", "value": "--master,yarn-cluster"}]


def test_mrs_job_is_a_spark_application_resource_with_the_operator():
    document = wf.Workflow(name="wf", desc="d", steps=[mrs_step()]).to_workflow_template(spark_operator=True)
    assert check_document(yaml.safe_load(dump_all([document]))) == []
    template = next(t for t in document["spec"]["templates"] if t["name"] == "mrs-job")
    assert template["resource"]["successCondition"] == "status.applicationState.state == COMPLETED"
    assert template["resource"]["failureCondition"] == "status.applicationState.state in (FAILED, SUBMISSION_FAILED)"
    manifest = argument(tasks(document)["mrs-test"], "manifest")
    assert '"kind":"SparkApplication"' in manifest
    assert "{{=toJson('s3a://spark-sql/wordcount.py')}}" in manifest
    assert re.search(r"--mrs_input=' \+ 's3a://spark-sql/mrs_input/'", manifest)


def test_debug_mode_pauses_before_each_chosen_step():
    a = job("a")
    b = job("b", depend_steps=a)
    document = wf.Workflow(name="wf", desc="d", steps=[a, b]).to_workflow_template(pause_before=["b"])
    assert check_document(yaml.safe_load(dump_all([document]))) == []
    found = tasks(document)
    assert list(found) == ["a", "debug-b", "b"]
    assert found["debug-b"]["template"] == "debug-pause" and found["debug-b"]["dependencies"] == ["a"]
    assert found["debug-b"]["when"] == found["b"]["when"]
    assert found["b"]["dependencies"] == ["a", "debug-b"]


def test_gallery_assets_are_versioned_templates():
    from wf2k8s.sdk.gallery import gallery_asset, next_version

    assert next_version([]) == "1.0.0"
    assert next_version(["1.0.0", "1.0.9", "1.0.10"]) == "1.0.11"
    asset = gallery_asset(compile_(job("a")), "demo", "1.0.2", "Demo", "shared", "group")
    assert asset["metadata"]["name"] == "demo-v1-0-2"
    assert asset["metadata"]["labels"]["wf2k8s.io/gallery-version"] == "1.0.2"
    assert check_document(asset) == []


# partial execution (seed 4.10.1 scenes, seed 4.8 run(steps=...)): the compiled `when`, decided as Argo does ------


def decide(when: str | None, scene: str, done: dict[str, dict], params: dict[str, str]) -> bool:
    """A task's ``when`` as Argo decides it: expression tags (expr-lang) first, then the rest (govaluate, in
    which a bare word is a string). expr-lang's ``&&``, ``||``, ``!``, ``in`` and literals read as Python here."""
    if not when:
        return True
    tasks_env = {name: SimpleNamespace(status=node["phase"], outputs=SimpleNamespace(parameters=SimpleNamespace(
        **node.get("outputs", {})))) for name, node in done.items()}
    env = {"workflow": SimpleNamespace(parameters={**params, "wf2k8s-scene": scene}), "tasks": tasks_env}

    def python(expression: str) -> str:
        expression = re.sub(r"!(?!=)", " not ", expression)
        expression = re.sub(r"(?<!')\b(true|false)\b(?!')", lambda m: m.group(1).title(), expression)
        return expression.replace("&&", " and ").replace("||", " or ")

    text = re.sub(r"\{\{=(.*?)\}\}", lambda m: str(bool(eval(python(m.group(1)), {}, env))), when)
    text = re.sub(r"\{\{tasks\.([a-z0-9-]+)\.status\}\}", lambda m: repr(done[m.group(1)]["phase"]), text)
    text = re.sub(r"(?<!['\w])(Succeeded|Skipped|Failed|Omitted)(?!['\w])", r"'\1'", text)
    return bool(eval(python(text), {}, {}))


def simulate(document: dict, scene: str = "all", params: dict | None = None, fails: tuple = (),
             outputs: dict | None = None) -> dict[str, str]:
    """Each task's phase in a run of ``scene``: a task waits for its ``dependencies`` (a Failed or Omitted one
    omits it, Skipped ones satisfy it), then runs when its ``when`` holds (``fails`` fail), else is Skipped."""
    pending = {t["name"]: t for t in document["spec"]["templates"][0]["dag"]["tasks"]}
    done: dict[str, dict] = {}
    while pending:
        ready = [t for t in pending.values() if all(d in done for d in t.get("dependencies") or [])]
        assert ready, f"a cycle among {sorted(pending)}"
        for task in ready:
            del pending[task["name"]]
            if any(done[d]["phase"] in ("Failed", "Omitted") for d in task.get("dependencies") or []):
                phase = "Omitted"
            elif decide(task.get("when"), scene, done, params or {}):
                phase = "Failed" if task["name"] in fails else "Succeeded"
            else:
                phase = "Skipped"
            done[task["name"]] = {"phase": phase, "outputs": (outputs or {}).get(task["name"], {})}
    return {name: node["phase"] for name, node in done.items()}


def seed_partial_execution() -> wf.Workflow:
    from wf2k8s.cli import load_workflows
    (workflow,) = load_workflows(ROOT / "examples" / "seed" / "s4_10_1_partial_execution.py")
    return workflow


ROOT = Path(__file__).resolve().parents[2]
SEED_STEPS = ["labeling", "release-dataset", "training-job", "model-registration", "input-si-placeholder1",
              "service-step"]


@pytest.mark.parametrize("scene, runs", [
    ("all", SEED_STEPS),
    ("Model training", ["labeling", "release-dataset", "training-job"]),
    ("Service deployment", ["model-registration", "input-si-placeholder1", "service-step"]),
])
def test_a_scene_of_the_seeds_4_10_1_runs_its_steps_and_skips_the_others(scene, runs):
    document = seed_partial_execution().to_workflow_template()
    found = simulate(document, scene)
    assert found == {"resolve-image-1": "Succeeded",
                     **{task: "Succeeded" if task in runs else "Skipped" for task in SEED_STEPS}}


def test_the_when_of_a_step_whose_dependency_a_scene_leaves_out():
    found = tasks(seed_partial_execution().to_workflow_template())
    scene = "workflow.parameters['wf2k8s-scene']"
    # model registration: after the training job in a full run; first in "Service deployment"
    assert found["model-registration"]["when"] == (
        "{{=(" + scene + " in ['all'] && tasks['training-job'].status == 'Succeeded') || "
        "(" + scene + " in ['Service deployment'])}}")
    # the service: the same rule in both (its dependency is in its scene), so one alternative
    assert found["service-step"]["when"] == (
        "{{=(" + scene + " in ['all', 'Service deployment'] && tasks['model-registration'].status == 'Succeeded')}}")
    assert found["labeling"]["when"] == "{{=(" + scene + " in ['all', 'Model training'])}}"


def test_run_of_some_steps_runs_them_whatever_they_depend_on():
    # seed 4.8: workflow.run(steps=[job_step, model_step, service_step]) is the scene "development"
    workflow = seed_partial_execution().with_scene("development", ["training_job", "model_registration",
                                                                   "service_step"])
    found = simulate(workflow.to_workflow_template(), "development")
    assert {k: v for k, v in found.items() if k in SEED_STEPS} == {
        "labeling": "Skipped", "release-dataset": "Skipped", "training-job": "Succeeded",
        "model-registration": "Succeeded", "input-si-placeholder1": "Succeeded", "service-step": "Succeeded"}
    # a failed dependency inside the selection still stops what follows it
    failed = simulate(workflow.to_workflow_template(), "development", fails=("training-job",))
    assert (failed["training-job"], failed["model-registration"], failed["service-step"]) == \
        ("Failed", "Omitted", "Omitted")


@pytest.mark.parametrize("skip_b, expected", [
    ("true", {"a": "Skipped", "b": "Skipped", "c": "Skipped", "d": "Skipped"}),
    ("false", {"a": "Skipped", "b": "Succeeded", "c": "Succeeded", "d": "Skipped"}),
])
def test_skip_conditions_and_the_default_rule_hold_inside_a_scene(skip_b, expected):
    skip = wf.Placeholder(name="skip_b", placeholder_type=wf.PlaceholderType.BOOL, default=False)
    a = job("a")
    b = job("b", depend_steps=a, policy=wf.steps.StepPolicy(skip_conditions=wf.steps.Condition(
        wf.steps.ConditionTypeEnum.EQ, skip, True)))
    c = job("c", depend_steps=b)  # skipped when b is: the default rule, over the scene's steps
    d = job("d", depend_steps=c)  # not in the scene
    document = compile_(a, b, c, d, policy=wf.policy.Policy(scenes=[wf.policy.Scene(scene_name="S",
                                                                                   scene_steps=[b, c])]))
    assert simulate(document, "S", {"skip_b": skip_b}) == expected
    assert simulate(document, "all", {"skip_b": "false"}) == dict.fromkeys("abcd", "Succeeded")
    assert simulate(document, "all", {"skip_b": "true"}) == {"a": "Succeeded", "b": "Skipped", "c": "Skipped",
                                                            "d": "Skipped"}


def test_a_branch_of_a_condition_step_a_scene_leaves_out_decides_nothing():
    flag = wf.Placeholder(name="flag", placeholder_type=wf.PlaceholderType.BOOL, default=True)
    check = wf.steps.ConditionStep(name="check", conditions=wf.steps.Condition(
        wf.steps.ConditionTypeEnum.EQ, flag, True), if_then_steps="yes", else_then_steps=["no"])
    yes, no = job("yes"), job("no")
    document = compile_(check, yes, no, policy=wf.policy.Policy(scenes=[
        wf.policy.Scene(scene_name="only no", scene_steps=[no]),
        wf.policy.Scene(scene_name="decided", scene_steps=[check, yes, no])]))
    true = {"check": {"condition": "true"}}
    assert simulate(document, "only no", outputs=true) == {"check": "Skipped", "yes": "Skipped", "no": "Succeeded"}
    assert simulate(document, "decided", outputs=true) == {"check": "Succeeded", "yes": "Succeeded", "no": "Skipped"}
    assert simulate(document, "all", outputs=true) == {"check": "Succeeded", "yes": "Succeeded", "no": "Skipped"}


def test_a_delayed_input_waits_as_its_users_do_in_a_scene():
    value = wf.Placeholder(name="epochs", placeholder_type=wf.PlaceholderType.STR, default="5", delay=True)
    first = job("first")
    second = job("second", depend_steps=first, algorithm=wf.BaseAlgorithm(
        code_dir="obs://b/c/", boot_file="t.py", engine=wf.steps.JobEngine(image_url="i:1"),
        parameters=[wf.AlgorithmParameters(name="epochs", value=value)]))
    document = compile_(first, second, policy=wf.policy.Policy(scenes=[wf.policy.Scene(scene_name="S",
                                                                                      scene_steps=[second])]))
    assert simulate(document, "S") == {"first": "Skipped", "input-epochs": "Succeeded", "second": "Succeeded"}
    assert simulate(document, "all", fails=("first",)) == {"first": "Failed", "input-epochs": "Omitted",
                                                           "second": "Omitted"}


def scenes_pipeline(train_output: wf.steps.JobOutput | None = None, storages=None) -> list:
    train = job("train", outputs=[train_output] if train_output else None)
    evaluate = job("evaluate", inputs=wf.steps.JobInput(name="data_url", data=train.outputs["train_url"].as_input()))
    return [train, evaluate], dict(storages=storages, policy=wf.policy.Policy(scenes=[
        wf.policy.Scene(scene_name="training", scene_steps=[train]),
        wf.policy.Scene(scene_name="evaluation", scene_steps=[evaluate])]))


def output_ref(document: dict, step: str) -> dict:
    return json.loads(re.sub(r"\{\{=.*?\}\}", "null", argument(tasks(document)[step], "spec")))["inputs"][0]["data"]


@pytest.mark.parametrize("output, fixed", [
    (wf.steps.JobOutput(name="train_url"), None),
    (wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(obs_path="obs://b/fixed/")),
     "obs://b/fixed/"),
    (wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
        obs_path=wf.data.Storage(name="root").join("train/"))), {"$storage": "root", "path": "train/"}),
    (wf.steps.JobOutput(name="train_url", obs_config=wf.data.OBSOutputConfig(
        obs_path=wf.data.OutputStorage(name="root").join("train/"))), None),  # a new place in every run
])
def test_an_output_a_scene_reads_without_its_producer_has_a_fallback(output, fixed):
    steps, options = scenes_pipeline(output)
    document = compile_(*steps, **options)
    given = next(p for p in document["spec"]["arguments"]["parameters"]
                 if p["name"] == "wf2k8s-output-train-train_url")
    assert given["value"] == "" and "output 'train_url' of step 'train'" in given["description"]
    assert output_ref(document, "evaluate") == {"$output": "train/train_url", "result": None, "fallback": {
        "given": "wf2k8s-output-train-train_url", **({"fixed": fixed} if fixed else {})}}
    # the full run: evaluate after train, as before
    assert simulate(document, "all") == {"train": "Succeeded", "evaluate": "Succeeded"}
    assert simulate(document, "evaluation")["evaluate"] == "Succeeded"


def test_an_output_every_scene_reads_with_its_producer_has_no_fallback():
    train = job("train")
    evaluate = job("evaluate", inputs=wf.steps.JobInput(name="data_url", data=train.outputs["train_url"].as_input()))
    document = compile_(train, evaluate, policy=wf.policy.Policy(scenes=[
        wf.policy.Scene(scene_name="both", scene_steps=[train, evaluate])]))
    assert "fallback" not in output_ref(document, "evaluate")
    assert not [p for p in document["spec"]["arguments"]["parameters"] if p["name"].startswith("wf2k8s-output-")]
