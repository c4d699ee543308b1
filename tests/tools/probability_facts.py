#!/usr/bin/python3
"""Checks a case's saved probabilities independently of seqseg (nibabel, numpy). Prints JSON:
the probabilities' shape, the range of their sum over classes, the voxels where their argmax
differs from the mask, the largest difference between the uncertainty map and the entropy
computed here (/ ln K), the uncertainty map's mean over the mask's whole tumour (labels 1-3,
internal classes; null when empty), and whether all three files share the mask's affine.

usage: probability_facts.py PROBABILITIES.nii.gz UNCERTAINTY.nii.gz MASK.nii.gz
"""
import json
import sys

import nibabel as nib
import numpy as np

probabilities_image, uncertainty_image, mask_image = (nib.load(p) for p in sys.argv[1:4])
p = np.asarray(probabilities_image.dataobj, dtype=np.float64)
uncertainty = np.asarray(uncertainty_image.dataobj, dtype=np.float64)
mask = np.asarray(mask_image.dataobj)
total = p.sum(axis=3)
with np.errstate(divide="ignore", invalid="ignore"):
    terms = np.where(p > 0, p * np.log(p), 0.0)
entropy = -terms.sum(axis=3) / np.log(p.shape[3])
print(json.dumps({
    "shape": list(p.shape),
    "dtype": str(probabilities_image.get_data_dtype()),
    "sum_min": float(total.min()),
    "sum_max": float(total.max()),
    "argmax_differs": int((np.argmax(p, axis=3) != mask).sum()),
    "uncertainty_max_difference": float(np.abs(entropy - uncertainty).max()),
    "uncertainty_max": float(uncertainty.max()),
    "mean_uncertainty_in_whole_tumour":
        float(uncertainty[(mask >= 1) & (mask <= 3)].mean()) if ((mask >= 1) & (mask <= 3)).any()
        else None,
    "same_affine": bool(np.allclose(probabilities_image.affine, mask_image.affine, atol=1e-5)
                        and np.allclose(uncertainty_image.affine, mask_image.affine, atol=1e-5)),
}))
