"""Jobs know no avatars: the product's portraits.AvatarJob holds the link now."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0008_job_avatar_in_portraits'),
        ('portraits', '0002_avatar_jobs'),  # which copied the avatars out first
    ]

    operations = [
        migrations.RemoveField(
            model_name='job',
            name='avatar',
        ),
    ]
