"""The `bayes-zba` command line: thin wrappers that call the package rooms.

Every command validates its arguments, calls one package function and prints with rich.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from bayes_zba import __version__
from bayes_zba.rhat import rhat_text

if TYPE_CHECKING:
    from bayes_zba.data import Dataset

#: Exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED_EXIT = 130


class _InterruptibleGroup(TyperGroup):
    """The command group: Ctrl-C ends any command with one line on stderr and exit 130.

    Whatever was finished is on disk (fits, task records); nothing half-done is saved.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            err_console.print(
                "interrupted: nothing unfinished was saved; rerun the same command to resume",
                markup=False,
            )
            raise typer.Exit(INTERRUPTED_EXIT) from None


app = typer.Typer(
    name="bayes-zba",
    help="Bayesian model comparison of zero-bias-anomaly mechanisms in G(V, T, H).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_InterruptibleGroup,
)
console = Console(soft_wrap=True)  # never break a printed path across lines
err_console = Console(stderr=True, soft_wrap=True)
RefitOption = Annotated[
    str | None,
    typer.Option(
        "--refit",
        metavar="MODEL|all",
        help="Fit these models (comma-separated, or 'all') again even if current saved fits "
        "exist; other saved fits are reused.",
    ),
]


def _refit_models(refit: str | None) -> tuple[str, ...]:
    """The models of a --refit value ('all' or a comma-separated list); () when not given."""
    return tuple(name.strip() for name in (refit or "").split(",") if name.strip())


def _show_version(value: bool) -> None:
    if value:
        console.print(f"bayes-zba {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Which mechanism do your zero-bias-anomaly data support?"""


# --- commands are added below, one section per room -------------------------------------


# --- data: validate and summarise data files (bayes_zba.data) -------------------------------
data_app = typer.Typer(help="Check and summarise data files.", no_args_is_help=True)
app.add_typer(data_app, name="data")

DATA_SUMMARY_HEADINGS = (
    "sample",
    "material",
    "curves",
    "points",
    "V [mV]",
    "T [K]",
    "H [T]",
    "sigma",
)


ColumnsOption = Annotated[
    str | None, typer.Option(help="Column mapping, e.g. 'V_mV=bias,G_e2h=dIdV'.")
]
UnitsOption = Annotated[str | None, typer.Option(help="File units, e.g. 'V=V,T=mK,G=uS'.")]


def _load_checked(
    file: str, columns: str | None, units: str | None, vmax: float | None = None
) -> tuple["Dataset", list[str]]:
    """The validated Dataset (|V| <= vmax if given) and its warning texts; exit 2 if bad."""
    import warnings

    from rich.markup import escape

    from bayes_zba.data import ColumnSpec, DataError, load_dataset

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            dataset = load_dataset(file, spec=ColumnSpec.parse(columns, units))
            dataset = dataset if vmax is None else dataset.window(vmax)
    except DataError as error:
        err_console.print(f"[red]cannot use {escape(file)}: {len(error.problems)} problem(s)[/red]")
        for problem in error.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except ValueError as error:
        err_console.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    return dataset, list(dict.fromkeys(str(w.message) for w in caught))


def _print_reading(dataset: "Dataset", messages: list[str]) -> None:
    """How the file was read (column mappings, unit conversions, defaults) and its warnings."""
    for note in dataset.attrs.get("notes", []):
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    for message in messages:
        console.print(f"warning: {message}", style="yellow", markup=False, soft_wrap=True)


@data_app.command("check")
def data_check(
    file: Annotated[str, typer.Argument(help="Data file: .csv, .tsv, .parquet or .nc.")],
    vmax: Annotated[
        float | None, typer.Option("--vmax", help="Keep only |V| <= VMAX (mV).")
    ] = None,
    columns: ColumnsOption = None,
    units: UnitsOption = None,
) -> None:
    """Validate a data file and summarise it per sample; exit 2 listing every problem."""
    from rich.markup import escape
    from rich.table import Table

    dataset, messages = _load_checked(file, columns, units, vmax)
    table = Table(*(escape(h) for h in DATA_SUMMARY_HEADINGS), title=escape(file))
    for row in dataset.summary().itertuples(index=False):
        table.add_row(
            escape(row.sample),
            escape(row.material),
            str(row.curves),
            str(row.points),
            f"{row.V_min:g} … {row.V_max:g}",
            f"{row.T_min:g} … {row.T_max:g}",
            f"{row.H_min:g} … {row.H_max:g}",
            "yes" if row.sigma else "no",
        )
    console.print(table)
    _print_reading(dataset, messages)


@data_app.command("convert")
def data_convert(
    file: Annotated[str, typer.Argument(help="Data file: .csv, .tsv, .parquet or .nc.")],
    out: Annotated[
        Path,
        typer.Option(help="New tidy file (.csv/.tsv/.parquet/.nc) in V_mV, T_K, H_T, G_e2h."),
    ],
    columns: ColumnsOption = None,
    units: UnitsOption = None,
) -> None:
    """Validate FILE and write it as a tidy file in physics.md units; never replaces a file."""
    from bayes_zba.data import SUFFIXES, save_dataset

    if out.suffix.lower() not in SUFFIXES:
        message = f"cannot write {out}: expected a file name ending in {', '.join(SUFFIXES)}"
        err_console.print(message, markup=False, soft_wrap=True)
        raise typer.Exit(2)
    dataset, messages = _load_checked(file, columns, units)
    try:
        written = save_dataset(dataset, out)
    except FileExistsError:
        message = f"cannot write {out}: it (or its .meta.json) exists; choose a new --out"
        err_console.print(message, markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _print_reading(dataset, messages)
    console.print(f"wrote {written}", markup=False)


# --- studies: SBC, model recovery, prior sensitivity (bayes_zba.studies) --------------------
from collections.abc import Callable  # noqa: E402  (imports of this section; the file is shared)

StudyOut = Annotated[Path, typer.Option("--out", help="Study directory; rerun to resume.")]
SeedOption = Annotated[int, typer.Option(help="Seed of the whole study.")]
ChainsOption = Annotated[int, typer.Option(min=1, help="Chains per fit.")]
DrawsOption = Annotated[int, typer.Option(min=10, help="Draws per chain.")]
TuneOption = Annotated[int, typer.Option(min=10, help="Tuning steps per chain.")]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Address of a running Dask scheduler (e.g. dask-jobqueue on SLURM/PBS)."),
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="Local worker processes (default: cores).")
]
DesignOption = Annotated[str, typer.Option(help="Design preset of bayes_zba.simulate.")]


