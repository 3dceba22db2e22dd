"""The ``siting`` command line: ``run``, ``fetch``, ``export``, ``map`` and ``init-config``.

Each command imports what it needs when it runs, so ``siting --help`` starts without loading
the scientific stack.

Errors the user can fix (a :class:`~siting.errors.SitingError`) are printed as one message
without a traceback, and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import errno
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from siting import __version__
from siting.errors import SitingError, describe

console = Console(stderr=True, highlight=False, soft_wrap=True)  # piped output: no mid-phrase wraps


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

    run = commands.add_parser(
        "run",
        help="run a scenario and write its results folder",
        description="Score the land, cut candidate sites, place turbines, project forest "
        "removals and ITMOs, and write the results folder (rasters, sites, map, report, run.json).",
        epilog="examples: siting run | siting run --config my.yaml --out results/x | "
        "siting run --workers 2",
    )
    run.add_argument(
        "--config", type=Path, help="scenario YAML file (default: the embedded Mörön scenario)"
    )
    run.add_argument("--out", type=Path, help="results folder (default: the scenario's output.dir)")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the results folder")
    where = run.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a dask.distributed cluster (e.g. tcp://host:8786); inputs must be on "
        "storage every worker reads",
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run on a local dask cluster of N worker processes",
    )

    export = commands.add_parser(
        "export",
        help="export candidate sites for the field",
        description="Write the candidate sites of a results folder (and, with the wind sites, "
        "the turbine positions) as GeoJSON, GeoPackage, KML or GPX for a field team.",
        epilog="example: siting export results/moron --out moron_field.gpx --use reforestation",
    )
    export.add_argument("results", type=Path, help="a results folder written by `siting run`")
    export.add_argument(
        "--format",
        choices=["geojson", "gpkg", "kml", "gpx"],
        help="field format (default: from the --out file's extension)",
    )
    export.add_argument("--use", choices=["reforestation", "wind"], help="one land use only")
    export.add_argument("--out", type=Path, help="output file (default: in the results folder)")

    rebuild = commands.add_parser(
        "map",
        help="rebuild map.html of a results folder",
        description="Draw map.html of a results folder again from its files and run.json "
        "(after an update of siting, or edits to the sites).",
        epilog="example: siting map results/moron",
    )
    rebuild.add_argument("results", type=Path, help="a results folder written by `siting run`")

    _add_fetch_parser(commands)

    init = commands.add_parser(
        "init-config",
        help="write the default scenario to edit",
        description="Write the embedded Mörön scenario, every field with its reason and source, "
        "to a YAML file to edit and run with `siting run --config`.",
        epilog="example: siting init-config my.yaml",
    )
    init.add_argument(
        "path", type=Path, nargs="?", default=Path("scenario.yaml"),
        help="file to write (default: scenario.yaml)",
    )  # fmt: skip
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _add_fetch_parser(commands) -> None:
    """``siting fetch``: its options."""
    fetch = commands.add_parser(
        "fetch",
        help="download public site-level data for an AOI and write a scenario that uses it",
        description="Download, clip and cache Copernicus DEM, ESA WorldCover, Global Wind Atlas, "
        "OpenStreetMap (and optionally ERA5) for an AOI, and write <out>/scenario.yaml for "
        "`siting run --config`.",
        epilog="example: siting fetch --aoi 99.0,49.0,101.5,50.5 --out data/moron",
    )
    fetch.add_argument(
        "--aoi", required=True, help='"west,south,east,north" in degrees, or a polygon file'
    )
    fetch.add_argument("--out", type=Path, required=True, help="folder to write, e.g. data/moron")
    fetch.add_argument(
        "--layers",
        default="dem,landcover,wind,osm",
        help="comma-separated: dem, landcover, wind, osm, era5 (default: all but era5)",
    )
    fetch.add_argument(
        "--config", type=Path, help="base scenario (default: the embedded Mörön scenario)"
    )
    fetch.add_argument("--cache", type=Path, help="cache folder (default: ~/.cache/siting/fetch)")
    fetch.add_argument("--dem-resolution", type=int, default=30, choices=[30, 90], help="metres")
    fetch.add_argument("--gwa-country", default="MNG", help="ISO3 code of the GWA country file")
    fetch.add_argument(
        "--era5-years", default="2014-2023", help="FIRST-LAST years of ERA5 (with era5)"
    )
    fetch.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="SOURCE=URL",
        help="replace a source's base URL (a mirror); repeatable",
    )
    fetch.add_argument(
        "--whole-files",
        action="store_true",
        help="download whole tiles into the cache instead of reading only the AOI window",
    )
    fetch.add_argument("--refresh", action="store_true", help="fetch again, ignoring the cache")
    fetch.add_argument(
        "--retries", type=int, default=4, help="retries of a failed request (backoff 1, 2, 4 s...)"
    )
    fetch.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    fetch.add_argument("-q", "--quiet", action="store_true", help="print only the scenario path")


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
    from siting.cluster import dask_cluster
    from siting.layers import scenario_grid
    from siting.pipeline import is_streaming, run
    from siting.preflight import estimate_cost, scratch_bytes
    from siting.scenario.load import load_scenario

    scenario = load_scenario(args.config)
    if not args.quiet:
        grid = scenario_grid(scenario)
        estimate = estimate_cost(scenario, grid)
        plan = f"Estimate: {estimate}"
        if is_streaming(scenario, grid):
            plan = (
                f"Streaming {estimate.cells:,} cells (grid.streaming): memory follows the "
                f"chunks; scratch rasters up to {scratch_bytes(estimate) / 2**30:,.1f} GiB "
                "beside the results folder"
            )
        console.print(escape(plan))
    with dask_cluster(args.scheduler, args.workers) as cluster:
        if cluster is not None and not args.quiet:
            console.print(escape(f"Running on the {cluster.describe()}"))
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


def command_fetch(args: argparse.Namespace) -> int:
    """``siting fetch``: fetch the AOI's layers and write the scenario that uses them."""
    from siting.fetch.http import Retry
    from siting.fetch.progress import NullProgress, RichProgress
    from siting.fetch.workflow import FetchOptions, fetch

    base_urls = {}
    for item in args.base_url:
        name, sep, url = item.partition("=")
        if not sep or not url:
            raise SitingError(describe(f"--base-url {item}", "is not SOURCE=URL", "e.g. osm=URL"))
        base_urls[name] = url
    first, sep, last = args.era5_years.partition("-")
    if not (sep and first.isdigit() and last.isdigit()):
        raise SitingError(
            describe(f"--era5-years {args.era5_years}", "is not FIRST-LAST", "e.g. 2014-2023")
        )
    options = FetchOptions(
        layers=[name.strip() for name in args.layers.split(",") if name.strip()],
        base_scenario=args.config,
        cache_dir=args.cache,
        base_urls=base_urls,
        dem_resolution_m=args.dem_resolution,
        gwa_country=args.gwa_country,
        era5_years=(int(first), int(last)),
        whole_files=args.whole_files,
        refresh=args.refresh,
        retry=Retry(attempts=max(args.retries, 0) + 1, timeout_s=args.timeout),
    )
    progress = NullProgress() if args.quiet else RichProgress(console)
    result = fetch(args.aoi, args.out, options, progress=progress)
    if not args.quiet:
        for note in result.warnings:
            console.print(f"[yellow]note:[/] {escape(note)}")
        state = "all from the cache" if result.all_cached else "fetched"
        console.print(
            f"[green]✓[/] {', '.join(result.products)} {state} in {result.seconds:.1f} s. "
            f"Next: siting run --config {escape(str(result.scenario))}"
        )
    print(result.scenario)
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
    from siting.outputs.export import FORMATS, export_sites, format_for
    from siting.outputs.results import open_results

    fmt = format_for(args.out, args.format) if args.out else format_for(None, args.format)
    results = open_results(args.results)
    uses = [args.use] if args.use else results.uses
    sites = {use: results.sites(use) for use in uses}
    for use, frame in sites.items():
        check_site_table(frame, f"{results.path / 'sites.gpkg'} (layer {use})")
    turbines = results.turbines() if "wind" in uses else None
    name = f"sites_field_{args.use or 'all'}{FORMATS[fmt]}"
    out = export_sites(sites, fmt, args.out or results.path / name, turbines=turbines)
    n_turbines = 0 if turbines is None else len(turbines)
    console.print(
        f"Wrote {sum(len(f) for f in sites.values())} sites"
        + (f" and {n_turbines} turbines" if n_turbines else "")
        + f" to {escape(str(out))}"
    )
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
        lines.append(result.forest.summary_line())
    if result.credits is not None:
        spec = result.scenario.credits
        period = spec.accounting_periods[0]
        summary = result.credits.projection.summary
        total = summary[summary["level"] == "total"].iloc[0]
        name, target = period.name, period.buyer_target_tco2e / 1e6
        cumulative = total[f"itmos_{name}_tco2e"] / 1e6
        head = f"ITMOs to {spec.buyer_party}, vintages {period.first_year}-{period.last_year}"
        if period.target_year is None:
            lines.append(
                f"{head}: {cumulative:,.2f} Mt cumulative "
                f"({total[f'share_of_target_{name}']:.1%} of the {target:g} Mt target)"
            )
        else:
            year = period.target_year
            lines.append(
                f"{head}: {cumulative:,.2f} Mt cumulative; averaging approach "
                f"{total[f'itmos_{name}_average_tco2e'] / 1e6:,.3f} Mt/yr "
                f"({total[f'share_of_target_{name}_averaging']:.2%} of the {target:g} Mt "
                f"{year} target); {year} vintage "
                f"{total[f'itmos_{name}_vintage_{year}_tco2e'] / 1e6:,.3f} Mt "
                f"({total[f'share_of_target_{name}_vintage_{year}']:.2%})"
            )
    return lines


def command_init_config(args: argparse.Namespace) -> int:
    """``siting init-config``: write the embedded scenario to a file to edit."""
    path: Path = args.path
    if path.exists() and not args.force:
        raise SitingError(
            describe(str(path), "already exists", "choose another name or add --force")
        )
    from siting import io
    from siting.scenario.defaults import default_scenario_text

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


def _print_note(message, category, filename, lineno, file=None, line=None) -> None:
    """Show a warning of the library as one ``note:`` line (no file name, no source line)."""
    console.print("[yellow]note:[/]", escape(str(message)), soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``siting`` console script."""
    args = build_parser().parse_args(argv)
    handlers = {
        "run": command_run,
        "fetch": command_fetch,
        "export": command_export,
        "map": command_map,
        "init-config": command_init_config,
    }
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _print_note
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
