"""Land: where each use may go and how well it would do there, on rasters of the grid.

Lives here: terrain derivatives (slope, aspect, TPI, ...), exact distances to features and to
classes of cells, exclusion rules and eligibility masks, membership functions, the weighted
overlay, AHP weights, weight sensitivity (score spread, rank stability), suitability per use,
candidate sites cut from it, and their description for planners (zonal statistics, nearest
settlement, soum, majority class, land shared with the other use).

May import: ``siting.errors``, ``siting.grid`` and ``siting.scenario`` (the models it is
configured by). Science: no disk access, no outputs, no pipeline; rasters and tables in,
rasters and tables out.
"""
