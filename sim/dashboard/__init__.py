"""The classroom dashboard: `solara run sim/dashboard/app.py`.

Holds the page (app), the model built from the sidebar's controls
(controls), what the page shows each week (views: key figures and live
charts), and the canned lessons (lessons).

May import: everything in `sim`; nothing imports it. Needs the `dashboard`
extra (solara, altair).
"""
