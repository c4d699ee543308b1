#!/usr/bin/python3
"""Measures the regions of a label map (internal classes 1 NCR, 2 ED, 3 ET) independently of
seqseg: nibabel's affine for the voxel centres in RAS mm, scipy's convex hull for the largest
diameter. Prints JSON: per region voxels, volume_ml, centroid_ras_mm, first/last_index,
low/high_ras_mm, largest_diameter_mm.

usage: measure_reference.py MASK.nii.gz
"""
import json
import sys

import nibabel as nib
import numpy as np
from scipy.spatial import ConvexHull
from scipy.spatial.distance import pdist

REGIONS = {"WT": (1, 2, 3), "TC": (1, 3), "ET": (3,)}

image = nib.load(sys.argv[1])
labels = np.asarray(image.dataobj)
affine = image.affine
voxel_ml = abs(np.linalg.det(affine[:3, :3])) / 1000.0
result = {}
for name, values in REGIONS.items():
    index = np.argwhere(np.isin(labels, values))
    if len(index) == 0:
        result[name] = {"voxels": 0}
        continue
    ras = index @ affine[:3, :3].T + affine[:3, 3]
    try:
        corners = ras[ConvexHull(ras).vertices]
    except Exception:  # flat or tiny regions: every point
        corners = ras
    result[name] = {
        "voxels": int(len(index)),
        "volume_ml": float(len(index) * voxel_ml),
        "centroid_ras_mm": ras.mean(axis=0).tolist(),
        "first_index": index.min(axis=0).tolist(),
        "last_index": index.max(axis=0).tolist(),
        "low_ras_mm": ras.min(axis=0).tolist(),
        "high_ras_mm": ras.max(axis=0).tolist(),
        "largest_diameter_mm": float(pdist(corners).max()) if len(corners) > 1 else 0.0,
    }
print(json.dumps(result))
