"""The product's models leave the studio app's state; studio.catalog and studio.portraits hold them."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0008_job_avatar_in_portraits'),
        ('studio', '0007_tables_renamed'),
        ('catalog', '0001_initial'),
        ('portraits', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='photo',
                    name='avatar',
                ),
                migrations.RemoveField(
                    model_name='portrait',
                    name='avatars',
                ),
                migrations.RemoveField(
                    model_name='photo',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='portrait',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='portrait',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='portrait',
                    name='style',
                ),
                migrations.RemoveField(
                    model_name='portrait',
                    name='template',
                ),
                migrations.RemoveField(
                    model_name='template',
                    name='style',
                ),
                migrations.RemoveField(
                    model_name='template',
                    name='owner',
                ),
                migrations.DeleteModel(
                    name='Avatar',
                ),
                migrations.DeleteModel(
                    name='Photo',
                ),
                migrations.DeleteModel(
                    name='Portrait',
                ),
                migrations.DeleteModel(
                    name='Style',
                ),
                migrations.DeleteModel(
                    name='Template',
                ),
            ],
        ),
    ]
