"""Signing Apple profiles with the certificate of Cloudron's tls addon.

An unsigned profile installs, but iOS and macOS mark it "Not Verified".
The certificate, its chain and the key are read once at start (Cloudron
restarts the app when they are renewed); when they cannot be used, profiles
go out unsigned and the reason is kept for the page and the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

# Why profiles are unsigned (the page words each one for people).
MISSING = "missing"  # no certificate or key file
UNREADABLE = "unreadable"  # a file exists but cannot be read
INVALID = "invalid"  # not a PEM certificate/key of a kind CMS signing takes
MISMATCH = "mismatch"  # the key does not belong to the certificate


@dataclass(frozen=True)
class ProfileSigner:
    """The signer certificate followed by its intermediates, and the key;
    or, when unsigned, the problem code and a line saying what went wrong."""

    chain: tuple[x509.Certificate, ...] = ()
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None
    problem: str | None = None
    detail: str = ""

    @property
    def signs(self) -> bool:
        return self.key is not None

    @property
    def name(self) -> str:
        """The signer as devices show it: the certificate's common name."""
        names = self.chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME) if self.chain else []
        return str(names[0].value) if names else ""

    def sign(self, content: bytes) -> bytes:
        """CMS SignedData, DER, content embedded, intermediates included;
        the content itself when there is nothing to sign with."""
        if self.key is None:
            return content
        builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(self.chain[0], self.key, hashes.SHA256())
        for certificate in self.chain[1:]:
            builder = builder.add_certificate(certificate)
        # Binary: embed the plist byte for byte, not converted to CRLF lines.
        return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])


def load_signer(cert_file: str, key_file: str) -> ProfileSigner:
    """Read the certificate chain and key; never raises."""
    try:
        with open(cert_file, "rb") as handle:
            cert_pem = handle.read()
        with open(key_file, "rb") as handle:
            key_pem = handle.read()
    except FileNotFoundError as exc:
        return ProfileSigner(problem=MISSING, detail=f"no file at {exc.filename}")
    except OSError as exc:
        return ProfileSigner(problem=UNREADABLE, detail=f"cannot read {exc.filename} ({exc.strerror})")
    try:
        chain = tuple(x509.load_pem_x509_certificates(cert_pem))
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        return ProfileSigner(problem=INVALID, detail=f"{cert_file} or {key_file}: {exc}")
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        return ProfileSigner(problem=INVALID, detail=f"{key_file}: only RSA and EC keys can sign profiles")
    if chain[0].public_key() != key.public_key():
        return ProfileSigner(
            problem=MISMATCH, detail=f"the key in {key_file} is not the key of the first certificate in {cert_file}"
        )
    return ProfileSigner(chain=chain, key=key)
