import pytest

from branchwork.intake.tests import mail


def contribution_service():
    """publishing's contribution_create, or None while the publishing engineer is writing it."""
    try:
        from branchwork.publishing.services import contribution_create
    except ImportError:
        return None
    return contribution_create


HAS_PUBLISHING = contribution_service() is not None
NO_PUBLISHING = (
    "branchwork.publishing.services.contribution_create is not there yet: the draft part of this "
    "test runs once publishing provides it"
)
needs_publishing = pytest.mark.skipif(not HAS_PUBLISHING, reason=NO_PUBLISHING)


@pytest.fixture
def portal(personas):
    """The portal publishing needs before a contribution can be created: its editorial workflow,
    an editor, a signer and a channel that accepts contributions."""
    if not HAS_PUBLISHING:
        pytest.skip(NO_PUBLISHING)
    from branchwork.publishing.testing import build_portal

    return build_portal(personas)


@pytest.fixture
def inbox():
    """A real SMTP server on loopback that receipts are sent to (EMAIL_BACKEND=smtp)."""
    with mail.receipt_server() as server:
        yield server
