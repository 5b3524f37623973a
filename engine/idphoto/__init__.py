"""ID photos: standard sizes at 300 dpi, the head framed by each size's rule, a plain background."""
from ..options import SIZES, IdPhotoSpec, spec_for
from .compose import IdPhoto, idphoto_create

__all__ = ["SIZES", "IdPhoto", "IdPhotoSpec", "idphoto_create", "spec_for"]
