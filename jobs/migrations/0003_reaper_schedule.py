"""The reaper runs every minute on whichever cluster is up (django-q2 runs a schedule once)."""
from django.db import migrations

REAPER = "jobs.tasks.reap_jobs"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="reap jobs", defaults={"func": REAPER, "schedule_type": "I", "minutes": 1, "repeats": -1}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="reap jobs").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
