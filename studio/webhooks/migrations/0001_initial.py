"""The webhook models, moved here from jobs (whose 0007 renamed their tables): state only. Their
schedule runs the new task, and their content types (and so staff permissions) move with them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ("webhookattempt", "webhookcallback", "webhookcallbacksecret", "webhookdelivery", "webhookendpoint")
OLD_SWEEP, NEW_SWEEP = "jobs.tasks.sweep_webhooks", "studio.webhooks.tasks.sweep_webhooks"


def move_schedule_and_content_types(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=OLD_SWEEP).update(func=NEW_SWEEP)
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="webhooks", model=model).exists():
            ContentType.objects.filter(app_label="jobs", model=model).update(app_label="webhooks")


def move_back(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=NEW_SWEEP).update(func=OLD_SWEEP)
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="webhooks", model__in=MODELS).update(
        app_label="jobs")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('jobs', '0007_webhooks_moved_out'),
        ('django_q', '0018_task_success_index'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WebhookCallback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('url', models.URLField(max_length=2000)),
                        ('job', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_callback', to='jobs.job')),
                    ],
                ),
                migrations.CreateModel(
                    name='WebhookCallbackSecret',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('secret_encrypted', models.TextField()),
                        ('previous_secret_encrypted', models.TextField(blank=True)),
                        ('previous_secret_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('owner', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_callback_secret', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('url', models.URLField(blank=True, max_length=2000)),
                        ('event_id', models.CharField(db_index=True, max_length=64)),
                        ('type', models.CharField(max_length=64)),
                        ('payload', models.JSONField()),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, null=True, unique=True)),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('abandoned', 'Abandoned')], default='pending', max_length=16)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='webhook_deliveries', to='jobs.job')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_deliveries', to=settings.AUTH_USER_MODEL)),
                        ('redelivery_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='webhooks.webhookdelivery')),
                    ],
                    options={
                        'verbose_name_plural': 'webhook deliveries',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('url', models.URLField(max_length=2000)),
                        ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('duration', models.FloatField(blank=True, null=True)),
                        ('response_excerpt', models.TextField(blank=True)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='webhooks.webhookdelivery')),
                    ],
                    options={
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('secret_encrypted', models.TextField()),
                        ('previous_secret_encrypted', models.TextField(blank=True)),
                        ('previous_secret_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('url', models.URLField(max_length=2000)),
                        ('description', models.CharField(blank=True, max_length=200)),
                        ('events', models.JSONField(blank=True, default=list)),
                        ('enabled', models.BooleanField(default=True)),
                        ('disabled_reason', models.CharField(blank=True, max_length=200)),
                        ('failing_since', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddField(
                    model_name='webhookdelivery',
                    name='endpoint',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='webhooks.webhookendpoint'),
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(fields=['state', 'next_attempt_at'], name='webhook_delivery_due'),
                ),
            ],
        ),
        migrations.RunPython(move_schedule_and_content_types, move_back),
    ]
