"""The command line: the only module that prints, prompts or exits."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from promptlint import __version__
from promptlint.config import ConfigError, ConfigTree, Overrides
from promptlint.report import FORMATS, render

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = list(FORMATS)


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(out)


def _fail(message: str) -> None:
    click.echo(f"promptlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep a lifecycle option for build_config (so commands need no extra parameters)."""
    if value is not None:
        ctx.meta[f"promptlint.{param.name}"] = value
    return value


TODAY_OPTION = click.option(
    "--today", metavar="YYYY-MM-DD", expose_value=False, callback=_remember,
    help="Judge model lifecycle on this day instead of today's UTC date "
         "(also: PROMPTLINT_TODAY).")
FAIL_WITHIN_OPTION = click.option(
    "--fail-within", metavar="DAYS", type=click.IntRange(min=0), expose_value=False,
    callback=_remember,
    help="Deprecated models retiring within DAYS are errors; later retirements are warnings "
         "that do not fail the run.")


def common_options(func: F) -> F:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--config", "config_path", type=click.Path(path_type=Path),
                     help="Use this configuration file for every file (instead of the closest "
                          "one above each file)."),
        click.option("--isolated", is_flag=True, expose_value=False, callback=_remember,
                     help="Read no configuration file: defaults and the command line only."),
        click.option("--select", multiple=True, help="Rule codes, prefixes or names to enable "
                     "(comma-separated; replaces the configured selection)."),
        click.option("--extend-select", multiple=True, help="Enable these rules in addition."),
        click.option("--ignore", multiple=True, help="Disable these rules."),
        click.option("--exclude", multiple=True, help="Glob patterns to exclude (replaces the "
                     "defaults)."),
        click.option("--extend-exclude", multiple=True, help="More glob patterns to exclude."),
        click.option("--force-exclude/--no-force-exclude", default=None,
                     help="Apply excludes to paths named on the command line too."),
        click.option("--respect-gitignore/--no-respect-gitignore", default=None,
                     help="Skip files ignored by .gitignore (default: on)."),
        click.option("--stdin-filename", type=click.Path(path_type=Path),
                     help="The name to report for source read from stdin ('-')."),
        TODAY_OPTION,
        FAIL_WITHIN_OPTION,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_config(
    config_path: Path | None, select: tuple[str, ...], extend_select: tuple[str, ...],
    ignore: tuple[str, ...], exclude: tuple[str, ...], extend_exclude: tuple[str, ...],
    force_exclude: bool | None, respect_gitignore: bool | None,
) -> ConfigTree:
    """Each file's configuration: the closest configuration file above it (or --config, or
    none with --isolated), the command line's values laid over it."""
    try:
        overrides = Overrides(
            select=_split(select),
            extend_select=_split(extend_select) or (),
            ignore=_split(ignore) or (),
            exclude=_split(exclude),
            extend_exclude=_split(extend_exclude) or (),
            force_exclude=force_exclude,
            respect_gitignore=respect_gitignore,
            **lifecycle_overrides(),
        )
        isolated = bool(click.get_current_context().meta.get("promptlint.isolated"))
        return ConfigTree(config_path, isolated=isolated, overrides=overrides)
    except ConfigError as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable


def lifecycle_overrides() -> dict[str, Any]:
    """The day of this run (--today, else $PROMPTLINT_TODAY, else the UTC date: fixed once so
    every worker judges the same day) and --fail-within; ConfigError on a bad date."""
    from promptlint.lifecycle import DateError, parse_day, today

    meta = click.get_current_context().meta
    try:
        given = meta.get("promptlint.today")
        day = parse_day(given, "--today") if given is not None else today()
    except DateError as exc:
        raise ConfigError(str(exc)) from None
    return {"today": day, "fail_within": meta.get("promptlint.fail_within")}


