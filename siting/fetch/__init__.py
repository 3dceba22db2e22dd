"""Fetch: public site-level data for any AOI, clipped, cached, and a scenario that uses it.

Lives here: the downloads (``http``: resumable, retried, checksummed; ``progress``: bars with
bytes and ETA), the cache (``cache``: files by URL, products by source and AOI, each with its
SHA-256), the AOI and its bounds (``aoi``), window reads of Cloud-Optimized GeoTIFF tiles over
HTTP range requests (``rasters``), one module per source (``copernicus_dem``, ``worldcover``
with its class crosswalk, ``wind_atlas``, ``osm`` through Overpass, ``era5`` through the CDS
client), what each step produces and the source catalogue ``sources.yaml`` (``product``), the
licences written beside the data (``licences``), the scenario of the fetched folder
(``scenario_writer``) and the whole fetch (``workflow``), run by ``siting fetch``.

May import: ``siting.errors``, ``siting.grid``, ``siting.io`` (the AOI polygon reader) and
``siting.scenario`` (the base scenario the fetched one starts from). Nothing of the science
folders, the pipeline or the outputs: the fetched folder is read by ``siting run`` like any
other data.
"""
