"""The calibration of the model's defaults to the source texts' statistics, and
how it holds on seeds it was not fitted on.

1. Runs (or resumes) `python -m sim.calibrate targets=seeds` into
   experiments/results/calibration/sweep, refining the calibration in force by
   CMA-ES (`hydra/sweeper/sampler=cmaes_from_calibration`), and copies its
   fit.csv, fit.png, validation.csv, trials.csv and calibrated.yaml beside
   this report. The shipped defaults (configs/calibration/seeds.yaml and
   sim/config.py) are its calibrated.yaml.
2. Runs the defaults on `--check-seeds` fresh seeds (from 100 on, never used
   in the fit) and reports every target and validation pattern on them: the
   fitted statistics, churn by NPS group and by loyalty stage, and how NPS and
   churn answer one point more of offering on each dimension.

With `--check-only`, step 1 reuses the calibration already in
experiments/results/calibration/sweep (as after adopting its calibrated.yaml
as the defaults: CMA-ES would start from it and search anew).

usage: python -m experiments.calibration [--trials 150] [--seeds 3] [--check-seeds 10]
                                         [--check-only]
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import yaml

from experiments.common import ROOT, Report, options
from sim.codes import DIMENSIONS, LOYALTY_STAGES, NPS_GROUPS
from sim.config import Config
from sim.runs.calibration import fit
from sim.runs.cli import compose_config
from sim.runs.comparison import mean_interval
from sim.runs.simulation import replicate
from sim.runs.validation import validate_patterns

NAME = "calibration"
FIRST_CHECK_SEED = 100
OUTPUTS = ("fit.csv", "fit.png", "validation.csv", "trials.csv", "calibrated.yaml")


def calibrate(trials: int, seeds: int, run: bool = True) -> str:
    """Run (or resume) the calibration, unless `run` is false; returns its command."""
    args = [
        "targets=seeds",
        "hydra/sweeper/sampler=cmaes_from_calibration",
        f"trials={trials}",
        f"seeds={seeds}",
        f"hydra.sweep.dir={ROOT / 'experiments/results' / NAME / 'sweep'}",
    ]
    if run:
        subprocess.run([sys.executable, "-m", "sim.calibrate", *args], cwd=ROOT, check=True)
    return "python -m sim.calibrate " + " ".join(args[:-1])


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame[["target", "observed", "simulated", "low", "high", "within"]].copy()
    for column in ("observed", "simulated", "low", "high"):
        shown[column] = shown[column].map("{:.4g}".format)
    return shown


def _interval(values: list[float], scale: float = 100.0, fmt: str = "{:.1f}") -> str:
    mean, low, high = (scale * v for v in mean_interval(values))
    return f"{fmt.format(mean)} [{fmt.format(low)}, {fmt.format(high)}]"


def main() -> None:
    args = options(__doc__, seeds=3, n=10_000, trials=150, check_seeds=10, check_only=False)
    command = calibrate(args.trials, args.seeds, run=not args.check_only)
    report = Report(NAME, "Calibration to the source texts' statistics", args)
    for name in OUTPUTS:
        shutil.copy(report.dir / "sweep" / name, report.dir / name)
    report.text(
        f"Calibration: `{command}` ({args.trials} trials of {args.seeds} seeds, "
        f"{args.n:,} consumers, 156 weeks after a 156-week burn-in). Its outputs are "
        "beside this report: [fit.csv](fit.csv), [validation.csv](validation.csv), "
        "[trials.csv](trials.csv), [calibrated.yaml](calibrated.yaml), the shipped "
        "defaults (configs/calibration/seeds.yaml).",
        "## The fit, on the calibration's own seeds",
    )
    report.table(_table(pd.read_csv(report.dir / "fit.csv")))
    report.figure_file("fit.png", "each target's band and the fitted model")

    calibrated = pd.json_normalize(yaml.safe_load((report.dir / "calibrated.yaml").read_text()))
    calibrated = calibrated.iloc[0].to_dict()
    config = compose_config([f"population.n={args.n}", f"seed={FIRST_CHECK_SEED}"])
    differ = [k for k, v in calibrated.items() if _value(config, k) != v]
    report.text(
        "The shipped defaults are this calibrated.yaml."
        if not differ
        else f"**The shipped defaults differ from this calibrated.yaml in {', '.join(differ)}**: "
        "what follows checks the defaults."
    )
    summaries = replicate(config, args.check_seeds)
    rates = [s["rates"] for s in summaries]
    targets = compose_config([], "calibrate").targets
    checked = fit(rates, targets)
    seeds = f"seeds {FIRST_CHECK_SEED}-{FIRST_CHECK_SEED + args.check_seeds - 1}"
    report.text(
        f"## The defaults on {args.check_seeds} fresh seeds ({seeds}, never used in the fit)",
        f"`python run.py population.n={args.n} seed=S` for each seed S. Every target is "
        "within its tolerance when the 95 % interval over seeds meets its band: "
        f"**{int(checked.table.within.sum())} of {len(checked.table)}** are.",
    )
    report.table(_table(checked.table))
    validation = validate_patterns(config, args.check_seeds, rates)
    report.text(
        "## Validation patterns (not fitted), on the same fresh seeds",
        "A pattern holds when its whole 95 % interval lies in the band the literature "
        f"allows: **{int(validation.within.sum())} of {len(validation)}** do.",
    )
    report.table(_table(validation).assign(source=validation.source))
    report.text("Annual churn (%) by NPS group and by loyalty stage as each week began:")
    by_group = {
        g: _interval([r["annual_churn_by_nps_group"][g] for r in rates]) for g in NPS_GROUPS
    }
    by_stage = {
        s: _interval([r["annual_churn_by_loyalty_stage"][s] for r in rates]) for s in LOYALTY_STAGES
    }
    report.table(pd.DataFrame([by_group]))
    report.table(pd.DataFrame([by_stage]))
    report.text(
        "## One point more of offering",
        "The focal firm's offering one point higher on one dimension from week 0, the "
        "same fresh seeds: mean NPS and annual churn against the defaults (paired by seed).",
    )
    report.table(_one_point_more(config, args.check_seeds, summaries))
    report.write()


def _value(config: Config, key: str) -> float:
    for part in key.split("."):
        config = getattr(config, part)
    return config


def _one_point_more(config: Config, seeds: int, base: list[dict]) -> pd.DataFrame:
    rows = []
    for dimension in DIMENSIONS:
        level = getattr(config.firm.offering, dimension)
        if level > 9:
            continue
        changed = compose_config(
            [
                f"population.n={config.population.n}",
                f"seed={config.seed}",
                f"firm.offering.{dimension}={level + 1:g}",
            ]
        )
        more = replicate(changed, seeds)
        pairs = [(m["rates"], b["rates"]) for m, b in zip(more, base, strict=True)]
        nps = [m["mean_nps"] - b["mean_nps"] for m, b in pairs]
        churn = [m["annual_churn_rate"] - b["annual_churn_rate"] for m, b in pairs]
        rows.append(
            {
                "dimension": dimension,
                "offering": f"{level:g} -> {level + 1:g}",
                "NPS change": _interval(nps, 1.0, "{:+.1f}"),
                "annual churn change (points)": _interval(churn, 100.0, "{:+.2f}"),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
