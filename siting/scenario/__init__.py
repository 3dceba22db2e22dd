"""The scenario: what a run reads, how it scores land, and every default with its source.

Lives here: the pydantic models of a scenario file, one module per domain (``land`` for the
exclusion rules, criteria and weights of a land use; ``wind``, ``forest``, ``credits`` for the
later stages; ``model`` for the whole scenario, its area, grid and layers), their shared base,
the loading of a scenario file with clear errors, and the shipped data the defaults come from:
``moron.yaml`` (the Mörön scenario, the one source of every literature default), the species
library (``species/*.yaml``) and custom turbine curves (``turbines/*.yaml``), each value with
its ``source``.

May import: ``siting.errors``; ``siting.land.ahp`` (an inconsistent AHP matrix is refused when
the file is read) and ``siting.io.species`` (species names are checked when the file is read).
Nothing else of siting: the science folders import the scenario, not the other way round.
"""
