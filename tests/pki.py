"""A throw-away PKI for tests: root CA -> intermediate CA -> leaf certificates.

The intermediate matters: Cloudron's certificates come with a chain, and
both TLS clients and signed Apple profiles need it to verify.
"""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEM = serialization.Encoding.PEM


@dataclass(frozen=True)
class Leaf:
    cert: Path  # leaf certificate followed by the intermediate (what nginx and the tls addon hold)
    key: Path
    leaf_only: Path  # the leaf alone


@dataclass(frozen=True)
class TestCA:
    folder: Path
    root: Path  # the root certificate: the trust anchor to give clients
    intermediate: Path
    _root_key: ec.EllipticCurvePrivateKey
    _inter_key: ec.EllipticCurvePrivateKey
    _inter_cert: x509.Certificate

    def issue(
        self, names: list[str], stem: str = "leaf", valid_from_days: float = 0, self_signed: bool = False
    ) -> Leaf:
        """A server certificate for `names`, signed by the intermediate (or by
        its own key), valid for two days from `valid_from_days` from now."""
        key = ec.generate_private_key(ec.SECP256R1())
        issuer, signing_key = (_name(names[0]), key) if self_signed else (self._inter_cert.subject, self._inter_key)
        cert = (
            _builder(names[0], key.public_key(), issuer, valid_from_days)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_key_id(signing_key.public_key()), critical=False)
            .sign(signing_key, hashes.SHA256())
        )
        leaf = Leaf(self.folder / f"{stem}.pem", self.folder / f"{stem}.key", self.folder / f"{stem}-only.pem")
        leaf.leaf_only.write_bytes(cert.public_bytes(PEM))
        leaf.cert.write_bytes(cert.public_bytes(PEM) + self._inter_cert.public_bytes(PEM))
        leaf.key.write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return leaf


def make_ca(folder: Path) -> TestCA:
    folder.mkdir(parents=True, exist_ok=True)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = "Mail Autoconfig Test Root CA"
    root = (
        _builder(root_name, root_key.public_key(), _name(root_name))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = (
        _builder("Mail Autoconfig Test Intermediate CA", inter_key.public_key(), root.subject)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), critical=False)
        .add_extension(_key_id(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    (folder / "root.pem").write_bytes(root.public_bytes(PEM))
    (folder / "intermediate.pem").write_bytes(inter.public_bytes(PEM))
    return TestCA(folder, folder / "root.pem", folder / "intermediate.pem", root_key, inter_key, inter)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(common_name, public_key, issuer, valid_from_days: float = 0) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=valid_from_days)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
    )


def _key_id(issuer_key) -> x509.AuthorityKeyIdentifier:
    # Public CAs' certificates all carry it, and WebPKI verification needs it.
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key)


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        key_cert_sign=True,
        crl_sign=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )


def cms_verify(signed: bytes, root: Path, folder: Path) -> subprocess.CompletedProcess:
    """What an Apple device does with a signed profile: check the signature
    and the chain up to a trusted root; the content goes to folder/content.

    Only the root is given, so the intermediate must come from inside the
    file. `-purpose any` because the tls addon's certificate is a TLS server
    certificate, not an S/MIME one; Apple devices accept it for profiles.
    """
    (folder / "signed.der").write_bytes(signed)
    return subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            str(folder / "signed.der"),
            "-CAfile",
            str(root),
            "-purpose",
            "any",
            "-out",
            str(folder / "content"),
        ],
        capture_output=True,
    )
