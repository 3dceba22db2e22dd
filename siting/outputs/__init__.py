"""Outputs: what planners, analysts and field teams read — map, report, field exports.

Lives here: the offline map (``maps``), the printable report (``report``), field exports
(GeoJSON, GPKG, KML, GPX), writing a run's results folder with its manifest (``folder``) and
reading one back (``results``).

May import: anything of siting but ``siting.pipeline`` and ``siting.cli`` (the pipeline calls
the outputs, not the other way round); all file writing goes through ``siting.io``.
"""
