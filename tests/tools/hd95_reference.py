#!/usr/bin/env python3
"""HD95 of two BraTS 2021 label maps per region, computed with scipy's distance transforms: an
implementation independent of seqseg's (engine/metrics.cpp), for both definitions in use:
pooled (the 95th percentile of both directions' surface distances together, as medpy) and max
(the larger of the two directed 95th percentiles, as MONAI and the BraTS tools).

  hd95_reference.py predict REF.nii.gz OUT.nii.gz   a prediction to score: the reference moved
                                                    1 voxel along i, its enhancing tumour's
                                                    surface called necrosis, and a stray blob of
                                                    oedema far from the tumour
  hd95_reference.py score PRED.nii.gz REF.nii.gz    prints {"WT": {"pooled": mm, "max": mm}, ...}
"""
import json
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

REGIONS = {"WT": (1, 2, 4), "TC": (1, 4), "ET": (4,)}
SIX_NEIGHBOURS = ndimage.generate_binary_structure(3, 1)


def surface(mask):
    # Voxels with a 6-neighbour outside the mask; outside the image counts as outside.
    return mask & ~ndimage.binary_erosion(mask, structure=SIX_NEIGHBOURS, border_value=0)


def directed(from_surface, to_surface, spacing):
    return ndimage.distance_transform_edt(~to_surface, sampling=spacing)[from_surface]


def hd95(pred, ref, spacing):
    a, b = surface(pred), surface(ref)
    from_a, from_b = directed(a, b, spacing), directed(b, a, spacing)
    return {
        "pooled": float(np.percentile(np.concatenate([from_a, from_b]), 95)),
        "max": float(max(np.percentile(from_a, 95), np.percentile(from_b, 95))),
    }


def predict(ref_path, out_path):
    ref = nib.load(ref_path)
    labels = np.asanyarray(ref.dataobj).astype(np.uint8)
    pred = np.roll(labels, 1, axis=0)
    et = pred == 4
    pred[surface(et)] = 1
    corner = tuple(slice(1, 5) for _ in range(3))
    if not labels[corner].any():
        pred[corner] = 2
    nib.save(nib.Nifti1Image(pred, ref.affine, ref.header), out_path)


def score(pred_path, ref_path):
    pred_image, ref_image = nib.load(pred_path), nib.load(ref_path)
    pred = np.asanyarray(pred_image.dataobj)
    ref = np.asanyarray(ref_image.dataobj)
    spacing = ref_image.header.get_zooms()[:3]
    result = {}
    for region, values in REGIONS.items():
        result[region] = hd95(np.isin(pred, values), np.isin(ref, values), spacing)
    print(json.dumps(result))


if __name__ == "__main__":
    {"predict": predict, "score": score}[sys.argv[1]](*sys.argv[2:])
