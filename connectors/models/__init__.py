"""Models of the connected systems (DESIGN.md, layout: connectors/)."""