def gather(paths: tuple[Path, ...], config: ConfigTree, stdin_filename: Path | None,
           progress: bool = False, needs: Any = None, cache: bool = False,
           cache_dir: Path | None = None) -> list[Any]:
    """Check the given paths (or stdin) and return FileResults; exits 2 on a bad path."""
    from promptlint import api
    from promptlint.discovery import DiscoveryError

    try:
        if paths == (Path("-"),):  # with the configuration of the file it stands for
            return [api.check_source(sys.stdin.buffer.read(), stdin_filename or "-", config,
                                     needs=needs)]
        return api.check(paths, config, needs=needs, cache=cache, cache_dir=cache_dir,
                         progress=progress_bar if progress else None)
    except (DiscoveryError, ConfigError) as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when it is a terminal and there are many files."""
    if not (sys.stderr.isatty() and total > 50):
        yield lambda: None
        return
    with click.progressbar(length=total, label="Checking", file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def report_problems(results: list[Any]) -> int:
    count = 0
    for result in results:
        for warning in result.warnings:
            click.echo(f"{result.path}: warning: {warning}", err=True)
        if result.problem is not None:
            count += 1
            click.echo(f"{result.problem.render()}", err=True)
    return count


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="promptlint")
def cli() -> None:
    """promptlint: find Claude API requests that waste money or will fail."""


@cli.command()
@common_options
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS),
              default="text", envvar="PROMPTLINT_OUTPUT_FORMAT", show_default=True)
@click.option("-o", "--output-file", type=click.Path(path_type=Path),
              help="Write the report to this file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--unsafe-fixes", is_flag=True, help="Show (and with --fix apply) unsafe fixes.")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply fixes (safe ones by default).")
@click.option("--diff", is_flag=True, help="With --fix: print the diffs, write nothing.")
@click.option("--show-fixes", is_flag=True, help="With --fix: list the fixes applied.")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="With --fix: exit 1 when anything was fixed, even if nothing remains.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path),
              help="Where results are cached (default: .promptlint_cache in the project root).")
@click.option("--diff-against", metavar="REF",
              help="Report only findings on lines changed since this git ref (and in new "
                   "files).")
@click.option("--add-noqa", is_flag=True,
              help="Add a `# noqa: CODE` to each line with findings (to adopt promptlint on a "
                   "codebase with existing findings); write the files, report nothing else.")
@click.option("--statistics", is_flag=True,
              help="Show the number of findings per rule instead of the findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour the text output (auto: on a terminal; NO_COLOR and FORCE_COLOR "
                   "are honoured).")
def check(
    paths: tuple[Path, ...], config_path: Path | None, select: tuple[str, ...],
    extend_select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...], force_exclude: bool | None,
    respect_gitignore: bool | None, stdin_filename: Path | None, output_format: str,
    output_file: Path | None, exit_zero: bool, unsafe_fixes: bool, apply_fixes: bool,
    diff: bool, show_fixes: bool, exit_non_zero_on_fix: bool, quiet: bool, no_cache: bool,
    cache_dir: Path | None, diff_against: str | None, add_noqa: bool, statistics: bool,
    color: str,
) -> None:
    """Check files and directories (default: the current directory)."""
    config = build_config(config_path, select, extend_select, ignore, exclude, extend_exclude,
                          force_exclude, respect_gitignore)
    if add_noqa:
        if apply_fixes or diff or paths == (Path("-"),):
            _fail("--add-noqa edits files: it cannot be combined with --fix, --diff or stdin")
        run_add_noqa(paths, config, stdin_filename, diff_against)
        return
    if apply_fixes or diff:
        run_fix(paths, config, stdin_filename, output_format, output_file, unsafe_fixes, diff,
                show_fixes, exit_non_zero_on_fix, exit_zero, quiet, no_cache, cache_dir)
        return
    from promptlint.findings import Needs

    # locate fix edits and summarise request sites only for the outputs that show them
    results = gather(paths, config, stdin_filename, needs=Needs.for_format(output_format),
                     cache=not no_cache, cache_dir=cache_dir)
    if diff_against is not None:
        results = only_changed(results, diff_against)
    problems = report_problems(results)
    if statistics:
        from promptlint.report.text import render_statistics

        output = render_statistics(results, unsafe_fixes, output_format)
    else:
        output = render(output_format, results, unsafe_fixes, summary=not quiet)
    colored = output_format in ("text", "concise") and use_color(color, output_file)
    if colored:
        from promptlint.report.text import colorize

        output = colorize(output)
    write_output(output, output_file, colored)
    findings = failing(results)
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    sys.exit(EXIT_FINDINGS if findings or problems else EXIT_CLEAN)


@cli.command()
@common_options
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS),
              default="text", envvar="PROMPTLINT_OUTPUT_FORMAT", show_default=True)
@click.option("-o", "--output-file", type=click.Path(path_type=Path),
              help="Write the report of remaining findings to this file.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print unified diffs of the fixes; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied.")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="Exit 1 when anything was fixed, even if nothing remains.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path),
              help="Where results are cached (default: .promptlint_cache in the project root).")
def fix(
    paths: tuple[Path, ...], config_path: Path | None, select: tuple[str, ...],
    extend_select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...], force_exclude: bool | None,
    respect_gitignore: bool | None, stdin_filename: Path | None, output_format: str,
    output_file: Path | None, unsafe_fixes: bool, diff: bool, show_fixes: bool,
    exit_non_zero_on_fix: bool, exit_zero: bool, quiet: bool, no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Apply fixes (safe ones; --unsafe-fixes for the rest) and report what remains."""
    config = build_config(config_path, select, extend_select, ignore, exclude, extend_exclude,
                          force_exclude, respect_gitignore)
    run_fix(paths, config, stdin_filename, output_format, output_file, unsafe_fixes, diff,
            show_fixes, exit_non_zero_on_fix, exit_zero, quiet, no_cache, cache_dir)


