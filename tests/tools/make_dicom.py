#!/usr/bin/python3
"""Writes DICOM MR series with pydicom (a writer independent of ITK/GDCM), one file per slice,
under shuffled file names, for seqseg's tests.

    make_dicom.py series KIND OUT_DIR      one series (axial, oblique, oblique-reversed,
                                            negative, rescale, implicit, stray-files: beside
                                            files that are no DICOM image) or a bad folder
                                            (missing-slice, gantry-tilt, two-series,
                                            non-image, truncated, corrupt-slice, non-dicom)
    make_dicom.py study OUT_DIR [--flair-grid other]
                                            four series T1, T1ce, T2, FLAIR in subfolders
    make_dicom.py from-nifti CASE_DIR OUT_DIR
                                            a BraTS 2021 case folder's four images as such a
                                            study, on the images' grid and placement

Except with from-nifti, voxel values encode their voxel index, so that a reader that misplaces a slice, a row or a
column is caught: stored value = i + 32 * j + 1024 * k (+ a per-series offset).
"""
import math
import os
import random
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, MRImageStorage,
                         generate_uid)

COLUMNS, ROWS, SLICES = 32, 32, 24


def rotation(z_degrees, x_degrees):
    z, x = math.radians(z_degrees), math.radians(x_degrees)
    rz = np.array([[math.cos(z), -math.sin(z), 0], [math.sin(z), math.cos(z), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(x), -math.sin(x)], [0, math.sin(x), math.cos(x)]])
    return rz @ rx


def write_series(folder, description, series_number, *, rotation_matrix=np.eye(3),
                 spacing=(0.9, 0.8, 2.0), origin=(-14.0, -20.0, 30.0), slice_sign=1.0,
                 slope=None, intercept=None, value_offset=0, skip_slices=(), tilt=None,
                 study_uid=None, columns=COLUMNS, rows=ROWS, slices=SLICES, seed=1,
                 brain=False, implicit=False, values=None):
    """One slice per file, positions along the normal times `slice_sign`; names shuffled.
    `values`: the stored values, an integer array (slices, rows, columns), instead of the
    voxel-index pattern."""
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(seed)
    series_uid = generate_uid()
    study_uid = study_uid or generate_uid()
    frame_uid = generate_uid()
    row_dir, col_dir, normal = (rotation_matrix[:, 0], rotation_matrix[:, 1],
                                rotation_matrix[:, 2])
    names = [f"IM{n:05d}" for n in rng.sample(range(100000), slices)]
    for k in range(slices):
        if k in skip_slices:
            continue
        position = (np.array(origin) + slice_sign * k * spacing[2] * normal)
        if tilt is not None:  # each slice shifted along the column direction: a sheared stack
            position = position + k * spacing[2] * math.tan(math.radians(tilt)) * col_dir
        j, i = np.meshgrid(np.arange(rows), np.arange(columns), indexing="ij")
        slice_values = (i + 32 * j + 1024 * k + value_offset).astype(np.int32)
        if values is not None:
            slice_values = values[k]
        elif brain:  # a bright ellipsoid so that the segmentation has something to see
            centre = np.array([columns / 2, rows / 2, slices / 2])
            inside = (((i - centre[0]) / (columns / 3)) ** 2 + ((j - centre[1]) / (rows / 3)) ** 2
                      + ((k - centre[2]) / (slices / 3)) ** 2) < 1
            slice_values = np.where(inside, slice_values + 2000, slice_values)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = MRImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian, ds.is_implicit_VR = True, implicit
        ds.SOPClassUID = MRImageStorage
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = frame_uid
        ds.Modality = "MR"
        ds.PatientName = "Test^Phantom"
        ds.PatientID = "PHANTOM01"
        ds.StudyDate = "20240131"
        ds.SeriesDate = "20240131"
        ds.SeriesDescription = description
        ds.SeriesNumber = series_number
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [f"{x:.6f}" for x in position]
        ds.ImageOrientationPatient = [f"{x:.8f}" for x in list(row_dir) + list(col_dir)]
        ds.PixelSpacing = [f"{spacing[1]:g}", f"{spacing[0]:g}"]  # between rows, columns
        ds.SliceThickness = f"{spacing[2]:g}"
        # A sequence (undefined length, as pydicom writes it) for the readers to walk.
        reference = Dataset()
        reference.ReferencedSOPClassUID = MRImageStorage
        reference.ReferencedSOPInstanceUID = generate_uid()
        ds.ReferencedImageSequence = [reference]
        if tilt is not None:
            ds.GantryDetectorTilt = f"{tilt:g}"
        ds.Rows, ds.Columns = rows, columns
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        if slope is not None:
            ds.RescaleSlope = f"{slope:g}"
            ds.RescaleIntercept = f"{intercept:g}"
        ds.PixelData = slice_values.astype("<i2").tobytes()
        ds.save_as(os.path.join(folder, names[k]), write_like_original=False)
    return series_uid


