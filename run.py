"""Simulate customer loyalty dynamics: `python run.py [key=value ...]`.

A Hydra app over configs/ (schema: sim/config.py). Outputs go to Hydra's run
directory: timeseries.csv, summary.json, plots/. See README.md.
"""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.cli import fail, preflight
from sim.config import ConfigError, register_configs
from sim.simulation import simulate

register_configs()


@hydra.main(config_path="configs", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        summary = simulate(OmegaConf.to_object(cfg), out_dir)
    except ConfigError as err:
        fail(str(err))
    final, rates = summary["final"], summary["rates"]
    print(
        f"{summary['steps_completed']} weeks, {summary['population']} consumers, "
        f"strategy={summary['strategy']}, scenario={summary['scenario']}\n"
        f"  customers {final['customers']}  market share {final['market_share']:.1%}  "
        f"NPS {final['nps']:+.0f}\n"
        f"  annual churn {rates['annual_churn_rate']:.1%}  "
        f"referral share of new customers {rates['referral_share_of_new_customers']:.0%}\n"
        f"  customers with a negative experience a year "
        f"{rates['customers_with_negative_experience_per_year']:.1%}, "
        f"of which voiced {rates['voiced_share_of_negative_experiences']:.1%}\n"
        f"  cumulative profit {final['cumulative_profit']:,.0f}  "
        f"CLV {summary['economics']['customer_lifetime_value']:,.0f}\n"
        f"  outputs: {out_dir}"
    )


if __name__ == "__main__":
    preflight(sys.argv[1:])
    main()
