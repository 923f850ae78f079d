"""The title-and-tags index of search's first tier, and the newest-first index its
bounded candidate sets are read from (knowledge/search.py).

On PostgreSQL a second stored generated column weighs the segmented title (A)
and tags (B) alone, with a GIN index: "every word in the title or the tags"
is then answered from a small vector without reading the bodies' lexemes.
SQLite (`make run`) matches the same columns with LIKE and needs only the
newest-first index.
"""

from django.db import migrations, models

HEAD = (
    "setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_tags), 'B')"
)


def add_head(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE knowledge_article ADD COLUMN search_head tsvector "
        f"GENERATED ALWAYS AS ({HEAD}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX knowledge_article_search_head ON knowledge_article USING gin (search_head)"
    )


def drop_head(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_search_head")
    schema_editor.execute("ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_head")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0005_article_category")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-published_at", "-id"], name="article_newest"),
        ),
        migrations.RunPython(add_head, drop_head),
    ]
