"""The job's errors: one base class, one subclass per kind, each message naming what and where."""


class CurateError(Exception):
    """Base of every error the curate job raises on purpose (exit code 1 with its message)."""


class ArgumentError(CurateError):
    """A job argument is missing or invalid."""


class ManifestError(CurateError):
    """A manifest cannot be read, or does not match the contract (names the manifest and the field)."""


class PartMismatchError(CurateError):
    """A part holds a different number of records (or bytes) than its manifest says (names the part)."""


class SchemaError(CurateError):
    """A stream's records cannot be curated as declared (e.g. its primary key is missing)."""


class PostgresError(CurateError):
    """The PostgreSQL upsert failed; the target was left as it was."""


class ReconciliationError(CurateError):
    """A stream's curated table did not change by what its manifests landed (names the stream and the
    numbers that do not add up)."""


class ReportError(CurateError):
    """The run report could not be written (names where)."""


class SchemaContractError(CurateError):
    """A stream under `schemaContract: freeze` brought new or changed columns (names them); nothing of
    the stream was written."""


class DataQualityError(CurateError):
    """An error-level check failed on a stream's curated table (names the rules and what was seen)."""
