"""The top floor of IJINUS Privacy: the admin site, the DPO's dashboard and the demo (docs/architecture.md)."""
