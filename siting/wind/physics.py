"""Atmospheric physics for wind yield: shear to hub height, air density, power-curve density.

Pure functions on floats or numpy arrays, SI units throughout.

Shear (wind speed at another height)
    * power law (Hellman): ``u(z) = u(z0) * (z / z0) ** alpha``; ``alpha`` is given, or derived
      from the roughness length as ``alpha = 1 / ln(z / z_0)`` (windpowerlib's
      ``wind_speed.hellman`` does the same: Hau, Wind Turbines, 2nd ed., Springer 2006, p. 517);
    * logarithmic law for a neutral surface layer: ``u(z) = u(z0) * ln(z / z_0) / ln(z0 / z_0)``
      (Gasch & Twele, Wind Power Plants, 2nd ed., Springer 2012, p. 129; windpowerlib
      ``wind_speed.logarithmic_profile``).

Air density
    Pressure from the barometric formula of the ICAO standard atmosphere (troposphere,
    constant lapse rate), density from the ideal-gas law at the given temperature.

Power-curve density correction
    IEC 61400-12-1:2017, sec. 9.1.5 (pitch-regulated turbines): a power curve measured at
    reference density ``rho_0`` holds at site density ``rho`` for the normalised speed
    ``V_n = V * (rho / rho_0) ** (1/3)``, i.e. the curve's speeds stretch by
    ``(rho_0 / rho) ** (1/3)``.
"""

from __future__ import annotations

import numpy as np

from siting.errors import ParameterError, describe

#: ICAO standard atmosphere at sea level (ICAO Doc 7488/3, 1993, Table A; ISO 2533:1975).
SEA_LEVEL_PRESSURE_PA = 101_325.0
SEA_LEVEL_TEMPERATURE_K = 288.15
#: Tropospheric temperature lapse rate, K/m (ICAO Doc 7488/3).
LAPSE_RATE_K_PER_M = 0.0065
#: Standard gravity, m/s2, and molar mass of dry air, kg/mol (ICAO Doc 7488/3).
GRAVITY_M_S2 = 9.80665
MOLAR_MASS_AIR_KG_MOL = 0.0289644
#: Universal gas constant, J/(mol K) (ICAO Doc 7488/3 uses 8.31432).
GAS_CONSTANT_J_MOL_K = 8.31432
#: Specific gas constant of dry air, J/(kg K) = R / M.
SPECIFIC_GAS_CONSTANT_DRY_AIR = GAS_CONSTANT_J_MOL_K / MOLAR_MASS_AIR_KG_MOL
#: Reference air density of manufacturers' power curves, kg/m3 (IEC 61400-12-1: sea-level ISA).
REFERENCE_AIR_DENSITY_KG_M3 = 1.225
#: 0 degC in kelvin.
ZERO_CELSIUS_K = 273.15


def _positive(value, what: str) -> None:
    if np.any(np.asarray(value) <= 0):
        raise ParameterError(describe(what, f"must be > 0, got {value}", "give a positive value"))


def hellman_exponent(hub_height_m, roughness_length_m):
    """Power-law exponent from the roughness length: ``1 / ln(h / z_0)``.

    Parameters
    ----------
    hub_height_m : float or array_like
        Height the speed is wanted at, m.
    roughness_length_m : float
        Surface roughness length z_0, m.

    Returns
    -------
    float or numpy.ndarray
        Dimensionless exponent (Hau 2006, p. 517; as windpowerlib ``hellman``).
    """
    _positive(roughness_length_m, "roughness_length_m")
    return 1.0 / np.log(np.asarray(hub_height_m, dtype=float) / roughness_length_m)


def power_law_speed(speed_ms, height_m, hub_height_m, exponent):
    """Wind speed at ``hub_height_m`` by the power law, m/s.

    ``u(h) = u(z) * (h / z) ** exponent``.

    Parameters
    ----------
    speed_ms : float or array_like
        Speed at ``height_m``, m/s.
    height_m, hub_height_m : float
        Heights above ground, m.
    exponent : float or array_like
        Shear exponent alpha (0.2: IEC 61400-1:2019, sec. 6.3.2.2, normal wind profile).

    Returns
    -------
    float or numpy.ndarray
        Speed at ``hub_height_m``, m/s.
    """
    _positive(height_m, "height_m")
    _positive(hub_height_m, "hub_height_m")
    return np.asarray(speed_ms, dtype=float) * (hub_height_m / height_m) ** np.asarray(exponent)


def log_law_speed(speed_ms, height_m, hub_height_m, roughness_length_m):
    """Wind speed at ``hub_height_m`` by the logarithmic profile (neutral stability), m/s.

    ``u(h) = u(z) * ln(h / z_0) / ln(z / z_0)`` (Gasch & Twele 2012, p. 129).

    Parameters
    ----------
    speed_ms : float or array_like
        Speed at ``height_m``, m/s.
    height_m, hub_height_m : float
        Heights above ground, m (both above ``roughness_length_m``).
    roughness_length_m : float
        Roughness length z_0, m.

    Returns
    -------
    float or numpy.ndarray
        Speed at ``hub_height_m``, m/s.
    """
    _positive(roughness_length_m, "roughness_length_m")
    if min(height_m, hub_height_m) <= roughness_length_m:
        raise ParameterError(
            describe(
                "wind_yield.shear.roughness_length_m",
                f"heights ({height_m} m, {hub_height_m} m) must exceed "
                f"z_0 = {roughness_length_m} m",
                "use a roughness length below the measurement and hub heights",
            )
        )
    ratio = np.log(hub_height_m / roughness_length_m) / np.log(height_m / roughness_length_m)
    return np.asarray(speed_ms, dtype=float) * ratio


