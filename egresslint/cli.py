"""The command line: a thin typer layer over functions that return values.

`main(argv) -> int` is the only place that decides an exit code:
0 the gate passed, 1 a finding at or above `--fail-on`, 2 a usage or configuration error,
3 an internal error (reported without a traceback unless EGRESSLINT_DEBUG is set).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Annotated, NoReturn

import typer

from egresslint import __version__


def _click_exception() -> type[Exception]:
    """typer 0.2x carries its own copy of click; older releases use click itself."""
    import importlib

    try:
        module = importlib.import_module("typer._click.exceptions")
    except ImportError:  # pragma: no cover - depends on the installed typer
        module = importlib.import_module("click.exceptions")
    found: type[Exception] = module.ClickException
    return found

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="egresslint",
    help="Lint Alibaba Cloud ENS security-group egress rules before they ship.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class UsageFailure(Exception):
    """Printed as `egresslint: error: ...` and exit 2."""


def _split(values: Sequence[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def _color(mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"egresslint {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version_callback, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Lint Alibaba Cloud ENS security-group egress rules before they ship."""


FORMAT_HELP = "Output format: text or json."
LINT_FORMAT_HELP = ("Output format: text, json, sarif, junit or github. [default: github "
                    "annotations when GITHUB_ACTIONS is true, else text]")
BaselineOpt = Annotated[str | None, typer.Option(
    help="Report only findings not recorded in this baseline "
    "(`egresslint baseline write`).")]
WaiversOpt = Annotated[str | None, typer.Option(
    help="The waiver file. [default: `waivers` in the configuration, or "
    ".egresslint-waivers.yaml at the repository root]")]
NoInlineOpt = Annotated[bool, typer.Option(
    "--no-inline-suppressions",
    help="Read `# egresslint: ignore[...]` comments but do not apply them (a gate that "
    "refuses suppressions written in the change under review).")]
PathsArg = Annotated[list[str] | None, typer.Argument(
    help="Rule files or folders (searched for *.yaml, *.yml, *.json); `-` reads standard input.",
    show_default=False)]
ExistingOpt = Annotated[list[str] | None, typer.Option(
    "--existing", metavar="FILE",
    help="A DescribeSecurityGroupAttribute response (JSON) with the group's live rules, "
    "which take part in every group check (repeatable).")]


