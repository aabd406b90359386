"""Size limits on what a submission may contain, so that memory and time stay bounded.

The defaults suit the course's deliverables; a course file may change them (`limits:`), and the
CLI applies them once per process, before grading.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MB = 1024 * 1024


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(20, gt=0)          # any one file read from a submission
    max_files: int = Field(500, ge=1)             # files in a folder or entries in a zip
    max_zip_ratio: float = Field(200, gt=1)       # a zip member's uncompressed ÷ compressed size (above 1 MB)
    max_yaml_mb: float = Field(5, gt=0)
    max_yaml_values: int = Field(200_000, ge=100)
    max_markdown_mb: float = Field(2, gt=0)
    max_csv_rows: int = Field(100_000, ge=10)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_yaml_bytes(self) -> int:
        return int(self.max_yaml_mb * MB)

    @property
    def max_markdown_bytes(self) -> int:
        return int(self.max_markdown_mb * MB)


current = Limits()


def configure(limits: Limits) -> None:
    """Use these limits from now on in this process (the CLI does it after loading the course)."""
    global current
    current = limits
