import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="style",
            name="fallback",
            field=models.ForeignKey(
                blank=True,
                help_text="The headshot style that makes this template style while it has no template.",
                limit_choices_to={"kind": "headshot"},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="catalog.style",
            ),
        ),
        migrations.AlterField(
            model_name="style",
            name="kind",
            field=models.CharField(
                choices=[("template", "Portrait"), ("idphoto", "ID photo"), ("stylize", "Stylization"),
                         ("headshot", "Headshot")],
                default="template",
                max_length=16,
            ),
        ),
    ]
