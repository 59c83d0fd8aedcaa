"""Cutout: synthetic garments with known masks, refusals, and the shared ground-truth masks."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fitroom.errors import GarmentNotFound, GarmentPhotoRejected, InputError
from fitroom.garments.cutout import cut_out
from fitroom.garments.synth import synth_garment
from fitroom.imaging import decode_image


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.mark.parametrize("kind", ["t-shirt", "shirt", "trousers", "skirt"])
def test_synthetic_garment_mask_is_recovered(kind: str) -> None:
    drawn = synth_garment(kind, seed=11, pattern="solid")
    cut = cut_out(drawn.image)
    assert cut.alpha.shape == drawn.image.shape[:2]
    assert cut.alpha.dtype == np.float32
    assert iou(cut.mask, drawn.alpha >= 0.5) >= 0.98


def test_alpha_is_soft_at_the_outline() -> None:
    drawn = synth_garment("t-shirt", seed=3, pattern="solid")
    alpha = cut_out(drawn.image).alpha
    assert ((alpha > 0.05) & (alpha < 0.95)).sum() > 100
    assert float(alpha.min()) >= 0.0 and float(alpha.max()) <= 1.0


def test_transparent_png_alpha_is_kept_as_is() -> None:
    drawn = synth_garment("t-shirt", seed=5)
    alpha8 = np.clip(drawn.alpha * 255 + 0.5, 0, 255).astype(np.uint8)
    rgba = np.dstack([drawn.image, alpha8])
    cut = cut_out(rgba)
    assert cut.from_transparency
    np.testing.assert_array_equal(np.round(cut.alpha * 255).astype(np.uint8), alpha8)


def test_empty_image_is_refused() -> None:
    with pytest.raises(GarmentNotFound, match="no garment"):
        cut_out(np.full((600, 400, 3), 246, np.uint8))


def test_busy_photo_is_refused(coffee: np.ndarray) -> None:
    with pytest.raises(GarmentPhotoRejected, match=r"background|cut by"):
        cut_out(coffee)


def test_not_an_image_array_is_refused() -> None:
    with pytest.raises(InputError):
        cut_out(np.zeros((10, 10), np.float32))  # type: ignore[arg-type]


def test_two_garments_are_refused() -> None:
    a = synth_garment("t-shirt", seed=1, pattern="solid", size=(400, 600)).image
    b = synth_garment("trousers", seed=2, pattern="solid", size=(400, 600)).image
    with pytest.raises(GarmentPhotoRejected, match="separate items"):
        cut_out(np.ascontiguousarray(np.hstack([a, b])))


def test_garment_cut_by_the_frame_is_refused() -> None:
    drawn = synth_garment("trousers", seed=4, pattern="solid")
    cropped = np.ascontiguousarray(drawn.image[300:, :])  # waistband cut off at the top
    with pytest.raises(GarmentPhotoRejected, match="cut by the top"):
        cut_out(cropped)


@pytest.mark.shared
def test_white_collar_close_to_the_top_edge_is_not_cut_by_it(shared_data: Path) -> None:
    """A white knit dress shot with its collar ten rows below the top edge: the collar's faint
    shade reaches the border rows, but the garment is whole (it was refused as "cut by the top
    edge")."""
    image = decode_image(shared_data / "garments" / "catvton_overall_24047235_54199143.jpg")
    cut = cut_out(image)
    assert cut.frame_contact[0] <= 0.06
    assert cut.mask[: image.shape[0] // 10].any()  # the collar is part of the garment


@pytest.mark.shared
def test_coco_street_photo_is_refused(shared_data: Path) -> None:
    image = decode_image(shared_data / "keypoints/coco/000000040083.jpg")
    with pytest.raises(GarmentPhotoRejected, match="background is not plain"):
        cut_out(image)


@pytest.mark.shared
@pytest.mark.parametrize(
    "name", ["vitonhd_00034_00.jpg", "dresscode_049205_0.jpg", "catvton_person_mothr22044226e8.jpg"]
)
def test_person_photo_is_refused(shared_data: Path, name: str) -> None:
    image = decode_image(shared_data / "persons" / name)
    with pytest.raises(GarmentPhotoRejected, match="person"):
        cut_out(image)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["00057_00.jpg", "00126_00.jpg", "051985_1.jpg", "051990_1.jpg"])
def test_cutout_matches_ground_truth_masks(shared_data: Path, name: str) -> None:
    image = decode_image(shared_data / "video/vivid_cloth" / name)
    truth = (
        cv2.imread(str(shared_data / "video/vivid_cloth_mask" / name), cv2.IMREAD_GRAYSCALE) > 127
    )
    assert iou(cut_out(image).mask, truth) >= 0.97


def test_same_photo_same_cutout() -> None:
    image = synth_garment("shirt", seed=9).image
    np.testing.assert_array_equal(cut_out(image).alpha, cut_out(image).alpha)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["00005_00.jpg", "00000_00.jpg", "00012_00.jpg"])
def test_white_tee_on_light_grey_matches_the_cloth_mask(shared_data: Path, name: str) -> None:
    """A white tee on VITON-HD's flat light grey is one garment, its white shoulders and sleeves
    included (00005 was refused as "2 separate items", 00000 cut to its pink front only), and
    the narrow gaps beside 00012's hanging sleeves stay open."""
    image = decode_image(shared_data / "pairs" / "cloth" / name)
    truth = cv2.imread(str(shared_data / "pairs" / "cloth-mask" / name), cv2.IMREAD_GRAYSCALE) > 127
    assert iou(cut_out(image).mask, truth) >= 0.97


@pytest.mark.shared
def test_white_shirt_on_white_is_one_item(shared_data: Path) -> None:
    """A bleached denim shirt on pure white (refused as "3 separate items" before): one
    component filling most of its bounding box, as a long-sleeved shirt does."""
    mask = cut_out(decode_image(shared_data / "pairs" / "cloth" / "000009_1.jpg")).mask
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    assert count == 2
    _, _, w, h, area = stats[1]
    assert area >= 0.75 * w * h
    assert h >= 0.6 * mask.shape[0] and w >= 0.5 * mask.shape[1]
