#!/usr/bin/python3
"""Compares two NIfTI images voxel by voxel in world space, as nibabel reads them: both are
reoriented to their closest canonical (RAS+) orientation first, since converters may store
rows, columns or slices in a different order. Prints JSON: shapes, the largest affine and value
differences and the value ranges."""
import json
import sys

import nibabel as nib
import numpy as np

a, b = (nib.as_closest_canonical(nib.load(path)) for path in sys.argv[1:3])
da = np.squeeze(a.get_fdata(dtype=np.float64))
db = np.squeeze(b.get_fdata(dtype=np.float64))
facts = {"shape_a": list(da.shape), "shape_b": list(db.shape),
         "affine_diff": float(np.abs(a.affine - b.affine).max()),
         "range_a": [float(da.min()), float(da.max())],
         "range_b": [float(db.min()), float(db.max())]}
if da.shape == db.shape:
    facts["value_diff"] = float(np.abs(da - db).max())
json.dump(facts, sys.stdout)
