#!/usr/bin/python3
"""Prints, as JSON, what nibabel (an independent NIfTI reader) sees in each file given."""
import json
import sys

import nibabel as nib
import numpy as np

facts = {}
for path in sys.argv[1:]:
    image = nib.load(path)
    header = image.header
    data = np.asarray(image.dataobj)
    facts[path] = {
        "shape": list(image.shape),
        "dtype": str(header.get_data_dtype()),
        "qform_code": int(header["qform_code"]),
        "sform_code": int(header["sform_code"]),
        "qform": header.get_qform().tolist(),
        "sform": header.get_sform().tolist(),
        "pixdim": [float(x) for x in header["pixdim"][:4]],
        "axcodes": "".join(nib.aff2axcodes(image.affine)),
        "min": float(data.min()),
        "max": float(data.max()),
        "sum": float(data.astype(np.float64).sum()),
    }
json.dump(facts, sys.stdout)
