"""Global sensitivity analysis (`python -m sim.sensitivity`; docs/ODD.md,
"Uncertainty analysis").

The design is SALib's: Morris' elementary-effects trajectories (Morris 1991,
with Campolongo et al. 2007's mu*) or Saltelli's sampling for Sobol' indices
(Saltelli et al. 2010), over the uncertain parameters and their ranges
(`SensitivityRun.varied`; log-uniform ranges are sampled in log10). The
sweeper (hydra_plugins/loyalty_sensitivity) writes the design to design.csv
and hands one job per point to the Hydra launcher (basic, joblib, Ray); a job
runs the model at its point over `seeds` seeds, with and without the
`compare` strategy, and keeps its outputs in point.json, so that running the
command again into the same folder keeps finished points. When every point is
done, `SensitivityReport` writes sensitivity.csv, one bar chart per output and
sensitivity.md at the sweep root.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hydra.experimental.callback import Callback
from matplotlib.figure import Figure
from omegaconf import DictConfig, OmegaConf
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sampling
from SALib.sample import sobol as sobol_sampling

from sim.config import Config, ConfigError, Prior, SensitivityRun
from sim.runs.calibration import model_config
from sim.runs.files import read_kept, write_atomically
from sim.runs.simulation import code_version, config_hash, replicate

DESIGN_FILE = "design.csv"
POINT_FILE = "point.json"

OUTPUTS = {
    "annual_churn": ("annual churn of the focal firm's customers", "share a year"),
    "nps": ("mean NPS over the run", "points"),
    "profit": ("the focal firm's profit over the run", "currency units"),
    "profit_difference": (
        "profit of the compared strategy minus baseline's, from its rollout on, paired by seed",
        "currency units",
    ),
}
"""What each point reports: what it measures, and its unit."""


# --- the design --------------------------------------------------------------------


def salib_problem(varied: dict[str, Prior]) -> dict[str, Any]:
    """SALib's problem: each parameter's bounds, in log10 for a log-uniform range."""
    bounds = [
        [math.log10(p.low), math.log10(p.high)] if p.log else [p.low, p.high]
        for p in varied.values()
    ]
    return {"num_vars": len(varied), "names": list(varied), "bounds": bounds}


def design(run: SensitivityRun, fixed: set[str] = frozenset()) -> pd.DataFrame:
    """The points to run, one row each, in the parameters' own units. Parameters
    set on the command line (`fixed`) are held at their value, not varied."""
    varied = {k: p for k, p in run.varied().items() if k not in fixed}
    if len(varied) < 2:
        raise ConfigError("parameters", sorted(varied), "at least 2 parameters to vary")
    problem = salib_problem(varied)
    if run.method == "morris":
        sample = morris_sampling.sample(
            problem, N=run.trajectories, num_levels=run.levels, seed=run.seed
        )
    else:
        sample = sobol_sampling.sample(
            problem, N=run.samples, calc_second_order=False, seed=run.seed
        )
    table = pd.DataFrame(sample, columns=list(varied))
    for key, prior in varied.items():
        if prior.log:
            table[key] = np.clip(10.0 ** table[key], prior.low, prior.high)  # float round-off
    return table


def in_salib_space(table: pd.DataFrame, varied: dict[str, Prior]) -> np.ndarray:
    """A design's points as SALib drew them (log10 of log-uniform parameters)."""
    return np.column_stack(
        [np.log10(table[k]) if varied[k].log else table[k] for k in table.columns]
    )


