"""The sweeper of `python -m sim.sensitivity` (see sensitivity_sweeper.py)."""