def write_non_image(folder, names=("SR0", "SR1", "SR2")):
    """Basic Text Structured Reports: DICOM objects without pixel data."""
    os.makedirs(folder, exist_ok=True)
    for name in names:
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.Modality = "SR"
        ds.SeriesDescription = "report"
        ds.save_as(os.path.join(folder, name), write_like_original=False)


def series(kind, folder):
    if kind == "axial":
        write_series(folder, "T1 axial", 3)
    elif kind == "oblique":  # 17 degrees about z, -9 about x
        write_series(folder, "T1 oblique", 4, rotation_matrix=rotation(17, -9))
    elif kind == "oblique-reversed":  # oblique, anisotropic, positions decreasing, a bright blob
        write_series(folder, "T1 oblique reversed", 13, rotation_matrix=rotation(-23, 14),
                     spacing=(0.9, 0.7, 3.0), slice_sign=-1.0, origin=(12.0, -30.0, 70.0),
                     brain=True)
    elif kind == "negative":  # slice positions decrease along the normal as files go on
        write_series(folder, "T2 negative", 5, slice_sign=-1.0, origin=(10.0, -5.0, 60.0))
    elif kind == "rescale":
        write_series(folder, "FLAIR rescaled", 6, slope=0.5, intercept=-100.0,
                     value_offset=-3000)
    elif kind == "implicit":  # implicit VR little endian
        write_series(folder, "T1 implicit", 7, implicit=True)
    elif kind == "stray-files":  # what PACS exports and CDs carry beside a series
        write_series(folder, "T1 axial", 3)
        with open(os.path.join(folder, "IM_FOUR_BYTES"), "wb") as f:
            f.write(bytes([0x08, 0x00, 0x00, 0x00]))  # once aborted GDCM (and seqseg)
        open(os.path.join(folder, "EMPTY"), "wb").close()
        with open(os.path.join(folder, "README"), "w") as f:
            f.write("Exported from the PACS.\n")
        with open(os.path.join(folder, "thumbs.db"), "wb") as f:
            f.write(bytes(range(256)) * 4)
        write_non_image(folder, names=["DICOMDIR"])
    elif kind == "missing-slice":
        write_series(folder, "T1 gap", 7, skip_slices=(11,))
    elif kind == "gantry-tilt":
        write_series(folder, "CT tilted", 8, tilt=12.0)
    elif kind == "two-series":
        write_series(folder, "T1 first", 9, seed=1)
        write_series(folder, "T2 second", 10, seed=2)
    elif kind == "non-image":
        write_non_image(folder)
    elif kind == "truncated":
        write_series(folder, "T1 truncated", 11)
        victim = sorted(os.listdir(folder))[5]
        path = os.path.join(folder, victim)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[: len(data) - 700])
    elif kind == "corrupt-slice":  # one slice's SeriesDescription of value representation "ZZ"
        write_series(folder, "T1 corrupt", 12)
        path = os.path.join(folder, sorted(os.listdir(folder))[3])
        with open(path, "rb") as f:
            data = f.read()
        element = b"\x08\x00\x3e\x10LO"
        assert data.count(element) == 1
        with open(path, "wb") as f:
            f.write(data.replace(element, b"\x08\x00\x3e\x10ZZ"))
    elif kind == "non-dicom":
        os.makedirs(folder, exist_ok=True)
        for n in range(3):
            with open(os.path.join(folder, f"slice{n}.dcm"), "w") as f:
                f.write("this is not DICOM\n" * 40)
    else:
        sys.exit(f"unknown kind {kind}")


