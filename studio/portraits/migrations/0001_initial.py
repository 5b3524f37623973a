"""Avatars, photos and portraits, moved here from the studio app (whose 0007 renamed their tables):
state only."""
import django.db.models.deletion
import django.utils.timezone
import studio.portraits.models
import uuid
from django.conf import settings
from django.db import migrations, models


APP, MODELS = "portraits", ("avatar", "photo", "portrait")


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
        ('catalog', '0001_initial'),
        ('jobs', '0007_webhooks_moved_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('studio', '0007_tables_renamed'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Avatar',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('model_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('name', models.CharField(blank=True, max_length=100)),
                        ('status', models.CharField(choices=[('training', 'Training'), ('ready', 'Ready'), ('failed', 'Failed')], default='training', max_length=16)),
                        ('backend', models.CharField(default='classic', max_length=32)),
                        ('artifact', models.CharField(blank=True, max_length=255)),
                        ('photos_used', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('trained_at', models.DateTimeField(blank=True, null=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='avatars', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Photo',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.FileField(upload_to=studio.portraits.models._photo_path)),
                        ('width', models.PositiveIntegerField(blank=True, null=True)),
                        ('height', models.PositiveIntegerField(blank=True, null=True)),
                        ('origin', models.CharField(choices=[('website', 'New-avatar page'), ('train_free', 'Train-free creation'), ('api', 'API')], default='api', max_length=16)),
                        ('source_url', models.TextField(blank=True)),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('check_result', models.JSONField(blank=True, null=True)),
                        ('is_reference', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('avatar', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='portraits.avatar')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['avatar_id', 'position', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Portrait',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.FileField(upload_to=studio.portraits.models._portrait_path)),
                        ('width', models.PositiveIntegerField(blank=True, null=True)),
                        ('height', models.PositiveIntegerField(blank=True, null=True)),
                        ('rank', models.PositiveSmallIntegerField(default=0)),
                        ('identity_distance', models.FloatField(blank=True, null=True)),
                        ('is_favourite', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('avatars', models.ManyToManyField(blank=True, related_name='portraits', to='portraits.avatar')),
                        ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='portraits', to='jobs.job')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='portraits', to=settings.AUTH_USER_MODEL)),
                        ('style', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='portraits', to='catalog.style')),
                        ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='portraits', to='catalog.template')),
                    ],
                    options={
                        'ordering': ['-created_at', 'rank'],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
