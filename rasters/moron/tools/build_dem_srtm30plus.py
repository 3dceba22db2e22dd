"""Rebuild rasters/moron/dem_srtm30plus_z6_80x50arcsec.tif from the four jaanga z6 PNG tiles.

Usage (from anywhere): python rasters/moron/tools/build_dem_srtm30plus.py [OUTPUT.tif]
Without OUTPUT it rewrites the embedded file; either way the result is byte for byte the same
(sha256 in rasters/moron/SHA256SUMS; tests/test_data.py rebuilds it into a temporary folder).

Tiles: GitHub repository jaanga/terrain-srtm30-plus-data-tms-1-7 @ 192e31ed02fae72b3f2391edcecc726754e62226,
paths 6/49/21.png 6/49/22.png 6/50/21.png 6/50/22.png (copied in ../sources/source_srtm30plus_jaanga_z6/ as z_x_y.png).

Decoding and georeferencing follow the generator (jaanga/terrain-r2,
cookbook/node-jimp-topo30-to-png-tms-7plus/r1/node-jimp-topo30-to-png-tms-7plus.js):
  elevation = G*256 + R (B = sign byte, 0 here); each tile holds the SRTM30_PLUS rows
  [floor(10800-120*lat_top)+1, floor(10800-120*lat_bottom)+1) (the +1: east-of-Greenwich
  column offset wraps into the next row in that script; confirmed with Lake Khovsgol's outline)
  and columns [120*lon_left, 120*lon_left+675), box-averaged per colour channel to 256x256
  (jimp 0.1.4 resize.js, then Math.round per channel).
Per-channel averaging corrupts pixels whose footprint straddles a multiple of 256 m
(error bounded by +-128 m; elsewhere values are exact area means). Mitigation ("hybrid"):
 * F = separable [0.12,0.76,0.12] filter, applied only where the 3x3 high byte is not constant;
 * C = per-pixel choice between the decoded value and a "straddling" estimate B + 0.3*(128-R)
   (B = 256*G or 256*(G+1), kept within +-128.5 m of the decoded value), whichever is closer to
   an iterated 3x3 median; then the same selective filter;
 * use C where the 3x3 relief of F is < 150 m (gentle terrain), F elsewhere.
Tuned and checked on SRTM3 tiles (Great Basin/Sierra Nevada, California Coast Ranges) pushed
through the same encode/average/round chain.
"""
import math, sys, os
import numpy as np
from PIL import Image
from scipy.ndimage import convolve1d, maximum_filter, minimum_filter, median_filter
import rasterio
from rasterio.transform import from_origin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # rasters/moron/
SRC = os.path.join(ROOT, 'sources', 'source_srtm30plus_jaanga_z6')
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'dem_srtm30plus_z6_80x50arcsec.tif')
Z = 6
def tile2lat(y): n = math.pi - 2*math.pi*y/2**Z; return math.degrees(math.atan(math.sinh(n)))
def tile2lon(x): return x/2**Z*360 - 180
def tile(x, y):  # returns decoded elevation, high byte G, low byte R, georeference
    a = np.array(Image.open(os.path.join(SRC, f'{Z}_{x}_{y}.png'))).astype(np.int64)
    R, G, B = a[..., 0], a[..., 1], a[..., 2]
    e = G*256 + R
    e = np.where(B > 0, e - 65536, e)
    r0 = math.floor(10800 - 120*tile2lat(y)); r1 = math.floor(10800 - 120*tile2lat(y+1))
    top = 90 - (r0 + 1)/120.0
    dlat = (r1 - r0)/120.0/256
    return e, G, R, tile2lon(x), top, dlat
def row_mosaic(y):
    parts = [tile(x, y) for x in (49, 50)]
    e, G, R = (np.hstack([p[k] for p in parts]) for k in range(3))
    return e, G, R, parts[0][3], parts[0][4], parts[0][5]
