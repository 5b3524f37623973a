"""ID photos: standard sizes at 300 dpi, the head framed by each size's rule, a plain background,
a compliance report against the published rules, print sheets and upload versions."""
from ..options import PAPERS, SIZES, IdPhotoSpec, spec_for
from .compliance import Check, Compliance
from .compose import IdPhoto, IdPhotoRefused, idphoto_create, refuse_turned_head

__all__ = ["PAPERS", "SIZES", "Check", "Compliance", "IdPhoto", "IdPhotoRefused", "IdPhotoSpec", "idphoto_create",
           "refuse_turned_head", "spec_for"]
