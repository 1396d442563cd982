//! Mermaid flowcharts: import (parser) and lossless export.