def _run_study(study: Callable[..., dict], *args: Any, **kwargs: Any) -> dict:
    """Run a study function; known failures become a message and exit code 2."""
    from bayes_zba.parallel import StaleTaskError, TaskError

    try:
        return study(*args, **kwargs)
    except (ValueError, KeyError, OSError, StaleTaskError, TaskError) as error:
        err_console.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _study_options(
    seed: int, chains: int, draws: int, tune: int, scheduler: str | None, workers: int | None
) -> Any:
    from bayes_zba.studies import SamplerSettings, StudyOptions

    sampler = SamplerSettings(chains=chains, draws=draws, tune=tune)
    return StudyOptions(seed=seed, sampler=sampler, scheduler=scheduler, n_workers=workers)


@app.command("sbc")
def sbc_command(
    model: Annotated[str, typer.Argument(help="Model to calibrate (2ck, kr2, kr1, kk, wam).")],
    out: StudyOut,
    n: Annotated[int, typer.Option("--n", min=2, help="Prior draws, one refit each.")] = 200,
    design: DesignOption = "default",
    config: Annotated[str | None, typer.Option(help="Model config TOML.")] = None,
    seed: SeedOption = 0,
    chains: ChainsOption = 4,
    draws: DrawsOption = 500,
    tune: TuneOption = 500,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Simulation-based calibration of MODEL: sbc.json, sbc.html and sbc.md in OUT."""
    from rich.table import Table

    from bayes_zba.studies.sbc import run_sbc

    summary = _run_study(
        run_sbc,
        model,
        n,
        design,
        out,
        config=config,
        options=_study_options(seed, chains, draws, tune, scheduler, workers),
    )
    table = Table("quantity", "p (χ²)", "ECDF band", "verdict", title=f"SBC of {model}, n = {n}")
    for name, result in summary["parameters"].items():
        band = "inside" if result["ecdf_in_band"] else "leaves"
        table.add_row(name, f"{result['p_value']:.3g}", band, "pass" if result["pass"] else "FAIL")
    console.print(table)
    console.print(f"pass rate {summary['pass_rate']:.0%}; wrote {out / 'sbc.json'}")


@app.command("recovery")
def recovery_command(
    out: StudyOut,
    n_per_model: Annotated[int, typer.Option(min=1, help="Datasets per true model.")] = 20,
    design: DesignOption = "default",
    models: Annotated[
        list[str] | None, typer.Option("--model", help="Models to include (default: all).")
    ] = None,
    seed: SeedOption = 0,
    chains: ChainsOption = 4,
    draws: DrawsOption = 500,
    tune: TuneOption = 500,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Model recovery: simulate from every model, fit and rank all; recovery.json in OUT."""
    from rich.table import Table

    from bayes_zba.studies.pages import worst_cells_sentence
    from bayes_zba.studies.recovery import run_recovery

    summary = _run_study(
        run_recovery,
        n_per_model,
        design,
        out,
        models=models,
        options=_study_options(seed, chains, draws, tune, scheduler, workers),
    )
    names = summary["models"]
    table = Table("true \\ leader", *names, title="Model recovery (counts)")
    for true in names:
        table.add_row(true, *(str(summary["confusion"][true][m]) for m in names))
    console.print(table)
    console.print(worst_cells_sentence(summary["worst_off_diagonal"]))
    console.print(
        f"{summary['confident_wrong']} confident wrong verdict(s); wrote {out / 'recovery.json'}"
    )


@app.command("sensitivity")
def sensitivity_command(
    source: Annotated[Path, typer.Argument(help="A saved fit (.nc) or a data file.")],
    model: Annotated[str, typer.Option(help="Model whose priors are probed.")],
    out: StudyOut,
    alt_config: Annotated[
        list[Path] | None, typer.Option(help="Alternative prior config TOML (repeatable).")
    ] = None,
    rival: Annotated[
        list[str] | None,
        typer.Option(
            help="Rival for the ranking: a saved fit or a model name (repeatable; default "
            "for data: every other model)."
        ),
    ] = None,
    config: Annotated[str | None, typer.Option(help="Base config when SOURCE is data.")] = None,
    seed: SeedOption = 0,
    chains: ChainsOption = 4,
    draws: DrawsOption = 500,
    tune: TuneOption = 500,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Prior sensitivity of MODEL: psense, refits under alternative priors; sensitivity.json."""
    from rich.table import Table

    from bayes_zba.studies.sensitivity import run_sensitivity

    summary = _run_study(
        run_sensitivity,
        source,
        model,
        out,
        config=config,
        alt_configs=alt_config or (),
        rivals=rival,
        options=_study_options(seed, chains, draws, tune, scheduler, workers),
    )
    table = Table("quantity", "prior", "likelihood", "diagnosis", title=f"psense of {model}")
    for name, values in summary["psense"].items():
        table.add_row(
            name, f"{values['prior']:.3f}", f"{values['likelihood']:.3f}", values["diagnosis"]
        )
    console.print(table)
    for outcome in summary["configurations"]:
        if "ranking" in outcome:
            ranking = outcome["ranking"]
            console.print(
                f"{outcome['label']}: {model} ranked {ranking['position']} "
                f"(leader {ranking['leader']}, {ranking['label']})"
            )
    console.print(f"wrote {out / 'sensitivity.json'}")


# --- simulate: simulated data from any mechanism (bayes_zba.simulate) -----------------------
from typer.core import TyperCommand  # noqa: E402  (imports of this section; the file is shared)


class _SimulateCommand(TyperCommand):
    """`simulate --help` lists the typical parameters and presets, imported only for help."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from bayes_zba.simulate import defaults_text

        self.epilog = defaults_text().replace("\n", "\n\n")
        super().format_help(ctx, formatter)


@app.command("simulate", cls=_SimulateCommand)
def simulate_command(
    model: Annotated[str, typer.Argument(help="Mechanism: 2ck, kr2, kr1, kk or wam.")],
    out: Annotated[
        Path, typer.Option("--out", help="New data file (.csv/.tsv/.parquet/.nc); never replaced.")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (required).")],
    params: Annotated[
        str, typer.Option("--params", help="Overrides of the typical parameters: 'k=v,k=v'.")
    ] = "",
    preset: Annotated[
        str | None, typer.Option("--preset", help="Design preset (default: 'default').")
    ] = None,
    design: Annotated[
        Path | None, typer.Option("--design", help="Reuse the points (V, T, H, curve) of FILE.")
    ] = None,
    noise: Annotated[float | None, typer.Option("--noise", help="Point noise σ in e²/h.")] = None,
    drift: Annotated[
        float | None, typer.Option("--drift", help="Curve drift τ in e²/h (default G0/3000).")
    ] = None,
    g0: Annotated[float | None, typer.Option("--g0", help="Background G0 in e²/h.")] = None,
    outliers: Annotated[
        float, typer.Option("--outliers", help="Fraction of points with heavy-tailed spikes.")
    ] = 0.0,
    sample: Annotated[str, typer.Option("--sample", help="Sample name.")] = "sim",
) -> None:
    """Simulate G(V, T, H) = G0 + ΔG(MODEL) + drift + noise and write it to --out."""
    from bayes_zba.data import DataError
    from bayes_zba.simulate import parse_parameter_text, simulate_to_file

    try:
        if preset is not None and design is not None:
            raise ValueError("give --preset or --design, not both")
        dataset = simulate_to_file(
            out,
            model,
            seed=seed,
            params=parse_parameter_text(params),
            design=design or preset or "default",
            G0=g0,
            noise_sigma=noise,
            drift_tau=drift,
            outlier_fraction=outliers,
            sample=sample,
        )
    except (ValueError, TypeError, KeyError, FileExistsError, DataError) as error:
        message = error.args[0] if isinstance(error, KeyError) else str(error)
        err_console.print(f"cannot simulate: {message}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    truth = dataset.attrs["simulation"]
    console.print(
        f"wrote {out}: {len(dataset.table)} points, {len(dataset.curves())} curves, "
        f"model {model}, seed {seed}",
        markup=False,
    )
    console.print(
        ", ".join(f"{k}={v:g}" for k, v in truth["params"].items())
        + f"; G0={truth['G0']:g}, noise={truth['noise_sigma']:g}, drift={truth['drift_tau']:g}",
        markup=False,
    )


# --- scaling: paper I's scaling analysis, classical and Bayesian (bayes_zba.scaling) ---------
@app.command("scaling")
def scaling(
    data: Annotated[str, typer.Argument(help="Data file: .csv, .tsv, .parquet or .nc.")],
    out: Annotated[str, typer.Option("--out", help="Output directory (one folder per sample).")],
    sample: Annotated[
        str | None, typer.Option("--sample", help="Analyse this sample only.")
    ] = None,
    bayes: Annotated[
        bool, typer.Option("--bayes/--no-bayes", help="Also fit the Bayesian scaling model.")
    ] = True,
    t_min: Annotated[
        float | None, typer.Option("--t-min", help="Leave out curves colder than this (K).")
    ] = None,
    t_max: Annotated[
        float | None, typer.Option("--t-max", help="Scaling regime T <= this (K).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of bootstrap and sampler.")] = 0,
    draws: Annotated[int, typer.Option("--draws", help="Posterior draws per chain.")] = 1000,
    tune: Annotated[int, typer.Option("--tune", help="Tuning draws per chain.")] = 1000,
    chains: Annotated[int, typer.Option("--chains", help="Chains.")] = 4,
) -> None:
    """Scaling collapse D(α), α*, B_Σ, F0, F1, Γ1 (paper I §VI) -> scaling.json, .html, .md."""
    import json

    from bayes_zba.data import DataError
    from bayes_zba.scaling import SamplerSettings, ScalingOptions, analyse_file

    settings = SamplerSettings(seed=seed, chains=chains, draws=draws, tune=tune, progress=True)
    options = ScalingOptions(t_min_K=t_min, t_max_K=t_max, seed=seed)
    try:
        written = analyse_file(
            data, out, sample=sample, options=options, bayes=settings if bayes else None
        )
    except (DataError, ValueError) as error:
        err_console.print(f"cannot analyse {data}: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for name, files in written.items():
        verdict = json.loads(files["json"].read_text(encoding="utf-8"))["scaling_verdict"]
        console.print(f"{name}: {verdict}", markup=False, soft_wrap=True)
        console.print(
            f"  wrote {files['json']}, {files['html']}, {files['markdown']}", markup=False
        )


# --- compare and demo: rank the mechanisms on a data file (bayes_zba.workflow) --------------
def _comparison(run: Callable[..., list[Path]], *args: Any, **kwargs: Any) -> None:
    """Run a comparison; print each sample's verdict and files; known failures exit 2."""
    from bayes_zba.compare import load_ranking

    try:
        written = run(*args, **kwargs)
    except (ValueError, KeyError, OSError) as error:
        message = error.args[0] if isinstance(error, KeyError) else str(error)
        err_console.print(f"cannot compare: {message}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for path in written:
        if path.name == "ranking.json":
            ranking = load_ranking(path)
            style = "yellow" if ranking.verdict.label == "unreliable" else "bold"
            console.print(
                f"{ranking.sample}: {ranking.verdict.sentence}", style=style, markup=False
            )
    for path in written:
        console.print(f"wrote {path}", markup=False)


@app.command("compare")
def compare_command(
    data: Annotated[str, typer.Argument(help="Data file: .csv, .tsv, .parquet or .nc.")],
    out: Annotated[Path, typer.Option("--out", help="Report directory, e.g. reports/NAME.")],
    models: Annotated[
        str, typer.Option(help="Comma-separated models to compare.")
    ] = "2ck,kr2,kr1,kk,wam",
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", help="Directory of <model>.toml configs.")
    ] = None,
    sample: Annotated[str | None, typer.Option(help="Compare this sample only.")] = None,
    vmax: Annotated[
        float | None, typer.Option("--vmax", help="Bias window |V| <= VMAX mV for every model.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every fit.")] = 0,
    max_refits: Annotated[
        int,
        typer.Option(
            "--max-refits",
            min=0,
            help="Exact refits per model for curves whose PSIS k̂ is too high (0: none; "
            "those curves are then reported and the verdict says so).",
        ),
    ] = 10,
    refit: RefitOption = None,
    draws: Annotated[int, typer.Option(min=1, help="Draws per chain after tuning.")] = 1000,
    tune: Annotated[int, typer.Option(min=1, help="Tuning draws per chain.")] = 1000,
    chains: Annotated[int, typer.Option(min=1, help="Number of chains.")] = 4,
) -> None:
    """Fit every model, rank them by leave-one-curve-out CV, write ranking.json and reports."""
    from bayes_zba.workflow import DEFAULT_FIT_OPTIONS, run_comparison

    names = tuple(m.strip() for m in models.split(",") if m.strip())
    _comparison(
        run_comparison,
        data,
        models=names,
        config_dir=config_dir,
        out_dir=out,
        sample=sample,
        vmax=vmax,
        seed=seed,
        max_refits=max_refits,
        refit=_refit_models(refit),
        fit_options={**DEFAULT_FIT_OPTIONS, "draws": draws, "tune": tune, "chains": chains},
    )


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Report directory.")] = Path("reports/demo"),
) -> None:
    """Compare all five mechanisms on data/cu-sample1-like.csv (simulated, paper I sample 1)."""
    from bayes_zba.workflow import run_demo

    _comparison(run_demo, out)


# --- report: HTML + Markdown reports from saved fits and rankings (bayes_zba.report) --------
report_app = typer.Typer(help="Write reports from saved fits and rankings.", no_args_is_help=True)
app.add_typer(report_app, name="report")
REPORT_ERRORS = (ValueError, KeyError, OSError)


def _write_report(make: Callable[..., dict], *args: Any, **kwargs: Any) -> None:
    """Run a report writer; print the files, or the problem and exit 2."""
    try:
        files = make(*args, **kwargs)
    except REPORT_ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) else str(error)
        err_console.print(f"cannot write the report: {message}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"wrote {files['html']} and {files['markdown']}", markup=False)


@report_app.command("fit")
def report_fit_command(
    fit_file: Annotated[str, typer.Argument(help="Saved fit (.nc).")],
    out: Annotated[str, typer.Option("--out", help="Report directory.")],
    data: Annotated[
        str | None, typer.Option(help="Data file, to show points outside the fit window.")
    ] = None,
) -> None:
    """Report of one fit: parameters, diagnostics, predictive bands, residuals, collapse."""
    from bayes_zba.report.from_files import fit_report_from_files

    _write_report(fit_report_from_files, fit_file, out, data_path=data)


@report_app.command("ranking")
def report_ranking_command(
    ranking_file: Annotated[str, typer.Argument(help="ranking.json of a comparison.")],
    fit_files: Annotated[list[str], typer.Argument(help="Saved fits (.nc) of the ranked models.")],
    data: Annotated[str, typer.Option(help="The data file the fits were made on.")],
    out: Annotated[str, typer.Option("--out", help="Report directory.")],
) -> None:
    """Report of a comparison: verdict, elpd table and weights, overlays, fingerprints."""
    from bayes_zba.report.from_files import ranking_report_from_files

    _write_report(ranking_report_from_files, ranking_file, fit_files, data, out)


# --- fit: one model on one sample, saved as NetCDF (bayes_zba.inference) -------------------
FIT_ERRORS = (ValueError, KeyError, OSError)


@app.command("fit")
def fit_command(
    data: Annotated[str, typer.Argument(help="Data file: .csv, .tsv, .parquet or .nc.")],
    model: Annotated[str, typer.Option("--model", help="Mechanism: 2ck, kr2, kr1, kk, wam.")],
    out: Annotated[Path, typer.Option("--out", help="Writes OUT/<sample>/<model>.nc.")],
    config: Annotated[
        Path | None, typer.Option("--config", help="Config TOML (default models/<model>.toml).")
    ] = None,
    sample: Annotated[str | None, typer.Option(help="Sample to fit (files with several).")] = None,
    vmax: Annotated[
        float | None, typer.Option("--vmax", help="Bias window |V| <= VMAX mV.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the sampler.")] = 0,
    draws: Annotated[int, typer.Option(min=1, help="Draws per chain after tuning.")] = 1000,
    tune: Annotated[int, typer.Option(min=1, help="Tuning draws per chain.")] = 1000,
    chains: Annotated[int, typer.Option(min=1, help="Number of chains.")] = 4,
    refit: RefitOption = None,
) -> None:
    """Fit one mechanism to one sample with NUTS (nutpie) and print its diagnostics.

    A finished fit saved in OUT from the same data, config and settings is reused (--refit
    fits again).
    """
    import warnings

    from bayes_zba.inference import FitWarning
    from bayes_zba.inference.run import fit_data_file

    refit_models = _refit_models(refit)
    others = sorted(set(refit_models) - {model, "all"})
    if others:
        message = f"--refit names {', '.join(others)}, but this command fits {model}"
        err_console.print(f"cannot fit: {message}", markup=False, soft_wrap=True)
        raise typer.Exit(2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)  # printed below from the diagnostics
            result, reused = fit_data_file(
                data,
                model,
                out_dir=out,
                seed=seed,
                config_path=config,
                sample=sample,
                vmax_mV=vmax,
                chains=chains,
                draws=draws,
                tune=tune,
                refit=bool(refit_models),
            )
    except FIT_ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) else str(error)
        err_console.print(f"cannot fit: {message}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _print_fit(result, reused)


def _print_fit(result: Any, reused: bool) -> None:
    """Diagnostics summary (warnings in yellow) and the path written (or reused)."""
    d = result.diagnostics
    timings = result.provenance["timings"]
    console.print(
        f"{result.model} on {result.sample}: max R-hat {rhat_text(d.max_rhat)}, min ESS bulk "
        f"{d.min_ess_bulk:.0f} / tail {d.min_ess_tail:.0f}, {d.n_divergent} divergent, "
        f"E-BFMI {min(d.bfmi):.2f}, {d.treedepth_hits} tree-depth hits "
        f"(compile {timings['compile_s']:.0f} s, sampling {timings['sampling_s']:.0f} s)",
        markup=False,
    )
    for warning in d.warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False)
    for restart in d.restarts:
        console.print(f"note: {restart}", markup=False)
    if reused:
        created = result.provenance.get("created_at", "earlier")
        console.print(f"reused {result.path} (fitted {created}; --refit fits again)", markup=False)
    else:
        console.print(f"wrote {result.path}", markup=False)
