"""Background tasks of the audit app."""

from django_tasks import task

from . import chain


@task()
def seal_audit_chain() -> int:
    return chain.seal()


@task()
def archive_audit_trail() -> int:
    """The monthly archiving run (registered daily; acts once a month, see archive_if_due)."""
    from . import archive

    return archive.archive_if_due()
