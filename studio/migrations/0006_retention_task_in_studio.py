"""The hourly retention sweep runs the product's own task (studio.portraits.tasks), no longer one in jobs."""

from django.db import migrations

OLD, NEW = "jobs.tasks.sweep_retention", "studio.portraits.tasks.sweep_retention"


def forwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=OLD).update(func=NEW)


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=NEW).update(func=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("studio", "0005_image_files_sized_at_intake"),
        ("jobs", "0005_webhooks"),  # which made the schedule
    ]

    operations = [migrations.RunPython(forwards, backwards)]
