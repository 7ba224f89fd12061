"""Full-text search on PostgreSQL: the unaccent extension, a `spanish_unaccent` configuration and a GIN index.

On SQLite nothing happens here: the search falls back to the accent-folded `texto_busqueda` column.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CREAR = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'spanish_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION spanish_unaccent (COPY = spanish);
        ALTER TEXT SEARCH CONFIGURATION spanish_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
    END IF;
END
$$;
CREATE INDEX IF NOT EXISTS practica_vector_busqueda_gin ON practicas_practica USING gin (vector_busqueda);
"""
BORRAR = """
DROP INDEX IF EXISTS practica_vector_busqueda_gin;
DROP TEXT SEARCH CONFIGURATION IF EXISTS spanish_unaccent;
"""


def crear(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREAR)


def borrar(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BORRAR)


class Migration(migrations.Migration):
    dependencies = [("practicas", "0002_cargar_taxonomia_cead_2024")]

    operations = [UnaccentExtension(), migrations.RunPython(crear, borrar)]
