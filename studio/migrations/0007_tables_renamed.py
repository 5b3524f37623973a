"""The product's models leave the studio app for studio.catalog and studio.portraits: their tables
(and the portraits' avatars table) take the new apps' names first; 0008 then hands them over."""

from django.db import migrations

NEW_TABLES = {
    "Style": "catalog_style",
    "Template": "catalog_template",
    "Avatar": "portraits_avatar",
    "Photo": "portraits_photo",
    "Portrait": "portraits_portrait",  # Django renames its avatars table with it
}


class Migration(migrations.Migration):

    dependencies = [
        ("studio", "0006_retention_task_in_studio"),
    ]

    operations = [migrations.AlterModelTable(name=name, table=table) for name, table in NEW_TABLES.items()]