def run_fix(
    paths: tuple[Path, ...], config: ConfigTree, stdin_filename: Path | None, output_format: str,
    output_file: Path | None, unsafe: bool, diff: bool, show_fixes: bool,
    exit_non_zero_on_fix: bool, exit_zero: bool, quiet: bool, no_cache: bool = False,
    cache_dir: Path | None = None,
) -> None:
    from promptlint import api
    from promptlint.discovery import DiscoveryError

    from_stdin = paths == (Path("-"),)
    try:
        if from_stdin:
            output_bytes, run = api.fix_source(sys.stdin.buffer.read(), stdin_filename or "-",
                                               config, unsafe=unsafe)
        else:
            run = api.fix(paths, config, unsafe=unsafe, write=not diff, cache=not no_cache,
                          cache_dir=cache_dir)
    except (DiscoveryError, ConfigError) as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable
    if from_stdin:
        sys.stdout.buffer.write(output_bytes)
        sys.stdout.flush()
    for result in run.results:
        for warning in result.warnings:
            click.echo(f"{result.path}: warning: {warning}", err=True)
    problems = 0
    for message in run.problems:
        problems += 1
        click.echo(message, err=True)
    if diff:  # as Ruff: the diffs and a count, nothing else (nothing was written)
        click.echo("".join(run.diffs), nl=False)
        if not quiet:
            count = len(run.applied)
            click.echo(f"Would fix {count} error{'s' if count != 1 else ''} in "
                       f"{len(run.diffs)} file{'s' if len(run.diffs) != 1 else ''}."
                       if count else "No fixes to apply.", err=True)
        sys.exit(EXIT_FINDINGS if run.diffs and not exit_zero else EXIT_CLEAN)
    results = run.results
    output = render(output_format, results, unsafe, summary=False)
    if output_format in ("text", "concise"):
        if show_fixes and run.applied:
            from promptlint.report.text import render_applied

            output += render_applied([finding for _path, finding in run.applied])
        if not quiet:
            output += run.summary(diff)
    if from_stdin:
        click.echo(output, nl=False, err=True)
    else:
        write_output(output, output_file)
    remaining = failing(results)
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    if diff:
        sys.exit(EXIT_FINDINGS if run.diffs else EXIT_CLEAN)
    if remaining or problems or (exit_non_zero_on_fix and run.applied):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def failing(results: list[Any]) -> int:
    """Findings that fail the run: all but the advisory ones (deprecations retiring after the
    --fail-within window)."""
    return sum(1 for r in results for f in r.findings if not f.data.get("advisory"))


def use_color(choice: str, output_file: Path | None) -> bool:
    """--color: never, always, or (auto) on a terminal; NO_COLOR turns it off and FORCE_COLOR
    on (https://no-color.org, https://force-color.org); the flag wins over both."""
    import os

    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return (output_file is None or str(output_file) == "-") and sys.stdout.isatty()


def run_add_noqa(paths: tuple[Path, ...], config: ConfigTree, stdin_filename: Path | None,
                 diff_against: str | None) -> None:
    from promptlint import api
    from promptlint.findings import Needs

    results = gather(paths, config, stdin_filename,
                     needs=Needs(edits=False, request_sites=False))
    if diff_against is not None:
        results = only_changed(results, diff_against)
    problems = report_problems(results)
    report = api.add_noqa(results)
    for message in report.problems:
        click.echo(message, err=True)
    problems += len(report.problems)
    added = report.added
    click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
    sys.exit(EXIT_FINDINGS if problems else EXIT_CLEAN)


def only_changed(results: list[Any], ref: str) -> list[Any]:
    from promptlint import api
    from promptlint.gitdiff import GitDiffError

    try:
        return api.only_changed(results, ref)
    except GitDiffError as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable


def write_output(output: str, output_file: Path | None, colored: bool = False) -> None:
    if output_file is None or str(output_file) == "-":  # "-o -": stdout, as Ruff
        click.echo(output, nl=False, color=True if colored else None)
        return
    from promptlint.fsutil import atomic_write_text

    try:
        atomic_write_text(output_file, output)
    except OSError as exc:
        _fail(f"cannot write {output_file}: {exc.strerror or exc}")


@cli.command()
@common_options
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@click.option("--exact", is_flag=True,
              help="Count tokens with the count_tokens API (needs ANTHROPIC_API_KEY; sends the "
                   "static prompt text to the API; results cached on disk).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=Path(".promptlint_cache"),
              show_default=True, help="Where exact counts are cached.")
