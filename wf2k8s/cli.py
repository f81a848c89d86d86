"""``wf2k8s``: compile pipelines to Argo resources, run them on the current kube context."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any, Iterator

from wf2k8s import __version__, cluster, running
from wf2k8s.backends.argo import graph as argo_graph
from wf2k8s.backends.argo.compiler import namespace_problem
from wf2k8s.backends.argo.yamlio import dump_all
from wf2k8s.cluster import ClusterError
from wf2k8s.errors import ValidationError
from wf2k8s.sdk import platform
from wf2k8s.sdk import workflow as workflow_module

EXIT_INVALID = 2


class CliError(Exception):
    """A problem to report in one line, with an exit code."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


# loading a pipeline script ------------------------------------------------------------------------


@contextlib.contextmanager
def script_context(path: Path) -> Iterator[None]:
    """As ``python PIPELINE.py`` runs it: its folder first on sys.path, argv set, stdout kept clean."""
    saved_path, saved_argv = list(sys.path), list(sys.argv)
    sys.path.insert(0, str(path.parent.resolve()))
    sys.argv = [str(path)]
    try:
        yield
    finally:
        sys.path[:] = saved_path
        sys.argv = saved_argv


def load_workflows(path: Path) -> list[Any]:
    """Run the script and return every Workflow bound at module level (or released by it)."""
    if not path.is_file():
        raise CliError(f"{path}: no such file", EXIT_INVALID)
    released: list[Any] = []
    captured = io.StringIO()
    with script_context(path), workflow_module.capture_releases(released), contextlib.redirect_stdout(captured):
        try:
            namespace = runpy.run_path(str(path), run_name="__main__")
        except ValidationError:
            raise
        except SystemExit as stop:
            if stop.code not in (0, None):
                raise CliError(f"{path}: the script exited with {stop.code}") from None
            namespace = {}
        except Exception as problem:  # the user's script failed: say where, in one line
            raise CliError(script_failure(path, problem)) from None
    found: list[Any] = []
    for value in [*namespace.values(), *released]:
        if isinstance(value, workflow_module.Workflow) and all(value is not w for w in found):
            found.append(value)
    if not found:
        raise CliError(f"{path}: defines no wf.Workflow at module level", EXIT_INVALID)
    return found


