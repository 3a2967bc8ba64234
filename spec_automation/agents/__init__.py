"""Agent roles: reading briefs and artifacts, and producing artifact content."""
