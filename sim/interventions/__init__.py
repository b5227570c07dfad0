"""What changes the market from outside its own dynamics: the firm's CX
strategies, market scenarios, the timing they share, and the key-experience
survey a strategy may run.

A strategy or scenario sees the market only through `World`
(sim/interventions/world.py): the consumers, segments, firms' table, levers,
its random stream, and a way to let a firm enter. It never sees the model.

May import: numpy, pandas, `sim.codes`, `sim.config` and `sim.engine`.
"""
