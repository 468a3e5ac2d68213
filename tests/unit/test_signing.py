"""Profile signing with the tls addon's certificate, checked by openssl itself."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from app import signing
from app.signing import load_signer
from tests.pki import cms_verify

CONTENT = b'<?xml version="1.0"?>\n<plist version="1.0"><dict/></plist>\n'


@pytest.fixture(scope="module")
def leaf(test_ca):
    return test_ca.issue(["mailconfig.example.com"], stem="signing")


def test_signed_content_verifies_to_the_root_and_is_embedded_unchanged(leaf, test_ca, tmp_path):
    signer = load_signer(str(leaf.cert), str(leaf.key), str(test_ca.root))
    assert signer.signs and signer.name == "mailconfig.example.com"
    result = cms_verify(signer.sign(CONTENT), test_ca.root, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "content").read_bytes() == CONTENT


def test_tampered_content_fails_verification(leaf, test_ca, tmp_path):
    signed = load_signer(str(leaf.cert), str(leaf.key), str(test_ca.root)).sign(CONTENT)
    tampered = signed.replace(b"<dict/>", b"<dict >")
    assert tampered != signed
    assert cms_verify(tampered, test_ca.root, tmp_path).returncode != 0


def test_without_the_intermediate_nothing_is_signed(leaf, test_ca, tmp_path):
    # The leaf alone would give a signature no device verifies.
    signer = load_signer(str(leaf.leaf_only), str(leaf.key), str(test_ca.root))
    assert (signer.signs, signer.problem) == (False, signing.UNTRUSTED)
    assert "chain does not lead to a trusted root" in signer.detail


@pytest.mark.parametrize(
    "options, why",
    [
        ({"valid_from_days": -3}, "expired on"),
        ({"valid_from_days": 1}, "not valid before"),
        # Cloudron's fallback certificate is self-signed.
        ({"self_signed": True}, "chain does not lead to a trusted root"),
    ],
)
def test_a_certificate_a_device_would_not_verify_signs_nothing(test_ca, options, why):
    leaf = test_ca.issue(["mailconfig.example.com"], stem="untrusted", **options)
    signer = load_signer(str(leaf.cert), str(leaf.key), str(test_ca.root))
    assert (signer.signs, signer.problem) == (False, signing.UNTRUSTED)
    assert why in signer.detail and "\n" not in signer.detail
    assert signer.sign(CONTENT) == CONTENT


def test_the_public_roots_do_not_trust_a_private_ca(leaf):
    # The default trust store is the system's: the test CA is not in it.
    signer = load_signer(str(leaf.cert), str(leaf.key), "/etc/ssl/certs/ca-certificates.crt")
    assert signer.problem == signing.UNTRUSTED


def test_a_wildcard_certificate_signs(test_ca):
    leaf = test_ca.issue(["*.example.com"], stem="wildcard")
    assert load_signer(str(leaf.cert), str(leaf.key), str(test_ca.root)).signs


def write_ed25519_key(path):
    key = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


@pytest.mark.parametrize(
    "cert, key, problem",
    [
        (lambda leaf, tmp: tmp / "absent.pem", lambda leaf, tmp: leaf.key, signing.MISSING),
        (lambda leaf, tmp: leaf.cert, lambda leaf, tmp: tmp / "absent.key", signing.MISSING),
        (lambda leaf, tmp: tmp, lambda leaf, tmp: leaf.key, signing.UNREADABLE),  # a directory
        (lambda leaf, tmp: leaf.key, lambda leaf, tmp: leaf.key, signing.INVALID),
        (lambda leaf, tmp: leaf.cert, lambda leaf, tmp: leaf.cert, signing.INVALID),
        (lambda leaf, tmp: leaf.cert, lambda leaf, tmp: write_ed25519_key(tmp / "ed.key"), signing.INVALID),
        (lambda leaf, tmp: leaf.cert, lambda leaf, tmp: tmp / "other.key", signing.MISMATCH),
    ],
)
def test_unusable_certificates_leave_profiles_unsigned_with_the_reason(leaf, test_ca, tmp_path, cert, key, problem):
    (tmp_path / "other.key").write_bytes(test_ca.issue(["other.example"], stem="other").key.read_bytes())
    signer = load_signer(str(cert(leaf, tmp_path)), str(key(leaf, tmp_path)), str(test_ca.root))
    assert not signer.signs
    assert signer.problem == problem
    assert signer.detail
    assert signer.sign(CONTENT) == CONTENT
