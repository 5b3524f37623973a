"""The diffusion backend (the extra ``[gpu]``): LoRA avatars and two-pass portraits with diffusers + peft.

Nothing here is imported by the CPU path; this package file stays free of torch so that names such
as ``TRIGGER`` can be read anywhere.
"""

# The token that names the avatar's person in training captions and creation prompts (EasyPhoto's
# "easyphoto_face"); training and creation must use the same one.
TRIGGER = "easyphoto_face"
