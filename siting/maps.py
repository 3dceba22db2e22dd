"""The planner's HTML map (folium): suitability surfaces, candidate sites, constraints."""

from __future__ import annotations

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import xarray as xr

from siting import wind_resource
from siting.grid import WGS84

#: Colours of each land use (suitability ramp, site outline).
STYLE = {
    "reforestation": {"ramp": branca.colormap.linear.YlGn_09, "line": "#1b5e20"},
    "wind": {"ramp": branca.colormap.linear.PuBu_09, "line": "#0d47a1"},
}


def colourise(score: xr.DataArray, ramp: branca.colormap.LinearColormap) -> np.ndarray:
    """RGBA image (uint8, rows north to south) of a 0..1 raster; NaN is transparent."""
    lut = np.array([ramp.rgba_bytes_tuple(v) for v in np.linspace(0, 1, 256)], dtype="uint8")
    values = np.asarray(score.values, dtype="float64")
    index = np.clip(np.nan_to_num(values, nan=0.0) * 255, 0, 255).astype("uint8")
    image = lut[index]
    image[..., 3] = np.where(np.isnan(values), 0, 200)
    return image


def raster_overlay(
    score: xr.DataArray, ramp, name: str, show: bool
) -> folium.raster_layers.ImageOverlay:
    """A 0..1 raster reprojected to lon/lat as a colour-mapped image layer."""
    lonlat = score.rio.reproject(WGS84, nodata=np.nan)
    west, south, east, north = lonlat.rio.bounds()
    return folium.raster_layers.ImageOverlay(
        image=colourise(lonlat, ramp),
        bounds=[[south, west], [north, east]],
        mercator_project=True,
        name=name,
        show=show,
    )


def site_layer(sites: gpd.GeoDataFrame, name: str, colour: str) -> folium.GeoJson:
    """Candidate site polygons with a tooltip of their attributes."""
    wanted = ("site_id", "rank", "area_ha", "score_mean", "p_same_rank", "grid_distance_km", "soum")
    fields = [c for c in wanted if c in sites]
    shown = sites.to_crs(WGS84)
    for column in ("area_ha", "score_mean", "p_same_rank", "grid_distance_km"):
        if column in shown:
            shown[column] = shown[column].round(2)
    return folium.GeoJson(
        shown[fields + ["geometry"]],
        name=name,
        style_function=lambda _: {"color": colour, "weight": 2, "fillOpacity": 0.1},
        tooltip=folium.GeoJsonTooltip(fields=fields) if fields else None,
    )


def point_layer(frame: gpd.GeoDataFrame, name: str, label: str, colour: str) -> folium.FeatureGroup:
    """Point features as small circles labelled by an attribute."""
    group = folium.FeatureGroup(name=name)
    points = frame[frame.geom_type == "Point"].to_crs(WGS84)
    for _, row in points.iterrows():
        folium.CircleMarker(
            location=[row.geometry.y, row.geometry.x],
            radius=4,
            color=colour,
            fill=True,
            tooltip=str(row.get(label, name)),
        ).add_to(group)
    return group


def site_map(result) -> folium.Map:
    """The run's map: suitability per use, candidate sites, settlements and constraints.

    Parameters
    ----------
    result : siting.pipeline.RunResult
        A completed run.

    Returns
    -------
    folium.Map
    """
    west, south, east, north = result.grid.bounds_lonlat()
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9)
    for i, (name, use) in enumerate(result.uses.items()):
        ramp = STYLE[name]["ramp"].scale(0, 1)
        ramp.caption = f"Suitability for {name} (0-1)"
        if name == "wind" and wind_resource.is_estimate(result.rasters["wind_speed_ms"]):
            ramp.caption += " - wind resource ESTIMATED from terrain, not measured"
        raster_overlay(use.suitability.score, ramp, f"Suitability: {name}", show=i == 0).add_to(
            fmap
        )
        ramp.add_to(fmap)
    for name, use in result.uses.items():
        if not use.sites.empty:
            site_layer(use.sites, f"Candidate sites: {name}", STYLE[name]["line"]).add_to(fmap)
    for layer, label, colour in (
        ("settlements", "name", "#424242"),
        ("airports", "name", "#b71c1c"),
        ("heritage", "name", "#6a1b9a"),
        ("grid_connection", "name", "#e65100"),
    ):
        if layer in result.vectors and not result.vectors[layer].empty:
            point_layer(
                result.vectors[layer], layer.replace("_", " ").capitalize(), label, colour
            ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
