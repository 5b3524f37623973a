"""Webhook endpoints, deliveries and attempts; the minutely webhook sweeper and the hourly retention sweep."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SCHEDULES = {
    # Picks deliveries whose retry is due (django-q2 has no per-task delay on every broker).
    "deliver webhooks": {"func": "jobs.tasks.sweep_webhooks", "schedule_type": "I", "minutes": 1, "repeats": -1},
    # Deletes what the retention settings say is no longer kept (studio.services.retention).
    "retention sweep": {"func": "jobs.tasks.sweep_retention", "schedule_type": "H", "repeats": -1},
}


def add_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, defaults in SCHEDULES.items():
        Schedule.objects.update_or_create(name=name, defaults=defaults)


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0004_stylize_idphoto_kinds'),
        ('django_q', '0018_task_success_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
                ('redelivery_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.webhookdelivery')),
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
                ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='jobs.webhookdelivery')),
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
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='jobs.webhookendpoint'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['state', 'next_attempt_at'], name='webhook_delivery_due'),
        ),
        migrations.RunPython(add_schedules, remove_schedules),
    ]
