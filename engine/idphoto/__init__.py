"""ID photos: standard sizes at 300 dpi, the head framed by each size's rule, a plain background."""
from .compose import IdPhoto, idphoto_create
from .sizes import SIZES, IdPhotoSpec, spec_for

__all__ = ["SIZES", "IdPhoto", "IdPhotoSpec", "idphoto_create", "spec_for"]
