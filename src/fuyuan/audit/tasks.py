"""Background tasks of the audit app."""

from django_tasks import task

from . import chain


@task()
def seal_audit_chain() -> int:
    return chain.seal()
