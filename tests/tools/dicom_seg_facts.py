#!/usr/bin/python3
"""What a DICOM Segmentation object says, read with pydicom (a reader independent of DCMTK),
checked against the series it references and the mask it was written from, as JSON.

    dicom_seg_facts.py SEG.dcm SERIES_DIR MASK.nii.gz

MASK holds internal labels (1 NCR, 2 ED, 3 ET). Each frame is placed through the source file it
names (its ReferencedSOPInstanceUID): that file's ImagePositionPatient must be the frame's
position and map, through the mask's own affine (nibabel), onto voxel (0, 0, k) of the mask;
the frame's pixels then go to slice k. Nothing is resampled: the segments rebuilt this way must
equal the mask voxel for voxel.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np
import pydicom

CLASS_OF_TYPE = {"6574001": 1, "79654002": 2, "108369006": 3}


def code(item):
    return [item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning]


def main():
    seg_path, series_dir, mask_path = sys.argv[1:4]
    seg = pydicom.dcmread(seg_path)
    sources = {}
    for root, _, names in os.walk(series_dir):
        for name in names:
            ds = pydicom.dcmread(os.path.join(root, name), stop_before_pixels=True, force=True)
            if "SOPInstanceUID" in ds and "ImagePositionPatient" in ds:
                sources[ds.SOPInstanceUID] = ds
    first = next(iter(sources.values()))
    mask_image = nib.load(mask_path)
    mask = np.asarray(mask_image.dataobj).astype(np.uint8)  # (i, j, k)
    to_voxel = np.linalg.inv(mask_image.affine)

    facts = {
        "sop_class": str(seg.SOPClassUID),
        "modality": seg.Modality,
        "segmentation_type": seg.SegmentationType,
        "bits_allocated": int(seg.BitsAllocated),
        "rows": int(seg.Rows),
        "columns": int(seg.Columns),
        "study_equal": seg.StudyInstanceUID == first.StudyInstanceUID,
        "patient_equal": seg.PatientID == first.PatientID,
        "frame_of_reference_equal": seg.FrameOfReferenceUID == first.FrameOfReferenceUID,
        "series_differs": seg.SeriesInstanceUID != first.SeriesInstanceUID,
    }
    referenced = seg.get("ReferencedSeriesSequence", [])
    facts["referenced_series"] = [str(item.SeriesInstanceUID) for item in referenced]
    facts["source_series"] = str(first.SeriesInstanceUID)
    referenced_instances = {str(instance.ReferencedSOPInstanceUID)
                            for item in referenced
                            for instance in item.ReferencedInstanceSequence}
    facts["references_every_source_instance"] = referenced_instances == set(sources)

    segments = {}
    facts["segments"] = []
    for item in seg.SegmentSequence:
        entry = {
            "number": int(item.SegmentNumber),
            "label": item.SegmentLabel,
            "category": code(item.SegmentedPropertyCategoryCodeSequence[0]),
            "type": code(item.SegmentedPropertyTypeCodeSequence[0]),
            "algorithm_type": item.SegmentAlgorithmType,
            "algorithm_name": item.get("SegmentAlgorithmName", ""),
            "cielab": [int(v) for v in item.get("RecommendedDisplayCIELabValue", [])],
        }
        if "SegmentationAlgorithmIdentificationSequence" in item:
            algorithm = item.SegmentationAlgorithmIdentificationSequence[0]
            entry["algorithm"] = {
                "family": code(algorithm.AlgorithmFamilyCodeSequence[0]),
                "name": algorithm.AlgorithmName,
                "version": algorithm.AlgorithmVersion,
                "parameters": algorithm.get("AlgorithmParameters", ""),
            }
        facts["segments"].append(entry)
        segments[entry["number"]] = CLASS_OF_TYPE.get(entry["type"][0], 0)

    orientation = [float(v) for v in seg.SharedFunctionalGroupsSequence[0]
                   .PlaneOrientationSequence[0].ImageOrientationPatient]
    facts["orientation_equal"] = bool(np.allclose(
        orientation, [float(v) for v in first.ImageOrientationPatient], atol=1e-5))
    pixels = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
    rebuilt = np.zeros_like(mask)
    frames_on_slices = 0
    for f, group in enumerate(seg.PerFrameFunctionalGroupsSequence):
        number = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        uid = str(group.DerivationImageSequence[0].SourceImageSequence[0]
                  .ReferencedSOPInstanceUID)
        source = sources.get(uid)
        if source is None:  # an image that is not in the series
            continue
        position = np.array([float(v) for v in group.PlanePositionSequence[0]
                             .ImagePositionPatient])
        source_position = np.array([float(v) for v in source.ImagePositionPatient])
        ras = np.array([-source_position[0], -source_position[1], source_position[2], 1.0])
        voxel = (to_voxel @ ras)[:3]
        k = int(round(voxel[2]))
        if (np.allclose(position, source_position, atol=1e-4)
                and np.allclose(voxel, [0, 0, k], atol=1e-3) and 0 <= k < mask.shape[2]):
            frames_on_slices += 1
            rebuilt[:, :, k][pixels[f].T != 0] = segments[number]
    facts["frames"] = int(seg.NumberOfFrames)
    facts["frames_on_their_slices"] = frames_on_slices
    facts["slices"] = int(mask.shape[2])
    facts["mask_labelled_voxels"] = int(np.count_nonzero(mask))
    facts["mismatched_voxels"] = int(np.count_nonzero(rebuilt != mask))
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
