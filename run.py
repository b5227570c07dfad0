"""Simulate customer loyalty dynamics: `python run.py [key=value ...]`.

A Hydra app over configs/ (schema: sim/config.py). Outputs go to Hydra's run
directory: timeseries.csv, summary.json, plots/. See README.md.
"""

import logging
import shutil
import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, register_configs
from sim.runs.cli import caveats, fail, preflight
from sim.runs.simulation import finished, outdated, share_cores, simulate
from sim.runs.uncertainty import drawn

register_configs()
log = logging.getLogger("run")  # the job's run.log (configs/config.yaml)


def say(message: str, error: bool = False) -> None:
    """Print to the terminal and keep it in the job's run.log."""
    print(message, file=sys.stderr if error else sys.stdout, flush=True)
    log.log(logging.WARNING if error else logging.INFO, message)


@hydra.main(config_path="configs", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    config = drawn(OmegaConf.to_object(cfg))  # uncertainty.draw: that draw's parameters
    sweeping = HydraConfig.get().mode == RunMode.MULTIRUN
    previous = finished(config, out_dir) if sweeping else None  # resuming a sweep
    if sweeping and previous is None and (why := outdated(config, out_dir)):
        say(why)
    overrides = " ".join(HydraConfig.get().overrides.task)
    log.info(f"python run.py {overrides}".rstrip() + f" -> {out_dir}")
    for warning in caveats(config):  # printed by preflight, before Hydra started
        log.warning(warning)
    try:
        if sweeping:
            config.output.progress = False  # one line per job instead (sim/sweep.py)
            share_cores(HydraConfig.get().launcher._target_)
        summary = previous or simulate(config, out_dir, resume=config.resume or sweeping)
    except ConfigError as err:  # found only as the model is built: leave no empty folder
        if not sweeping and {p.name for p in out_dir.iterdir()} <= {".hydra", "run.log"}:
            logging.shutdown()
            shutil.rmtree(out_dir, ignore_errors=True)
        fail(str(err))
    if summary.get("resumed_from") is not None:
        say(f"{out_dir.name}: continued from the checkpoint of week {summary['resumed_from']}")
    if summary.get("failed"):  # a full disk...: what was written is whole, the rest missing
        say(f"error: {summary['failed']}", error=True)
        sys.exit(1)
    if summary["interrupted"]:  # Ctrl-C or SIGTERM: stop here, and stop a sweep too
        done, missing = summary["steps_completed"], len(summary.get("missing_outputs", []))
        by = summary.get("stopped_by") or "a signal"
        say(
            f"interrupted by {by} after {done} of {summary['steps']} weeks"
            + (f", {missing} outputs not written" if missing else "")
            + f"; kept in {out_dir} (to continue: "
            + (
                f"the same sweep with hydra.sweep.dir={out_dir.parent})"
                if sweeping
                else f"the same command with resume=true hydra.run.dir={out_dir})"
            ),
            error=True,
        )
        sys.exit(128 + getattr(signal, by, signal.SIGINT))
    if sweeping:
        from sim.runs.sweep import progress  # a sweep's own (comparison, scipy.stats)

        progress(out_dir, summary, skipped=previous is not None)
        return
    final, rates = summary["final"], summary["rates"]
    say(
        f"{summary['steps_completed']} weeks, {summary['population']} consumers, "
        f"strategy={summary['strategy']}, scenario={summary['scenario']}\n"
        f"  customers {final['customers']}  market share {final['market_share']:.1%}  "
        f"NPS {final['nps']:+.0f}\n"
        f"  annual churn {rates['annual_churn_rate']:.1%}  "
        f"won from prospects by referral {rates['referral_share_of_new_customers']:.0%} "
        "(the rest by advertising)\n"
        f"  customers with a negative experience a year "
        f"{rates['customers_with_negative_experience_per_year']:.1%}, "
        f"of which voiced {rates['voiced_share_of_negative_experiences']:.1%}\n"
        f"  cumulative profit {final['cumulative_profit']:,.0f}  "
        f"CLV {summary['economics']['customer_lifetime_value']:,.0f}\n"
        f"  outputs: {out_dir}"
    )


if __name__ == "__main__":
    if sys.argv[1:]:  # the defaults need no check (tests/test_config.py checks them)
        preflight(sys.argv[1:])
    main()
