"""Organization kinds: municipal directorate, provincial or regional presidential delegation, partner institution.

Existing organizations get the kind their territory implies: a commune's → dirección municipal; a province's →
Delegación Presidencial Provincial, except the province of the regional capital (e.g. 051 Valparaíso), where the
Delegación Presidencial Regional exercises the provincial functions → Delegación Presidencial Regional.

The one-per-territory rules now count only organizations that hold their territory (active or suspended): a
pending request no longer blocks others who ask for the same commune or province; the admin approves one.
"""

from django.db import migrations, models

# Frozen copy of comunas.dpa.PROVINCIAS_CAPITALES: the province of each regional capital.
CAPITALES = [
    "011", "021", "031", "041", "051", "061", "071", "081", "091", "101", "111", "121", "131", "141", "151", "161",
]  # fmt: skip


def asignar_tipos(apps, schema_editor):
    Organizacion = apps.get_model("comunas", "Organizacion")
    Organizacion.objects.filter(comuna__isnull=False).update(tipo="municipal")
    provinciales = Organizacion.objects.filter(comuna__isnull=True, provincia__isnull=False)
    provinciales.filter(provincia__in=CAPITALES).update(tipo="delegacion_regional")
    provinciales.exclude(provincia__in=CAPITALES).update(tipo="delegacion_provincial")


class Migration(migrations.Migration):
    dependencies = [("comunas", "0010_dpa_oficial")]

    operations = [
        migrations.AddField(
            model_name="organizacion",
            name="tipo",
            field=models.CharField(
                choices=[
                    ("municipal", "Dirección municipal de seguridad pública"),
                    ("delegacion_provincial", "Delegación Presidencial Provincial"),
                    ("delegacion_regional", "Delegación Presidencial Regional"),
                    ("institucion", "Institución asociada"),
                ],
                default="municipal",
                max_length=24,
                verbose_name="tipo",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="organizacion",
            name="institucion",
            field=models.CharField(
                blank=True,
                help_text="Solo institución asociada: Carabineros, PDI, Fiscalía, SENDA, SernamEG, Gendarmería, SEREMI…",
                max_length=120,
                verbose_name="institución",
            ),
        ),
        migrations.RunPython(asignar_tipos, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="organizacion", name="organizacion_unica_por_comuna"),
        migrations.RemoveConstraint(model_name="organizacion", name="organizacion_unica_por_provincia"),
        migrations.AddConstraint(
            model_name="organizacion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comuna__isnull", False), ("tipo", "municipal")),
                    models.Q(
                        ("provincia__isnull", False),
                        ("tipo", "delegacion_provincial"),
                        models.Q(("provincia__in", CAPITALES), _negated=True),
                    ),
                    models.Q(("provincia__in", CAPITALES), ("tipo", "delegacion_regional")),
                    models.Q(("tipo", "institucion"), models.Q(("institucion", ""), _negated=True)),
                    _connector="OR",
                ),
                name="organizacion_tipo_segun_territorio",
                violation_error_message=(
                    "Una dirección municipal es de una comuna; una Delegación Presidencial Provincial, de una "
                    "provincia sin capital regional; la Regional, de la provincia de la capital; una institución "
                    "asociada lleva el nombre de la institución."
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="organizacion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("estado__in", ["activa", "suspendida"]), ("tipo", "municipal")),
                fields=("comuna",),
                name="organizacion_unica_por_comuna",
                violation_error_message="Esa comuna ya tiene una dirección de seguridad en la plataforma.",
            ),
        ),
        migrations.AddConstraint(
            model_name="organizacion",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("tipo__in", ["delegacion_provincial", "delegacion_regional"]),
                    ("estado__in", ["activa", "suspendida"]),
                ),
                fields=("provincia",),
                name="organizacion_unica_por_provincia",
                violation_error_message="Esa provincia ya tiene su Delegación Presidencial en la plataforma.",
            ),
        ),
    ]
