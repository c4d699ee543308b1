#!/usr/bin/python3
"""Computes the calibration of saved class probabilities independently of seqseg (nibabel,
numpy): per region WT (NCR+ED+ET), TC (NCR+ET) and ET, the region's probability (the sum of its
classes' channels) against the reference region, over the voxels where a tumour class has a
non-zero probability, with 15 equal-width bins over [0, 1] (a probability p in bin
min(floor(15 p), 14)). Prints JSON: per region the ECE, the voxels and per bin the voxels, the
mean probability and the fraction in the region (null for an empty bin), over all the cases
given together, and each case's ECE per region.

usage: calibration_error.py NCR_LABEL ED_LABEL ET_LABEL PROBABILITIES.nii.gz REFERENCE.nii.gz ...
"""
import json
import sys

import nibabel as nib
import numpy as np

BINS = 15


def tables(p, events):
    index = np.minimum(np.floor(np.clip(p, 0.0, 1.0) * BINS), BINS - 1).astype(int)
    voxels = np.bincount(index, minlength=BINS)
    probability_sums = np.bincount(index, weights=np.clip(p, 0.0, 1.0), minlength=BINS)
    event_counts = np.bincount(index, weights=events.astype(np.float64), minlength=BINS)
    return voxels, probability_sums, event_counts


def summary(voxels, probability_sums, event_counts):
    total = int(voxels.sum())
    ece = float(np.abs(event_counts - probability_sums).sum() / total) if total else 0.0
    bins = [{"voxels": int(n),
             "confidence": float(s / n) if n else None,
             "accuracy": float(e / n) if n else None}
            for n, s, e in zip(voxels, probability_sums, event_counts)]
    return {"ece": ece, "voxels": total, "bins": bins}


ncr, ed, et = (int(v) for v in sys.argv[1:4])
pairs = sys.argv[4:]
pooled = {r: [np.zeros(BINS), np.zeros(BINS), np.zeros(BINS)] for r in ("WT", "TC", "ET")}
cases = []
for probabilities_path, reference_path in zip(pairs[0::2], pairs[1::2]):
    p = np.asarray(nib.load(probabilities_path).dataobj, dtype=np.float32).astype(np.float64)
    labels = np.asarray(nib.load(reference_path).dataobj).astype(int)
    counted = (p[..., 1] != 0) | (p[..., 2] != 0) | (p[..., 3] != 0)
    regions = {
        "WT": (p[..., 1] + p[..., 2] + p[..., 3], np.isin(labels, (ncr, ed, et))),
        "TC": (p[..., 1] + p[..., 3], np.isin(labels, (ncr, et))),
        "ET": (p[..., 3], labels == et),
    }
    case = {}
    for region, (probability, event) in regions.items():
        counts = tables(probability[counted], event[counted])
        case[region] = summary(*counts)["ece"]
        for total, part in zip(pooled[region], counts):
            total += part
    cases.append(case)
result = {region: summary(*counts) for region, counts in pooled.items()}
result["cases"] = cases
print(json.dumps(result))