def fixed_keys(arguments: list[str]) -> set[str]:
    """The keys a command line sets, held fixed by the design; ValueError (one
    line) for a sweep, since the design sets the points."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(arguments)
    for override in parsed:
        if override.is_sweep_override():
            raise ValueError(
                f"{override.input_line} is several values: the sensitivity design sets the "
                "points, give one value"
            )
    return {o.get_key_element().lstrip("+~") for o in parsed}


def job_overrides(table: pd.DataFrame) -> list[tuple[str, ...]]:
    """One job's overrides per point: each parameter at the point's value."""
    return [
        tuple(f"{key}={float(value)!r}" for key, value in row.items())
        for _, row in table.iterrows()
    ]


# --- one point ---------------------------------------------------------------------


def compared(config: Config, strategy: str) -> Config:
    """The same run with `strategy` switched on."""
    config = copy.deepcopy(config)
    getattr(config.strategy, strategy).enabled = True
    return config


def evaluate(run: SensitivityRun, job_dir: Path) -> dict[str, Any]:
    """The outputs at this job's point, averaged over `run.seeds` seeds. Kept in
    `job_dir`/point.json; a point already there for the same config, made by
    the same code, is read, not run again."""
    config = model_config(run)
    key = f"{config_hash(config)}:{run.seeds}:{run.compare}:{code_version()}"
    path = job_dir / POINT_FILE
    if point := read_kept(path, key):
        return {**point, "reused": True}
    baseline = replicate(config, run.seeds)
    by_seed = {
        "annual_churn": [s["rates"]["annual_churn_rate"] for s in baseline],
        "nps": [s["rates"]["mean_nps"] for s in baseline],
        "profit": [s["totals"]["profit"] for s in baseline],
    }
    if run.compare:
        strategy = replicate(compared(config, run.compare), run.seeds)
        by_seed["profit_difference"] = [
            s["evaluation"]["profit"] - b["evaluation"]["profit"]
            for s, b in zip(strategy, baseline, strict=True)
        ]
    outputs = {name: float(np.mean(values)) for name, values in by_seed.items()}
    point = {"key": key, "outputs": outputs, "by_seed": by_seed}
    job_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda p: p.write_text(json.dumps(point, indent=1) + "\n"))
    return {**point, "reused": False}


def progress(job_dir: Path, point: dict[str, Any], compare: str | None) -> None:
    """One line per finished point."""
    done = len(list(job_dir.parent.glob(f"*/{POINT_FILE}")))
    total = len(pd.read_csv(job_dir.parent / DESIGN_FILE))
    out = point["outputs"]
    line = (
        f"[{done}/{total}] point {job_dir.name}: churn {out['annual_churn']:.1%}, "
        f"NPS {out['nps']:+.0f}, profit {out['profit']:,.0f}"
    )
    if "profit_difference" in out:
        line += f", {compare} vs baseline {out['profit_difference']:+,.0f}"
    status = "already done, kept" if point["reused"] else "run"
    print(f"{line} ({status})", flush=True)


# --- the analysis --------------------------------------------------------------------


def collect_points(sweep_dir: Path, n_points: int) -> tuple[pd.DataFrame, list[int], dict]:
    """Each point's outputs by job number, the numbers of points not done, and
    each output's seed noise: the median over points of the standard error of
    a point's mean over seeds (NaN with one seed), with the code versions that
    made the points (`made_by`)."""
    rows, errors, missing, made_by = {}, {}, [], set()
    for number in range(n_points):
        try:
            point = json.loads((sweep_dir / str(number) / POINT_FILE).read_text())
            rows[number] = point["outputs"]
            made_by.add(point["key"].rsplit(":", 1)[-1])
        except (OSError, ValueError, KeyError):
            missing.append(number)
            continue
        errors[number] = {
            name: np.std(values, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else np.nan
            for name, values in point.get("by_seed", {}).items()
        }
    noise = pd.DataFrame.from_dict(errors, orient="index").median().to_dict() if errors else {}
    noise["made_by"] = ", ".join(sorted(made_by))
    return pd.DataFrame.from_dict(rows, orient="index"), missing, noise


def analyse(
    run: SensitivityRun, table: pd.DataFrame, outputs: pd.DataFrame, varied: dict[str, Prior]
) -> pd.DataFrame:
    """SALib's indices of each output for each parameter: mu_star and sigma
    (Morris; mu_star_conf, its bootstrap 95 % interval's half-width), or S1,
    S1_conf, ST, ST_conf (Sobol')."""
    problem = salib_problem({k: varied[k] for k in table.columns})
    x = in_salib_space(table, varied)
    frames = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(dtype=float)
        if run.method == "morris":
            found = morris_analysis.analyze(
                problem, x, y, num_levels=run.levels, seed=run.seed, print_to_console=False
            )
            columns = ["mu_star", "sigma", "mu", "mu_star_conf"]
        else:
            found = sobol_analysis.analyze(
                problem, y, calc_second_order=False, seed=run.seed, print_to_console=False
            )
            columns = ["S1", "S1_conf", "ST", "ST_conf"]
        frame = pd.DataFrame({c: np.asarray(found[c], dtype=float) for c in columns})
        frame.insert(0, "parameter", problem["names"])
        frame.insert(0, "output", output)
        frames.append(frame.sort_values(columns[0] if run.method == "morris" else "ST"))
    result = pd.concat(frames, ignore_index=True)
    key = "mu_star" if run.method == "morris" else "ST"
    order = result.groupby("output", sort=False)[key].rank(ascending=False, method="first")
    result["rank"] = order.astype(int)
    return result.sort_values(["output", "rank"], kind="stable").reset_index(drop=True)


def chart(indices: pd.DataFrame, output: str, method: str) -> Figure:
    """Each parameter's importance for one output, most important on top."""
    rows = indices[indices.output == output].sort_values("rank", ascending=False)
    fig = Figure(figsize=(8, 0.35 * len(rows) + 1.6))
    ax = fig.subplots()
    y = np.arange(len(rows))
    if method == "morris":
        ax.barh(y, rows.mu_star, xerr=rows.mu_star_conf, color="tab:blue", label="mu* (95 % CI)")
        ax.scatter(rows.sigma, y, color="tab:orange", zorder=3, label="sigma (interactions)")
        ax.set_xlabel(f"mean |elementary effect| on {output} ({OUTPUTS[output][1]})")
    else:
        ax.barh(y - 0.2, rows.ST, 0.4, xerr=rows.ST_conf, color="tab:blue", label="total (ST)")
        ax.barh(y + 0.2, rows.S1, 0.4, xerr=rows.S1_conf, color="tab:orange", label="first (S1)")
        ax.set_xlabel(f"share of the variance of {output}")
    ax.set_yticks(y, rows.parameter)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_title(f"{method.capitalize()} sensitivity of {output}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def noise_floor(standard_error: float, levels: int) -> float:
    """The mu* a parameter without any effect would show from seed noise alone:
    an elementary effect is the difference of two points' means over a step of
    levels / (2 (levels - 1)) of the range, and E|N(0, s)| = s sqrt(2 / pi)."""
    step = levels / (2 * (levels - 1))
    return math.sqrt(2 / math.pi) * math.sqrt(2) * standard_error / step


def markdown(
    run: SensitivityRun,
    indices: pd.DataFrame,
    outputs: pd.DataFrame,
    command: str,
    noise: dict[str, float],
) -> str:
    """sensitivity.md: what was varied, how, and which parameters matter most."""
    key = "mu_star" if run.method == "morris" else "ST"
    varied = list(dict.fromkeys(indices.parameter))
    lines = [
        f"# {run.method.capitalize()} sensitivity analysis",
        "",
        f"Made by: `{command}`",
        "",
        f"{len(outputs)} points x {run.seeds} seeds"
        f"{' x 2 arms (baseline, ' + run.compare + ')' if run.compare else ''} of "
        f"{run.population.n:,} consumers x {run.steps} weeks (after a {run.burn_in}-week "
        f"burn-in), {len(varied)} parameters varied over their ranges (sim/config.py; "
        "docs/ODD.md, Uncertainty analysis). Points made by code " + noise["made_by"] + ".",
        "",
    ]
    for output in outputs.columns:
        rows = indices[indices.output == output].sort_values("rank")
        what, unit = OUTPUTS[output]
        lines += [f"## {output}: {what} ({unit})", ""]
        spread = outputs[output]
        lines.append(
            f"Across the design: min {_number(spread.min())}, median "
            f"{_number(spread.median())}, max {_number(spread.max())}."
        )
        error = noise.get(output, math.nan)
        if run.method == "morris" and not math.isnan(error):
            floor = noise_floor(error, run.levels)
            within = rows[rows.mu_star < 2 * floor].parameter.tolist()
            lines.append(
                f"Seed noise: a point's mean has a standard error of about {_number(error)}, so "
                f"a parameter without effect would show mu_star of about {_number(floor)}; "
                f"{len(within)} of {len(rows)} parameters are below twice that and cannot be "
                "told from noise with this budget (more `seeds` lower it)."
            )
        if output == "profit_difference":
            lines.append(
                f"{run.compare} beats baseline at {(spread > 0).sum()} of {len(spread)} points."
            )
        top = rows.iloc[0]
        lines += [
            f"Most influential: **{top.parameter}** ({key} {_number(top[key])}).",
            "",
            rows.drop(columns=["output"]).to_markdown(index=False, floatfmt=_format(rows[key])),
            "",
            f"![{output}](sensitivity_{output}.png)",
            "",
        ]
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _format(values: pd.Series) -> str:
    """Whole currency units for money-sized indices, 4 significant digits else."""
    return ",.0f" if values.abs().max() >= 100 else ".4g"


class SensitivityReport(Callback):
    """sensitivity.csv, the charts and sensitivity.md at the sweep root, when
    every point is done."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.runs.cli import command_line, without_hydra

        plain = without_hydra(config)
        run = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(SensitivityRun), plain))

        report(run, Path(config.hydra.sweep.dir), command_line("python -m sim.sensitivity", config))


def report(run: SensitivityRun, sweep_dir: Path, command: str) -> list[Path]:
    """The analysis's outputs at the sweep root, from its points."""
    table = pd.read_csv(sweep_dir / DESIGN_FILE)
    outputs, missing, noise = collect_points(sweep_dir, len(table))
    if missing:
        print(
            f"sensitivity: {len(missing)} of {len(table)} points not done (first: "
            f"{missing[0]}); run the same command with hydra.sweep.dir={sweep_dir} to finish",
            file=sys.stderr,
        )
        return []
    varied = {k: p for k, p in run.varied().items() if k in table.columns}
    varied = {k: varied.get(k, Prior(0, 1)) for k in table.columns}
    indices = analyse(run, table, outputs, varied)
    written = [sweep_dir / "sensitivity.csv"]
    write_atomically(written[0], lambda p: indices.to_csv(p, index=False))
    for output in outputs.columns:
        path = sweep_dir / f"sensitivity_{output}.png"
        chart(indices, output, run.method).savefig(path, dpi=110, bbox_inches="tight")
        written.append(path)
    text = markdown(run, indices, outputs, command, noise)
    written.append(sweep_dir / "sensitivity.md")
    write_atomically(written[-1], lambda p: p.write_text(text + "\n"))
    key = "mu_star" if run.method == "morris" else "ST"
    for output in outputs.columns:
        top = indices[indices.output == output].sort_values("rank").head(3)
        ranked = ", ".join(f"{r.parameter} ({r[key]:,.3g})" for _, r in top.iterrows())
        print(f"{output}: {ranked}")
    print(f"sensitivity: {', '.join(str(p) for p in written)}", flush=True)
    return written


if __name__ == "__main__":  # python -m sim.runs.sensitivity <analysis folder>
    if len(sys.argv) != 2 or not (Path(sys.argv[1]) / "multirun.yaml").is_file():
        sys.exit("usage: python -m sim.runs.sensitivity <folder of a sensitivity analysis>")
    SensitivityReport().on_multirun_end(OmegaConf.load(Path(sys.argv[1]) / "multirun.yaml"))
