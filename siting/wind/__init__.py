"""Wind: from a wind climate and candidate sites to turbines, energy and emission reductions.

Lives here: the screening wind resource (a layer or the terrain estimate), wind climates
(Weibull sector roses from rasters or time series), physics (shear, air density), turbine
power and thrust curves, the layout of turbines in a site, and the energy with wakes, losses
and P50/P75/P90.

May import: ``siting.errors`` and ``siting.scenario``. Science: turbine files and ERA5 are read
by ``siting.io`` and passed in as data.
"""