def script_failure(path: Path, problem: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(problem.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    where = f"{path}:{frames[-1].lineno}" if frames else str(path)
    if isinstance(problem, SyntaxError):
        where = f"{path}:{problem.lineno}"
    return f"{where}: {type(problem).__name__}: {problem}"


# commands -----------------------------------------------------------------------------------------


def check_namespace(args: argparse.Namespace) -> None:
    """Refuse a --namespace Kubernetes cannot have, before the script runs."""
    problem = namespace_problem(args.namespace)
    if problem:
        raise CliError(f"--namespace: {problem}", EXIT_INVALID)


def compile_options(args: argparse.Namespace) -> dict:
    return {"namespace": args.namespace, "image_registry": args.image_registry,
            "spark_operator": args.spark_operator}


def cmd_compile(args: argparse.Namespace) -> int:
    check_namespace(args)
    if args.target == "kfp":
        return compile_kfp(args)
    workflows = load_workflows(Path(args.pipeline))
    text = dump_all(w.to_workflow_template(**compile_options(args)) for w in workflows)
    advice = platform.apply_size_advice(text)
    if advice:
        print(advice, file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def compile_kfp(args: argparse.Namespace) -> int:
    """``--target kfp``: the pipeline as a Kubeflow Pipelines v2 pipeline (kfp's own YAML; one pipeline a file)."""
    from wf2k8s.backends import kfp  # kfp itself is imported only here: it is an optional extra

    if args.spark_operator:
        raise CliError("--spark-operator is an option of the Argo target", EXIT_INVALID)
    workflows = load_workflows(Path(args.pipeline))
    if len(workflows) > 1:
        raise CliError(f"{args.pipeline}: defines {len(workflows)} workflows; a KFP pipeline file holds one",
                       EXIT_INVALID)
    try:
        text = kfp.compile_graph(platform.graph(workflows[0]), namespace=args.namespace,
                                 image_registry=args.image_registry)
    except kfp.KfpUnavailable as missing:
        raise CliError(str(missing), EXIT_INVALID) from None
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def parse_parameters(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise CliError(f"-p {item}: expected NAME=VALUE", EXIT_INVALID)
        name, value = item.split("=", 1)
        values[name] = value
    return values


def cmd_run(args: argparse.Namespace) -> int:
    check_namespace(args)
    workflows = load_workflows(Path(args.pipeline))
    if len(workflows) > 1:
        raise CliError(f"{args.pipeline}: defines {len(workflows)} workflows; run needs exactly one", EXIT_INVALID)
    parameters = parse_parameters(args.parameter)
    run = cluster.release_and_run(workflows[0], parameters=parameters, scene=args.scene, wait=args.wait,
                                  progress=None if args.output == "json" else sys.stderr, **compile_options(args))
    print_run(run, args.output)
    if args.wait:
        return 0 if run["phase"] == "Succeeded" else 1
    return 0


def print_run(run: dict, output: str) -> None:
    if output == "json":
        print(json.dumps(run, indent=2))
        return
    print(f"{run['name']}: {run['phase']}" + (f" ({run['message']})" if run.get("message") else ""))
    steps = run.get("steps", {})
    width = max((len(step) for step in steps), default=0)
    for step, phase in steps.items():
        progress = run.get("progress", {}).get(step)
        seconds = run.get("durations", {}).get(step)
        print(f"  {step.ljust(width)}  {phase:<9}" + (f"  {seconds:>5}s" if seconds is not None else "")
              + (f"  ({progress})" if progress else ""))


def cmd_status(args: argparse.Namespace) -> int:
    if args.wait:
        run = cluster.follow(args.run, args.namespace, progress=None if args.output == "json" else sys.stderr)
    else:
        workflow = cluster.get_object("workflow", args.run, args.namespace)
        if workflow is None:
            raise CliError(f"no run {args.namespace}/{args.run}")
        run = cluster.summary(workflow, cluster.run_step_names(workflow))
    print_run(run, args.output)
    return 0 if run["phase"] == "Succeeded" or not args.wait else 1


def cmd_input(args: argparse.Namespace) -> int:
    resumed = cluster.give_input(args.run, args.namespace, parse_parameters(args.values))
    print(f"{args.run}: resumed with {', '.join(resumed)}")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    pod = cluster.finish_labeling(args.run, args.namespace, args.step)
    print(f"{args.run}: step {args.step} goes on with the labels given so far (pod {pod} annotated; the "
          "kubelet passes it on within a minute)")
    return 0


def follow_if_asked(args: argparse.Namespace, run_name: str) -> int:
    """With --wait, follow the run to its end (exit 0 only when it Succeeded); else 0 at once."""
    if not args.wait:
        return 0
    run = cluster.follow(run_name, args.namespace, progress=sys.stderr)
    print_run(run, "text")
    return 0 if run["phase"] == "Succeeded" else 1


def cmd_stop(args: argparse.Namespace) -> int:
    running.stop_run(args.run, args.namespace)
    print(f"{args.run}: stopped (its running phases are stopped; services and models stay)")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    running.retry_run(args.run, args.namespace, args.step, parse_parameters(args.parameter))
    what = f"step {args.step} and what follows it" if args.step else "its failed phases"
    print(f"{args.run}: retrying {what}")
    return follow_if_asked(args, args.run)


def cmd_rerun(args: argparse.Namespace) -> int:
    name = running.rerun(args.run, args.namespace, parse_parameters(args.parameter))
    print(f"{name}: a new run of {args.run}'s pipeline")
    return follow_if_asked(args, name)


def cmd_logs(args: argparse.Namespace) -> int:
    text = running.step_log(args.run, args.namespace, args.step) if args.step else \
        running.run_logs(args.run, args.namespace)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return 0


def print_rows(rows: list[dict], columns: list[str], output: str) -> None:
    """Rows as a table (text), JSON, or CSV (lists joined with ';', a run's metrics as columns of their own)."""
    if output == "json":
        print(json.dumps(rows, indent=2))
        return
    flat = [{**{k: v for k, v in row.items() if k != "metrics"}, **(row.get("metrics") or {})} for row in rows]
    metric_columns = sorted({m for row in rows for m in (row.get("metrics") or {})})
    header = columns + metric_columns

    def cell(value: object) -> str:
        return ";".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)

    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows([[cell(row.get(c)) for c in header] for row in flat])
        return
    table = [header] + [[cell(row.get(c)) for c in header] for row in flat]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip())


def cmd_list(args: argparse.Namespace) -> int:
    if args.runs or args.status or args.step or args.since:
        rows = running.list_runs(args.namespace, args.workflow, args.status, args.tag, args.step, args.since,
                                 args.sort)
        print_rows(rows, ["run", "workflow", "status", "running", "start", "duration", "tags"], args.output)
    else:
        rows = running.list_workflows(args.namespace, args.workflow, args.tag)
        print_rows(rows, ["workflow", "template", "created", "runs", "last_run", "tags"], args.output)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    now = running.tag(args.name, args.namespace, args.tags, remove=args.remove, run=args.run)
    print(f"{args.name}: tags {', '.join(now) or 'none'}")
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    print(f"{running.copy_workflow(args.workflow, args.namespace, args.new_name)}: a copy of {args.workflow}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    what = f"run {args.name}" if args.run else f"workflow {args.name} and its runs (execution records)"
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(f"delete {what}: confirm with --yes (not asked at a terminal)", EXIT_INVALID)
        answer = input(f"Delete {what}? Services and registered models stay. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted")
            return 1
    for item in running.delete(args.name, args.namespace, run=args.run):
        print(f"deleted {item}")
    return 0


def cmd_configure(args: argparse.Namespace) -> int:
    saved = running.configure(args.workflow, args.namespace, parse_parameters(args.parameter), args.scene)
    print(f"{args.workflow}: runs started with wf2k8s start get " + ", ".join(f"{k}={v}" for k, v in saved.items()))
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    name = running.start(args.workflow, args.namespace, parse_parameters(args.parameter))
    print(f"{name}: a run of {args.workflow}")
    return follow_if_asked(args, name)


def cmd_notify(args: argparse.Namespace) -> int:
    subscriptions = running.notify(args.workflow, args.namespace, args.url, args.events, args.step, args.remove)
    rows = [{"url": s.url, "events": ", ".join(s.events), "of": f"step {s.step}" if s.step else "the run"}
            for s in subscriptions]
    if not rows:
        print(f"{args.workflow}: no notifications")
        return 0
    print_rows(rows, ["url", "events", "of"], "text")
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    """A pipeline file, a released workflow or a run, drawn; a run's phases coloured by their status."""
    if args.source.endswith(".py"):
        workflows = load_workflows(Path(args.source))
        if len(workflows) != 1:
            raise CliError(f"{args.source}: defines {len(workflows)} workflows; graph draws one", EXIT_INVALID)
        title, spec, statuses = workflows[0].name, workflows[0].to_workflow_template()["spec"], None
    else:
        run = cluster.get_object("workflow", args.source, args.namespace)
        if run is not None:
            nodes = ((run.get("status") or {}).get("nodes") or {}).values()
            title, spec = run["metadata"]["name"], cluster.run_template_spec(run)
            statuses = {n["displayName"]: n.get("phase", "Pending") for n in nodes}  # a task's node is named after it
        else:
            template = running.released(args.source, args.namespace)
            title, spec, statuses = running.modelarts_name(template), template["spec"], None
    try:
        argo_graph.render(argo_graph.dot(spec, title, statuses), args.output)
    except (ValueError, argo_graph.GraphvizMissing) as problem:
        raise CliError(str(problem), EXIT_INVALID) from None
    print(f"{args.output}: {title}")
    return 0


def cmd_records(args: argparse.Namespace) -> int:
    rows = running.records(args.workflow, args.namespace, args.tag, args.status)
    print_rows(rows, ["run", "status", "start", "duration", "tags"], args.output)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wf2k8s", description=__doc__)
    parser.add_argument("--version", action="version", version=f"wf2k8s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("pipeline", help="a Python script that defines a wf.Workflow")
        p.add_argument("--namespace", default=os.environ.get("WF2K8S_NAMESPACE", "wf2k8s"),
                       help="namespace of the emitted resources (default: wf2k8s, or $WF2K8S_NAMESPACE)")
        p.add_argument("--image-registry", default=os.environ.get("WF2K8S_IMAGE_REGISTRY", ""),
                       help="registry prefix of the wf2k8s images (default: none, or $WF2K8S_IMAGE_REGISTRY)")
        p.add_argument("--spark-operator", action="store_true",
                       default=os.environ.get("WF2K8S_SPARK_OPERATOR") == "1",
                       help="MrsJobSteps as Kubeflow Spark Operator SparkApplications (default: spark-submit in "
                            "local mode in the step's pod; or $WF2K8S_SPARK_OPERATOR=1)")

    p_compile = sub.add_parser("compile", help="print the pipeline as an Argo WorkflowTemplate (YAML), or with "
                                                "--target kfp as a Kubeflow Pipelines pipeline")
    common(p_compile)
    p_compile.add_argument("-o", "--output", help="write to this file instead of stdout")
    p_compile.add_argument("--target", choices=["argo", "kfp"], default="argo",
                           help="argo: an Argo WorkflowTemplate (default); kfp: a Kubeflow Pipelines v2 pipeline "
                                "(needs pip install 'wf2k8s[kfp]')")
    p_compile.set_defaults(func=cmd_compile)

    p_run = sub.add_parser("run", help="release the pipeline to the current kube context and start a run")
    common(p_run)
    p_run.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                       help="a placeholder or storage root for this run (repeatable); with --scene, "
                            "STEP.OUTPUT=PATH gives an output of a step the scene leaves out (run parameter "
                            "wf2k8s-output-<step>-<output>)")
    p_run.add_argument("--scene", help="partial execution: run only this scene's steps; what they read from the "
                                       "steps it leaves out is the value given (-p STEP.OUTPUT=PATH), else the "
                                       "output's fixed location, else its output in the latest Succeeded run")
    p_run.add_argument("--wait", action="store_true", help="follow the run until it ends")
    p_run.add_argument("--output", choices=["text", "json"], default="text")
    p_run.set_defaults(func=cmd_run)

    namespace = os.environ.get("WF2K8S_NAMESPACE", "wf2k8s")

    def on(name: str, help: str, func: Any, target: str = "run") -> argparse.ArgumentParser:
        """A sub-command acting on a run (or a released workflow): its name argument and --namespace."""
        p = sub.add_parser(name, help=help)
        p.add_argument(target)
        p.add_argument("-n", "--namespace", default=namespace)
        p.set_defaults(func=func)
        return p

    def values(p: argparse.ArgumentParser, help: str) -> None:
        p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE", help=help)

    def wait(p: argparse.ArgumentParser) -> None:
        p.add_argument("--wait", action="store_true", help="follow the run until it ends")

    def output(p: argparse.ArgumentParser, *choices: str) -> None:
        p.add_argument("--output", choices=["text", "json", *choices], default="text")

    p_status = on("status", "show a run's phase and each step's phase", cmd_status)
    wait(p_status)
    output(p_status)
    on("input", "give a value a run waits for (delay=True placeholders)", cmd_input).add_argument(
        "values", nargs="+", metavar="NAME=VALUE")
    on("resume", "let a waiting labeling step go on before every sample is labeled", cmd_resume).add_argument(
        "step", help="the LabelingStep's name")

    # the running state (seed chapter 3), on Argo's own operations
    on("stop", "stop a run: its running phases stop, no further phase starts", cmd_stop)
    p_retry = on("retry", "run a finished run's failed phases again, keeping those that succeeded", cmd_retry)
    p_retry.add_argument("--step", help="run this step again even if it succeeded, and what follows it")
    values(p_retry, "a new value for one of the run's parameters (repeatable)")
    wait(p_retry)
    p_rerun = on("rerun", "start a new run of a run's pipeline with the same parameters", cmd_rerun)
    values(p_rerun, "a different value for one of the parameters (repeatable)")
    wait(p_rerun)
    on("logs", "what a run's steps printed (one step with STEP)", cmd_logs).add_argument("step", nargs="?")

    p_list = sub.add_parser("list", help="released workflows, or (--runs, or any run filter) their runs")
    p_list.add_argument("workflow", nargs="?", help="only this workflow (part of its name, for workflows)")
    p_list.add_argument("--runs", action="store_true", help="list runs rather than workflows")
    p_list.add_argument("--status", help="runs in this status (Running, Succeeded, Failed, ...)")
    p_list.add_argument("--step", help="runs whose step STEP is running now (the current phase)")
    p_list.add_argument("--since", help="runs started at or after this date or time")
    p_list.add_argument("--tag", help="only those with this tag")
    p_list.add_argument("--sort", choices=["start", "duration", "name"], default="start")
    output(p_list, "csv")
    p_list.add_argument("-n", "--namespace", default=namespace)
    p_list.set_defaults(func=cmd_list)

    p_tag = on("tag", "add (or --remove) tags of a released workflow, or of a run with --run", cmd_tag, "name")
    p_tag.add_argument("tags", nargs="+", metavar="TAG")
    p_tag.add_argument("--remove", action="store_true")
    p_tag.add_argument("--run", action="store_true", help="NAME is a run")
    on("copy", "copy a released workflow (default name: <name>_copy)", cmd_copy, "workflow").add_argument(
        "new_name", nargs="?")
    p_delete = on("delete", "delete a released workflow and its runs, or a run with --run; services and "
                            "registered models stay", cmd_delete, "name")
    p_delete.add_argument("--run", action="store_true", help="NAME is a run")
    p_delete.add_argument("--yes", action="store_true", help="do not ask")
    p_configure = on("configure", "save run values (and a scene) with a released workflow", cmd_configure,
                     "workflow")
    values(p_configure, "a value later runs get (repeatable)")
    p_configure.add_argument("--scene", help="the scene later runs run (partial execution)")
    p_start = on("start", "start a run of a released workflow with its configured values", cmd_start, "workflow")
    values(p_start, "a value for this run only (repeatable)")
    wait(p_start)
    p_notify = on("notify", "subscribe a webhook to a released workflow's events (Awaiting input, Executed, "
                            "Abnormal) of its runs or of one step, --remove one; lists the subscriptions",
                  cmd_notify, "workflow")
    p_notify.add_argument("--url", help="the webhook (http or https) that gets each event as a JSON POST")
    p_notify.add_argument("--events", help="awaiting-input, executed, abnormal (comma separated; default: all)")
    p_notify.add_argument("--step", help="events of this step only (default: of the run)")
    p_notify.add_argument("--remove", metavar="URL", help="remove the subscriptions of this webhook")
    p_graph = on("graph", "draw a pipeline (PIPELINE.py), a released workflow or a run (its phases coloured by "
                          "status) as SVG, PNG, PDF or DOT", cmd_graph, "source")
    p_graph.add_argument("-o", "--output", required=True, help="FILE.svg, .png, .pdf (Graphviz's dot) or .dot")
    p_records = on("records", "a workflow's execution records: status, start, duration, tags, metrics of each "
                              "run", cmd_records, "workflow")
    p_records.add_argument("--tag")
    p_records.add_argument("--status")
    output(p_records, "csv")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as problem:
        print(f"wf2k8s: invalid pipeline: {problem}", file=sys.stderr)
        return EXIT_INVALID
    except CliError as problem:
        print(f"wf2k8s: {problem}", file=sys.stderr)
        return problem.code
    except Exception as problem:
        if not isinstance(problem, ClusterError):
            raise
        print(f"wf2k8s: {problem}", file=sys.stderr)
        return problem.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
