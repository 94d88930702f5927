"""Search documents beside Wagtail's index entries; on PostgreSQL, a GIN index over the entries'
`title || body`, the vector our searches (and Wagtail's own) match against."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


GIN = "bwsearch_indexentry_title_body_gin"


def create_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN} ON wagtailsearch_indexentry USING gin ((title || body))"
        )


def drop_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_initial'),
        ('wagtailsearch', '0010_add_text_fields'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='wagtailsearch.indexentry')),
                ('kind', models.CharField(max_length=20, verbose_name='kind')),
                ('object_pk', models.BigIntegerField()),
                ('date', models.DateTimeField(blank=True, null=True)),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('title', models.TextField()),
                ('text', models.TextField(blank=True)),
                ('indexed_at', models.DateTimeField(auto_now=True)),
                ('channel', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.WAGTAIL_PAGE_MODEL)),
                ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.organization')),
            ],
            options={
                'verbose_name': 'search document',
                'verbose_name_plural': 'search documents',
                'indexes': [
                    models.Index(fields=['kind', 'object_pk'], name='bwsearch_kind_object'),
                    models.Index(fields=['entry', 'kind', 'object_pk', 'organization', 'channel', 'year', 'date'], name='bwsearch_match_cover'),
                ],
            },
        ),
        migrations.RunPython(create_gin, drop_gin),
    ]
