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


def cmd_stop(args: argparse.Namespace) -> int:
    running.stop_run(args.run, args.namespace)
    print(f"{args.run}: stopped (its running phases are stopped; services and models stay)")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    running.retry_run(args.run, args.namespace, args.step, parse_parameters(args.parameter))
    what = f"step {args.step} and what follows it" if args.step else "its failed phases"
    print(f"{args.run}: retrying {what}")
    if args.wait:
        run = cluster.follow(args.run, args.namespace, progress=sys.stderr)
        print_run(run, "text")
        return 0 if run["phase"] == "Succeeded" else 1
    return 0


def cmd_rerun(args: argparse.Namespace) -> int:
    name = running.rerun(args.run, args.namespace, parse_parameters(args.parameter))
    print(f"{name}: a new run of {args.run}'s pipeline")
    if args.wait:
        run = cluster.follow(name, args.namespace, progress=sys.stderr)
        print_run(run, "text")
        return 0 if run["phase"] == "Succeeded" else 1
    return 0


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
    if args.wait:
        run = cluster.follow(name, args.namespace, progress=sys.stderr)
        print_run(run, "text")
        return 0 if run["phase"] == "Succeeded" else 1
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
    p_status = sub.add_parser("status", help="show a run's phase and each step's phase")
    p_status.add_argument("run")
    p_status.add_argument("-n", "--namespace", default=namespace)
    p_status.add_argument("--wait", action="store_true", help="follow the run until it ends")
    p_status.add_argument("--output", choices=["text", "json"], default="text")
    p_status.set_defaults(func=cmd_status)

    p_input = sub.add_parser("input", help="give a value a run waits for (delay=True placeholders)")
    p_input.add_argument("run")
    p_input.add_argument("values", nargs="+", metavar="NAME=VALUE")
    p_input.add_argument("-n", "--namespace", default=namespace)
    p_input.set_defaults(func=cmd_input)

    p_resume = sub.add_parser("resume", help="let a waiting labeling step go on before every sample is labeled")
    p_resume.add_argument("run")
    p_resume.add_argument("step", help="the LabelingStep's name")
    p_resume.add_argument("-n", "--namespace", default=namespace)
    p_resume.set_defaults(func=cmd_resume)

    # the running state (seed chapter 3), on Argo's own operations
    p_stop = sub.add_parser("stop", help="stop a run: its running phases stop, no further phase starts")
    p_stop.add_argument("run")
    p_stop.add_argument("-n", "--namespace", default=namespace)
    p_stop.set_defaults(func=cmd_stop)

    p_retry = sub.add_parser("retry", help="run a finished run's failed phases again, keeping those that succeeded")
    p_retry.add_argument("run")
    p_retry.add_argument("--step", help="run this step again even if it succeeded, and what follows it")
    p_retry.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                         help="a new value for one of the run's parameters (repeatable)")
    p_retry.add_argument("--wait", action="store_true", help="follow the run until it ends")
    p_retry.add_argument("-n", "--namespace", default=namespace)
    p_retry.set_defaults(func=cmd_retry)

    p_rerun = sub.add_parser("rerun", help="start a new run of a run's pipeline with the same parameters")
    p_rerun.add_argument("run")
    p_rerun.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                         help="a different value for one of the parameters (repeatable)")
    p_rerun.add_argument("--wait", action="store_true", help="follow the new run until it ends")
    p_rerun.add_argument("-n", "--namespace", default=namespace)
    p_rerun.set_defaults(func=cmd_rerun)

    p_logs = sub.add_parser("logs", help="what a run's steps printed (one step with STEP)")
    p_logs.add_argument("run")
    p_logs.add_argument("step", nargs="?")
    p_logs.add_argument("-n", "--namespace", default=namespace)
    p_logs.set_defaults(func=cmd_logs)

    p_list = sub.add_parser("list", help="released workflows, or (--runs, or any run filter) their runs")
    p_list.add_argument("workflow", nargs="?", help="only this workflow (part of its name, for workflows)")
    p_list.add_argument("--runs", action="store_true", help="list runs rather than workflows")
    p_list.add_argument("--status", help="runs in this status (Running, Succeeded, Failed, ...)")
    p_list.add_argument("--step", help="runs whose step STEP is running now (the current phase)")
    p_list.add_argument("--since", help="runs started at or after this date or time")
    p_list.add_argument("--tag", help="only those with this tag")
    p_list.add_argument("--sort", choices=["start", "duration", "name"], default="start")
    p_list.add_argument("--output", choices=["text", "json", "csv"], default="text")
    p_list.add_argument("-n", "--namespace", default=namespace)
    p_list.set_defaults(func=cmd_list)

    p_tag = sub.add_parser("tag", help="add (or --remove) tags of a released workflow, or of a run with --run")
    p_tag.add_argument("name")
    p_tag.add_argument("tags", nargs="+", metavar="TAG")
    p_tag.add_argument("--remove", action="store_true")
    p_tag.add_argument("--run", action="store_true", help="NAME is a run")
    p_tag.add_argument("-n", "--namespace", default=namespace)
    p_tag.set_defaults(func=cmd_tag)

    p_copy = sub.add_parser("copy", help="copy a released workflow (default name: <name>_copy)")
    p_copy.add_argument("workflow")
    p_copy.add_argument("new_name", nargs="?")
    p_copy.add_argument("-n", "--namespace", default=namespace)
    p_copy.set_defaults(func=cmd_copy)

    p_delete = sub.add_parser("delete", help="delete a released workflow and its runs, or a run with --run; "
                                             "services and registered models stay")
    p_delete.add_argument("name")
    p_delete.add_argument("--run", action="store_true", help="NAME is a run")
    p_delete.add_argument("--yes", action="store_true", help="do not ask")
    p_delete.add_argument("-n", "--namespace", default=namespace)
    p_delete.set_defaults(func=cmd_delete)

    p_configure = sub.add_parser("configure", help="save run values (and a scene) with a released workflow")
    p_configure.add_argument("workflow")
    p_configure.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    p_configure.add_argument("--scene", help="the scene later runs run (partial execution)")
    p_configure.add_argument("-n", "--namespace", default=namespace)
    p_configure.set_defaults(func=cmd_configure)

    p_start = sub.add_parser("start", help="start a run of a released workflow with its configured values")
    p_start.add_argument("workflow")
    p_start.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    p_start.add_argument("--wait", action="store_true", help="follow the run until it ends")
    p_start.add_argument("-n", "--namespace", default=namespace)
    p_start.set_defaults(func=cmd_start)

    p_records = sub.add_parser("records", help="a workflow's execution records: status, start, duration, tags, "
                                               "metrics of each run")
    p_records.add_argument("workflow")
    p_records.add_argument("--tag")
    p_records.add_argument("--status")
    p_records.add_argument("--output", choices=["text", "json", "csv"], default="text")
    p_records.add_argument("-n", "--namespace", default=namespace)
    p_records.set_defaults(func=cmd_records)
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
