"""The ``siting`` command line: ``siting run`` and ``siting init-config``.

Errors the user can fix (a :class:`~siting.errors.SitingError`) are printed as one message
without a traceback, and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from siting import __version__, io
from siting.errors import SitingError, describe
from siting.scenario.defaults import default_scenario_text
from siting.scenario.load import load_scenario

console = Console(stderr=True, highlight=False)


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the ``siting`` command."""
    parser = argparse.ArgumentParser(
        prog="siting",
        description=(
            "Score land near Mörön for reforestation and wind farms, estimate their energy "
            "and carbon, and project Article 6 credits (ITMOs)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"siting {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and write its results folder")
    run.add_argument(
        "--config", type=Path, help="scenario YAML file (default: the embedded Mörön scenario)"
    )
    run.add_argument("--out", type=Path, help="results folder (default: the scenario's output.dir)")
    run.add_argument("--quiet", action="store_true", help="print only the results folder")

    export = commands.add_parser("export", help="export candidate sites for the field")
    export.add_argument("results", type=Path, help="a results folder written by `siting run`")
    export.add_argument("--format", required=True, choices=["geojson", "gpkg", "kml", "gpx"])
    export.add_argument("--use", choices=["reforestation", "wind"], help="one land use only")
    export.add_argument("--out", type=Path, help="output file (default: in the results folder)")

    rebuild = commands.add_parser("map", help="rebuild map.html of a results folder")
    rebuild.add_argument("results", type=Path, help="a results folder written by `siting run`")

    init = commands.add_parser("init-config", help="write the default scenario to edit")
    init.add_argument("path", type=Path, nargs="?", default=Path("scenario.yaml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


@contextmanager
def _progress(quiet: bool) -> Iterator:
    """Context-manager factory showing each stage with a spinner and its duration."""

    @contextmanager
    def stage(title: str) -> Iterator[None]:
        if quiet:
            yield
            return
        import time

        start = time.perf_counter()
        with console.status(f"{title} …"):
            yield
        console.print(f"[green]✓[/] {title} [dim]({time.perf_counter() - start:.1f} s)[/]")

    yield stage


def command_run(args: argparse.Namespace) -> int:
    """``siting run``: validate the scenario, run every stage, report where results are."""
    from siting.layers import scenario_grid
    from siting.pipeline import run
    from siting.preflight import estimate_cost

    scenario = load_scenario(args.config)
    if not args.quiet:
        console.print(escape(f"Estimate: {estimate_cost(scenario, scenario_grid(scenario))}"))
    with _progress(args.quiet) as stage:
        result = run(scenario, args.out, stage=stage)
    if not args.quiet:
        for line in summary_lines(result):
            console.print(escape(line))
        console.print(
            f"Results: [bold]{escape(str(result.out_dir))}[/] (open map.html in a browser)"
        )
    print(result.out_dir)
    return 0


@contextmanager
def _damaged_results(folder: Path) -> Iterator[None]:
    """Report a results folder whose files are not what `siting run` writes, without traceback.

    ``siting export`` and ``siting map`` read files a user may have edited or a crash may have
    cut short (run.json of the wrong shape, missing columns, null geometries): any error
    reading them that is not already a :class:`SitingError` names the folder and the fix.
    """
    from rioxarray.exceptions import RioXarrayError

    try:
        yield
    except (SitingError, OSError):
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RioXarrayError) as err:
        detail = f"{type(err).__name__}: {err}".replace("\n", " ")[:200]
        raise SitingError(
            describe(
                str(folder),
                f"is damaged or not a siting results folder ({detail})",
                "rerun `siting run --out` into it to rewrite its files",
            )
        ) from None


def command_export(args: argparse.Namespace) -> int:
    """``siting export``: candidate sites as GeoJSON, GeoPackage, KML or GPX."""
    with _damaged_results(args.results):
        return _export(args)


def _export(args: argparse.Namespace) -> int:
    from siting.outputs.export import FORMATS, export_sites
    from siting.outputs.results import open_results

    results = open_results(args.results)
    uses = [args.use] if args.use else results.uses
    sites = {use: results.sites(use) for use in uses}
    for use, frame in sites.items():
        check_site_table(frame, f"{results.path / 'sites.gpkg'} (layer {use})")
    name = f"sites_field_{args.use or 'all'}{FORMATS[args.format]}"
    out = export_sites(sites, args.format, args.out or results.path / name)
    console.print(f"Wrote {sum(len(f) for f in sites.values())} sites to {escape(str(out))}")
    print(out)
    return 0


#: Columns of a site table that the field exports read.
SITE_COLUMNS = ("site_id", "rank", "area_ha")


def check_site_table(frame, path: str) -> None:
    """Refuse a site table with missing columns or null, empty or non-polygon geometries."""
    missing = [column for column in SITE_COLUMNS if column not in frame.columns]
    if missing:
        raise SitingError(
            describe(str(path), f"lacks the columns {missing}", "rerun `siting run` to rewrite it")
        )
    geometry = frame.geometry
    bad = (
        geometry.isna() | geometry.is_empty | ~geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    )
    if bad.any():
        raise SitingError(
            describe(
                str(path),
                f"{int(bad.sum())} of {len(frame)} sites have a null, empty or non-polygon "
                "geometry",
                "rerun `siting run` to rewrite it",
            )
        )


def command_map(args: argparse.Namespace) -> int:
    """``siting map``: rebuild the map of a results folder."""
    from siting.outputs.folder import rebuild_map

    with _damaged_results(args.results):
        out = rebuild_map(args.results)
    print(out)
    return 0


def summary_lines(result) -> list[str]:
    """A few lines a planner reads first: land, wind, forest and credits of a run."""
    lines = [
        f"{name}: {use.eligibility.eligible_ha:,.0f} ha eligible, {len(use.sites)} candidate sites"
        for name, use in result.uses.items()
    ]
    if result.wind is not None:
        sites = result.wind.sites
        flag = " (wind resource ESTIMATED)" if result.wind.estimate else ""
        lines.append(
            f"wind: {int(sites['n_turbines'].sum())} turbines, "
            f"{sites['capacity_mw'].sum():,.0f} MW, "
            f"{sites['aep_p50_mwh'].sum() / 1e3:,.0f} GWh/yr (P50), "
            f"{sites['tco2e_per_year'].sum() / 1e3:,.0f} kt CO2e/yr{flag}"
        )
    if result.forest is not None:
        sites = result.forest.sites
        lines.append(
            f"reforestation: {sites['area_planted_ha'].sum():,.0f} ha planted, "
            f"{sites['tco2e_2050_p50'].sum() / 1e6:,.2f} Mt CO2e stored by 2050 (P50)"
        )
    if result.credits is not None:
        spec = result.scenario.credits
        period = spec.accounting_periods[0]
        summary = result.credits.projection.summary
        total = summary[summary["level"] == "total"].iloc[0]
        lines.append(
            f"ITMOs to {spec.buyer_party}, vintages {period.first_year}-{period.last_year}: "
            f"{total[f'itmos_{period.name}_tco2e'] / 1e6:,.2f} Mt "
            f"({total[f'share_of_target_{period.name}']:.1%} of the "
            f"{period.buyer_target_tco2e / 1e6:g} Mt target)"
        )
    return lines


def command_init_config(args: argparse.Namespace) -> int:
    """``siting init-config``: write the embedded scenario to a file to edit."""
    path: Path = args.path
    if path.exists() and not args.force:
        raise SitingError(
            describe(str(path), "already exists", "choose another name or add --force")
        )
    with io.atomic_path(path) as temporary:
        io.write_text(default_scenario_text(), temporary)
    console.print(
        escape(f"Wrote {path}. Edit it, then: siting run --config {path}. ")
        + "Relative layer paths are read from data_dir (default: the embedded Mörön data).",
    )
    return 0


def os_error_parts(err: OSError, args: argparse.Namespace) -> tuple[str, str, str]:
    """What, problem and fix of an operating-system error (full disk, permission, ...)."""
    where = err.filename or getattr(args, "out", None) or getattr(args, "results", None)
    where = str(where) if where else "the results folder"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            where,
            "the disk is full (no space left while writing)",
            ("free disk space or write elsewhere with --out; the previous results are unchanged"),
        )
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return where, err.strerror or "permission denied", "choose a folder you can write"
    return where, err.strerror or str(err), "check the path and permissions"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``siting`` console script."""
    args = build_parser().parse_args(argv)
    handlers = {
        "run": command_run,
        "export": command_export,
        "map": command_map,
        "init-config": command_init_config,
    }
    try:
        return handlers[args.command](args)
    except SitingError as err:
        console.print("[bold red]error:[/]", escape(str(err)), soft_wrap=True)
        return err.exit_code
    except OSError as err:  # the file system refused: a path or permission the user can fix
        message = describe(*os_error_parts(err, args))
        console.print("[bold red]error:[/]", escape(message), soft_wrap=True)
        return SitingError.exit_code
    except KeyboardInterrupt:
        console.print("interrupted: no results were written")
        return 130


if __name__ == "__main__":
    sys.exit(main())
