
import studio.catalog.models
import studio.portraits.models
from django.db import migrations, models


def origins_from_source_urls(apps, schema_editor):
    """Before origin, the website marked train-free photos by source_url and kept "" for its own;
    a URL means an API gave it (data: URLs, kept as "", stay on the website's side as before)."""
    Photo = apps.get_model("studio", "Photo")
    Photo.objects.filter(source_url="web:train-free").update(origin="train_free", source_url="")
    Photo.objects.filter(source_url="").update(origin="website")


class Migration(migrations.Migration):

    dependencies = [
        ('studio', '0004_style_kind_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='photo',
            name='origin',
            field=models.CharField(choices=[('website', 'New-avatar page'), ('train_free', 'Train-free creation'), ('api', 'API')], default='api', max_length=16),
        ),
        migrations.AlterField(
            model_name='photo',
            name='image',
            field=models.FileField(upload_to=studio.portraits.models._photo_path),
        ),
        migrations.AlterField(
            model_name='portrait',
            name='image',
            field=models.FileField(upload_to=studio.portraits.models._portrait_path),
        ),
        migrations.AlterField(
            model_name='style',
            name='preview',
            field=models.FileField(blank=True, upload_to='styles/'),
        ),
        migrations.AlterField(
            model_name='template',
            name='image',
            field=models.FileField(upload_to=studio.catalog.models._template_path),
        ),
        migrations.RunPython(origins_from_source_urls, migrations.RunPython.noop),
    ]
