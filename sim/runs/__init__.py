"""Running the model and reading what it produced: the command line's
one-line errors (cli), a run to the end with interrupt-safe outputs
(simulation), the run summary (summary), tables and plots (reporting,
charts), sweeps compared with the baseline (comparison, sweep), the
calibration and its validation patterns (calibration, validation), and
uncertainty: global sensitivity analysis (sensitivity) and parameter draws
for robust comparisons (uncertainty); and a firm's transaction log
forecast: its cohort replayed, calibrated to its first weeks and scored
against BG/NBD, the field's statistical forecaster (forecast, bgnbd).

May import: everything below it (`sim.model`, `sim.transactions`,
`sim.engine`, `sim.interventions`, `sim.config`, `sim.codes`), Hydra, pandas,
matplotlib, Optuna, SALib and lifetimes (the BG/NBD anchor: bgnbd).
Nothing in the engine imports this package.
"""
