"""Where a manifest's files are: local paths and `s3://` URIs, read as bytes, and a part key's location."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import ManifestError


def local_path(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path)) if uri.startswith("file:") else Path(uri)


def s3_client(endpoint: str | None = None):
    import boto3
    from botocore.config import Config

    endpoint = endpoint or os.environ.get("AWS_ENDPOINT_URL") or None
    config = Config(s3={"addressing_style": "path"}) if endpoint else None
    return boto3.client("s3", endpoint_url=endpoint, config=config)


def split_s3(uri: str) -> tuple[str, str]:
    u = urlparse(uri)
    return u.netloc, u.path.lstrip("/")


def read_bytes(uri: str, s3=None) -> bytes:
    if uri.startswith(("s3://", "s3a://")):
        bucket, key = split_s3(uri)
        try:
            return (s3 or s3_client()).get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as e:
            raise ManifestError(f"cannot read {uri}: {e}") from e
    try:
        return local_path(uri).read_bytes()
    except OSError as e:
        raise ManifestError(f"cannot read {uri}: {e.strerror or e}") from e


def part_location(manifest_uri: str, key: str) -> str:
    """A part key → where it is. Absolute URIs stay; bucket keys are under the manifest's bucket (s3) or
    under the root the manifest's own key shares with it (local); a bare name sits next to the manifest."""
    if key.startswith(("s3://", "s3a://", "file:", "/")):
        return key
    if manifest_uri.startswith(("s3://", "s3a://")):
        bucket, _ = split_s3(manifest_uri)
        return f"s3://{bucket}/{key}"
    here = local_path(manifest_uri).parent
    folder = key.rsplit("/", 1)[0] if "/" in key else ""
    text = str(here)
    if folder and text.endswith("/" + folder):
        return os.path.join(text[: -len(folder)], key)
    return str(here / key.rsplit("/", 1)[-1])
