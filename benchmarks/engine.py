"""Engine benchmark: how fast a step is, how long setup takes, how much memory.

Every mechanism of the model is on (default config). Each size runs in its
own process, so that peak memory (max RSS) belongs to that size alone and the
compiled kernels are loaded from numba's cache as in any run. Setup is the
model's construction without the burn-in (`burn_in=0`): the network, the
consumers, the Mesa agents; the burn-in is so many steps more and is shown
apart. Prints:

- per size: setup, ms a step, consumer-steps a second, peak memory, of the
  run of median speed among `--rounds` fresh processes, and the range of
  their ms a step (a shared machine's speed drifts from minute to minute);
- the whole job at the largest size: setup + `--weeks` weeks, wall time, and
  the same with the default burn-in;
- the machine: processor, cores, and the versions that set the speed;
- with `--baseline PATH`: the plain per-agent Mesa baseline at 100,000
  consumers against this engine at 100,000, in `--rounds` alternating pairs
  of fresh processes (the ratio of each pair and their median: on a shared
  machine one pair alone can be off by a tenth either way);
- with `--profile N`: where a step's time goes at N consumers, by phase of
  the schedule (docs/ODD.md §3) and by compiled kernel;
- the start-up of a default run: the time from its process's spawning to
  the end of the first simulated week, importing, composing the config with
  Hydra (twice, as a run does), building the market (without its burn-in)
  and loading the kernels.

usage: python benchmarks/engine.py [--sizes 10000 100000 1000000] [--weeks 104]
                                   [--baseline PATH] [--rounds 3] [--profile 100000]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STEPS = {10_000: 52, 100_000: 52, 1_000_000: 20}
"""Steps timed per size (after one untimed step, which loads the kernels)."""


def _model(n: int, burn_in: int = 0):
    from sim.config import Config
    from sim.model import LoyaltyModel

    config = Config(burn_in=burn_in)
    config.population.n = n
    t0 = time.perf_counter()
    model = LoyaltyModel(config)
    return model, time.perf_counter() - t0


def measure(n: int, steps: int) -> dict:
    """In this process: build the model, time `steps` steps."""
    model, setup = _model(n)
    model.step()
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    run = time.perf_counter() - t0
    return {
        "consumers": n,
        "steps": steps,
        "setup_s": round(setup, 2),
        "ms_per_step": round(1000 * run / steps, 1),
        "consumer_steps_per_s": round(n * steps / run),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def whole_job(n: int, weeks: int, burn_in: int) -> dict:
    """In this process: construction (with `burn_in` weeks) and `weeks` steps, wall time."""
    t0 = time.perf_counter()
    model, setup = _model(n, burn_in)
    model.run_for(weeks)
    return {
        "consumers": n,
        "weeks": weeks,
        "burn_in": burn_in,
        "setup_s": round(setup, 1),
        "wall_s": round(time.perf_counter() - t0, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def profile(n: int, steps: int = 20) -> dict:
    """In this process: ms a step by phase of the schedule and by compiled kernel."""
    model, _ = _model(n)
    model.step()
    phases, kernels = collections.Counter(), collections.Counter()
    for phase in _phases(model):
        setattr(model, phase, _timed(getattr(model, phase), phases, phase))
    for module in _engine_modules():
        for name, value in vars(module).copy().items():
            if type(value).__name__ == "CPUDispatcher" and name.startswith("_"):
                setattr(module, name, _timed(value, kernels, f"{module.__name__}.{name}"))
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    total = 1000 * (time.perf_counter() - t0) / steps
    per_step = {k: round(1000 * v / steps, 2) for k, v in phases.most_common()}
    per_kernel = {k: round(1000 * v / steps, 2) for k, v in kernels.most_common()}
    return {
        "consumers": n,
        "ms_per_step": round(total, 1),
        "phases": per_step,
        "kernels": per_kernel,
    }


def _phases(model) -> list[str]:
    import inspect

    source = inspect.getsource(type(model).week) + inspect.getsource(type(model).step)
    return [name for name in re.findall(r"self\.(\w+)\(", source) if name != "week"]


def _engine_modules() -> list:
    import importlib
    import pkgutil

    import sim.engine

    return [
        importlib.import_module(f"sim.engine.{m.name}")
        for m in pkgutil.iter_modules(sim.engine.__path__)
    ]


def _timed(function, totals: collections.Counter, name: str):
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        result = function(*args, **kwargs)
        totals[name] += time.perf_counter() - t0
        return result

    return timed


def startup() -> dict:
    """In this process, as `python run.py` starts: import run.py (its imports,
    in its order, and its schema), compose the default config twice as Hydra
    does (once to learn the run's mode, then to run it), build the default
    market (without its burn-in) and simulate its first week, which loads the
    compiled kernels."""
    t0 = time.perf_counter()
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    import run  # noqa: F401
    from sim.model import LoyaltyModel
    from sim.runs.cli import CONFIG_DIR, without_hydra

    imported = time.perf_counter()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        compose("config", return_hydra_config=True)
        config = OmegaConf.to_object(without_hydra(compose("config", return_hydra_config=True)))
    composed = time.perf_counter()
    config.burn_in = 0
    model = LoyaltyModel(config)
    built = time.perf_counter()
    model.step()
    return {
        # the parent's clock as it spawned this process (`timed_startup`)
        "since_spawn_s": round(time.time() - float(os.environ.get("SPAWNED_AT", "nan")), 2),
        "import_s": round(imported - t0, 2),
        "compose_s": round(composed - imported, 2),
        "build_s": round(built - composed, 2),
        "first_week_s": round(time.perf_counter() - built, 2),
    }


def timed_startup() -> dict:
    """`startup` in a fresh process, with bytecode caching on (as on a user's
    machine; the first run writes it), and the time from its spawning to the
    end of its first week (Python's own start included, its exit not)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, __file__, "--child", "startup"]
    for _ in range(2):  # the first writes the bytecode; the second is timed
        env["SPAWNED_AT"] = repr(time.time())
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, cwd=ROOT, env=env
        )
    return json.loads(done.stdout.splitlines()[-1])


def machine() -> str:
    """The processor, its cores and the versions a step's speed depends on."""
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        info = Path("/proc/cpuinfo").read_text()
        names = re.findall(r"model name\s*:\s*(.+)", info)
        cpu = names[0] if names else cpu
        # a virtual machine may name only the vendor's line ("AMD EPYC"): the
        # family and model tell its generations apart
        family, model = (
            re.search(rf"^{k}\s*:\s*(\d+)", info, re.M) for k in ("cpu family", "model")
        )
        if family and model:
            cpu += f" (family {family.group(1)}, model {model.group(1)})"
    packages = ", ".join(f"{p} {version(p)}" for p in ("mesa", "numba", "numpy"))
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, {packages}"


def baseline_ratio(baseline: Path, rounds: int, steps: int = 5) -> list[tuple[float, float]]:
    """(baseline, engine) ms a step at 100,000 consumers, `rounds` times, each
    pair in fresh processes one after the other."""
    pairs = []
    for _ in range(rounds):
        out = in_subprocess([str(baseline), "100000", str(steps)])
        base_ms = 1000 * float(re.search(r"run_s=([\d.]+)", out).group(1)) / steps
        pairs.append((base_ms, _child("measure", 100_000, STEPS[100_000])["ms_per_step"]))
    return pairs


def in_subprocess(args: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout


def _child(function: str, *args: int) -> dict:
    out = in_subprocess([__file__, "--child", function, *map(str, args)])
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(STEPS))
    parser.add_argument("--weeks", type=int, default=104, help="weeks of the whole job")
    parser.add_argument("--baseline", type=Path, help="plain_mesa_loyalty.py to compare with")
    parser.add_argument(
        "--rounds", type=int, default=3, help="processes a size, and baseline/engine pairs"
    )
    parser.add_argument("--profile", type=int, help="consumers of the profile of a step")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        function, *numbers = args.child
        print(json.dumps(globals()[function](*map(int, numbers))))
        return

    print(f"machine: {machine()}")
    up = timed_startup()
    print(
        f"start-up of a default run, {up['since_spawn_s']} s to its first week: import "
        f"{up['import_s']} s, Hydra's composition twice {up['compose_s']} s, market of "
        f"10,000 built {up['build_s']} s, first week (loads the kernels) {up['first_week_s']} s"
    )
    print(
        f"\nper size, the run of median speed among {args.rounds} fresh processes "
        f"(ms a step in all {args.rounds}: their range)"
    )
    print(
        f"{'consumers':>10} {'steps':>5} {'setup s':>8} {'ms/step':>8} "
        f"{'consumer-steps/s':>17} {'peak MB':>8} {'range':>14}"
    )
    for n in args.sizes:
        runs = sorted(
            (_child("measure", n, STEPS.get(n, 20)) for _ in range(args.rounds)),
            key=lambda run: run["ms_per_step"],
        )
        r = runs[len(runs) // 2]
        spread = f"{runs[0]['ms_per_step']}-{runs[-1]['ms_per_step']}"
        print(
            f"{n:>10,} {r['steps']:>5} {r['setup_s']:>8} {r['ms_per_step']:>8} "
            f"{r['consumer_steps_per_s']:>17,} {r['peak_rss_mb']:>8} {spread:>14}"
        )
    largest = max(args.sizes)
    from sim.config import Config

    for burn_in in (0, Config().burn_in):
        job = _child("whole_job", largest, args.weeks, burn_in)
        print(
            f"\nwhole job: {largest:,} consumers x {args.weeks} weeks, burn-in {burn_in}: "
            f"{job['wall_s']} s wall (setup {job['setup_s']} s), peak {job['peak_rss_mb']} MB"
        )
    if args.baseline:
        print("\nplain Mesa baseline and this engine at 100,000, ms a step, in turn:")
        ratios = []
        for base_ms, ours in baseline_ratio(args.baseline, args.rounds):
            ratios.append(base_ms / ours)
            print(f"  baseline {base_ms:6.0f}   engine {ours:5.1f}   -> {ratios[-1]:.1f}x faster")
        print(f"median of {len(ratios)}: {statistics.median(ratios):.1f}x faster")
    if args.profile:
        p = _child("profile", args.profile)
        print(f"\nwhere a step goes at {p['consumers']:,} consumers ({p['ms_per_step']} ms):")
        for name, ms in p["phases"].items():
            print(f"  phase  {name:<24} {ms:7.2f} ms  {100 * ms / p['ms_per_step']:5.1f} %")
        for name, ms in p["kernels"].items():
            print(f"  kernel {name:<40} {ms:7.2f} ms")


if __name__ == "__main__":
    main()
