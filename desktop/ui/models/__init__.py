"""Qt item models over the services' plain row objects (ids plus a small cache of rows)."""
