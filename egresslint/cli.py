"""The command line: a thin typer layer over functions that return values.

`main(argv) -> int` is the only place that decides an exit code:
0 the gate passed, 1 a finding at or above `--fail-on`, 2 a usage or configuration error,
3 an internal error (reported without a traceback unless EGRESSLINT_DEBUG is set).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from egresslint import __version__

try:  # recent typer releases carry their own copy of click
    from typer._click.exceptions import ClickException as _ClickException
except ImportError:  # pragma: no cover - older typer on click
    from click.exceptions import ClickException as _ClickException  # type: ignore[assignment]

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


def _fail_usage(message: str) -> NoReturn:
    raise UsageFailure(message)


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
    version: Annotated[bool, typer.Option("--version", callback=_version_callback,
                                          is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Lint Alibaba Cloud ENS security-group egress rules before they ship."""


FORMAT_HELP = "Output format: text or json."
PathsArg = Annotated[list[str] | None, typer.Argument(
    help="Rule files or folders (searched for *.yaml, *.yml, *.json); `-` reads standard input.",
    show_default=False)]


@app.command()
def lint(
    paths: PathsArg = None,
    output_format: Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    fail_on: Annotated[str | None, typer.Option(
        help="Fail (exit 1) on findings at or above: error, warning or info. [default: error]")] = None,
    select: Annotated[list[str] | None, typer.Option(
        help="Only these checks (codes, names or code prefixes; repeatable or comma-separated).")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Skip these checks (codes, names or code prefixes).")] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        help="Skip files and folders matching this glob (repeatable).")] = None,
    policy: Annotated[str | None, typer.Option(
        help="A built-in policy name (default, strict) or a policy file.")] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore .egresslint.yaml and [tool.egresslint].")] = False,
    color: Annotated[str, typer.Option(help="auto, always or never.")] = "auto",
) -> None:
    """Check rule files and exit non-zero when the gate fails."""
    from egresslint.run import LintRequest, lint_command

    request = LintRequest(
        paths=list(paths or ()), output_format=output_format, fail_on=fail_on,
        select=_split(select), ignore=_split(ignore), exclude=_split(exclude),
        policy=policy, use_config=not no_config, color=_color(color),
    )
    output, code = lint_command(request)
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
def schema() -> None:
    """Print the JSON Schema of rule files (for editor validation)."""
    from egresslint.run import rule_file_schema

    sys.stdout.write(rule_file_schema())


def main(argv: Sequence[str] | None = None) -> int:
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
    except _ClickException as exc:
        exc.show()
        return int(getattr(exc, "exit_code", EXIT_USAGE))
    except typer.Abort:
        sys.stderr.write("egresslint: aborted\n")
        return 130
    return int(result) if isinstance(result, int) else EXIT_OK


def run() -> NoReturn:
    sys.exit(main())