def tokens(
    paths: tuple[Path, ...], config_path: Path | None, select: tuple[str, ...],
    extend_select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...], force_exclude: bool | None,
    respect_gitignore: bool | None, stdin_filename: Path | None, output_format: str,
    exact: bool, cache_dir: Path,
) -> None:
    """Measure each request's prompt: static prefix, cached tokens, dynamic parts, cost."""
    from promptlint.report.tokens_table import render_json, render_text, rows

    config = build_config(config_path, select, extend_select, ignore, exclude, extend_exclude,
                          force_exclude, respect_gitignore)
    counter = None
    if exact:
        from promptlint.tokens import ExactCounter, ExactCountError

        counter = ExactCounter(cache_dir)
        try:
            counter.client()
        except ExactCountError as exc:
            _fail(str(exc))
    results = gather(paths, config, stdin_filename, progress=True)
    report_problems(results)
    if counter is not None:
        from promptlint.cost import exact_counts

        exact_counts(rows(results), counter)
    output = render_json(results) if output_format == "json" else render_text(results)
    click.echo(output, nl=False)


@cli.command()
@click.option("--refresh", is_flag=True,
              help="Update limits, lifecycle and capabilities from the Models API "
                   "(client.models.list(); needs ANTHROPIC_API_KEY).")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@TODAY_OPTION
def models(refresh: bool, output_format: str) -> None:
    """List the model catalogue (limits, prices, cache minimum, prefill, lifecycle)."""
    from promptlint import modelcmd

    try:
        day = lifecycle_overrides()["today"]
    except ConfigError as exc:
        _fail(str(exc))
    try:
        if refresh:
            click.echo(modelcmd.refresh(), nl=False)
            return
        click.echo(modelcmd.listing(output_format, day), nl=False)
    except modelcmd.RefreshError as exc:
        _fail(str(exc))


@cli.command()
@common_options
@click.option("--format", "report_format", type=click.Choice(["html", "markdown"]),
              default="html", show_default=True)
@click.option("-o", "--output", "output_file", type=click.Path(path_type=Path), required=True,
              help="The file to write.")
def report(
    paths: tuple[Path, ...], config_path: Path | None, select: tuple[str, ...],
    extend_select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...], force_exclude: bool | None,
    respect_gitignore: bool | None, stdin_filename: Path | None, report_format: str,
    output_file: Path,
) -> None:
    """Write a cost report: per request the prompt size, price per 1,000 requests now and after
    the suggested fixes, monthly estimates from [tool.promptlint.traffic], and the findings."""
    from promptlint.report.cost_report import render_report

    config = build_config(config_path, select, extend_select, ignore, exclude, extend_exclude,
                          force_exclude, respect_gitignore)
    results = gather(paths, config, stdin_filename, progress=True)
    report_problems(results)
    write_output(render_report(results, config.default, report_format), output_file)
    if str(output_file) != "-":
        click.echo(f"wrote {output_file}", err=True)


@cli.command()
@click.argument("key")
def rule(key: str) -> None:
    """Show the documentation of one rule (by code or name)."""
    from promptlint.ruledocs import rule_doc
    from promptlint.rules import rule_by_code_or_name

    found = rule_by_code_or_name(key)
    if found is None:
        _fail(f"unknown rule {key!r} (see `promptlint rules`)")
        return
    click.echo(rule_doc(found))


@cli.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rules(output_format: str) -> None:
    """List every rule: code, name, severity, fix availability, default."""
    import json

    from promptlint.rules import ALL_RULES

    rows = [
        {"code": r.code, "name": r.name, "severity": r.severity, "fix": r.fix_availability,
         "default": r.default_enabled}
        for r in ALL_RULES
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'code':<6}  {'name':<32} {'severity':<8} {'fix':<5} default")
    for row in rows:
        fix = {"always": "fix", "sometimes": "fix?", "display-only": "hint", "none": ""}[row["fix"]]
        default = "on" if row["default"] else "opt-in"
        click.echo(f"{row['code']}  {row['name']:<32} {row['severity']:<8} {fix:<5} {default}")
    click.echo("\nfix: always has a fix; fix?: has one when the right value is known; hint: "
               "says what to change, no automatic fix.\nopt-in rules run when selected "
               "(--select / --extend-select or [tool.promptlint]); see `promptlint rule CODE`.")


@cli.command()
def server() -> None:
    """Run the language server over stdio (for editors: diagnostics, fixes, hover)."""
    try:
        from promptlint.server import run
    except ModuleNotFoundError as exc:
        if exc.name not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        _fail(f"`promptlint server` needs {exc.name}, which is missing (it is a dependency "
              "of promptlint-claude): pip install 'pygls>=2,<3'")
        return
    run()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # never a traceback for the user
        if isinstance(exc.__context__, KeyboardInterrupt):  # raised while unwinding a Ctrl-C
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        click.echo(f"promptlint: internal error: {type(exc).__name__}: {detail}", err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":  # pragma: no cover
    main()
