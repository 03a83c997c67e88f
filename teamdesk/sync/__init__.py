"""Sync: identities, bundle files, merge, outbox, upload client, province hub. Never imports Qt."""