K = np.array([0.12, 0.76, 0.12])
def filt(X): return convolve1d(convolve1d(X, K, axis=0, mode='nearest'), K, axis=1, mode='nearest')
def cand(O, G, R, k=0.3, iters=6):
    c0 = O; c1 = 256*(G+1) + k*(128-R); c2 = 256*G + k*(128-R)
    mix = maximum_filter(G, 3) != minimum_filter(G, 3)
    ok1 = (np.abs(c1-O) <= 128.5) & mix; ok2 = (np.abs(c2-O) <= 128.5) & mix
    T = median_filter(O, size=5, mode='nearest')
    for it in range(iters):
        S = median_filter(T, size=3, mode='nearest') if it > 0 else T
        d0 = np.abs(c0-S); d1 = np.where(ok1, np.abs(c1-S), np.inf); d2 = np.where(ok2, np.abs(c2-S), np.inf)
        T = np.where((d1 < d0) & (d1 <= d2), c1, np.where((d2 < d0) & (d2 < d1), c2, c0))
    return T
def mitigate(e, G, R, thr=150.0):
    O = e.astype(float)
    mix = maximum_filter(G, 3) != minimum_filter(G, 3)
    F = np.where(mix, filt(O), O)
    C = cand(O, G, R); CF = np.where(mix, filt(C), C)
    relief = maximum_filter(F, 3) - minimum_filter(F, 3)
    return np.where(relief < thr, CF, F), mix
def main():
    e21, G21, R21, lon0, top21, dlat21 = row_mosaic(21)
    e22, G22, R22, _, top22, dlat22 = row_mosaic(22)
    assert abs(top22 - (top21 - 256*dlat21)) < 1e-9
    f21, m21 = mitigate(e21, G21, R21); f22, m22 = mitigate(e22, G22, R22)
    dlon = 5.625/256
    # output grid: tile-21 grid, clipped to 98.5-102.0 E, 48.5-51.75 N (outward to whole pixels)
    c0 = math.floor((98.5 - lon0)/dlon); c1 = math.ceil((102.0 - lon0)/dlon)
    r0 = math.floor((top21 - 51.75)/dlat21); r1 = math.ceil((top21 - 48.5)/dlat21)
    rows = []
    lat_c22 = top22 - (np.arange(256) + 0.5)*dlat22
    for r in range(r0, r1):
        if r < 256:
            rows.append(f21[r, c0:c1])
        else:  # south of 48.9167 N: linear interpolation in latitude from the tile-22 rows
            lat = top21 - (r + 0.5)*dlat21
            i = np.searchsorted(-lat_c22, -lat) - 1
            i = max(0, min(i, 254)); w = (lat_c22[i] - lat)/(lat_c22[i] - lat_c22[i+1])
            if lat > lat_c22[0]:  # between tile-21 bottom row and first tile-22 row
                i0 = f21[255, c0:c1]; i1 = f22[0, c0:c1]
                lat_a = top21 - 255.5*dlat21; w = (lat_a - lat)/(lat_a - lat_c22[0])
                rows.append((1-w)*i0 + w*i1)
            else:
                rows.append((1-w)*f22[i, c0:c1] + w*f22[i+1, c0:c1])
    out = np.rint(np.vstack(rows)).astype(np.int16)
    west = lon0 + c0*dlon; north = top21 - r0*dlat21
    tr = from_origin(west, north, dlon, dlat21)
    prof = dict(driver='GTiff', height=out.shape[0], width=out.shape[1], count=1, dtype='int16',
                crs='EPSG:4326', transform=tr, nodata=-32768, compress='deflate', predictor=2, tiled=False)
    with rasterio.open(OUT, 'w', **prof) as dst:
        dst.write(out, 1)
        dst.update_tags(SOURCE='SRTM30_PLUS V9 land = NASA/USGS SRTM30 (public domain), via jaanga/terrain-srtm30-plus-data-tms-1-7 z6 PNG tiles 6/49/21,6/49/22,6/50/21,6/50/22',
                        UNITS='metres above sea level', RESOLUTION='5.625/256 deg lon x 427/30720 deg lat (79.1 x 50.0 arcsec)',
                        PROCESSING='decoded G*256+R; +1 native-row georeference fix; 256-m straddle artefacts mitigated (hybrid candidate/selective-filter, see build script); rows south of 48.9167N linearly interpolated from tile y=22')
    print(OUT, out.shape, out.min(), out.max(), 'west %.6f north %.6f dlon %.9f dlat %.9f' % (west, north, dlon, dlat21),
          'high-byte-mixed fraction (tile21 in box):', m21[r0:min(r1,256), c0:c1].mean())

if __name__ == '__main__':
    main()
