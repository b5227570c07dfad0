"""The engine: the market's state as numpy arrays and the mechanisms of
docs/ODD.md §7 that change it, one function per rule.

Holds: consumers and segments (population), the firms' table (firms), the
levers strategies and scenarios move (levers), the network (network), and one
module per mechanism: experience and expectation, word of mouth, employees,
complaints, churn, acquisition, competitors, economics; the weekly census
of NPS groups and loyalty stages (census) and what a week reports
(observation); and the counter-based random numbers of the compiled loops
(draws).

The hot path runs in compiled loops (numba, `@njit`), each next to the
numpy-level function that calls it and documents the rule; a loop's name
starts with an underscore. They are compiled on first use and cached in
`__pycache__`.

May import: numpy, scipy, numba, networkx, `sim.codes` and `sim.config`, and
other engine modules. Nothing here knows Mesa, Hydra, files or the model that wires
it (sim/model.py): each mechanism takes the state it reads and writes as
arguments and says which in its docstring.
"""
