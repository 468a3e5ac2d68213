"""Signing Apple profiles with the certificate of Cloudron's tls addon.

An unsigned profile installs, but iOS and macOS mark it "Not Verified".
The certificate, its chain and the key are read once at start (Cloudron
restarts the app when they are renewed); when they cannot be used, or a
device would not verify them, profiles go out unsigned and the reason is
kept for the page and the log.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509 import DNSName
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

# Why profiles are unsigned (the page words each one for people).
MISSING = "missing"  # no certificate or key file
UNREADABLE = "unreadable"  # a file exists but cannot be read
INVALID = "invalid"  # not a PEM certificate/key of a kind CMS signing takes
MISMATCH = "mismatch"  # the key does not belong to the certificate
UNTRUSTED = "untrusted"  # a device would not verify it: expired, not yet valid, or no chain to a public root

PEM_END = b"-----END CERTIFICATE-----"


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


def load_signer(cert_file: str, key_file: str, trust_store_file: str) -> ProfileSigner:
    """Read the certificate chain and key; never raises. Signs only when a
    device trusting the roots in `trust_store_file` would verify the result."""
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
    why_untrusted = _why_untrusted(chain, trust_store_file)
    if why_untrusted:
        return ProfileSigner(problem=UNTRUSTED, detail=f"{cert_file}: {why_untrusted}")
    return ProfileSigner(chain=chain, key=key)


def _why_untrusted(chain: tuple[x509.Certificate, ...], trust_store_file: str) -> str | None:
    """Why a device would not verify a profile signed with `chain`, or None.

    A signature that does not verify is worse than none: the device shows it
    as failed. Cloudron's fallback certificate is self-signed, an old one
    expires, and a leaf without its intermediate leads to no root. The
    chain is checked by cryptography's WebPKI verifier, as a TLS client
    would check the same certificate, at the first name it carries.
    """
    leaf, now = chain[0], datetime.now(UTC)
    if now < leaf.not_valid_before_utc:
        return f"not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
    if now > leaf.not_valid_after_utc:
        return f"expired on {leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
    roots = _roots(trust_store_file)
    if not roots:
        return f"no trusted roots could be read from {trust_store_file}"
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        name = names.get_values_for_type(x509.DNSName)[0]
        # A wildcard name stands for any one label under it.
        verifier = (
            PolicyBuilder().store(Store(roots)).time(now).build_server_verifier(DNSName(name.replace("*", "x", 1)))
        )
        verifier.verify(leaf, list(chain[1:]))
    except (x509.ExtensionNotFound, IndexError):
        return "it names no host (no DNS subject alternative name)"
    except (VerificationError, ValueError) as exc:
        return f"its chain does not lead to a trusted root ({exc})"
    return None


def _roots(trust_store_file: str) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle that parses. One at a time: a public
    bundle holds an old root that cryptography warns about (and will
    refuse), which must not cost every other root."""
    try:
        with open(trust_store_file, "rb") as handle:
            bundle = handle.read()
    except OSError:
        return []
    roots = []
    for block in bundle.split(PEM_END)[:-1]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                roots.append(x509.load_pem_x509_certificate(block + PEM_END))
        except ValueError:
            continue
    return roots
