"""The website's forms: validation only; the views call services with what they clean."""
from __future__ import annotations

from django import forms

from studio.catalog.models import Template
from studio.portraits.services.portraits import TRAIN_FREE_MAX_PHOTOS

N_CHOICES = [(n, str(n)) for n in (1, 2, 3, 4)]
STYLE_NAMES = [("Realistic", "Realistic photo"), ("Anime", "Anime drawing")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, max_files: int, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError("Choose at least one photo.")
        if len(files) > self.max_files:
            raise forms.ValidationError(f"Choose at most {self.max_files} photos.")
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


class PhotosForm(forms.Form):
    photos = MultipleImageField(label="Selfies", max_files=20)


class TrainForm(forms.Form):
    name = forms.CharField(label="Name of the avatar", max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "e.g. Me, summer 2026"}))


class CreateOptionsForm(forms.Form):
    """n and the advanced options, with the engine's defaults."""

    n = forms.TypedChoiceField(label="How many portraits", choices=N_CHOICES, coerce=int, initial=1)
    more_like_me = forms.FloatField(label="More like me (0: the template's light, 1: your own)",
                                    min_value=0, max_value=1, initial=0.5, required=False,
                                    widget=forms.NumberInput(attrs={"step": "0.1"}))
    skin_retouching = forms.BooleanField(label="Smooth the skin", required=False)
    style_name = forms.ChoiceField(label="Look", choices=STYLE_NAMES, initial="Realistic", required=False)

    def options(self) -> dict:
        data = self.cleaned_data
        options: dict = {}
        if data.get("more_like_me") is not None and data["more_like_me"] != 0.5:
            options["more_like_me"] = data["more_like_me"]
        if data.get("skin_retouching"):
            options["skin_retouching_bool"] = True
        if data.get("style_name") and data["style_name"] != "Realistic":
            options["style_name"] = data["style_name"]
        return options


class CreateForm(CreateOptionsForm):
    avatar = forms.ChoiceField(label="Avatar")
    template = forms.ModelChoiceField(label="Template", queryset=Template.objects.none(),
                                      widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, avatars, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["avatar"].choices = [(str(a.model_id), a.name or f"Avatar of {a.created_at:%d %b %Y}") for a in avatars]
        self.fields["template"].queryset = templates
        first = templates.first()
        if first is not None:
            self.fields["template"].initial = first.pk


class StyleCreateForm(forms.Form):
    """ID-photo and stylize styles: only the avatar to choose."""

    avatar = forms.ChoiceField(label="Avatar")

    def __init__(self, *args, avatars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["avatar"].choices = [(str(a.model_id), a.name or f"Avatar of {a.created_at:%d %b %Y}") for a in avatars]


class HeadshotCreateForm(StyleCreateForm):
    """Headshot styles: the avatar, how many (each from another photo), the crop, and the colour of a
    brand-colour backdrop."""

    n = forms.TypedChoiceField(label="How many headshots", choices=N_CHOICES, coerce=int, initial=2)
    aspect = forms.ChoiceField(label="Crop", choices=[("4:5", "Portrait 4:5"), ("1:1", "Square 1:1")], initial="4:5")
    colour = forms.RegexField(label="Backdrop colour", regex=r"^#[0-9a-fA-F]{6}$", required=False,
                              widget=forms.TextInput(attrs={"type": "color"}))

    def __init__(self, *args, avatars, colour: str | None = None, **kwargs):
        super().__init__(*args, avatars=avatars, **kwargs)
        if colour is None:
            del self.fields["colour"]  # only a brand-colour backdrop takes one
        else:
            self.fields["colour"].initial = colour

    def options(self) -> dict:
        options = {"aspect": self.cleaned_data["aspect"]}
        if self.cleaned_data.get("colour"):
            options["colour"] = self.cleaned_data["colour"].lower()
        return options


class TrainFreeForm(CreateOptionsForm):
    photos = MultipleImageField(label=f"1 to {TRAIN_FREE_MAX_PHOTOS} photos of one person", max_files=TRAIN_FREE_MAX_PHOTOS)
    template = forms.ModelChoiceField(label="Template", queryset=Template.objects.none(), empty_label=None)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class TemplateUploadForm(forms.Form):
    title = forms.CharField(label="Title", max_length=100, required=False)
    image = forms.FileField(label="Template image (JPEG, PNG or WebP, one face, at least 512 px)",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class NotificationsForm(forms.Form):
    notify_by_email = forms.BooleanField(
        label="Email me when an avatar is trained and when portraits are ready", required=False)


class NameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, required=False)


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(label="Type your email address to confirm")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email != self.user.email.lower():
            raise forms.ValidationError("That is not the email address of this account.")
        return email


class IdPhotoForm(forms.Form):
    """One photo in; the size, background and print sheet; a draft when it would not pass."""

    photo = forms.FileField(label="Your photo (JPEG, PNG or WebP)",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    size = forms.ChoiceField(label="Size", initial="passport", choices=[
        ("passport", "Passport 35x45 mm (EU, UK, ICAO)"), ("us", "US passport and visa 2x2 in"),
        ("1inch", "1 inch 25x35 mm"), ("2inch", "2 inch 35x49 mm"), ("custom", "Custom size (mm)")])
    custom_size = forms.RegexField(label="Custom size, width x height in mm", regex=r"^\s*\d{2,3}(\.\d+)?\s*x\s*\d{2,3}(\.\d+)?\s*(mm)?\s*$",
                                   required=False, max_length=20, widget=forms.TextInput(attrs={"placeholder": "33x48"}))
    background = forms.ChoiceField(label="Background", initial="white", choices=[
        ("white", "White"), ("blue", "Blue"), ("red", "Red"), ("#f0f0f0", "Light grey")])
    sheet = forms.ChoiceField(label="Print sheet", required=False, initial="", choices=[
        ("", "No sheet, the photo alone"), ("6x4", "6x4 in sheet (photo lab 4R)"), ("a6", "A6 sheet with cut marks")])
    draft = forms.BooleanField(label="Make it even if it fails a check (a draft, marked not compliant)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("size") == "custom":
            custom = (data.get("custom_size") or "").replace(" ", "").lower()
            if not custom:
                self.add_error("custom_size", "Give the custom size, e.g. 33x48.")
            data["size"] = custom if custom.endswith("mm") else f"{custom}mm"
        data["sheet"] = data.get("sheet") or False
        return data
