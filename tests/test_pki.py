"""The test PKI itself must produce chains that openssl accepts, or every TLS test lies."""

import subprocess


def test_issued_leaf_verifies_through_intermediate_to_root(tmp_path):
    from tests.pki import make_ca

    ca = make_ca(tmp_path)
    leaf = ca.issue(["autoconfig.example.com", "autodiscover.example.com"])
    result = subprocess.run(
        ["openssl", "verify", "-CAfile", str(ca.root), "-untrusted", str(ca.intermediate), str(leaf.leaf_only)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    alone = subprocess.run(
        ["openssl", "verify", "-CAfile", str(ca.root), str(leaf.leaf_only)], capture_output=True, text=True
    )
    assert alone.returncode != 0
