"""Styles and templates, moved here from the studio app (whose 0007 renamed their tables): state only."""
import django.db.models.deletion
import django.utils.timezone
import studio.catalog.models
from django.conf import settings
from django.db import migrations, models


APP, MODELS = "catalog", ("style", "template")


def move_content_types(apps, schema_editor):
    """Staff permissions and admin history follow the models: their content types change app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=APP, model=model).exists():
            ContentType.objects.filter(app_label="studio", model=model).update(app_label=APP)


def move_back(apps, schema_editor):
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label=APP, model__in=MODELS).update(
        app_label="studio")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('studio', '0007_tables_renamed'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Style',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(max_length=64, unique=True)),
                        ('title', models.CharField(max_length=100)),
                        ('description', models.TextField(blank=True)),
                        ('kind', models.CharField(choices=[('template', 'Portrait'), ('idphoto', 'ID photo'), ('stylize', 'Stylization')], default='template', max_length=16)),
                        ('gender', models.CharField(choices=[('any', 'Any'), ('female', 'Female'), ('male', 'Male')], default='any', max_length=8)),
                        ('parameters', models.JSONField(blank=True, default=dict)),
                        ('preview', models.FileField(blank=True, upload_to='styles/')),
                        ('is_active', models.BooleanField(default=True)),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={
                        'ordering': ['position', 'key'],
                    },
                ),
                migrations.CreateModel(
                    name='Template',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(blank=True, max_length=100)),
                        ('image', models.FileField(upload_to=studio.catalog.models._template_path)),
                        ('width', models.PositiveIntegerField(blank=True, null=True)),
                        ('height', models.PositiveIntegerField(blank=True, null=True)),
                        ('face_count', models.PositiveSmallIntegerField(default=1)),
                        ('digest', models.CharField(blank=True, db_index=True, max_length=64)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='templates', to=settings.AUTH_USER_MODEL)),
                        ('style', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='templates', to='catalog.style')),
                    ],
                    options={
                        'ordering': ['style_id', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('owner__isnull', True), ('style__isnull', False), models.Q(('digest', ''), _negated=True)), fields=('style', 'digest'), name='template_catalog_style_digest_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
