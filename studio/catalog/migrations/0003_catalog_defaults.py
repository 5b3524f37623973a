"""The default catalog (studio.catalog.defaults) after ``migrate`` alone: ID-photo styles, the
stylization presets, the headshot styles and DashScope's ten presets, so that a fresh install
answers every preset before ``seed_catalog`` (previews, demo templates) or a pack has run."""
from django.db import migrations


def defaults_ensure(apps, schema_editor):
    from studio.catalog.defaults import catalog_defaults_ensure

    catalog_defaults_ensure(apps.get_model("catalog", "Style"))


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_style_headshot_fallback"),
    ]

    # Going back leaves the rows: they may hold an admin's edits and portraits refer to them.
    operations = [migrations.RunPython(defaults_ensure, migrations.RunPython.noop)]
