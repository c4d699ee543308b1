#!/usr/bin/python3
"""Writes one case (T1, T1ce, T2, FLAIR and a mask) in a given storage orientation with
nibabel, an independent NIfTI writer, for the GUI tests of the slice views.

usage: make_orientation_case.py KIND FOLDER
KIND: lps | ras | las | pir | oblique | anisotropic | qform-only | sform-only

The anatomy is defined in patient space, so every kind shows the same head: an ellipsoid of
tissue whose brightness rises towards the patient's left and superior, a dark "ventricle" on
the right, and a bright marker ball (radius 4 mm) centred on one voxel, to the patient's
left, front and top of the head's centre. The mask labels the marker ball (label 1). Prints
JSON: the files, the RAS affine and its inverse, the marker's voxel and LPS world point.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

kind, folder = sys.argv[1], sys.argv[2]


def rotation_x(degrees):
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rotation_z(degrees):
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


# Voxel axes as RAS directions (columns), spacing, grid size.
RAS, LPS = np.eye(3), np.diag([-1.0, -1.0, 1.0])
LAS = np.diag([-1.0, 1.0, 1.0])
PIR = np.array([[0, 0, 1], [-1, 0, 0], [0, -1, 0]], dtype=float)  # i posterior, j inferior, k right
kinds = {
    "lps": (LPS, [1.0, 1.0, 1.0], (50, 54, 48)),
    "ras": (RAS, [1.0, 1.0, 1.0], (50, 54, 48)),
    "las": (LAS, [1.0, 1.0, 1.0], (50, 54, 48)),
    "pir": (PIR, [1.0, 1.0, 1.0], (54, 48, 50)),
    "oblique": (rotation_z(17) @ rotation_x(-9), [1.0, 1.0, 1.0], (50, 54, 48)),
    "anisotropic": (RAS, [0.9, 0.9, 3.0], (56, 58, 20)),
    "qform-only": (RAS, [1.0, 1.0, 1.0], (50, 54, 48)),
    "sform-only": (RAS, [1.0, 1.0, 1.0], (50, 54, 48)),
}
if kind not in kinds:
    sys.exit("unknown kind " + kind)
axes, spacing, shape = kinds[kind]

# The grid's centre lands on the head's centre, an arbitrary RAS point.
head_ras = np.array([4.0, -13.0, 21.0])
linear = axes @ np.diag(spacing)
centre_index = (np.array(shape) - 1) / 2.0
affine = np.eye(4)
affine[:3, :3] = linear
affine[:3, 3] = head_ras - linear @ centre_index
inverse = np.linalg.inv(affine)

# The marker: the voxel nearest to 10 mm left, 6 mm anterior, 6 mm superior of the centre.
wanted = head_ras + np.array([-10.0, 6.0, 6.0])
marker_voxel = np.rint(inverse[:3, :3] @ wanted + inverse[:3, 3]).astype(int)
marker_ras = linear @ marker_voxel + affine[:3, 3]

# Every voxel's position relative to the head's centre, in LPS millimetres (x left, y
# posterior, z superior).
i, j, k = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
ras = np.einsum("ab,bijk->aijk", linear, np.stack([i, j, k]).astype(float))
ras += (affine[:3, 3] - head_ras)[:, None, None, None]
x, y, z = -ras[0], -ras[1], ras[2]
head = (x / 22) ** 2 + (y / 23) ** 2 + (z / 21) ** 2 <= 1
tissue = 300 + 4 * x + 2 * z
ventricle = ((x + 9) / 4) ** 2 + ((y - 4) / 7) ** 2 + (z / 5) ** 2 <= 1
marker_lps = np.array([-marker_ras[0], -marker_ras[1], marker_ras[2]])
centre_lps = np.array([-head_ras[0], -head_ras[1], head_ras[2]])
mx, my, mz = marker_lps - centre_lps
marker = (x - mx) ** 2 + (y - my) ** 2 + (z - mz) ** 2 <= 4.0**2

t1 = np.where(head, tissue, 0.0)
t1 = np.where(ventricle, 60.0, t1)
t1 = np.where(marker, 1500.0, t1).astype(np.float32)
mask = marker.astype(np.uint8)

os.makedirs(folder, exist_ok=True)


def save(data, name):
    image = nib.Nifti1Image(data, None)
    if kind == "qform-only":
        image.header.set_qform(affine, code=1)
        image.header.set_sform(None, code=0)
    elif kind == "sform-only":
        image.header.set_qform(None, code=0)
        image.header.set_sform(affine, code=2)
    else:
        image.header.set_qform(affine, code=1)
        image.header.set_sform(affine, code=1)
    path = os.path.join(folder, name)
    nib.save(image, path)
    return path


files = [
    save(t1, kind + "_t1.nii.gz"),
    save((t1 * 1.2).astype(np.float32), kind + "_t1ce.nii.gz"),
    save((t1 * 0.8).astype(np.float32), kind + "_t2.nii.gz"),
    save(t1, kind + "_flair.nii.gz"),
]
json.dump(
    {
        "files": files,
        "mask": save(mask, kind + "_seg.nii.gz"),
        "shape": list(shape),
        "affine": affine.tolist(),
        "inverse": inverse.tolist(),
        "marker_voxel": marker_voxel.tolist(),
        "marker_lps": marker_lps.tolist(),
        "orientation": "".join(nib.aff2axcodes(affine)),
    },
    sys.stdout,
)
