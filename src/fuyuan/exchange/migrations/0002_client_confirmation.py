"""The security administrator's confirmation of system clients. Clients that exist already
were made when the system administrator granted the service user's role himself: they are
kept working (state "confirmed"); every new client starts "pending"."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='apiclient',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decided at'),
        ),
        migrations.AddField(
            model_name='apiclient',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='apiclient',
            name='decision_note',
            field=models.CharField(blank=True, max_length=500, verbose_name='reason given'),
        ),
        # Existing rows get "confirmed" (AddField fills them with its default) ...
        migrations.AddField(
            model_name='apiclient',
            name='state',
            field=models.CharField(choices=[('pending', "Awaiting the security administrator's confirmation"), ('confirmed', 'Confirmed'), ('rejected', 'Rejected')], default='confirmed', max_length=10, verbose_name='state'),
        ),
        # ... new rows "pending".
        migrations.AlterField(
            model_name='apiclient',
            name='state',
            field=models.CharField(choices=[('pending', "Awaiting the security administrator's confirmation"), ('confirmed', 'Confirmed'), ('rejected', 'Rejected')], default='pending', max_length=10, verbose_name='state'),
        ),
    ]
