"""Forest: what planting the reforestation sites would remove from the atmosphere, and when.

Lives here: the species models (growth, root:shoot, carbon fraction, survival), growth curves
(Chapman–Richards calibrated to IPCC Tier 1), carbon pools, planting schedules under a shared
capacity, and the seeded Monte Carlo of stocks and removals per site and year.

May import: ``siting.errors`` and ``siting.scenario``. Science: species files are read by
``siting.io.species`` and passed in as data.
"""