def study(folder, flair_grid):
    """Four MR series of one study in subfolders, on one grid (FLAIR on another with `other`)."""
    study_uid = generate_uid()
    common = dict(study_uid=study_uid, brain=True)
    write_series(os.path.join(folder, "s1"), "t1_se_tra", 1, seed=11, **common)
    write_series(os.path.join(folder, "s2"), "T1 SE tra POST GD", 2, seed=12, value_offset=300,
                 **common)
    write_series(os.path.join(folder, "s3"), "t2_tse_tra", 3, seed=13, value_offset=600, **common)
    if flair_grid == "other":
        write_series(os.path.join(folder, "s4"), "t2_tirm_tra_dark-fluid FLAIR", 4, seed=14,
                     value_offset=900, spacing=(1.0, 1.0, 2.5), columns=28, rows=26, slices=20,
                     origin=(-13.0, -19.0, 31.0), **common)
    else:
        write_series(os.path.join(folder, "s4"), "t2_tirm_tra_dark-fluid FLAIR", 4, seed=14,
                     value_offset=900, **common)


def from_nifti(case_folder, folder):
    """The four images of a BraTS 2021 case folder (CASE_t1, _t1ce, _t2, _flair .nii.gz) as four
    series of one study: NIfTI axis i runs along the rows (columns index), j down the columns, k
    from slice to slice; values stored as round(10 * value) with a rescale slope of 0.1."""
    import nibabel as nib
    case = os.path.basename(os.path.normpath(case_folder))
    study_uid = generate_uid()
    parts = [("t1", "t1_mprage_tra"), ("t1ce", "T1 MPRAGE tra POST GD"), ("t2", "t2_tse_tra"),
             ("flair", "t2_tirm_tra_dark-fluid FLAIR")]
    for number, (part, description) in enumerate(parts, start=1):
        image = nib.load(os.path.join(case_folder, f"{case}_{part}.nii.gz"))
        lps = np.diag([-1.0, -1.0, 1.0]) @ image.affine[:3, :4]
        spacing = np.linalg.norm(lps[:, :3], axis=0)
        row_dir, col_dir = lps[:, 0] / spacing[0], lps[:, 1] / spacing[1]
        normal = np.cross(row_dir, col_dir)
        slice_sign = 1.0 if np.dot(lps[:, 2], normal) > 0 else -1.0
        stored = np.round(np.asarray(image.dataobj, dtype=np.float64) * 10)
        stored = np.clip(stored, -32768, 32767).astype(np.int16).transpose(2, 1, 0)
        columns, rows, slices = image.shape
        write_series(os.path.join(folder, f"s{number}"), description, number,
                     rotation_matrix=np.stack([row_dir, col_dir, normal], axis=1),
                     spacing=tuple(spacing), origin=tuple(lps[:, 3]), slice_sign=slice_sign,
                     slope=0.1, intercept=0.0, study_uid=study_uid, columns=columns, rows=rows,
                     slices=slices, seed=number, values=stored)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "series":
        series(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "study":
        flair_grid = sys.argv[4] if len(sys.argv) >= 5 and sys.argv[3] == "--flair-grid" else ""
        study(sys.argv[2], flair_grid)
    elif len(sys.argv) >= 4 and sys.argv[1] == "from-nifti":
        from_nifti(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
