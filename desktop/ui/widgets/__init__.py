"""Small reusable widgets: the message bar, the sync status bar, avatars, alert chips."""