def shear_factor(height_m, hub_height_m, *, model: str, exponent: float, roughness_length_m):
    """Ratio speed(hub) / speed(height) for the chosen shear model.

    Parameters
    ----------
    height_m, hub_height_m : float
        Heights above ground, m.
    model : {"power_law", "log_law"}
        Shear model.
    exponent : float
        Power-law exponent (used by ``power_law``).
    roughness_length_m : float
        Roughness length (used by ``log_law``), m.

    Returns
    -------
    float
        Dimensionless factor.
    """
    if model == "power_law":
        return float(power_law_speed(1.0, height_m, hub_height_m, exponent))
    if model == "log_law":
        return float(log_law_speed(1.0, height_m, hub_height_m, roughness_length_m))
    raise ParameterError(
        describe("wind_yield.shear.model", f"unknown model {model!r}", "use power_law or log_law")
    )


def barometric_pressure_pa(elevation_m):
    """Air pressure at an elevation in the ICAO standard atmosphere, Pa.

    ``p = p_0 * (1 - L h / T_0) ** (g M / (R L))`` (ICAO Doc 7488/3; valid below 11 km).

    Parameters
    ----------
    elevation_m : float or array_like
        Height above sea level, m.

    Returns
    -------
    float or numpy.ndarray
        Pressure, Pa.
    """
    h = np.asarray(elevation_m, dtype=float)
    exponent = GRAVITY_M_S2 * MOLAR_MASS_AIR_KG_MOL / (GAS_CONSTANT_J_MOL_K * LAPSE_RATE_K_PER_M)
    return (
        SEA_LEVEL_PRESSURE_PA * (1.0 - LAPSE_RATE_K_PER_M * h / SEA_LEVEL_TEMPERATURE_K) ** exponent
    )


def temperature_at_c(elevation_m, *, reference_temperature_c: float, reference_elevation_m: float):
    """Air temperature at an elevation from a reference temperature and the ISA lapse rate, degC.

    Parameters
    ----------
    elevation_m : float or array_like
        Height above sea level, m.
    reference_temperature_c : float
        Temperature at ``reference_elevation_m``, degC (e.g. a station's annual mean).
    reference_elevation_m : float
        Elevation of that temperature, m.

    Returns
    -------
    float or numpy.ndarray
        Temperature, degC (6.5 K colder per km up, ICAO Doc 7488/3).
    """
    h = np.asarray(elevation_m, dtype=float)
    return reference_temperature_c - LAPSE_RATE_K_PER_M * (h - reference_elevation_m)


def air_density_kg_m3(elevation_m, temperature_c):
    """Air density from elevation (barometric pressure) and temperature (ideal gas), kg/m3.

    ``rho = p(h) / (R_d T)`` with ``p(h)`` from :func:`barometric_pressure_pa` and the specific
    gas constant of dry air ``R_d`` = 287.05 J/(kg K).

    Parameters
    ----------
    elevation_m : float or array_like
        Height above sea level, m.
    temperature_c : float or array_like
        Air temperature at that height, degC.

    Returns
    -------
    float or numpy.ndarray
        Density, kg/m3. 1,300 m at -0.8 degC (Moron's annual mean, NOAA 1961-90 normals) gives
        1.108.
    """
    kelvin = np.asarray(temperature_c, dtype=float) + ZERO_CELSIUS_K
    _positive(kelvin, "temperature (K)")
    return barometric_pressure_pa(elevation_m) / (SPECIFIC_GAS_CONSTANT_DRY_AIR * kelvin)


def density_corrected_speeds(wind_speed_ms, density_kg_m3, *, reference_density_kg_m3=None):
    """Speeds of a power curve moved to site air density (IEC 61400-12-1:2017, sec. 9.1.5).

    A pitch-regulated turbine makes at site density ``rho`` and speed ``V`` the power the
    reference curve gives at ``V (rho / rho_0) ** (1/3)``; equivalently the curve's speed
    ``V_ref`` moves to ``V_ref (rho_0 / rho) ** (1/3)``.

    Parameters
    ----------
    wind_speed_ms : array_like
        Speeds of the reference power curve, m/s.
    density_kg_m3 : float
        Site air density, kg/m3.
    reference_density_kg_m3 : float, optional
        Density of the reference curve, default 1.225 kg/m3.

    Returns
    -------
    numpy.ndarray
        Speeds at which the curve's powers are reached at site density, m/s.
    """
    rho_0 = (
        REFERENCE_AIR_DENSITY_KG_M3 if reference_density_kg_m3 is None else reference_density_kg_m3
    )
    _positive(density_kg_m3, "air density")
    return np.asarray(wind_speed_ms, dtype=float) * (rho_0 / density_kg_m3) ** (1.0 / 3.0)
