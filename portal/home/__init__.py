"""The home pages: the public front page, the client's home and the practitioner's dashboard."""
