"""What every experiment shares: sweeps through `run.py -m` (so an experiment
runs exactly as a user's sweep does, in parallel, and resumes if cut short)
and a Markdown report that states the command and config that made it."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.runs.comparison import collect_runs, mean_interval

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "experiments" / "results"


def options(doc: str, seeds: int, n: int, **more: Any) -> argparse.Namespace:
    """The experiment's command-line options: `--seeds` and `--n` (consumers),
    and any more as `name=default` (a list default takes several values).
    The first line of the module's docstring is the help text."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in {"seeds": seeds, "n": n, **more}.items():
        flag = "--" + name.replace("_", "-")  # check_seeds: --check-seeds
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true", default=default)
        elif isinstance(default, list):
            parser.add_argument(flag, type=type(default[0]), nargs="+", default=default)
        else:
            parser.add_argument(flag, type=type(default), default=default)
    return parser.parse_args()


def budget(args: argparse.Namespace) -> list[str]:
    """The sweep overrides of the options' seeds and consumers."""
    return [f"seed=range({args.seeds})", f"population.n={args.n}"]


def experiment_command(name: str, args: argparse.Namespace) -> str:
    """The command that ran experiment `name` with these options."""
    flags = []
    for key, value in vars(args).items():
        if isinstance(value, bool):
            flags += ["--" + key.replace("_", "-")] if value else []
            continue
        values = value if isinstance(value, list) else [value]
        flags += [
            "--" + key.replace("_", "-"),
            *(f"{v:g}" if isinstance(v, float) else str(v) for v in values),
        ]
    return shlex.join(["python", "-m", f"experiments.{name}", *flags])


def sweep(name: str, overrides: list[str], launcher: str = "joblib") -> tuple[Path, str]:
    """Run `python run.py -m <overrides>` into results/<name>/sweep; finished
    jobs there are kept, so re-running an experiment only does what is missing.
    Returns the sweep folder and the command."""
    sweep_dir = RESULTS / name / "sweep"
    quoted = [f"'{o}'" if any(ch in o for ch in "[]()") else o for o in overrides]
    command = " ".join(["python run.py -m", *quoted, "output.plots=false"])
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "-m",
            *overrides,
            "output.plots=false",
            f"hydra/launcher={launcher}",
            f"hydra.sweep.dir={sweep_dir}",
        ],
        cwd=ROOT,
        check=True,
    )
    return sweep_dir, command


def job_values(sweep_dir: Path) -> pd.DataFrame:
    """Finished jobs (sim/runs/comparison.py) with each override as a column."""
    runs = collect_runs(sweep_dir)
    values = []
    for job in runs.job:
        overrides = yaml.safe_load((sweep_dir / job / ".hydra" / "overrides.yaml").read_text())
        values.append(dict(o.split("=", 1) for o in overrides))
    return pd.concat([runs.reset_index(drop=True), pd.DataFrame(values)], axis=1).loc[
        :, lambda df: ~df.columns.duplicated()
    ]


def window_totals(
    sweep_dir: Path, job: str, sums: list[str], means: tuple[str, ...] = ()
) -> dict[str, float]:
    """Sums (and means) of time-series columns over the job's evaluation
    window (the weeks after rollout)."""
    summary = json.loads((sweep_dir / job / "summary.json").read_text())
    ts = pd.read_csv(next((sweep_dir / job).glob("timeseries.csv*")))
    window = ts[ts.step > summary["evaluation"]["from_step"]]
    return {
        **{c: float(window[c].sum()) for c in sums},
        **{c: float(window[c].mean()) for c in means},
    }


def mean_half_width(values) -> tuple[float, float]:
    """Mean and the half-width of its 95 % interval."""
    mean, _, high = mean_interval(values)
    return mean, high - mean


def interval_text(values, fmt: str = "{:,.0f}") -> str:
    """Mean [95 % interval]; a single value has no interval, and shows alone."""
    mean, low, high = mean_interval(values)
    if low != low:  # NaN: fewer than two values
        return fmt.format(mean)
    return f"{fmt.format(mean)} [{fmt.format(low)}, {fmt.format(high)}]"


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Report:
    """A Markdown report with its figures, in results/<name>/: the command
    that made it, the config (the defaults at a named commit, and the
    overrides or settings of its runs), then what the experiment adds."""

    def __init__(
        self, name: str, title: str, args: argparse.Namespace, sweeps: list[str] = ()
    ) -> None:
        self.dir = RESULTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        runs = (
            ["with the overrides of these runs:", "", *(f"    {s}" for s in sweeps)]
            if sweeps
            else ["with the settings below."]
        )
        self.lines = [
            f"# {title}",
            "",
            f"Command: `{experiment_command(name, args)}`",
            "",
            f"Config: the defaults of `sim/config.py` at commit `{git_commit()}`, {runs[0]}",
            *runs[1:],
            "",
            "Intervals are 95 % Student t intervals over seeds (sim/runs/comparison.py).",
        ]

    def text(self, *paragraphs: str) -> None:
        for paragraph in paragraphs:
            self.lines += ["", paragraph]

    def table(self, frame: pd.DataFrame) -> None:
        self.lines += ["", frame.to_markdown(index=False)]

    def figure(self, fig: Figure, name: str, caption: str) -> None:
        fig.savefig(self.dir / name, dpi=110, bbox_inches="tight")
        self.figure_file(name, caption)

    def figure_file(self, name: str, caption: str) -> None:
        """A figure already in the report's folder."""
        self.lines += ["", f"![{caption}]({name})"]

    def write(self) -> Path:
        path = self.dir / "report.md"
        path.write_text("\n".join(self.lines) + "\n")
        print(f"report: {path}")
        return path
