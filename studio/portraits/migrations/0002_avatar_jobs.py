"""The product keeps the link between a job and its avatar (jobs no longer know avatars): the links
are copied from the jobs' own column, which jobs/0009 then drops."""
import django.db.models.deletion
from django.db import migrations, models


def links_from_jobs(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    AvatarJob = apps.get_model("portraits", "AvatarJob")
    AvatarJob.objects.bulk_create(
        [AvatarJob(job_id=job_id, avatar_id=avatar_id)
         for job_id, avatar_id in Job.objects.filter(avatar__isnull=False).values_list("id", "avatar_id")],
        batch_size=1000,
    )


def jobs_from_links(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for link in apps.get_model("portraits", "AvatarJob").objects.all():
        Job.objects.filter(id=link.job_id).update(avatar_id=link.avatar_id)


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0008_job_avatar_in_portraits'),  # the job's own avatar column is read before 0009 drops it
        ('portraits', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AvatarJob',
            fields=[
                ('job', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='avatar_link', serialize=False, to='jobs.job')),
                ('avatar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='job_links', to='portraits.avatar')),
            ],
        ),
        migrations.RunPython(links_from_jobs, jobs_from_links),
    ]