@app.command()
def lint(
    paths: PathsArg = None,
    output_format: Annotated[str | None, typer.Option(
        "--format", "-f", help=LINT_FORMAT_HELP)] = None,
    fail_on: Annotated[str | None, typer.Option(
        help="Fail (exit 1) on findings at or above: error, warning or info. "
        "[default: error]")] = None,
    select: Annotated[list[str] | None, typer.Option(
        help="Only these checks (codes, names or code prefixes; repeatable or "
        "comma-separated).")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Skip these checks (codes, names or code prefixes).")] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        help="Skip files and folders matching this glob (repeatable).")] = None,
    policy: Annotated[str | None, typer.Option(
        help="A built-in policy name (default, strict, permissive) or a policy file.")] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore .egresslint.yaml and [tool.egresslint].")] = False,
    color: Annotated[str, typer.Option(help="auto, always or never.")] = "auto",
    baseline: BaselineOpt = None,
    waivers: WaiversOpt = None,
    no_inline_suppressions: NoInlineOpt = False,
    existing: ExistingOpt = None,
    jobs: Annotated[int | None, typer.Option(
        min=1, help="Use at most this many processes. A large run (1 MiB of rule files and "
        "more) loads and checks in two, on Linux and other Unix systems but macOS; 1 keeps "
        "to one. [default: the CPUs available]", show_default=False)] = None,
) -> None:
    """Check rule files and exit non-zero when the gate fails."""
    from egresslint.run import LintRequest, lint_command

    request = LintRequest(
        jobs=jobs,
        paths=list(paths or ()), output_format=output_format, fail_on=fail_on,
        select=_split(select), ignore=_split(ignore), exclude=_split(exclude),
        policy=policy, use_config=not no_config, color=_color(color),
        baseline=baseline, waivers=waivers, inline_suppressions=not no_inline_suppressions,
        existing=list(existing or ()),
    )
    output, code = lint_command(request, keep=_RETAINED)
    sys.stdout.write(output)
    raise typer.Exit(code)


@app.command()
def submit(
    paths: PathsArg = None,
    endpoint: Annotated[str, typer.Option(
        help="API endpoint URL; http://127.0.0.1:PORT reaches a local server.")] = "https://ens.aliyuncs.com",
    region: Annotated[str | None, typer.Option(help="Region id to label requests with.")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print the plan; call nothing that changes anything.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Proceed without asking.")] = False,
    all_or_nothing: Annotated[bool, typer.Option(
        "--all-or-nothing", help="Submit nothing if any rule fails lint.")] = False,
    fetch_existing: Annotated[bool, typer.Option(
        "--fetch-existing/--no-fetch-existing",
        help="Read each group's live rules first and lint against them.")] = True,
    journal: Annotated[str | None, typer.Option(
        help="JSON-lines journal: each outcome is appended; a rerun skips what is done.")] = None,
    fail_on: Annotated[str | None, typer.Option(
        help="A rule passes when it has no finding at or above this. [default: error]")] = None,
    select: Annotated[list[str] | None, typer.Option(help="Only these checks.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Skip these checks.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Skip matching files.")] = None,
    policy: Annotated[str | None, typer.Option(
        help="A built-in policy name or a policy file.")] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore repository configuration.")] = False,
) -> None:
    """Lint, then send the rules that passed with AuthorizeSecurityGroupEgress."""
    from egresslint.submit.command import SubmitRequest, ask, run_submit
    from egresslint.submit.errors import SubmitError

    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    request = SubmitRequest(
        paths=list(paths or ()), endpoint=endpoint, region=region, output_format=output_format,
        dry_run=dry_run, yes=yes, all_or_nothing=all_or_nothing, fetch_existing=fetch_existing,
        journal=journal, fail_on=fail_on, policy=policy, use_config=not no_config,
        select=_split(select), ignore=_split(ignore), exclude=_split(exclude),
        confirm=ask if interactive else None,
        progress_stream=sys.stderr if sys.stderr.isatty() else None,
    )
    try:
        output, code = run_submit(request)
    except SubmitError as exc:  # missing SDK, bad endpoint, unreadable live state: exit 2
        raise UsageFailure(str(exc)) from None
    sys.stdout.write(output)
    raise typer.Exit(code)


SelectOpt = Annotated[list[str] | None, typer.Option(
    help="Only these checks (codes, names or code prefixes).")]
IgnoreOpt = Annotated[list[str] | None, typer.Option(help="Skip these checks.")]
ExcludeOpt = Annotated[list[str] | None, typer.Option(help="Skip matching files (glob).")]
PolicyOpt = Annotated[str | None, typer.Option(help="A built-in policy name or a policy file.")]
NoConfigOpt = Annotated[bool, typer.Option(
    "--no-config", help="Ignore .egresslint.yaml and [tool.egresslint].")]


@app.command()
def fix(
    paths: PathsArg = None,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Print a unified diff and change nothing; exit 1 if there is "
        "something to fix.")] = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    exclude: ExcludeOpt = None,
    policy: PolicyOpt = None,
    no_config: NoConfigOpt = False,
    waivers: WaiversOpt = None,
) -> None:
    """Apply safe fixes in place, changing only the characters of each value; print the
    fixes that could change a rule's meaning as suggestions."""
    from egresslint.fix import fix_command
    from egresslint.run import LintRequest

    request = LintRequest(paths=list(paths or ()), select=_split(select), ignore=_split(ignore),
                          exclude=_split(exclude), policy=policy, use_config=not no_config,
                          waivers=waivers)
    output, notes, code = fix_command(request, diff=diff)
    sys.stdout.write(output)
    sys.stderr.write(notes)
    raise typer.Exit(code)


