"""The full-text index of published articles on PostgreSQL (knowledge/search.py).

A stored generated column weighs the segmented title (A), tags (B) and body (C)
under the 'simple' configuration, which only lower-cases jieba's words; a GIN
index serves `@@` queries. PostgreSQL keeps the column in step with every
write of the three columns. SQLite (`make run`) matches the same columns with
LIKE and needs nothing here.
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_tags), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, search_body), 'C')"
)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX knowledge_article_search ON knowledge_article USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_search")
    schema_editor.execute("ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles_versions_events_feedback")]

    operations = [migrations.RunPython(add_index, drop_index)]
