//! OWASP Threat Dragon models: import (v1 and v2) and export (v2).
