#!/usr/bin/python3
"""Writes NIfTI test images with nibabel, so that seqseg's reader is checked against files it
did not write itself.

usage: make_fixture.py KIND PATH
KIND: oblique | qform-only | sform-only | lps | ras | msd4d
"""
import sys

import nibabel as nib
import numpy as np

kind, path = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
shape = (12, 10, 8)


def rotation(ax, ay, az):
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def affine(rot, spacing, offset):
    a = np.eye(4)
    a[:3, :3] = rot @ np.diag(spacing)
    a[:3, 3] = offset
    return a


data = rng.uniform(0, 1000, size=shape).astype(np.float32)
if kind == "oblique":
    img = nib.Nifti1Image(data, affine(rotation(0.3, -0.2, 0.5), [1.2, 0.9, 2.5], [-30.5, 12.25, 7]))
    img.header.set_qform(img.affine, code=1)
    img.header.set_sform(img.affine, code=1)
elif kind == "qform-only":
    img = nib.Nifti1Image(data, None)
    img.header.set_qform(affine(rotation(0, 0, 0.4), [1.0, 1.5, 2.0], [10, -20, 30]), code=1)
    img.header.set_sform(None, code=0)
elif kind == "sform-only":
    img = nib.Nifti1Image(data, affine(np.eye(3), [0.8, 0.8, 3.0], [-50, -60, -20]))
    img.header.set_qform(None, code=0)
    img.header.set_sform(img.affine, code=4)
elif kind == "lps":
    img = nib.Nifti1Image(data, affine(np.diag([-1, -1, 1]), [1, 1, 1], [90, 120, -70]))
    img.header.set_qform(img.affine, code=1)
    img.header.set_sform(img.affine, code=1)
elif kind == "ras":
    img = nib.Nifti1Image(data.astype(np.int16), affine(np.eye(3), [1, 1, 1.5], [-90, -120, -70]))
    img.header.set_qform(img.affine, code=2)
    img.header.set_sform(img.affine, code=2)
elif kind == "msd4d":
    four = np.stack([data + 1000 * c for c in range(4)], axis=-1)
    img = nib.Nifti1Image(four, affine(np.diag([-1, -1, 1]), [1, 1, 1], [0, 0, 0]))
    img.header.set_qform(img.affine, code=1)
    img.header.set_sform(img.affine, code=1)
else:
    sys.exit("unknown fixture kind " + kind)
nib.save(img, path)
