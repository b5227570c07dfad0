"""loyalty-sim: an agent-based simulation of customer loyalty dynamics.

The package, from the bottom up (each layer imports only those below it):

- `sim.codes`, `sim.config`: the codes of the model and the typed config schema.
- `sim.engine`: the state as arrays and the mechanisms of docs/ODD.md §7.
- `sim.interventions`: CX strategies and market scenarios, over a narrow `World`.
- `sim.model`, `sim.agents`: the Mesa model, whose `step` is the ODD schedule,
  and the Mesa agents (views onto the arrays).
- `sim.runs`: running, summarising, reporting and comparing runs.
- `sim.dashboard`: the classroom dashboard.
"""

import mesa  # noqa: F401  (first, see below)

# Mesa names its loggers by inspecting the whole call stack as it is imported
# (mesa/mesa_logging.py), which costs a pass over every loaded module for each
# frame: imported here, from a shallow stack before numba, `import run` takes
# 5 % less time than with Mesa imported deep inside the model's imports
# (docs/benchmarks.md, start-up).
