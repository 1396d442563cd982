//! One scene geometry for every drawn export: SVG, PNG and the report.
