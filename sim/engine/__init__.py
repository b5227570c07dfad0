"""The engine: the market's state as numpy arrays and the mechanisms of
docs/ODD.md §7 that change it, one function per rule.

Holds: consumers and segments (population), the firms' table (firms), the
levers strategies and scenarios move (levers), the network (network), and one
module per mechanism: experience and expectation, word of mouth, employees,
complaints, churn, acquisition, competitors, economics; and what a week
reports (observation).

May import: numpy, scipy, networkx, `sim.codes` and `sim.config`, and other
engine modules. Nothing here knows Mesa, Hydra, files or the model that wires
it (sim/model.py): each mechanism takes the state it reads and writes as
arguments and says which in its docstring.
"""