baseline_app = typer.Typer(help="Record today's findings so a gate fails only on new ones.",
                           no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("write")
def baseline_write(
    file: Annotated[str, typer.Argument(help="The baseline to write (JSON).")],
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    exclude: ExcludeOpt = None,
    policy: PolicyOpt = None,
    no_config: NoConfigOpt = False,
    waivers: WaiversOpt = None,
) -> None:
    """Write the fingerprints of today's findings to FILE; `lint --baseline FILE` then
    reports only new findings."""
    from egresslint.baseline import baseline_write_command
    from egresslint.run import LintRequest

    request = LintRequest(paths=list(paths or ()), select=_split(select), ignore=_split(ignore),
                          exclude=_split(exclude), policy=policy, use_config=not no_config,
                          waivers=waivers)
    output, code = baseline_write_command(request, file)
    sys.stdout.write(output)
    raise typer.Exit(code)


waivers_app = typer.Typer(help="Work with the waiver file.", no_args_is_help=True)
app.add_typer(waivers_app, name="waivers")


@waivers_app.command("check")
def waivers_check(
    file: Annotated[str | None, typer.Argument(
        help="The waiver file. [default: as `lint` finds it]", show_default=False)] = None,
    path: Annotated[list[str] | None, typer.Option(
        "--path", help="Rule files or folders: also report waivers that match no finding "
        "in them (repeatable).")] = None,
    policy: PolicyOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Validate a waiver file: schema errors with their line, expired waivers, and (with
    --path) waivers that match nothing."""
    from egresslint.run import LintRequest
    from egresslint.waivers import waivers_check_command

    request = LintRequest(paths=list(path or ()), policy=policy, use_config=not no_config)
    output, code = waivers_check_command(file, request)
    sys.stdout.write(output)
    raise typer.Exit(code)


@app.command("checks")
def list_checks() -> None:
    """List every check with its code, name, default severity and summary."""
    from egresslint.run import checks_listing

    sys.stdout.write(checks_listing())


@app.command()
def explain(key: Annotated[str, typer.Argument(help="A check code or name.")]) -> None:
    """Print one check's documentation."""
    from egresslint.run import explain_check

    sys.stdout.write(explain_check(key))


@app.command()
def show(
    paths: PathsArg = None,
    existing: ExistingOpt = None,
    group: Annotated[list[str] | None, typer.Option(
        "--group", metavar="SG", help="Only this security group (repeatable).")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "text",
    policy: Annotated[str | None, typer.Option(
        help="A built-in policy name (default, strict, permissive) or a policy file.")] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore .egresslint.yaml and [tool.egresslint].")] = False,
) -> None:
    """Show each group's rules in evaluation order and what each one does."""
    from egresslint.show import ShowRequest, show_command

    request = ShowRequest(
        paths=list(paths or ()), existing=list(existing or ()), groups=_split(group),
        output_format=output_format, policy=policy, use_config=not no_config,
    )
    output, code = show_command(request)
    sys.stdout.write(output)
    raise typer.Exit(code)


@app.command()
def schema() -> None:
    """Print the JSON Schema of rule files (for editor validation)."""
    from egresslint.run import rule_file_schema

    sys.stdout.write(rule_file_schema())


#: What a lint run built, kept until the process ends (see `run`).
_RETAINED: list[object] = []


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _guarded(argv)
    finally:
        _RETAINED.clear()


def _guarded(argv: Sequence[str] | None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("egresslint: interrupted\n")
        return 130
    except Exception as exc:
        if os.environ.get("EGRESSLINT_DEBUG"):
            raise
        sys.stderr.write(f"egresslint: internal error: {type(exc).__name__}: {exc}\n"
                         "Run again with EGRESSLINT_DEBUG=1 for details, and please report it.\n")
        return EXIT_INTERNAL


def _main(argv: Sequence[str] | None) -> int:
    from egresslint.checks import PluginError
    from egresslint.discovery import PathError
    from egresslint.engine import SelectionError
    from egresslint.run import UsageError
    from egresslint.yamlnodes import YamlFileError

    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(argv) if argv is not None else None,
                              prog_name="egresslint", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (UsageFailure, UsageError, PathError, SelectionError, YamlFileError,
            PluginError) as exc:
        sys.stderr.write(f"egresslint: error: {exc}\n")
        return EXIT_USAGE
    except _click_exception() as exc:
        exc.show()  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", EXIT_USAGE))
    except typer.Abort:
        sys.stderr.write("egresslint: aborted\n")
        return 130
    return int(result) if isinstance(result, int) else EXIT_OK


def run() -> NoReturn:
    code = _guarded(None)
    if _RETAINED and sys.gettrace() is None and sys.getprofile() is None:
        # A large lint has built millions of objects, and freeing them one by one takes
        # a tenth of a second that nobody waits for: once the output is flushed, the process
        # ends without it (as mypy does). Nothing else is left to do at exit, unless a
        # tracer or profiler watches, which reports then.
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)  # a closed pipe: leave the usual way
        os._exit(code)
    sys.exit(code)
